// A latency heatmap over time: columns are time steps, rows latency buckets,
// cells how many requests landed there. Built from whichever source has the
// data: a Prometheus histogram (classic `_bucket` series or native
// histograms), Tempo's TraceQL `histogram_over_time(duration)`, or spans
// counted in the embedded store. Pure.
import { bucketsFromCumulative, parseLe } from '@/lib/model/histogram';
import type { Exemplar, HistogramBucket, Series } from '@/lib/model/types';
import type { NativeHistogramSample, RangeSeries } from '@/lib/datasources/prometheus/types';

export interface HeatmapRow {
  /** seconds, exclusive */
  lower: number;
  /** seconds, inclusive; Infinity for the last */
  upper: number;
}

export interface HeatmapExemplar {
  /** unix ms */
  timestamp: number;
  /** seconds */
  value: number;
  traceId?: string;
  spanId?: string;
}

export interface Heatmap {
  /** start of each column, unix ms; a column covers [time, time + stepMs) */
  times: number[];
  stepMs: number;
  rows: HeatmapRow[];
  /** counts[column][row] */
  counts: number[][];
  /** what a cell counts, e.g. "requests/s" (a Prometheus rate) or "requests" */
  unit: string;
  /**
   * How far back from a column's end its count reaches, when that is more than
   * the column: a Prometheus rate over a window longer than the step. Absent:
   * the column itself (counted spans, Tempo's histogram_over_time).
   */
  windowMs?: number;
  exemplars: HeatmapExemplar[];
}

const EMPTY = (stepMs: number, unit: string): Heatmap => ({ times: [], stepMs, rows: [], counts: [], unit, exemplars: [] });

/**
 * Every column of `range` at the heatmap's step (in the phase of its own
 * columns), counts of the columns `h` has and zeros elsewhere: Prometheus
 * returns points only where a series has data, and the chart should span the
 * range like the others.
 */
export function fillColumns(h: Heatmap, range: { from: number; to: number }): Heatmap {
  if (!h.rows.length || !h.times.length || !(h.stepMs > 0)) return h;
  const step = h.stepMs;
  let first = h.times[0] - Math.floor((h.times[0] - range.from) / step) * step;
  if (first > range.from) first -= step;
  const grid: number[] = [];
  for (let t = first; t < range.to && grid.length < 20_000; t += step) grid.push(t);
  const times = [...new Set([...grid, ...h.times])].sort((a, b) => a - b);
  const byTime = new Map(h.times.map((t, i) => [t, h.counts[i]]));
  return { ...h, times, counts: times.map((t) => byTime.get(t) ?? new Array<number>(h.rows.length).fill(0)) };
}

/**
 * The rows worth drawing: from one below the fastest row with a count or an
 * exemplar to one above the slowest. Span heatmaps have 19 fixed bands
 * (0.5 ms … 65 s and beyond) and a service uses a few of them; drawing all
 * crowds the axis labels. Cells are named by their bounds, not row numbers,
 * so a selection survives the trim.
 */
export function trimRows(h: Heatmap, margin = 1): Heatmap {
  const used = (i: number) => h.counts.some((col) => col[i] > 0) || h.exemplars.some((e) => e.value > h.rows[i].lower && e.value <= h.rows[i].upper);
  let lo = 0;
  while (lo < h.rows.length && !used(lo)) lo++;
  if (lo === h.rows.length) return h;
  let hi = h.rows.length - 1;
  while (!used(hi)) hi--;
  lo = Math.max(0, lo - margin);
  hi = Math.min(h.rows.length - 1, hi + margin);
  if (lo === 0 && hi === h.rows.length - 1) return h;
  return { ...h, rows: h.rows.slice(lo, hi + 1), counts: h.counts.map((col) => col.slice(lo, hi + 1)) };
}

