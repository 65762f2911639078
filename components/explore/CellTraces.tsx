'use client';

import { Panel, queryPanelState } from '@/components/ui/Panel';
import { cellTimeRange, exemplarsInCell, type HeatmapCell, type HeatmapExemplar } from '@/lib/explore/heatmap';
import { withDurationBand } from '@/lib/explore/traceql';
import { formatLatencyMs } from '@/lib/model/latency-view';
import { useTraceSearch } from './api';
import { TraceTable } from './TraceTable';

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
const cellText = (c: HeatmapCell, time: { from: number; to: number }) =>
  `${clock(time.from)}–${clock(time.to)} UTC, ${Number.isFinite(c.upper) ? `${formatLatencyMs(c.lower * 1000)}–${formatLatencyMs(c.upper * 1000)}` : `over ${formatLatencyMs(c.lower * 1000)}`}`;

/**
 * The traces of one heatmap cell: the exemplars that fall in it, and the
 * spans the Traces query matches in that duration band (a TraceQL search with
 * `duration > lower && duration <= upper`) over the time the cell counts: its
 * column, or the rate window ending there when the heatmap is a Prometheus
 * rate over a window longer than its step (`windowMs`).
 */
export function CellTraces({ cell, windowMs, exemplars = [], traceQuery, selectedTrace, onTrace, onClear }: { cell: HeatmapCell; windowMs?: number; exemplars?: HeatmapExemplar[]; traceQuery: string; selectedTrace: string | null; onTrace: (traceId: string) => void; onClear: () => void }) {
  const inCell = exemplarsInCell(exemplars, cell).filter((e) => e.traceId);
  const banded = withDurationBand(traceQuery, cell);
  const time = cellTimeRange(cell, windowMs);
  const q = useTraceSearch(banded, banded === null ? null : time, 50);
  const widened = time.from < cell.from;
  return (
    <Panel
      title={`Traces in ${cellText(cell, time)}`}
      source={q.data?.source}
      testId="cell-traces"
      {...queryPanelState(q)}
      loading={banded !== null && q.isPending}
      subtitle={
        banded ? (
          <>
            <span className="font-mono">{banded}</span>
            {widened && ` · from ${clock(time.from)}: the cell is a rate over the ${Math.round((time.to - time.from) / 1000)} s before ${clock(time.to)}, longer than its column`}
          </>
        ) : (
          'The Traces query is not one span set `{ … }`, so it cannot be narrowed to this band; only exemplars are listed.'
        )
      }
      actions={
        <button type="button" className="text-xs text-accent underline-offset-2 hover:underline" onClick={onClear}>
          Clear cell
        </button>
      }
    >
      <div className="flex flex-col gap-3">
        {inCell.length > 0 && (
          <div>
            <p className="mb-1 text-xs font-semibold text-muted">Exemplars in this cell</p>
            <ul className="flex flex-col text-xs">
              {inCell.map((e) => (
                <li key={`${e.traceId}-${e.timestamp}`}>
                  <button type="button" className="font-mono text-accent underline-offset-2 hover:underline" onClick={() => onTrace(e.traceId!)} data-testid="cell-exemplar">
                    {e.traceId}
                  </button>{' '}
                  <span className="text-muted">{formatLatencyMs(e.value * 1000)}</span>
                </li>
              ))}
            </ul>
          </div>
        )}
        {q.data &&
          (q.data.traces.length ? (
            <TraceTable traces={q.data.traces} selected={selectedTrace} onSelect={onTrace} />
          ) : (
            <p className="text-sm text-muted">No stored span matches the Traces query in this band and time{inCell.length ? '; open an exemplar above' : ': the requests may have been sampled out'}.</p>
          ))}
      </div>
    </Panel>
  );
}
