import type { HistogramBucket, HistogramSeries, Labels } from './types';

// Histogram maths on our model, independent of where the buckets came from
// (classic `_bucket` series from Prometheus, native histograms, or the
// embedded store). Pure functions only.

/** Prometheus's `le` label text → number ("+Inf" included). NaN when it is not a number. */
export function parseLe(le: string): number {
  const t = le.trim();
  if (t === '+Inf' || t === 'Inf' || t === 'inf' || t === '+inf') return Infinity;
  if (t === '-Inf' || t === '-inf') return -Infinity;
  return t === '' ? NaN : Number(t);
}

/**
 * Cumulative (le, count) points → per-bucket counts. Points are sorted by `le`,
 * duplicates of one bound are merged, and a cumulative count that goes down
 * (a counter reset seen by only some buckets, or float noise from rate()) is
 * clamped so no bucket is negative, as Prometheus does before estimating quantiles.
 */
export function bucketsFromCumulative(points: { le: number; count: number }[]): HistogramBucket[] {
  const sorted = points.filter((p) => !Number.isNaN(p.le)).sort((a, b) => a.le - b.le);
  const out: HistogramBucket[] = [];
  let prevLe = -Infinity;
  let prevCum = 0;
  for (const p of sorted) {
    const cum = Math.max(prevCum, Number.isFinite(p.count) ? p.count : 0);
    if (out.length && p.le === prevLe) {
      // Same bound twice (e.g. "1" and "1.0"): keep the larger cumulative count.
      out[out.length - 1].count += cum - prevCum;
    } else {
      // The first bucket starts at 0 for positive bounds, as histogram_quantile assumes.
      const lower = out.length ? prevLe : p.le > 0 ? 0 : -Infinity;
      out.push({ lower, upper: p.le, count: cum - prevCum });
    }
    prevLe = p.le;
    prevCum = cum;
  }
  return out;
}

/** One instant sample of a series: what a PromQL vector gives per series. */
export interface LabeledValue {
  labels: Labels;
  value: number;
}

function withoutKeys(labels: Labels, drop: string[]): Labels {
  const out: Labels = {};
  for (const k of Object.keys(labels).sort()) if (!drop.includes(k)) out[k] = labels[k];
  return out;
}

/** Series identity for grouping: labels without `le` and `__name__`. */
export function histogramKey(labels: Labels): string {
  return JSON.stringify(withoutKeys(labels, ['le', '__name__']));
}

/**
 * Classic histogram series (`<name>_bucket{le=...}` samples, e.g. the result of
 * `sum by (le) (increase(x_bucket[5m]))`) → one HistogramSeries per label set.
 * `sums`/`counts` are the matching `_sum`/`_count` samples, if queried; without
 * a `_count` the +Inf bucket is the count, without a `_sum` the sum is NaN.
 * Samples lacking `le` are ignored; a group without a +Inf bucket is kept (the
 * buckets are still meaningful) but its quantiles are NaN, as in Prometheus.
 */
export function classicHistograms(buckets: LabeledValue[], opts: { sums?: LabeledValue[]; counts?: LabeledValue[] } = {}): HistogramSeries[] {
  const groups = new Map<string, { labels: Labels; points: { le: number; count: number }[] }>();
  for (const s of buckets) {
    if (s.labels.le === undefined) continue;
    const key = histogramKey(s.labels);
    let g = groups.get(key);
    if (!g) {
      const labels = withoutKeys(s.labels, ['le']);
      if (labels.__name__?.endsWith('_bucket')) labels.__name__ = labels.__name__.slice(0, -'_bucket'.length);
      groups.set(key, (g = { labels, points: [] }));
    }
    g.points.push({ le: parseLe(s.labels.le), count: s.value });
  }
  const byKey = (xs?: LabeledValue[]) => new Map((xs ?? []).map((x) => [histogramKey(x.labels), x.value]));
  const sums = byKey(opts.sums);
  const counts = byKey(opts.counts);
  return [...groups.entries()].map(([key, g]) => {
    const bs = bucketsFromCumulative(g.points);
    const last = bs[bs.length - 1];
    const total = last?.upper === Infinity ? bs.reduce((a, b) => a + b.count, 0) : NaN;
    return { labels: g.labels, buckets: bs, count: counts.get(key) ?? total, sum: sums.get(key) ?? NaN };
  });
}