/** Exemplars with a trace id, as the heatmap draws them (a trace id may be called trace_id, traceID or traceId). */
export function heatmapExemplars(exemplars: readonly Exemplar[]): HeatmapExemplar[] {
  return exemplars.map((e) => {
    const traceId = e.labels.trace_id ?? e.labels.traceID ?? e.labels.traceId;
    const spanId = e.labels.span_id ?? e.labels.spanID ?? e.labels.spanId;
    return { timestamp: e.timestamp, value: e.value, ...(traceId ? { traceId: traceId.toLowerCase() } : {}), ...(spanId ? { spanId: spanId.toLowerCase() } : {}) };
  });
}

/** Row bounds common to every column: each distinct (lower, upper] in ascending order. */
function unionRows(columns: HistogramBucket[][]): HeatmapRow[] {
  const seen = new Map<string, HeatmapRow>();
  for (const col of columns) for (const b of col) seen.set(`${b.lower}:${b.upper}`, { lower: b.lower, upper: b.upper });
  return [...seen.values()].sort((a, b) => a.upper - b.upper || a.lower - b.lower);
}

function fromColumns(times: number[], columns: HistogramBucket[][], stepMs: number, unit: string): Heatmap {
  const rows = unionRows(columns);
  const index = new Map(rows.map((r, i) => [`${r.lower}:${r.upper}`, i]));
  const counts = columns.map((col) => {
    const c = new Array<number>(rows.length).fill(0);
    for (const b of col) c[index.get(`${b.lower}:${b.upper}`)!] += Number.isFinite(b.count) && b.count > 0 ? b.count : 0;
    return c;
  });
  return { times, stepMs, rows, counts, unit, exemplars: [] };
}

/**
 * `sum by (le) (rate(x_bucket[w]))` as a range query → heatmap. A point at t
 * is the rate over the window ending at t, so its column starts one step
 * earlier. Several series (other labels kept) are summed per le.
 */
export function heatmapFromClassic(series: readonly Series[], stepS: number): Heatmap {
  const stepMs = stepS * 1000;
  const byTime = new Map<number, Map<number, number>>();
  for (const s of series) {
    const le = parseLe(s.labels.le ?? '');
    if (Number.isNaN(le)) continue;
    for (const [t, v] of s.values) {
      const m = byTime.get(t) ?? new Map<number, number>();
      byTime.set(t, m);
      m.set(le, (m.get(le) ?? 0) + (Number.isFinite(v) ? v : 0));
    }
  }
  if (byTime.size === 0) return EMPTY(stepMs, 'requests/s');
  const ts = [...byTime.keys()].sort((a, b) => a - b);
  const columns = ts.map((t) => bucketsFromCumulative([...byTime.get(t)!].map(([le, count]) => ({ le, count }))));
  return fromColumns(
    ts.map((t) => t - stepMs),
    columns,
    stepMs,
    'requests/s',
  );
}

/** Native histogram points (`sum(rate(x[w]))`) → heatmap; rows are the union of the points' buckets. */
export function heatmapFromNative(series: readonly RangeSeries[], stepS: number): Heatmap {
  const stepMs = stepS * 1000;
  const byTime = new Map<number, HistogramBucket[]>();
  for (const s of series) {
    for (const h of s.histograms ?? ([] as NativeHistogramSample[])) {
      const list = byTime.get(h.timestamp) ?? [];
      list.push(...h.buckets);
      byTime.set(h.timestamp, list);
    }
  }
  if (byTime.size === 0) return EMPTY(stepMs, 'requests/s');
  const ts = [...byTime.keys()].sort((a, b) => a - b);
  return fromColumns(
    ts.map((t) => t - stepMs),
    ts.map((t) => byTime.get(t)!),
    stepMs,
    'requests/s',
  );
}

/**
 * Tempo's `{…} | histogram_over_time(duration)`: one series per bucket, the
 * bucket's upper bound in seconds in the `__bucket` label (powers of two), a
 * count per step. A bucket's lower bound is the bucket below it.
 */
