// What a latency histogram panel draws, computed once from our model: bucket
// labels, server counts, the load generator's own measurements binned into the
// same buckets, percentile markers and exemplar positions. Pure, so the chart
// component only maps this onto ECharts.

import { bucketIndexOf, histogramQuantile } from './histogram';
import type { Exemplar, HistogramBucket, HistogramSeries } from './types';

export type LatencyUnit = 's' | 'ms';
export const PERCENTILES = [0.5, 0.9, 0.99] as const;
export type PercentileName = 'p50' | 'p90' | 'p99';

export interface PercentileMarker {
  name: PercentileName;
  q: number;
  /** in ms */
  valueMs: number;
  /** bucket the value falls in (-1 if none) */
  index: number;
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
  exemplars: ExemplarPoint[];
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

/**
 * The q-quantile of raw samples (linear interpolation between closest ranks,
 * the "R-7" definition numpy and most dashboards use). NaN when empty.
 */
export function sampleQuantile(sorted: readonly number[], q: number): number {
  if (!sorted.length || Number.isNaN(q)) return NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
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
 * Builds the view. Bucket bounds and exemplar values are in `unit`; client
 * latencies are always ms (what the load generator measures).
 */
export function buildLatencyView(series: HistogramSeries | undefined, clientLatenciesMs: readonly number[] | undefined, unit: LatencyUnit = 's', maxExemplarsPerBucket = 5): LatencyView {
  const k = MS_PER[unit];
  const buckets = series ? [...series.buckets].sort((a, b) => a.upper - b.upper) : [];
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

  const serverPercentiles: PercentileMarker[] = [];
  if (serverTotal > 0) {
    for (const q of PERCENTILES) {
      const v = histogramQuantile(q, buckets);
      if (Number.isFinite(v)) serverPercentiles.push({ name: `p${Math.round(q * 100)}` as PercentileName, q, valueMs: v * k, index: bucketIndexOf(buckets, v) });
    }
  }

  let client: number[] | undefined;
  let clientOutside = 0;
  const clientPercentiles: PercentileMarker[] = [];
  const samples = (clientLatenciesMs ?? []).filter((v) => Number.isFinite(v) && v >= 0);
  if (clientLatenciesMs) {
    const binned = binValues(buckets, samples.map((ms) => ms / k));
    client = binned.counts;
    clientOutside = binned.outside;
    const sorted = [...samples].sort((a, b) => a - b);
    if (sorted.length) {
      for (const q of PERCENTILES) {
        const v = sampleQuantile(sorted, q);
        clientPercentiles.push({ name: `p${Math.round(q * 100)}` as PercentileName, q, valueMs: v, index: bucketIndexOf(buckets, v / k) });
      }
    }
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
    exemplars,
  };
}
