'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import { fromColumns, slowest } from '@/lib/loadruns/samples';
import { Badge } from '@/components/ui/Badge';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { useRun } from '@/components/runs/api';
import { ms } from '@/components/ui/format';
import { Table } from '@/components/ui/Table';

/**
 * The run's slowest requests as the load generator measured them, each with the trace
 * id it sent in `traceparent`: the bridge from a client-side latency to its trace.
 */
export function SlowestRequests({ id, traceHref, limit = 15 }: { id: string; traceHref: (traceId: string) => string; limit?: number }) {
  const q = useRun(id, { samples: true });
  const rows = useMemo(() => (q.data?.samples ? slowest(fromColumns(q.data.samples), limit) : []), [q.data, limit]);
  return (
    <Panel
      title="Slowest requests"
      source="Load generator (client side)"
      testId="run-slowest"
      {...queryPanelState(q)}
      empty={rows.length === 0 && 'No per-request measures were stored for this run.'}
    >
      <div className="overflow-x-auto">
        <Table
          caption="Slowest requests, failed ones first"
          className="min-w-[720px]"
          rows={rows}
          rowKey={(r) => r.index}
          columns={[
            { header: '#', className: 'font-mono tabular-nums', cell: (r) => r.index },
            { header: 'Priority', cell: (r) => <Badge tone={r.priority === 'P0' ? 'accent' : 'neutral'}>{r.priority}</Badge> },
            { header: 'E2E ms', numeric: true, cell: (r) => ms(r.e2eMs) },
            { header: 'TTFT ms', numeric: true, cell: (r) => ms(r.ttftMs) },
            { header: 'TPOT ms', numeric: true, cell: (r) => ms(r.tpotMs) },
            { header: 'Tokens in / out', numeric: true, cell: (r) => `${r.promptTokens} / ${r.outputTokens}` },
            {
              header: 'Trace',
              cell: (r) => (
                <>
                  <Link href={traceHref(r.traceId)} className="font-mono text-xs text-accent underline-offset-2 hover:underline">
                    {r.traceId}
                  </Link>
                  {r.error && <span className="ml-2 text-xs text-danger">{r.error}</span>}
                </>
              ),
            },
          ]}
        />
      </div>
    </Panel>
  );
}
