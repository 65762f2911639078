// Explore's Metrics panel reads: PromQL range and instant queries, exemplars,
// and a histogram as a latency heatmap (the PromQL editor completes from
// /api/promql/*, lib/promql/autocomplete). All through the one Prometheus client (the embedded
// Prometheus of `npm start`, or PROMETHEUS_URL); every answer names it.
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { chooseStep, promDuration, rateWindowS } from '@/lib/datasources/prometheus/step';
import type { InstantQueryResult } from '@/lib/datasources/prometheus/types';
import { BackendError, type Exemplar, type Labels } from '@/lib/model/types';
import { fillColumns, heatmapExemplars, heatmapFromClassic, heatmapFromNative } from './heatmap';
import { encodeHeatmap, encodeSeries, toJsonNumber, type HeatmapJson, type JsonNumber, type SeriesJson } from './json';
import { parseHistogramSelector, PromQLShapeError, type HistogramSelector } from './promql';
import { PRESETS, resolvePreset, type PresetId, type ResolvedFigure } from '@/lib/targets';

type Signal = { signal?: AbortSignal };

export const METRICS_SOURCE = 'Prometheus' as const;

/** Prometheus scrapes every 15 s unless told otherwise: rate windows span at least four scrapes. */
const SCRAPE_INTERVAL_S = 15;
/** Bounded answers: a panel cannot draw more, and a browser should not receive more. */
export const LIMITS = { series: 500, exemplars: 5000 };

function prometheus(): PrometheusClient {
  if (!config().PROMETHEUS_URL) {
    throw new BackendError('prometheus', 503, 'no Prometheus is configured (PROMETHEUS_URL is unset and `npm start` runs none): metrics need one. The Traces panel’s latency heatmap works without it.', 'not_configured');
  }
  return PrometheusClient.fromConfig();
}

export interface RangeAnswer {
  source: typeof METRICS_SOURCE;
  query: string;
  /** seconds */
  step: number;
  series: SeriesJson[];
  /** native histogram series were left out (draw them as a heatmap) */
  nativeHistogramSeries: number;
  /** more series than LIMITS.series: the rest were cut */
  truncated: boolean;
  warnings: string[];
}

/** POST /api/v1/query_range with a step of about one point per pixel. */
export async function queryRange(q: { query: string; from: number; to: number; step?: number; width: number }, opts: Signal = {}): Promise<RangeAnswer> {
  const range = { from: q.from, to: q.to };
  const r = await prometheus().queryRange(q.query, range, { step: q.step, widthPx: q.width, minStepS: q.step === undefined ? SCRAPE_INTERVAL_S : undefined, signal: opts.signal });
  const plain = r.series.filter((s) => s.values.length > 0);
  return {
    source: METRICS_SOURCE,
    query: q.query,
    step: r.step,
    series: plain.slice(0, LIMITS.series).map(encodeSeries),
    nativeHistogramSeries: r.series.filter((s) => s.histograms?.length).length,
    truncated: plain.length > LIMITS.series,
    warnings: r.warnings,
  };
}

export interface InstantAnswer {
  source: typeof METRICS_SOURCE;
  query: string;
  resultType: InstantQueryResult['resultType'];
  /** vector: one value per series (native histograms: their count) */
  samples: { labels: Labels; timestamp: number; value: JsonNumber }[];
  truncated: boolean;
  warnings: string[];
}

/** POST /api/v1/query at `time` (default: now). */
export async function queryInstant(q: { query: string; time?: number }, opts: Signal = {}): Promise<InstantAnswer> {
  const r = await prometheus().query(q.query, { time: q.time, signal: opts.signal });
  let samples: InstantAnswer['samples'];
  if (r.resultType === 'vector') samples = r.samples.map((s) => ({ labels: s.labels, timestamp: s.timestamp, value: toJsonNumber(s.histogram ? s.histogram.count : s.value) }));
  else if (r.resultType === 'matrix') samples = r.series.map((s) => ({ labels: s.labels, timestamp: s.values.at(-1)?.[0] ?? 0, value: toJsonNumber(s.values.at(-1)?.[1] ?? NaN) }));
  else samples = [{ labels: {}, timestamp: r.timestamp, value: r.resultType === 'scalar' ? toJsonNumber(Number(r.value)) : toJsonNumber(NaN) }];
  return { source: METRICS_SOURCE, query: q.query, resultType: r.resultType, samples: samples.slice(0, LIMITS.series), truncated: samples.length > LIMITS.series, warnings: r.warnings };
}

