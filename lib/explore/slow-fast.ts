// Which requests "compare slow with fast" compares. Pure.
import type { TraceSummary } from '@/lib/model/types';

export interface RankedRequest {
  traceId: string;
  /** the span the query matched (null: the search returned none; the trace's root is used) */
  spanId: string | null;
  name: string;
  /** ms */
  durationMs: number;
  /** unix ms */
  startMs: number;
}

/** A search result row as a ranked request: its first matched span, else the whole trace. */
export function rankedRequest(t: TraceSummary): RankedRequest {
  const s = t.spans?.[0];
  return {
    traceId: t.traceId,
    spanId: s?.spanId ?? null,
    name: s?.name ?? t.rootTraceName,
    durationMs: s ? Number(s.durationNanos) / 1e6 : t.durationMs,
    startMs: Number((s?.startTimeUnixNano ?? t.startTimeUnixNano) / 1_000_000n),
  };
}

/**
 * The slowest and the fastest `n` requests, never the same one on both sides:
 * with fewer than 2n requests each side gets half (the middle one, if odd,
 * goes to neither). Ties keep the search order.
 */
export function pickSlowFast(traces: readonly TraceSummary[], n: number): { slow: RankedRequest[]; fast: RankedRequest[] } {
  const ranked = traces.map(rankedRequest).sort((a, b) => b.durationMs - a.durationMs);
  const k = Math.min(n, Math.floor(ranked.length / 2));
  return { slow: ranked.slice(0, k), fast: ranked.slice(ranked.length - k).reverse() };
}
