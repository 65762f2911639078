// What a latency histogram panel draws, computed once from our model: bucket
// labels, server counts, the load generator's own measurements binned into the
// same buckets, percentile markers and exemplar positions, over the range of
// buckets the data occupies. Pure, so the chart component only maps this onto ECharts.

import { bucketIndexOf } from './histogram';
import { exactPercentiles, interpolatedPercentiles, sampleQuantile, type Percentile } from './percentiles';
import type { Exemplar, HistogramBucket, HistogramSeries } from './types';

export { sampleQuantile };
export type { PercentileName } from './percentiles';
export type LatencyUnit = 's' | 'ms';

/** A percentile and the shown bucket its value falls in (-1 if none). */
export interface PercentileMarker extends Percentile {
  index: number;
}

/** One label above the bars for the server percentiles in one bucket, on a row that does not collide with its neighbours. */
export interface MarkerLabel {
  index: number;
  /** e.g. "p50" or "p90 p99" */
  text: string;
  /** 0: the lowest row above the plot; labels of nearby buckets go one row up */
  row: number;
}

export interface ExemplarPoint {
  index: number;
  exemplar: Exemplar;
  traceId?: string;
  valueMs: number;
  /** vertical position: spread within the bar so dots don't overlap */
  y: number;
}

export interface LatencyView {
  buckets: HistogramBucket[];
  /** short axis label per bucket, e.g. "≤ 250 ms" */
  labels: string[];
  /** full range per bucket, e.g. "100 ms – 250 ms" */
  ranges: string[];
  server: number[];
  /** the load generator's latencies per bucket; undefined when none were given */
  client?: number[];
  /** client latencies beyond the last bucket's upper bound (cannot happen with +Inf) */
  clientOutside: number;
  serverTotal: number;
  clientTotal: number;
  serverPercentiles: PercentileMarker[];
  clientPercentiles: PercentileMarker[];
  /** the server percentiles' labels, one per bucket, stacked only where neighbours would collide */
  markers: MarkerLabel[];
  exemplars: ExemplarPoint[];
  /** buckets left out at each end because neither side has data there */
  trimmed: { below: number; above: number };
}

const MS_PER: Record<LatencyUnit, number> = { s: 1000, ms: 1 };

/** 0.25 → "250 ms", 1.5 → "1.5 s", 0.0004 → "400 µs" (input in ms). */
export function formatLatencyMs(ms: number): string {
  if (ms === Infinity) return '+Inf';
  if (ms === -Infinity) return '-Inf';
  if (!Number.isFinite(ms)) return '–';
  const trim = (n: number) => String(Number(n.toPrecision(3)));
  if (Math.abs(ms) < 1 && ms !== 0) return `${trim(ms * 1000)} µs`;
  if (Math.abs(ms) < 1000) return `${trim(ms)} ms`;
  return `${trim(ms / 1000)} s`;
}

/** Counts of `values` per bucket; a value at or below the first lower bound counts in the first bucket. */
export function binValues(buckets: HistogramBucket[], values: readonly number[]): { counts: number[]; outside: number } {
  const counts = buckets.map(() => 0);
  let outside = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      outside++;
      continue;
    }
    let i = bucketIndexOf(buckets, v);
    if (i < 0 && buckets.length && v <= buckets[0].lower) i = 0;
    if (i < 0) outside++;
    else counts[i]++;
  }
  return { counts, outside };
}

const traceIdOf = (e: Exemplar): string | undefined => e.labels.trace_id ?? e.labels.traceID ?? e.labels.traceId;

/**
 * The buckets to draw: from the first to the last that holds data (server or
 * client counts, or an exemplar), with one empty bucket either side for
 * context. Dense buckets (15 per decade) would otherwise draw sixty mostly
 * empty bars.
 */
export function dataRange(has: readonly boolean[]): { from: number; to: number } {
  const first = has.indexOf(true);
  if (first < 0) return { from: 0, to: has.length - 1 };
  const last = has.lastIndexOf(true);
  return { from: Math.max(0, first - 1), to: Math.min(has.length - 1, last + 1) };
}

/**
 * Server percentile labels: the percentiles of one bucket share a label ("p90
 * p99"); a label whose bucket is within `gap` buckets of the previous label's
 * goes one row up, so no two labels are drawn over each other.
 */
