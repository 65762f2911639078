'use client';

import { Panel, queryPanelState } from '@/components/ui/Panel';
import { exemplarsInCell, type HeatmapCell, type HeatmapExemplar } from '@/lib/explore/heatmap';
import { withDurationBand } from '@/lib/explore/traceql';
import { formatLatencyMs } from '@/lib/model/latency-view';
import { useTraceSearch } from './api';
import { TraceTable } from './TraceTable';

const cellText = (c: HeatmapCell) =>
  `${new Date(c.from).toISOString().slice(11, 19)}–${new Date(c.to).toISOString().slice(11, 19)} UTC, ${Number.isFinite(c.upper) ? `${formatLatencyMs(c.lower * 1000)}–${formatLatencyMs(c.upper * 1000)}` : `over ${formatLatencyMs(c.lower * 1000)}`}`;

/**
 * The traces of one heatmap cell: the exemplars that fall in it, and the
 * spans the Traces query matches in that time and duration band (a TraceQL
 * search with `duration > lower && duration <= upper`).
 */
export function CellTraces({ cell, exemplars = [], traceQuery, selectedTrace, onTrace, onClear }: { cell: HeatmapCell; exemplars?: HeatmapExemplar[]; traceQuery: string; selectedTrace: string | null; onTrace: (traceId: string) => void; onClear: () => void }) {
  const inCell = exemplarsInCell(exemplars, cell).filter((e) => e.traceId);
  const banded = withDurationBand(traceQuery, cell);
  const q = useTraceSearch(banded, banded === null ? null : { from: cell.from, to: cell.to }, 50);
  return (
    <Panel
      title={`Traces in ${cellText(cell)}`}
      source={q.data?.source}
      testId="cell-traces"
      {...queryPanelState(q)}
      loading={banded !== null && q.isPending}
      subtitle={banded ? <span className="font-mono">{banded}</span> : 'The Traces query is not one span set `{ … }`, so it cannot be narrowed to this band; only exemplars are listed.'}
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
