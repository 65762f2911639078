'use client';

import Link from 'next/link';
import { useEffect, useId, useMemo, useState } from 'react';
import { TraceQLEditor } from '@/components/editors/TraceQLEditor';
import { Button } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';
import { decodeHeatmap } from '@/lib/explore/json';
import { defaultTraceQL, type ExploreState } from '@/lib/explore/url-state';
import { formatLatencyMs } from '@/lib/model/latency-view';
import type { TimeRange } from '@/lib/model/types';
import { useTraceHeatmap, useTraceRed, useTraceSearch, useTraceServices } from './api';
import { CellTraces } from './CellTraces';
import { DurationScatter, type ScatterPoint } from './DurationScatter';
import { LatencyHeatmap } from './LatencyHeatmap';
import { TraceTable } from './TraceTable';
import { QueryState } from './QueryState';
import type { UpdateExplore } from './useExploreState';
import { ServiceSelect } from './ServiceSelect';

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(v < 0.01 && v > 0 ? 2 : 1)} %`);
const lat = (s: number | null) => (s === null ? '—' : formatLatencyMs(s * 1000));

/** Rate, errors and duration percentiles of the spans the query matches, for the whole range. */
function RedFigures({ query, range }: { query: string; range: TimeRange }) {
  const q = useTraceRed(query, range);
  const t = q.data?.totals;
  const figure = (label: string, value: string, testId: string) => (
    <div className="flex flex-col">
      <span className="text-xs text-muted">{label}</span>
      <span className="font-mono text-lg tabular-nums" data-testid={testId}>
        {value}
      </span>
    </div>
  );
  if (q.error) return <p className="text-xs text-danger">RED figures: {(q.error as Error).message}</p>;
  return (
    <div className="flex flex-wrap gap-6" data-testid="red-figures" aria-busy={q.isPending}>
      {figure('Requests', t ? `${t.requests}` : '…', 'red-requests')}
      {figure('Rate', t ? `${t.ratePerS < 10 ? t.ratePerS.toFixed(2) : t.ratePerS.toFixed(0)}/s` : '…', 'red-rate')}
      {figure('Errors', t ? `${t.errors} (${pct(t.errorRatio)})` : '…', 'red-errors')}
      {figure('p50', t ? lat(t.p50) : '…', 'red-p50')}
      {figure('p90', t ? lat(t.p90) : '…', 'red-p90')}
      {figure('p99', t ? lat(t.p99) : '…', 'red-p99')}
    </div>
  );
}

/**
 * Traces: a TraceQL search (Grafana's grammar highlights it), its RED figures,
 * the matching spans' durations as a heatmap (a cell lists its traces) and as a
 * scatter over time, and the found traces as a table. A trace id opens the
 * waterfall below.
 */
export function TracesPanel({ state, update, range, onZoom, onCompareSlowFast }: { state: ExploreState; update: UpdateExplore; range: TimeRange; onZoom: (from: number, to: number) => void; onCompareSlowFast: () => void }) {
  const services = useTraceServices(range);
  const query = state.tq || defaultTraceQL(state.svc);
  const [draft, setDraft] = useState(query);
  useEffect(() => setDraft(query), [query]);
  const search = useTraceSearch(query, range, 200);
  const heat = useTraceHeatmap(query, range);
  const heatmap = useMemo(() => (heat.data ? decodeHeatmap(heat.data.heatmap) : null), [heat.data]);
  const points = useMemo<ScatterPoint[]>(
    () =>
      (search.data?.traces ?? []).map((t) => {
        const m = t.spans?.[0];
        return {
          traceId: t.traceId,
          startMs: Number(BigInt(m?.startTimeUnixNano ?? t.startTimeUnixNano) / 1_000_000n),
          durationMs: m ? Number(m.durationNanos) / 1e6 : Number(t.durationMs),
          name: m?.name ?? t.rootTraceName,
        };
      }),
    [search.data],
  );
  const svcId = useId();
  const openTrace = (trace: string) => update({ trace, span: null });
  const run = (q: string) => update({ tq: q.trim() });

  return (
    <div className="flex flex-col gap-4">
      <Panel
        title="Traces"
        source={search.data?.source}
        testId="explore-traces"
        subtitle={search.data && `${search.data.traces.length} traces${search.data.traces.length >= 200 ? ' (the most recent 200)' : ''}`}
        actions={
          <Button size="sm" onClick={onCompareSlowFast} title="Diff the CPU of the slowest requests this query matches against the fastest ones" data-testid="compare-slow-fast">
            Compare slow with fast
          </Button>
        }
      >
        <div className="flex flex-col gap-3">
          <div className="flex flex-wrap items-start gap-2">
            <label htmlFor={svcId} className="sr-only">
              Service
            </label>
            <ServiceSelect
              id={svcId}
              value={state.svc}
              services={services.data?.values}
              onChange={(svc) => update({ svc, tq: '' })}
              className="h-8 max-w-[14rem] rounded-md border border-line bg-bg px-1 text-sm"
              testId="trace-service"
            />
            <TraceQLEditor label="TraceQL query" value={draft} onChange={setDraft} onSubmit={run} testId="traceql-editor" className="min-w-[20rem] flex-1" />
            <Button variant="primary" onClick={() => run(draft)} data-testid="traceql-run">
              Search
            </Button>
          </div>
          {search.error && <QueryState q={search} testId="trace-search" />}
          <RedFigures query={query} range={range} />
          <div className="grid gap-4 xl:grid-cols-2">
            <div className="flex min-w-0 flex-col gap-1">
              <h3 className="text-xs font-semibold text-muted">Duration heatmap{heat.data ? ` · ${heat.data.source}` : ''}</h3>
              {heat.error ? (
                <p className="text-xs text-danger">{(heat.error as Error).message}</p>
              ) : heatmap ? (
                <LatencyHeatmap heatmap={heatmap} label="Durations of the matching spans" selected={state.tcell} onCell={(tcell) => update({ tcell })} onZoom={onZoom} height={240} />
              ) : (
                <p role="status" className="animate-pulse p-3 text-sm text-muted">Loading…</p>
              )}
            </div>
            <div className="flex min-w-0 flex-col gap-1">
              <h3 className="text-xs font-semibold text-muted">Duration over time (each trace’s matched span)</h3>
              {points.length ? (
                <DurationScatter points={points} range={range} selected={state.trace} onSelect={openTrace} onZoom={onZoom} />
              ) : (
                <p className="rounded-md border border-dashed border-line p-4 text-sm text-muted">{search.isPending ? (
                    'Searching…'
                  ) : (
                    <>
                      No trace matches in this range. Widen the range, pick another service, or loosen the query; for traffic of the bundled model,{' '}
                      <Link href="/sandbox" className="text-accent underline">
                        Run a load from Sandbox
                      </Link>
                      .
                    </>
                  )}
                </p>
              )}
            </div>
          </div>
          {search.data && search.data.traces.length > 0 && <TraceTable traces={search.data.traces} selected={state.trace} onSelect={openTrace} />}
        </div>
      </Panel>
      {state.tcell && <CellTraces cell={state.tcell} traceQuery={query} selectedTrace={state.trace} onTrace={openTrace} onClear={() => update({ tcell: null })} />}
    </div>
  );
}
