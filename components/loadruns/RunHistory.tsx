'use client';

import Link from 'next/link';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { useRuns } from '@/components/runs/api';
import { ms, rate, when } from '@/components/ui/format';
import { Table } from '@/components/ui/Table';
import { StatusBadge } from './StatusBadge';

/** Past runs, newest first, with their benchmark_serving figures; each links to its permalink. */
export function RunHistory() {
  const q = useRuns();
  const runs = q.data?.runs ?? [];
  return (
    <Panel
      title="Runs"
      source="Postgres"
      testId="run-history"
      {...queryPanelState(q)}
      empty={runs.length === 0 && 'No runs yet — fire a load above; each run gets a permanent page.'}
    >
      <div className="overflow-x-auto">
        <Table
          caption="Past load runs, newest first"
          className="min-w-[900px]"
          rows={runs}
          rowKey={(r) => r.id}
          rowProps={() => ({ className: 'hover:bg-panel-2' })}
          columns={[
            {
              header: 'Started',
              className: 'whitespace-nowrap',
              cell: (r) => (
                <Link href={`/sandbox/runs/${r.id}`} className="text-accent underline-offset-2 hover:underline">
                  {when(r.createdAt)}
                </Link>
              ),
            },
            { header: 'Target', cell: (r) => r.target },
            { header: 'Status', cell: (r) => <StatusBadge status={r.status} /> },
            { header: 'Done / failed / total', numeric: true, cell: (r) => `${r.done} / ${r.failed} / ${r.params.requests}` },
            { header: 'Req/s', numeric: true, cell: (r) => rate(r.summary?.report?.requestThroughput) },
            { header: 'Out tok/s', numeric: true, cell: (r) => rate(r.summary?.report?.outputThroughput, 1) },
            { header: 'TTFT p50 / p99 ms', numeric: true, cell: (r) => `${ms(r.summary?.report?.ttftMs?.median)} / ${ms(r.summary?.report?.ttftMs?.p99)}` },
            { header: 'TPOT p50 ms', numeric: true, cell: (r) => ms(r.summary?.report?.tpotMs?.median) },
            { header: 'E2E p50 / p99 ms', numeric: true, cell: (r) => `${ms(r.summary?.report?.e2eMs?.median)} / ${ms(r.summary?.report?.e2eMs?.p99)}` },
            {
              header: 'Goodput req/s',
              numeric: true,
              cell: (r) => {
                const rep = r.summary?.report;
                return rep?.goodput === null || !rep ? '—' : rate(rep.goodput);
              },
            },
          ]}
        />
      </div>
    </Panel>
  );
}
