// The arithmetic of trace-based SLIs, whichever store counts the spans: the
// TraceQL metrics queries Tempo runs, how the SLO's windows are cut into ranges
// Tempo accepts, and how counts become error ratios. Pure.
//
// Why count_over_time with a duration filter and not histogram_over_time:
// Tempo's duration histogram has power-of-two buckets, so a threshold of 2 s
// would be read at the 2.147 s bound (2^31 ns) and spans of 2–2.147 s would
// count as good. `{ … && duration > 2000ms } | count_over_time()` counts exactly
// the spans slower than the threshold, as the embedded store's
// `duration_ns > threshold` does. Counts add up over ranges that meet, so a
// window longer than Tempo allows in one query is the sum of its pieces.
import { parseTraceQL } from '@/lib/datasources/embedded/traceql';
import { ATTR_SAMPLING_PROBABILITY, samplingWeight } from '@/lib/model/sampling';
import type { Attributes, TimeRange } from '@/lib/model/types';
import type { Sli } from './model';

type TraceSli = Extract<Sli, { kind: 'trace' }>;

export interface EventCounts {
  /** sampling-weighted span counts */
  total: number;
  bad: number;
}

/** Tempo groups by the attribute as written in `by (…)`; this is its series label. */
export const SAMPLING_LABEL = `span.${ATTR_SAMPLING_PROBABILITY}`;

/** A duration as TraceQL writes it, exact to the nanosecond: 2000 → "2000ms", 0.5 → "500us". */
export function traceqlDuration(ms: number): string {
  const ns = BigInt(Math.round(ms * 1e6));
  if (ns % 1_000_000n === 0n) return `${ns / 1_000_000n}ms`;
  if (ns % 1_000n === 0n) return `${ns / 1_000n}us`;
  return `${ns}ns`;
}

/**
 * The span filter with `duration > threshold` added: inside the braces when the
 * filter is one span set (`{ a && b }` → `{ (a && b) && duration > 2000ms }`),
 * as a pipeline stage otherwise (`{a} >> {b} | { duration > 2000ms }` keeps the
 * spans the filter returns and are slower).
 */
export function slowerThan(filter: string, thresholdMs: number): string {
  const cond = `duration > ${traceqlDuration(thresholdMs)}`;
  const f = filter.trim();
  let single = false;
  try {
    parseTraceQL(f);
    single = true;
  } catch {
    // Not one plain span set (pipelines, structural or span-set operators): Tempo reads those, the pipeline form keeps them whole.
  }
  if (!single) return `${f} | { ${cond} }`;
  const inner = f.slice(f.indexOf('{') + 1, f.lastIndexOf('}')).trim();
  return inner ? `{ (${inner}) && ${cond} }` : `{ ${cond} }`;
}

/**
 * The two TraceQL metrics queries of a trace-based SLI: all matching spans and
 * the slow ones, each counted per recorded sampling probability so every
 * group can be weighted by 1 ÷ p (spans without one form Tempo's "nil" group,
 * weight 1) — the embedded store's weighting, done on Tempo's counts.
 */
export function traceSliQueries(sli: TraceSli): { total: string; bad: string } {
  const stage = ` | count_over_time() by (${SAMPLING_LABEL})`;
  return { total: `${sli.filter.trim()}${stage}`, bad: `${slowerThan(sli.filter, sli.thresholdMs)}${stage}` };
}

/** Σ count × 1/p over the groups of one count_over_time() by (sampling probability) answer; NaN values are no spans. */
export function weightedCount(series: readonly { attributes: Attributes; value: number }[]): number {
  let n = 0;
  for (const s of series) if (Number.isFinite(s.value)) n += s.value * samplingWeight(s.attributes[SAMPLING_LABEL]);
  return n;
}

/** Error ratio per window: bad ÷ total, null without events (0 ÷ 0 is "no data", not 0). */
export function errorRatiosFromCounts<K extends string>(counts: Record<K, EventCounts>): Record<K, number | null> {
  const out = {} as Record<K, number | null>;
  for (const k of Object.keys(counts) as K[]) out[k] = counts[k].total > 0 ? counts[k].bad / counts[k].total : null;
  return out;
}

export interface IntervalPlan {
  /** ranges [from, to) that meet, newest first, none longer than the limit */
  intervals: TimeRange[];
  /** for each window, the indexes of the intervals that make it up */
  windows: Record<string, number[]>;
}

/**
 * Cuts windows that all end at `now` into ranges of at most `maxRangeMs`, so
 * that every window is a union of whole ranges and every range is queried
 * once: the edges are now − each window, with extra edges every `maxRangeMs`
 * where two edges are further apart. 5m, 1h, 6h, 1d, 3d and 30d with a 24 h
 * limit make 33 ranges.
 */
export function planIntervals(windowsMs: Record<string, number>, now: number, maxRangeMs: number): IntervalPlan {
  if (!(maxRangeMs > 0)) throw new Error(`maxRangeMs must be positive, got ${maxRangeMs}`);
  const edges = [...new Set(Object.values(windowsMs).filter((w) => w > 0).map((w) => now - w))].sort((a, b) => b - a);
  const intervals: TimeRange[] = [];
  let cur = now;
  for (const e of edges) {
    while (cur - e > maxRangeMs) {
      intervals.push({ from: cur - maxRangeMs, to: cur });
      cur -= maxRangeMs;
    }
    intervals.push({ from: e, to: cur });
    cur = e;
  }
  const windows: Record<string, number[]> = {};
  for (const [k, w] of Object.entries(windowsMs)) windows[k] = intervals.flatMap((r, i) => (w > 0 && r.from >= now - w ? [i] : []));
  return { intervals, windows };
}

/**
 * Keeps the first `maxIntervals` ranges (the newest) and the windows made of
 * them; the other windows are named in `dropped` (too many queries for one page
 * load when Tempo only allows short ranges).
 */
export function limitPlan(plan: IntervalPlan, maxIntervals: number): { plan: IntervalPlan; dropped: string[] } {
  const windows: Record<string, number[]> = {};
  const dropped: string[] = [];
  for (const [k, idx] of Object.entries(plan.windows)) {
    if (idx.every((i) => i < maxIntervals)) windows[k] = idx;
    else dropped.push(k);
  }
  return { plan: { intervals: plan.intervals.slice(0, maxIntervals), windows }, dropped };
}

/** Adds up each window's ranges. */
export function windowCounts(plan: IntervalPlan, perInterval: readonly EventCounts[]): Record<string, EventCounts> {
  const out: Record<string, EventCounts> = {};
  for (const [k, idx] of Object.entries(plan.windows)) {
    out[k] = idx.reduce((a, i) => ({ total: a.total + perInterval[i].total, bad: a.bad + perInterval[i].bad }), { total: 0, bad: 0 });
  }
  return out;
}

const GO_UNITS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };

/** A Go duration as Tempo prints it ("24h0m0s", "3h0m0s", "1h30m0s") → ms; null when it is not one. */
export function goDurationMs(s: string): number | null {
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(s)) return null;
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) ms += Number(m[1]) * GO_UNITS[m[2]];
  return ms;
}

/**
 * The longest range Tempo accepts, read from its refusal of a longer one:
 * "metrics query time range exceeds the maximum allowed duration of 24h0m0s"
 * (current Tempo) or "range specified by start and end exceeds 3h0m0s. …"
 * (older releases). Null for any other error.
 */
export function maxRangeFromTempoError(message: string): number | null {
  const m = /exceeds (?:the maximum allowed duration of )?((?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+)/.exec(message);
  const ms = m ? goDurationMs(m[1]) : null;
  return ms && ms > 0 ? ms : null;
}