export function markerLabels(markers: readonly PercentileMarker[], gap = 2): MarkerLabel[] {
  const byIndex = new Map<number, string[]>();
  for (const m of markers) if (m.index >= 0) byIndex.set(m.index, [...(byIndex.get(m.index) ?? []), m.name]);
  const out: MarkerLabel[] = [];
  for (const [index, names] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    const prev = out[out.length - 1];
    const row = prev && index - prev.index <= gap ? (prev.row + 1) % 3 : 0;
    out.push({ index, text: names.join(' '), row });
  }
  return out;
}

export interface LatencyViewOptions {
  /**
   * The server's percentiles as the source computed them (exact from every
   * request, estimated from spans, or interpolated in the source's buckets).
   * Without them they are interpolated in the series' buckets.
   */
  serverPercentiles?: readonly Percentile[];
  maxExemplarsPerBucket?: number;
  /** draw only the range of buckets with data (default true) */
  trim?: boolean;
}

/**
 * Builds the view. Bucket bounds and exemplar values are in `unit`; client
 * latencies are always ms (what the load generator measures).
 */
export function buildLatencyView(series: HistogramSeries | undefined, clientLatenciesMs: readonly number[] | undefined, unit: LatencyUnit = 's', opts: LatencyViewOptions = {}): LatencyView {
  const k = MS_PER[unit];
  const maxExemplarsPerBucket = opts.maxExemplarsPerBucket ?? 5;
  const all = series ? [...series.buckets].sort((a, b) => a.upper - b.upper) : [];
  const samples = (clientLatenciesMs ?? []).filter((v) => Number.isFinite(v) && v >= 0);
  const allClient = binValues(all, samples.map((ms) => ms / k));
  const exemplarAt = new Set((series?.exemplars ?? []).map((e) => bucketIndexOf(all, e.value)));
  const range = opts.trim === false ? { from: 0, to: all.length - 1 } : dataRange(all.map((b, i) => b.count > 0 || allClient.counts[i] > 0 || exemplarAt.has(i)));
  const buckets = all.slice(range.from, range.to + 1);
  const trimmed = { below: range.from, above: Math.max(0, all.length - 1 - range.to) };
  const labels = buckets.map((b) => (b.upper === Infinity ? `> ${formatLatencyMs(b.lower * k)}` : `≤ ${formatLatencyMs(b.upper * k)}`));
  const ranges = buckets.map((b) =>
    b.upper === Infinity
      ? `over ${formatLatencyMs(b.lower * k)}`
      : Number.isFinite(b.lower)
        ? `${formatLatencyMs(b.lower * k)} – ${formatLatencyMs(b.upper * k)}`
        : `up to ${formatLatencyMs(b.upper * k)}`,
  );
  const server = buckets.map((b) => Math.max(0, b.count));
  const serverTotal = server.reduce((a, b) => a + b, 0);
  const at = (p: Percentile): PercentileMarker => ({ ...p, index: bucketIndexOf(buckets, p.valueMs / k) });

  // Interpolated over every bucket: the trimmed range has no +Inf bucket to rank against.
  const serverPercentiles = serverTotal > 0 ? (opts.serverPercentiles ?? interpolatedPercentiles(all, k)).map(at) : [];

  let client: number[] | undefined;
  let clientOutside = 0;
  let clientPercentiles: PercentileMarker[] = [];
  if (clientLatenciesMs) {
    const binned = binValues(buckets, samples.map((ms) => ms / k));
    client = binned.counts;
    clientOutside = binned.outside;
    clientPercentiles = exactPercentiles(samples).map(at);
  }

  const exemplars: ExemplarPoint[] = [];
  const perBucket = new Map<number, Exemplar[]>();
  for (const e of series?.exemplars ?? []) {
    const i = bucketIndexOf(buckets, e.value);
    if (i < 0) continue;
    const list = perBucket.get(i) ?? [];
    list.push(e);
    perBucket.set(i, list);
  }
  for (const [i, list] of perBucket) {
    // The slowest exemplars of a bucket are the interesting ones; drawn slowest on top.
    const shown = [...list]
      .sort((a, b) => b.value - a.value)
      .slice(0, maxExemplarsPerBucket)
      .reverse();
    const top = Math.max(server[i], 1);
    shown.forEach((e, j) => {
      exemplars.push({ index: i, exemplar: e, traceId: traceIdOf(e), valueMs: e.value * k, y: (top * (j + 1)) / (shown.length + 1) });
    });
  }
  exemplars.sort((a, b) => a.index - b.index || a.y - b.y);

  return {
    buckets,
    labels,
    ranges,
    server,
    client,
    clientOutside,
    serverTotal,
    clientTotal: samples.length,
    serverPercentiles,
    clientPercentiles,
    markers: markerLabels(serverPercentiles),
    exemplars,
    trimmed,
  };
}
