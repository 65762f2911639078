// Trace-based SLIs counted by Tempo's TraceQL metrics (GET /api/metrics/query)
// when TEMPO_URL is set: every window of the SLO is cut into ranges Tempo
// accepts (trace-metrics.ts), each range is counted once for all spans and once
// for the slow ones, and the windows add their ranges up. Failures become one
// TempoSliError that says, in the user's words, what Tempo answered and the fix.
import type { TempoClient } from '@/lib/datasources/tempo/client';
import type { TraceQLInstantResult } from '@/lib/datasources/tempo/types';
import { mapLimited } from '@/lib/map-limited';
import { BackendError } from '@/lib/model/types';
import { humanDuration } from './duration';
import type { Sli } from './model';
import { type EventCounts, limitPlan, maxRangeFromTempoError, planIntervals, traceSliQueries, weightedCount, windowCounts } from './trace-metrics';

type TraceSli = Extract<Sli, { kind: 'trace' }>;

/** Tempo's default query_frontend.metrics.max_duration: the longest range one metrics query may cover. */
export const TEMPO_DEFAULT_MAX_RANGE_MS = 24 * 3_600_000;
/** At most this many ranges per SLO evaluation (× 2 queries): 30 days in 24 h ranges needs 33. */
export const MAX_RANGES = 64;
const CONCURRENCY = 4;

// What each Tempo said its limit is, so later evaluations do not hit the refusal again.
const learnedMaxRange = new Map<string, number>();

export type TempoSliFailure = 'unsupported' | 'unreachable' | 'query' | 'partial';

export class TempoSliError extends Error {
  constructor(
    readonly kind: TempoSliFailure,
    message: string,
  ) {
    super(message);
    this.name = 'TempoSliError';
  }
}

const FIX_METRICS =
  'Trace-based SLIs need TraceQL metrics: enable the local-blocks processor of Tempo’s metrics-generator (overrides → defaults → metrics_generator → processors: [local-blocks]), run at least one metrics-generator, and use Tempo 2.6 or later (GET /api/metrics/query).';

function backendFailure(e: BackendError): TempoSliError {
  if (e.errorType === 'unavailable') return new TempoSliError('unreachable', 'Tempo (TEMPO_URL) did not answer: nothing is listening there, or the network refused. Start Tempo or correct TEMPO_URL.');
  if (e.errorType === 'timeout') return new TempoSliError('unreachable', `Tempo (TEMPO_URL) ${e.message.replace(/^tempo /, '')}; it may be overloaded by the query, try again or narrow the span filter.`);
  if (e.status >= 400 && e.status < 500) return new TempoSliError('query', `Tempo refused the SLI’s TraceQL (sli.filter), answering ${e.status}: ${e.message}`);
  return new TempoSliError('unreachable', `Tempo (TEMPO_URL) failed with ${e.status}: ${e.message}`);
}

function counted(r: TraceQLInstantResult): number {
  if (!r.supported) throw new TempoSliError('unsupported', `Tempo (TEMPO_URL) cannot run TraceQL metrics queries: it answered ${r.status}: ${r.reason.replace(/^not supported by this Tempo: /, '')}. ${FIX_METRICS}`);
  if (r.partial) throw new TempoSliError('partial', `Tempo answered with a partial result (“${r.partial}”), so its counts would be short and are not shown. Narrow the span filter or raise Tempo’s query limits.`);
  return weightedCount(r.series);
}

export interface TempoCounts {
  counts: Record<string, EventCounts>;
  /** windows not evaluated: Tempo's range limit would need more than MAX_RANGES queries for them */
  dropped: string[];
  /** the longest range each query covered */
  maxRangeMs: number;
  /** queries sent */
  queries: number;
}

/**
 * Sampling-weighted total and slow spans of each window ending at `now`,
 * counted by Tempo. Throws TempoSliError (a caller's abort as is).
 */
export async function tempoEventCounts(client: TempoClient, sli: TraceSli, windowsMs: Record<string, number>, now: number, signal?: AbortSignal): Promise<TempoCounts> {
  const queries = traceSliQueries(sli);
  const base = client.options.baseUrl;
  let maxRangeMs = learnedMaxRange.get(base) ?? TEMPO_DEFAULT_MAX_RANGE_MS;
  for (let attempt = 0; ; attempt++) {
    const { plan, dropped } = limitPlan(planIntervals(windowsMs, now, maxRangeMs), MAX_RANGES);
    // The first failure stops the queries not yet sent.
    const stop = new AbortController();
    const sig = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    try {
      const perRange = await mapLimited(plan.intervals, CONCURRENCY, async (range) => {
        const [total, bad] = await Promise.all([client.metricsQuery(queries.total, range, { signal: sig }), client.metricsQuery(queries.bad, range, { signal: sig })]);
        return { total: counted(total), bad: counted(bad) };
      }).catch((e) => {
        stop.abort(e);
        throw e;
      });
      return { counts: windowCounts(plan, perRange), dropped, maxRangeMs, queries: plan.intervals.length * 2 };
    } catch (e) {
      if (signal?.aborted) throw e;
      if (e instanceof TempoSliError) throw e;
      if (!(e instanceof BackendError)) throw e;
      // A Tempo configured for shorter ranges says its limit: cut again with it, once.
      const limit = e.status === 400 ? maxRangeFromTempoError(e.message) : null;
      if (limit !== null && limit < maxRangeMs && attempt === 0) {
        learnedMaxRange.set(base, limit);
        maxRangeMs = limit;
        continue;
      }
      throw backendFailure(e);
    }
  }
}

/** Why some windows have no numbers, in words (empty when all were evaluated). */
export function droppedWindowsNote(r: Pick<TempoCounts, 'dropped' | 'maxRangeMs'>): string {
  if (!r.dropped.length) return '';
  return `Tempo accepts metrics queries over at most ${humanDuration(r.maxRangeMs)} (query_frontend.metrics.max_duration), so the ${r.dropped.join(', ')} window${r.dropped.length > 1 ? 's' : ''} would need more than ${MAX_RANGES} queries and ${r.dropped.length > 1 ? 'are' : 'is'} not shown; raise max_duration to 24h.`;
}
