// TraceQL metrics over the embedded trace store, for the spans a query
// matches: a duration heatmap (what Tempo's `histogram_over_time(duration)`
// gives) and RED figures (`rate()`, errors, `quantile_over_time(duration, …)`).
// Like Tempo, stored spans are counted as they are (no re-weighting for
// sampling); percentiles are exact (percentile_cont), not bucket estimates.
import type { TimeRange } from '@/lib/model/types';
import { cancellableQuery, type Queryable } from './cancellable';
import { conditionsSql } from './spans';
import type { SpanFilter } from './traceql';

const msToNs = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();

export interface DurationCell {
  /** step index from range.from */
  column: number;
  /** bucket index into bounds (+Inf last) */
  row: number;
  count: number;
}

/** Span counts per (step, duration bucket); a bucket is (previous bound, bound] in seconds. */
export async function durationCells(db: Queryable, filter: SpanFilter, range: TimeRange, stepS: number, bounds: readonly number[], signal?: AbortSignal): Promise<DurationCell[]> {
  const params: unknown[] = [bounds.map((b) => String(Math.round(b * 1e9))), String(Math.round(stepS * 1e9)), msToNs(range.from)];
  const where = conditionsSql(filter, range, params);
  // width_bucket counts the bounds strictly below duration - 1 ns: `le` semantics (upper bound inclusive).
  const r = await cancellableQuery<{ t: number; b: number; n: number }>(
    db,
    `SELECT ((start_ns - $3::bigint) / $2::bigint)::int AS t, width_bucket(duration_ns - 1, $1::bigint[]) AS b, count(*)::int AS n
     FROM embedded_span WHERE ${where} GROUP BY 1, 2`,
    params,
    signal,
  );
  return r.rows.map((x) => ({ column: x.t, row: x.b, count: x.n }));
}

export interface RedRow {
  /** step index, or null for the whole range */
  column: number | null;
  count: number;
  errors: number;
  /** seconds */
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** Count, errors and exact duration percentiles per step and for the whole range (column null). */
export async function redRows(db: Queryable, filter: SpanFilter, range: TimeRange, stepS: number, signal?: AbortSignal): Promise<RedRow[]> {
  const params: unknown[] = [String(Math.round(stepS * 1e9)), msToNs(range.from)];
  const where = conditionsSql(filter, range, params);
  const r = await cancellableQuery<{ t: number | null; n: number; e: number; q: number[] | null }>(
    db,
    `SELECT t, count(*)::int AS n, count(*) FILTER (WHERE status = 'error')::int AS e,
            percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY d) AS q
     FROM (SELECT ((start_ns - $2::bigint) / $1::bigint)::int AS t, duration_ns::float8 AS d, status FROM embedded_span WHERE ${where}) s
     GROUP BY GROUPING SETS ((t), ())`,
    params,
    signal,
  );
  return r.rows.map((x) => ({
    column: x.t,
    count: x.n,
    errors: x.e,
    p50: x.q ? x.q[0] / 1e9 : null,
    p90: x.q ? x.q[1] / 1e9 : null,
    p99: x.q ? x.q[2] / 1e9 : null,
  }));
}
