'use client';

import Link from 'next/link';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { useRuns } from '@/components/runs/api';
import { ms, rate, when } from '@/components/ui/format';
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
        <table className="w-full min-w-[900px] text-sm">
          <thead>
            <tr className="border-b border-line text-left text-xs text-muted">
              <th scope="col" className="py-1 pr-3 font-medium">Started</th>
              <th scope="col" className="py-1 pr-3 font-medium">Target</th>
              <th scope="col" className="py-1 pr-3 font-medium">Status</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">Done / failed / total</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">Req/s</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">Out tok/s</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">TTFT p50 / p99 ms</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">TPOT p50 ms</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">E2E p50 / p99 ms</th>
              <th scope="col" className="py-1 text-right font-medium">Goodput req/s</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => {
              const rep = r.summary?.report;
              return (
                <tr key={r.id} className="border-b border-line/60 last:border-0 hover:bg-panel-2">
                  <td className="py-1 pr-3 whitespace-nowrap">
                    <Link href={`/sandbox/runs/${r.id}`} className="text-accent underline-offset-2 hover:underline">
                      {when(r.createdAt)}
                    </Link>
                  </td>
                  <td className="py-1 pr-3">{r.target}</td>
                  <td className="py-1 pr-3">
                    <StatusBadge status={r.status} />
                  </td>
                  <td className="py-1 pr-3 text-right font-mono tabular-nums">
                    {r.done} / {r.failed} / {r.params.requests}
                  </td>
                  <td className="py-1 pr-3 text-right font-mono tabular-nums">{rate(rep?.requestThroughput)}</td>
                  <td className="py-1 pr-3 text-right font-mono tabular-nums">{rate(rep?.outputThroughput, 1)}</td>
                  <td className="py-1 pr-3 text-right font-mono tabular-nums">
                    {ms(rep?.ttftMs?.median)} / {ms(rep?.ttftMs?.p99)}
                  </td>
                  <td className="py-1 pr-3 text-right font-mono tabular-nums">{ms(rep?.tpotMs?.median)}</td>
                  <td className="py-1 pr-3 text-right font-mono tabular-nums">
                    {ms(rep?.e2eMs?.median)} / {ms(rep?.e2eMs?.p99)}
                  </td>
                  <td className="py-1 text-right font-mono tabular-nums">{rep?.goodput === null || !rep ? '—' : rate(rep.goodput)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
