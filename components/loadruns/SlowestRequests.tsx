'use client';

import Link from 'next/link';
import { useMemo } from 'react';
import { fromColumns, slowest } from '@/lib/loadruns/samples';
import { Badge } from '@/components/ui/Badge';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { useRun } from '@/components/runs/api';
import { ms } from '@/components/ui/format';

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
        <table className="w-full min-w-[720px] text-sm">
          <thead>
            <tr className="border-b border-line text-left text-xs text-muted">
              <th scope="col" className="py-1 pr-3 font-medium">#</th>
              <th scope="col" className="py-1 pr-3 font-medium">Priority</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">E2E ms</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">TTFT ms</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">TPOT ms</th>
              <th scope="col" className="py-1 pr-3 text-right font-medium">Tokens in / out</th>
              <th scope="col" className="py-1 font-medium">Trace</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.index} className="border-b border-line/60 last:border-0">
                <td className="py-1 pr-3 font-mono tabular-nums">{r.index}</td>
                <td className="py-1 pr-3">
                  <Badge tone={r.priority === 'P0' ? 'accent' : 'neutral'}>{r.priority}</Badge>
                </td>
                <td className="py-1 pr-3 text-right font-mono tabular-nums">{ms(r.e2eMs)}</td>
                <td className="py-1 pr-3 text-right font-mono tabular-nums">{ms(r.ttftMs)}</td>
                <td className="py-1 pr-3 text-right font-mono tabular-nums">{ms(r.tpotMs)}</td>
                <td className="py-1 pr-3 text-right font-mono tabular-nums">
                  {r.promptTokens} / {r.outputTokens}
                </td>
                <td className="py-1">
                  <Link href={traceHref(r.traceId)} className="font-mono text-xs text-accent underline-offset-2 hover:underline">
                    {r.traceId}
                  </Link>
                  {r.error && <span className="ml-2 text-xs text-danger">{r.error}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Panel>
  );
}
