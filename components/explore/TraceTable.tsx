'use client';

import { formatLatencyMs } from '@/lib/model/latency-view';
import type { TraceSummaryJson } from '@/lib/model/json';

/** Search results: root service, name, start, duration, spans; the trace id opens it. */
export function TraceTable({ traces, selected, onSelect, maxRows = 200 }: { traces: TraceSummaryJson[]; selected: string | null; onSelect: (traceId: string) => void; maxRows?: number }) {
  return (
    <div className="max-h-80 overflow-auto">
      <table className="w-full min-w-[720px] text-sm" data-testid="trace-table">
        <caption className="sr-only">Traces found</caption>
        <thead>
          <tr className="border-b border-line text-left text-xs text-muted">
            <th scope="col" className="py-1 pr-3 font-medium">Trace</th>
            <th scope="col" className="py-1 pr-3 font-medium">Root service</th>
            <th scope="col" className="py-1 pr-3 font-medium">Name</th>
            <th scope="col" className="py-1 pr-3 font-medium">Start (UTC)</th>
            <th scope="col" className="py-1 pr-3 text-right font-medium">Duration</th>
            <th scope="col" className="py-1 pr-3 text-right font-medium">Matched span</th>
            <th scope="col" className="py-1 text-right font-medium">Spans</th>
          </tr>
        </thead>
        <tbody>
          {traces.slice(0, maxRows).map((t) => {
            const sel = t.traceId === selected;
            const m = t.spans?.[0];
            return (
              <tr key={t.traceId} className={`border-b border-line/60 last:border-0 ${sel ? 'bg-panel-2' : ''}`} data-testid="trace-row">
                <td className="py-1 pr-3">
                  <button type="button" aria-pressed={sel} onClick={() => onSelect(t.traceId)} className="font-mono text-xs text-accent underline-offset-2 hover:underline">
                    {t.traceId.slice(0, 16)}…
                  </button>
                </td>
                <td className="max-w-[12rem] truncate py-1 pr-3" title={t.rootServiceName}>{t.rootServiceName || '—'}</td>
                <td className="max-w-[16rem] truncate py-1 pr-3" title={t.rootTraceName}>{t.rootTraceName || '—'}</td>
                <td className="py-1 pr-3 font-mono text-xs">{new Date(Number(BigInt(t.startTimeUnixNano) / 1_000_000n)).toISOString().slice(5, 23).replace('T', ' ')}</td>
                <td className="py-1 pr-3 text-right font-mono tabular-nums">{formatLatencyMs(Number(t.durationMs))}</td>
                <td className="py-1 pr-3 text-right font-mono tabular-nums" title={m?.name}>{m ? formatLatencyMs(Number(m.durationNanos) / 1e6) : '—'}</td>
                <td className="py-1 text-right font-mono tabular-nums">{t.spanCount ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {traces.length > maxRows && <p className="mt-1 text-xs text-muted">Showing {maxRows} of {traces.length}.</p>}
    </div>
  );
}
