// Trace-based SLIs: spans matching a TraceQL span set, good when they took at
// most the threshold. Prometheus cannot evaluate TraceQL, so Trisight counts the
// spans itself from the embedded span store, each span weighted by the inverse
// of the probability it was sampled with (as the run page's span metrics do),
// so sampled-out requests still count.
import type pg from 'pg';
import { parseTraceQL, TraceQLError } from '@/lib/datasources/embedded/traceql';
import { conditionsSql } from '@/lib/datasources/embedded/spans';
import { ApiError } from '@/lib/api-errors';
import type { Sli } from './model';

type TraceSli = Extract<Sli, { kind: 'trace' }>;

/**
 * Where trace-based SLIs are counted from, in words. With TEMPO_URL set the
 * spans go to Tempo and the embedded store stays empty; evaluating the SLI with
 * Tempo's TraceQL metrics (count_over_time) is not built yet, and the pages say so.
 */
export function traceSourceNote(tempoUrl: string | undefined): string {
  return tempoUrl
    ? 'TEMPO_URL is set, so spans go to Tempo; evaluating trace-based SLIs with Tempo’s TraceQL metrics is not built yet, and the embedded span store these numbers come from receives no spans'
    : 'counted from the embedded span store, each span weighted by 1 ÷ its sampling probability; alerts are not evaluated by Prometheus for trace-based SLIs';
}

export interface EventCounts {
  /** sampling-weighted span counts */
  total: number;
  bad: number;
}

const WEIGHT = '1.0::float8 / coalesce(sampling_probability, 1.0::float8)';

/** The span conditions of the filter, or a 400 naming what the embedded store cannot run. */
export function traceConditions(sli: TraceSli) {
  try {
    return parseTraceQL(sli.filter);
  } catch (e) {
    if (e instanceof TraceQLError) throw new ApiError(400, `sli.filter: ${e.message}`);
    throw e;
  }
}

/** Weighted total and bad (slower than the threshold) spans in each window ending at `now`. */
export async function traceEventCounts(db: pg.Pool, sli: TraceSli, windowsMs: Record<string, number>, now: number): Promise<Record<string, EventCounts>> {
  const keys = Object.keys(windowsMs);
  if (!keys.length) return {};
  const longest = Math.max(...Object.values(windowsMs));
  const params: unknown[] = [];
  const where = conditionsSql(traceConditions(sli), { from: now - longest, to: now }, params);
  const threshold = `$${params.push(String(BigInt(Math.round(sli.thresholdMs * 1e6))))}::bigint`;
  const cols = keys.map((k, i) => {
    const since = `$${params.push(String(BigInt(Math.round(now - windowsMs[k])) * 1_000_000n))}::bigint`;
    return `coalesce(sum(${WEIGHT}) FILTER (WHERE start_ns >= ${since}), 0)::float8 AS t${i},
            coalesce(sum(${WEIGHT}) FILTER (WHERE start_ns >= ${since} AND duration_ns > ${threshold}), 0)::float8 AS b${i}`;
  });
  const r = await db.query<Record<string, number>>(`SELECT ${cols.join(', ')} FROM embedded_span WHERE ${where}`, params);
  const row = r.rows[0] ?? {};
  return Object.fromEntries(keys.map((k, i) => [k, { total: Number(row[`t${i}`] ?? 0), bad: Number(row[`b${i}`] ?? 0) }]));
}