/**
 * The first bucket of `sorted` (ascending upper bounds) whose cumulative count
 * reaches `rank`, and the count below it; the last bucket when none does
 * before it. Negative counts count as 0.
 */
export function bucketAtRank(sorted: readonly HistogramBucket[], rank: number): { index: number; below: number } {
  let below = 0;
  let i = 0;
  for (; i < sorted.length - 1; i++) {
    const c = Math.max(0, sorted[i].count);
    if (below + c >= rank) break;
    below += c;
  }
  return { index: i, below };
}

/**
 * The q-quantile of bucketed observations, estimated the way PromQL's
 * histogram_quantile does for classic histograms: find the bucket holding the
 * rank q·count and interpolate linearly inside it. Edge cases follow
 * Prometheus: q < 0 → -Inf, q > 1 → +Inf, no observations or no +Inf bucket
 * → NaN, a rank in the +Inf bucket → the highest finite bound, a rank in a
 * first bucket with no finite lower bound → that bucket's upper bound.
 */
export function histogramQuantile(q: number, buckets: HistogramBucket[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const bs = [...buckets].sort((a, b) => a.upper - b.upper);
  if (bs.length < 2 || bs[bs.length - 1].upper !== Infinity) return NaN;
  const total = bs.reduce((a, b) => a + Math.max(0, b.count), 0);
  if (!(total > 0)) return NaN;
  const rank = q * total;
  const { index: i, below } = bucketAtRank(bs, rank);
  if (i === bs.length - 1) return bs[bs.length - 2].upper;
  const b = bs[i];
  const lower = i === 0 ? b.lower : bs[i - 1].upper;
  if (!Number.isFinite(lower)) return b.upper;
  const c = Math.max(0, b.count);
  if (c === 0) return lower;
  return lower + (b.upper - lower) * ((rank - below) / c);
}

/** Index of the bucket a value falls into (lower exclusive, upper inclusive); -1 when none. */
export function bucketIndexOf(buckets: HistogramBucket[], value: number): number {
  return buckets.findIndex((b) => value > b.lower && value <= b.upper);
}

/** Share of observations at or below `threshold`, interpolating inside the bucket it cuts (NaN with no observations). */
export function fractionAtOrBelow(buckets: HistogramBucket[], threshold: number): number {
  const total = buckets.reduce((a, b) => a + Math.max(0, b.count), 0);
  if (!(total > 0)) return NaN;
  let n = 0;
  for (const b of buckets) {
    const c = Math.max(0, b.count);
    if (threshold >= b.upper) n += c;
    else if (threshold > b.lower && Number.isFinite(b.lower) && Number.isFinite(b.upper)) {
      n += (c * (threshold - b.lower)) / (b.upper - b.lower);
    }
  }
  return n / total;
}

/**
 * The q-quantile of a native (sparse, exponential-bucket) histogram, estimated
 * as Prometheus 2.42's histogram_quantile does for native histograms: walk the
 * buckets in ascending order to the one holding rank q·count and interpolate
 * linearly inside it. There is no +Inf bucket; `count` is the histogram's own
 * count. A zero bucket straddling 0 is cut at 0 on the side with no buckets.
 */
export function nativeHistogramQuantile(q: number, h: { count: number; buckets: HistogramBucket[] }): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  if (Number.isNaN(q) || !(h.count > 0)) return NaN;
  const bs = [...h.buckets].sort((a, b) => a.lower - b.lower || a.upper - b.upper);
  if (!bs.length) return NaN;
  const rank = q * h.count;
  let cum = 0;
  let i = 0;
  for (; i < bs.length; i++) {
    cum += bs[i].count;
    if (cum >= rank) break;
  }
  if (i === bs.length) return bs[bs.length - 1].upper; // rank never reached (NaN observations)
  let { lower, upper } = bs[i];
  const count = bs[i].count;
  if (lower < 0 && upper > 0) {
    const neg = bs.some((b) => b.upper <= 0);
    const pos = bs.some((b) => b.lower >= 0);
    if (pos && !neg) lower = 0;
    else if (neg && !pos) upper = 0;
  }
  const before = Math.min(cum, h.count) - count;
  return lower + (upper - lower) * ((rank - before) / count);
}
