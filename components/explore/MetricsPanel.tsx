'use client';

import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useMemo, useState } from 'react';
import { PromQLEditor } from '@/components/editors/PromQLEditor';
import { Button } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import { fetchJson } from '@/lib/api-errors';
import { heatmapExemplars } from '@/lib/explore/heatmap';
import { decodeHeatmap, decodeSeries } from '@/lib/explore/json';
import type { ExploreState, MetricsMode } from '@/lib/explore/url-state';
import type { TimeRange } from '@/lib/model/types';
import type { ResolvedFigure } from '@/lib/targets';
import { usePromExemplars, usePromHeatmap, usePromRange } from './api';
import { CellTraces } from './CellTraces';
import { LatencyHeatmap } from './LatencyHeatmap';
import { TimeSeriesChart } from './TimeSeriesChart';
import { QueryState } from './QueryState';
import type { UpdateExplore } from './useExploreState';

const MODES = [
  { key: 'lines', label: 'PromQL' },
  { key: 'heatmap', label: 'Latency heatmap' },
] as const;

const PRESETS = [
  { id: 'semconv', label: 'OpenTelemetry GenAI (sandbox)' },
  { id: 'vllm', label: 'vLLM' },
  { id: 'sglang', label: 'SGLang' },
  { id: 'tgi', label: 'TGI' },
] as const;