export function heatmapFromTempo(series: readonly { labels: Record<string, string>; values: [number, number][] }[], stepS: number): Heatmap {
  const stepMs = stepS * 1000;
  const uppers = [...new Set(series.map((s) => Number(s.labels.__bucket)).filter((b) => Number.isFinite(b) && b > 0))].sort((a, b) => a - b);
  if (uppers.length === 0) return EMPTY(stepMs, 'requests');
  const rows = uppers.map((upper, i) => ({ lower: i === 0 ? upper / 2 : uppers[i - 1], upper }));
  const rowOf = new Map(uppers.map((u, i) => [u, i]));
  const byTime = new Map<number, number[]>();
  for (const s of series) {
    const r = rowOf.get(Number(s.labels.__bucket));
    if (r === undefined) continue;
    for (const [t, v] of s.values) {
      const c = byTime.get(t) ?? new Array<number>(rows.length).fill(0);
      byTime.set(t, c);
      c[r] += Number.isFinite(v) && v > 0 ? v : 0;
    }
  }
  const ts = [...byTime.keys()].sort((a, b) => a - b);
  // Tempo stamps a step's sample at the step's start.
  return { times: ts, stepMs, rows, counts: ts.map((t) => byTime.get(t)!), unit: 'requests', exemplars: [] };
}

/** Bounds (s) for span-duration heatmaps: powers of two from 0.5 ms to about 65 s, then +Inf. */
export const SPAN_HEATMAP_BOUNDS: readonly number[] = Array.from({ length: 18 }, (_, k) => 0.0005 * 2 ** k);

/** Cells counted in the embedded store (`column` and `row` indexes into the range's steps and `bounds` + Inf). */
export function heatmapFromCells(cells: readonly { column: number; row: number; count: number }[], from: number, stepS: number, columns: number, bounds: readonly number[] = SPAN_HEATMAP_BOUNDS): Heatmap {
  const stepMs = stepS * 1000;
  const rows = [...bounds, Infinity].map((upper, i) => ({ lower: i === 0 ? 0 : bounds[i - 1], upper }));
  const counts = Array.from({ length: columns }, () => new Array<number>(rows.length).fill(0));
  for (const c of cells) if (c.column >= 0 && c.column < columns && c.row >= 0 && c.row < rows.length) counts[c.column][c.row] += c.count;
  return { times: Array.from({ length: columns }, (_, i) => from + i * stepMs), stepMs, rows, counts, unit: 'requests', exemplars: [] };
}

/** The cell's time span and latency band. */
export interface HeatmapCell {
  /** unix ms */
  from: number;
  to: number;
  /** seconds */
  lower: number;
  upper: number;
}

/** URL form `<from ms>-<to ms>:<lower s>-<upper s|inf>`. */
export function formatCell(c: HeatmapCell): string {
  const n = (x: number) => String(Number(x.toPrecision(12)));
  return `${Math.round(c.from)}-${Math.round(c.to)}:${n(c.lower)}-${Number.isFinite(c.upper) ? n(c.upper) : 'inf'}`;
}

export function parseCell(s: string | null | undefined): HeatmapCell | null {
  const m = /^(\d{12,14})-(\d{12,14}):(\d+(?:\.\d+)?(?:e-?\d+)?)-(\d+(?:\.\d+)?(?:e-?\d+)?|inf)$/.exec(s ?? '');
  if (!m) return null;
  const c = { from: Number(m[1]), to: Number(m[2]), lower: Number(m[3]), upper: m[4] === 'inf' ? Infinity : Number(m[4]) };
  return c.to > c.from && c.upper > c.lower ? c : null;
}

/**
 * The time whose requests a cell counts: its column, or the rate window ending
 * where the column ends when that is longer. A cell's traces are searched over
 * this, so a hot cell whose requests came early in its rate window still lists them.
 */
export function cellTimeRange(c: HeatmapCell, windowMs?: number): { from: number; to: number } {
  return { from: Math.min(c.from, c.to - (windowMs ?? 0)), to: c.to };
}

/** Exemplars inside a cell: time in [from, to), value in (lower, upper]. */
export function exemplarsInCell(exemplars: readonly HeatmapExemplar[], c: HeatmapCell): HeatmapExemplar[] {
  return exemplars.filter((e) => e.timestamp >= c.from && e.timestamp < c.to && e.value > c.lower && e.value <= c.upper);
}