export interface ExemplarsAnswer {
  source: typeof METRICS_SOURCE;
  exemplars: Exemplar[];
  truncated: boolean;
}

/** POST /api/v1/query_exemplars: the exemplars of the series a query selects. */
export async function queryExemplars(q: { query: string; from: number; to: number }, opts: Signal = {}): Promise<ExemplarsAnswer> {
  const all = await prometheus().queryExemplars(q.query, { from: q.from, to: q.to }, opts);
  // Newest first, so a cut keeps what is nearest "now".
  all.sort((a, b) => b.timestamp - a.timestamp);
  return { source: METRICS_SOURCE, exemplars: all.slice(0, LIMITS.exemplars), truncated: all.length > LIMITS.exemplars };
}

/**
 * A serving preset's latency histograms as this Prometheus has them: for each
 * figure the name read (current first, else an older one still exported) and
 * a line saying so.
 */
export async function presetFigures(q: { preset: PresetId }, opts: Signal = {}): Promise<{ source: typeof METRICS_SOURCE; preset: string; figures: ResolvedFigure[] }> {
  const p = PRESETS[q.preset];
  return { source: METRICS_SOURCE, preset: p.label, figures: await resolvePreset(prometheus(), p, opts.signal) };
}

export interface HeatmapAnswer {
  source: typeof METRICS_SOURCE;
  /** the PromQL that produced the cells */
  query: string;
  kind: 'classic' | 'native' | 'none';
  heatmap: HeatmapJson;
}

/**
 * A histogram metric as a latency heatmap: `sum by (le) (rate(x_bucket[w]))`
 * per step for a classic histogram, `sum(rate(x[w]))` for a native one (tried
 * when no `_bucket` series exist), with the histogram's exemplars.
 */
export async function histogramHeatmap(q: { selector: string; from: number; to: number; width: number }, opts: Signal = {}): Promise<HeatmapAnswer> {
  let sel: HistogramSelector;
  try {
    sel = parseHistogramSelector(q.selector);
  } catch (e) {
    if (e instanceof PromQLShapeError) throw new BackendError('prometheus', 400, e.message, 'bad_data');
    throw e;
  }
  const c = prometheus();
  const r = { from: q.from, to: q.to };
  const step = chooseStep({ range: r, widthPx: Math.max(50, Math.floor(q.width / 8)), minStepS: SCRAPE_INTERVAL_S });
  const windowS = rateWindowS(step, SCRAPE_INTERVAL_S);
  const w = promDuration(windowS);
  const classic = `sum by (le) (rate(${sel.metric}_bucket${sel.matchers}[${w}]))`;
  const [buckets, exemplars] = await Promise.all([
    c.queryRange(classic, r, { step, signal: opts.signal }),
    c.queryExemplars(`${sel.metric}_bucket${sel.matchers}`, r, opts),
  ]);
  if (buckets.series.length > 0) {
    const h = fillColumns(heatmapFromClassic(buckets.series, step), r);
    h.exemplars = heatmapExemplars(exemplars);
    h.windowMs = windowS * 1000;
    return { source: METRICS_SOURCE, query: classic, kind: 'classic', heatmap: encodeHeatmap(h) };
  }
  const native = `sum(rate(${sel.metric}${sel.matchers}[${w}]))`;
  const [n, nativeExemplars] = await Promise.all([c.queryRange(native, r, { step, signal: opts.signal }), c.queryExemplars(`${sel.metric}${sel.matchers}`, r, opts)]);
  const h = fillColumns(heatmapFromNative(n.series, step), r);
  h.exemplars = heatmapExemplars(nativeExemplars);
  h.windowMs = windowS * 1000;
  return { source: METRICS_SOURCE, query: h.rows.length ? native : classic, kind: h.rows.length ? 'native' : 'none', heatmap: encodeHeatmap(h) };
}
