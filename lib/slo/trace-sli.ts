// Trace-based SLIs: spans matching a TraceQL span set, good when they took at
// most the threshold, each span weighted by the inverse of the probability it
// was sampled with (as the run page's span metrics do), so sampled-out
// requests still count. Prometheus cannot evaluate TraceQL: with TEMPO_URL set
// Tempo counts the spans (TraceQL metrics, trace-tempo.ts), otherwise Trisight
// counts them in the embedded span store.
import type pg from 'pg';
import { ApiError } from '@/lib/api-errors';
import { config } from '@/lib/config';
import { conditionsSql } from '@/lib/datasources/embedded/spans';
import { parseTraceQL, TraceQLError } from '@/lib/datasources/embedded/traceql';
import { TempoClient } from '@/lib/datasources/tempo/client';
import { pgPool } from '@/lib/db';
import type { Sli } from './model';
import { type EventCounts, errorRatiosFromCounts, traceSliQueries } from './trace-metrics';
import { droppedWindowsNote, type TempoSliFailure, TempoSliError, tempoEventCounts } from './trace-tempo';

export type { EventCounts };

type TraceSli = Extract<Sli, { kind: 'trace' }>;

const EMBEDDED_NOTE = 'counted from the embedded span store, each span weighted by 1 ÷ its sampling probability; alerts are not evaluated by Prometheus for trace-based SLIs';

/** Where trace-based SLIs are counted from, in words. */
export function traceSourceNote(tempoUrl: string | undefined): string {
  return tempoUrl
    ? 'counted by Tempo’s TraceQL metrics (count_over_time of the span filter, and of it with duration above the threshold, per recorded sampling probability), each span weighted by 1 ÷ its sampling probability; alerts are not evaluated by Prometheus for trace-based SLIs'
    : EMBEDDED_NOTE;
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

export interface TraceWindows {
  source: 'tempo' | 'traces';
  counts: Record<string, EventCounts>;
  /** bad ÷ total per window; null without events, or when the window was not evaluated */
  ratios: Record<string, number | null>;
  /** where the numbers come from (and what is missing), in words */
  note: string;
  /** set when Tempo could not count: what it answered and the fix */
  failure?: { kind: TempoSliFailure; message: string };
  /** the TraceQL metrics queries Tempo ran (Tempo only) */
  queries?: { total: string; bad: string };
}

/**
 * Counts and error ratios of a trace-based SLI over each window ending at
 * `now`: by Tempo when TEMPO_URL is set (a failure is returned, with every
 * ratio null, never thrown), else from the embedded span store.
 */
export async function traceWindows(sli: TraceSli, windowsMs: Record<string, number>, now: number, signal?: AbortSignal): Promise<TraceWindows> {
  const tempoUrl = config().TEMPO_URL;
  const none = () => Object.fromEntries(Object.keys(windowsMs).map((k) => [k, null])) as Record<string, number | null>;
  if (!tempoUrl) {
    const counts = await traceEventCounts(pgPool(), sli, windowsMs, now);
    return { source: 'traces', counts, ratios: errorRatiosFromCounts(counts), note: EMBEDDED_NOTE };
  }
  const queries = traceSliQueries(sli);
  try {
    const r = await tempoEventCounts(TempoClient.fromConfig(), sli, windowsMs, now, signal);
    const note = [traceSourceNote(tempoUrl), droppedWindowsNote(r)].filter(Boolean).join('. ');
    return { source: 'tempo', counts: r.counts, ratios: { ...none(), ...errorRatiosFromCounts(r.counts) }, note, queries };
  } catch (e) {
    if (!(e instanceof TempoSliError)) throw e;
    return { source: 'tempo', counts: {}, ratios: none(), note: traceSourceNote(tempoUrl), failure: { kind: e.kind, message: e.message }, queries };
  }
}