/** Which of a serving preset's latency histograms this Prometheus has; one click draws one as a heatmap. */
function PresetPicker({ onPick }: { onPick: (metric: string) => void }) {
  const [preset, setPreset] = useState<(typeof PRESETS)[number]['id']>('semconv');
  const id = useId();
  const q = useQuery({
    queryKey: ['api', `/api/prometheus/presets?preset=${preset}`],
    queryFn: ({ signal }) => fetchJson<{ preset: string; figures: ResolvedFigure[] }>(`/api/prometheus/presets?preset=${preset}`, { signal }),
    staleTime: 60_000,
  });
  return (
    <div className="flex flex-col gap-1 rounded-md border border-line p-2 text-xs" data-testid="preset-picker">
      <div className="flex flex-wrap items-center gap-2">
        <label htmlFor={id} className="text-muted">
          Serving metrics of
        </label>
        <select id={id} value={preset} onChange={(e) => setPreset(e.target.value as typeof preset)} className="h-7 rounded-md border border-line bg-bg px-1">
          {PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        {q.isPending && <span className="text-muted">asking Prometheus which exist…</span>}
        {q.error && <span className="text-danger">{(q.error as Error).message}</span>}
      </div>
      {q.data && (
        <ul className="flex flex-wrap gap-1">
          {q.data.figures.map((f) => (
            <li key={f.figure}>
              <button
                type="button"
                disabled={!f.metric}
                title={f.note}
                onClick={() => f.metric && onPick(f.metric)}
                className="rounded border border-line px-1.5 py-0.5 enabled:hover:bg-panel-2 disabled:opacity-50"
                data-testid="preset-figure"
                data-metric={f.metric ?? ''}
              >
                {f.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Metrics: a PromQL query drawn as series with exemplar dots (a dot opens its
 * trace), or a histogram drawn as a latency heatmap whose cells list their
 * traces. Drag across either chart to zoom every panel.
 */
export function MetricsPanel({ state, update, range, traceQuery, onZoom }: { state: ExploreState; update: UpdateExplore; range: TimeRange; traceQuery: string; onZoom: (from: number, to: number) => void }) {
  const [draft, setDraft] = useState(state.pq);
  const [hdraft, setHdraft] = useState(state.hsel);
  useEffect(() => setDraft(state.pq), [state.pq]);
  useEffect(() => setHdraft(state.hsel), [state.hsel]);
  const lines = usePromRange(state.pmode === 'lines' ? state.pq : '', range);
  const exemplars = usePromExemplars(state.pmode === 'lines' ? state.pq : '', range);
  const heat = usePromHeatmap(state.pmode === 'heatmap' ? state.hsel : '', range);
  const series = useMemo(() => lines.data?.series.map(decodeSeries) ?? [], [lines.data]);
  const exemplarDots = useMemo(() => heatmapExemplars(exemplars.data?.exemplars ?? []), [exemplars.data]);
  const heatmap = useMemo(() => (heat.data ? decodeHeatmap(heat.data.heatmap) : null), [heat.data]);
  const idBase = useId();
  const active = state.pmode === 'lines' ? lines : heat;
  const openTrace = (traceId: string) => update({ trace: traceId, span: null });

  const subtitle =
    state.pmode === 'lines'
      ? lines.data && `${lines.data.series.length} series · step ${lines.data.step} s${lines.data.truncated ? ' · cut to 500 series' : ''}${exemplars.data ? ` · ${exemplars.data.exemplars.length} exemplars` : ''}${lines.data.warnings.length ? ` · ${lines.data.warnings.join('; ')}` : ''}`
      : heat.data && (
          <>
            Series used: <span className="font-mono">{heat.data.query}</span> ({heat.data.kind} histogram, {heat.data.heatmap.unit})
          </>
        );

  return (
    <div className="flex flex-col gap-4">
      <Panel
        title="Metrics"
        source={active.data?.source ?? 'Prometheus'}
        testId="explore-metrics"
        subtitle={subtitle}
        actions={<Tabs label="Metrics view" items={MODES} value={state.pmode} onChange={(pmode: MetricsMode) => update({ pmode })} idBase={idBase} />}
      >
        <div role="tabpanel" aria-labelledby={`${idBase}-tab-${state.pmode}`} className="flex flex-col gap-3">
          {state.pmode === 'lines' ? (
            <>
              <div className="flex items-start gap-2">
                <PromQLEditor label="PromQL query" optional value={draft} onChange={setDraft} onSubmit={(v) => update({ pq: v.trim() })} placeholder="rate(gen_ai_server_request_duration_seconds_count[1m])" testId="promql-editor" className="flex-1" />
                <Button variant="primary" onClick={() => update({ pq: draft.trim() })} data-testid="promql-run">
                  Run
                </Button>
              </div>
              <QueryState
                q={lines}
                testId="promql"
                empty={
                  !state.pq
                    ? 'Write a PromQL query and press Run (Ctrl+Enter), or draw a serving histogram as a latency heatmap in the next tab.'
                    : series.length === 0 && 'No series match in this range. Widen the range at the top, or check the metric name (completion lists what Prometheus has).'
                }
              >
                <TimeSeriesChart series={series} exemplars={exemplarDots} range={range} label="PromQL result" onExemplarClick={(e) => e.traceId && openTrace(e.traceId)} onZoom={onZoom} />
              </QueryState>
            </>
          ) : (
            <>
              <PresetPicker onPick={(metric) => update({ hsel: metric })} />
              <form
                className="flex items-center gap-2"
                onSubmit={(e) => {
                  e.preventDefault();
                  update({ hsel: hdraft.trim() });
                }}
              >
                <label className="flex flex-1 items-center gap-2 text-sm">
                  <span className="whitespace-nowrap text-muted">Histogram</span>
                  <input
                    value={hdraft}
                    onChange={(e) => setHdraft(e.target.value)}
                    placeholder='gen_ai_server_request_duration_seconds{gen_ai_request_model="trisight-tiny"}'
                    className="h-8 min-w-0 flex-1 rounded-md border border-line bg-bg px-2 font-mono text-xs"
                    spellCheck={false}
                    data-testid="histogram-selector"
                  />
                </label>
                <Button type="submit" variant="primary">
                  Draw
                </Button>
              </form>
              <QueryState
                q={heat}
                testId="heatmap"
                empty={
                  !state.hsel
                    ? 'Pick a serving histogram above, or type a histogram’s series selector (classic or native).'
                    : heat.data?.kind === 'none' && `${state.hsel} has no buckets in this range: neither _bucket series nor native histogram samples. Is it a histogram, and is it scraped?`
                }
              >
                {heatmap && <LatencyHeatmap heatmap={heatmap} label={`Latency heatmap of ${state.hsel}`} selected={state.pcell} onCell={(pcell) => update({ pcell })} onZoom={onZoom} />}
              </QueryState>
            </>
          )}
        </div>
      </Panel>
      {state.pmode === 'heatmap' && state.pcell && heatmap && (
        <CellTraces cell={state.pcell} windowMs={heatmap.windowMs} exemplars={heatmap.exemplars} traceQuery={traceQuery} selectedTrace={state.trace} onTrace={openTrace} onClear={() => update({ pcell: null })} />
      )}
    </div>
  );
}

