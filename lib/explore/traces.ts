// Explore's Traces panel reads: a TraceQL search, a tag's values, and, for the
// spans the query matches, a duration heatmap and RED figures. Tempo or the
// embedded store answer (lib/datasources picks); every answer names which.
import { chooseStep } from '@/lib/datasources/prometheus/step';
import { traceMetricsSource, traceSource } from '@/lib/datasources';
import { BackendError, type TimeRange } from '@/lib/model/types';
import { encodeTraceSummaries, type TraceSummaryJson } from '@/lib/model/json';
import { traceSourceLabel, type SourceLabel } from '@/lib/runs/views';
import { heatmapFromCells, heatmapFromTempo, SPAN_HEATMAP_BOUNDS } from './heatmap';
import { encodeHeatmap, encodeSeries, type HeatmapJson, type SeriesJson } from './json';
import { redFromRows, redFromTempo, type RedFigures, type RedTotals } from './red';
import { singleSpansetBody } from './traceql';

type Signal = { signal?: AbortSignal };

export interface SearchAnswer {
  source: SourceLabel;
  query: string;
  traces: TraceSummaryJson[];
  /** the backend's own search metrics (inspected bytes, …) */
  metrics: Record<string, number>;
}

/** GET /api/search (Tempo) or the embedded store's search: traces with a span matching `q`. */
export async function searchTraces(q: { q: string; from: number; to: number; limit: number; spss: number }, opts: Signal = {}): Promise<SearchAnswer> {
  const src = traceSource();
  const r = await src.search({ q: q.q, range: { from: q.from, to: q.to }, limit: q.limit, spss: q.spss }, opts);
  return { source: traceSourceLabel(src.backend), query: q.q, traces: encodeTraceSummaries(r.traces), metrics: r.metrics };
}

export async function tagValues(name: string, q: { q?: string; from?: number; to?: number }, opts: Signal = {}): Promise<{ source: SourceLabel; values: string[] }> {
  const src = traceSource();
  const range = q.from !== undefined && q.to !== undefined ? { from: q.from, to: q.to } : undefined;
  const values = await src.tagValues(name, { q: q.q, range, ...opts });
  return { source: traceSourceLabel(src.backend), values: values.map((v) => v.value) };
}

/** Tempo's metrics need a single span set before the pipe. */
function metricsBase(q: string): string {
  const body = singleSpansetBody(q);
  if (body === null) throw new BackendError('tempo', 400, 'heatmaps and RED figures need a query that is one span set `{ … }`', 'bad_request');
  return `{ ${body} }`;
}

/** Steps for a span-metrics chart `width` px wide: coarser than Prometheus's (a column must hold a few spans). */
function stepFor(range: TimeRange, width: number): number {
  return chooseStep({ range, widthPx: Math.max(20, Math.floor(width / 8)), minStepS: 1 });
}

export interface TraceHeatmapAnswer {
  source: SourceLabel;
  query: string;
  heatmap: HeatmapJson;
}

/** Durations of the spans `q` matches as a heatmap over the range (Tempo: `histogram_over_time(duration)`). */
export async function traceHeatmap(q: { q: string; from: number; to: number; width: number }, opts: Signal = {}): Promise<TraceHeatmapAnswer> {
  const range = { from: q.from, to: q.to };
  const stepS = stepFor(range, q.width);
  const src = traceMetricsSource();
  if (src.backend === 'embedded') {
    const cells = await src.durationCells(q.q, range, stepS, SPAN_HEATMAP_BOUNDS, opts);
    const columns = Math.ceil((range.to - range.from) / (stepS * 1000));
    return { source: 'embedded', query: q.q, heatmap: encodeHeatmap(heatmapFromCells(cells, range.from, stepS, columns)) };
  }
  const query = `${metricsBase(q.q)} | histogram_over_time(duration)`;
  const r = await src.metricsQuery(query, range, stepS, opts);
  if (!r.supported) throw new BackendError('tempo', 501, r.reason, 'unsupported');
  return { source: 'Tempo', query, heatmap: encodeHeatmap(heatmapFromTempo(r.series, stepS)) };
}

export interface RedAnswer {
  source: SourceLabel;
  query: string;
  stepS: number;
  rate: SeriesJson;
  errors: SeriesJson;
  p50: SeriesJson;
  p90: SeriesJson;
  p99: SeriesJson;
  totals: RedTotals;
}

/** Rate, errors and duration percentiles of the spans `q` matches. */
export async function traceRed(q: { q: string; from: number; to: number; width: number }, opts: Signal = {}): Promise<RedAnswer> {
  const range = { from: q.from, to: q.to };
  const stepS = stepFor(range, q.width);
  const src = traceMetricsSource();
  let figures: RedFigures;
  let query = q.q;
  if (src.backend === 'embedded') {
    figures = redFromRows(await src.redRows(q.q, range, stepS, opts), range, stepS);
  } else {
    const base = metricsBase(q.q);
    const quantiles = `${base} | quantile_over_time(duration, .5, .9, .99)`;
    query = `${base} | rate() by (status)`;
    const wholeS = Math.max(1, Math.ceil((range.to - range.from) / 1000));
    const [rate, qs, whole] = await Promise.all([src.metricsQuery(query, range, stepS, opts), src.metricsQuery(quantiles, range, stepS, opts), src.metricsQuery(quantiles, range, wholeS, opts)]);
    for (const r of [rate, qs, whole]) if (!r.supported) throw new BackendError('tempo', 501, r.reason, 'unsupported');
    const s = (r: typeof rate) => (r.supported ? r.series : []);
    figures = redFromTempo(s(rate), s(qs), s(whole), range, stepS);
  }
  return {
    source: traceSourceLabel(src.backend),
    query,
    stepS,
    rate: encodeSeries(figures.rate),
    errors: encodeSeries(figures.errors),
    p50: encodeSeries(figures.p50),
    p90: encodeSeries(figures.p90),
    p99: encodeSeries(figures.p99),
    totals: figures.totals,
  };
}
