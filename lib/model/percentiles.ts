// Percentiles as the run page shows them, each saying how it was obtained:
// exact from every request's measured value, estimated from sampled spans
// (weighted by 1/sampling probability), or interpolated inside a histogram
// bucket (then the bucket's bounds travel with it, so the page can say how
// wide the uncertainty is). Pure.
import type { HistogramBucket } from './types';
import { bucketAtRank } from './histogram';

export const PERCENTILE_QS = [0.5, 0.9, 0.99] as const;
export type PercentileName = 'p50' | 'p90' | 'p99';
export type PercentileMethod = 'exact' | 'estimate' | 'interpolated';

export interface Percentile {
  name: PercentileName;
  q: number;
  valueMs: number;
  method: PercentileMethod;
  /** interpolated: the bucket the value was interpolated in, ms (upper Infinity: beyond the last bound) */
  bucketMs?: { lower: number; upper: number };
}

const nameOf = (q: number) => `p${Math.round(q * 100)}` as PercentileName;

/**
 * The q-quantile of sorted raw values (linear interpolation between closest
 * ranks, the "R-7" definition numpy and most dashboards use). NaN when empty.
 */
export function sampleQuantile(sorted: readonly number[], q: number): number {
  if (!sorted.length || Number.isNaN(q)) return NaN;
  const pos = Math.min(Math.max(q, 0), 1) * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** p50/p90/p99 of every request's value (ms): exact. */
export function exactPercentiles(valuesMs: readonly number[]): Percentile[] {
  const sorted = valuesMs.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (!sorted.length) return [];
  return PERCENTILE_QS.map((q) => ({ name: nameOf(q), q, valueMs: sampleQuantile(sorted, q), method: 'exact' }));
}

/**
 * p50/p90/p99 of values that each stand for `weight` requests (sampled spans,
 * weight 1/p). With every weight 1 every request is there: exact, by the same
 * definition as exactPercentiles. Otherwise an estimate: the smallest value
 * whose cumulative weight reaches q of the total.
 */
export function weightedPercentiles(valuesMs: readonly number[], weights: readonly number[]): Percentile[] {
  const rows = valuesMs.map((v, i) => ({ v, w: weights[i] ?? 1 })).filter((r) => Number.isFinite(r.v) && r.w > 0);
  if (!rows.length) return [];
  if (rows.every((r) => r.w === 1)) return exactPercentiles(rows.map((r) => r.v));
  rows.sort((a, b) => a.v - b.v);
  const total = rows.reduce((a, r) => a + r.w, 0);
  return PERCENTILE_QS.map((q) => {
    let cum = 0;
    let hit = rows[rows.length - 1];
    for (const r of rows) {
      cum += r.w;
      if (cum >= q * total) {
        hit = r;
        break;
      }
    }
    return { name: nameOf(q), q, valueMs: hit.v, method: 'estimate' as const };
  });
}

/**
 * p50/p90/p99 interpolated in a histogram's buckets, as PromQL's
 * histogram_quantile does (linear inside the bucket holding rank q·count; a
 * rank in the +Inf bucket gives the highest finite bound). Bounds are in
 * seconds × `msPer`.
 */
export function interpolatedPercentiles(buckets: readonly HistogramBucket[], msPer = 1000): Percentile[] {
  const bs = [...buckets].sort((a, b) => a.upper - b.upper);
  const total = bs.reduce((a, b) => a + Math.max(0, b.count), 0);
  if (!(total > 0) || bs.length < 2 || bs[bs.length - 1].upper !== Infinity) return [];
  return PERCENTILE_QS.map((q) => {
    const rank = q * total;
    const { index: i, below } = bucketAtRank(bs, rank);
    const lower = i === 0 ? Math.max(0, bs[0].lower) : bs[i - 1].upper;
    const b = bs[i];
    let value: number;
    if (b.upper === Infinity) value = lower;
    else {
      const c = Math.max(0, b.count);
      value = c === 0 ? lower : lower + (b.upper - lower) * ((rank - below) / c);
    }
    return { name: nameOf(q), q, valueMs: value * msPer, method: 'interpolated' as const, bucketMs: { lower: lower * msPer, upper: b.upper * msPer } };
  });
}
