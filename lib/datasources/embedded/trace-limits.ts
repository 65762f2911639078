// Bounded work for one trace (TRACE_MAX_SPANS, like Tempo's max bytes per
// trace): a trace larger than the limit is refused with a 422 that names the
// limit, found by counting index entries no further than the limit — a
// 1.25M-span trace costs a short index scan, not a 400 MB response.
import type pg from 'pg';
import { ApiError } from '@/lib/api-errors';

type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, 'query'>;

export class TraceTooLarge extends ApiError {
  constructor(
    readonly traceId: string,
    readonly maxSpans: number,
  ) {
    super(422, `trace ${traceId} has more than ${maxSpans.toLocaleString('en-US')} spans, the most one trace is shown with (TRACE_MAX_SPANS); search its spans with TraceQL instead`);
    this.name = 'TraceTooLarge';
  }
}

/** Throws TraceTooLarge when more than `maxSpans` spans match `where` (an index-only count that stops at the limit). */
export async function refuseLargeTrace(db: Queryable, traceId: string, where: string, params: unknown[], maxSpans: number): Promise<void> {
  const limit = Math.max(0, Math.trunc(maxSpans)) + 1;
  const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM embedded_span WHERE ${where} LIMIT ${limit}) AS capped`, params);
  if ((r.rows[0]?.n ?? 0) > maxSpans) throw new TraceTooLarge(traceId, maxSpans);
}
