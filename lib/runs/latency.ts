// Pure parts of the run's latency panel: the run's exact request window, how
// many requests the server's histogram holds and how sure that number is, and
// what to say when every request failed.
import type { RunView } from '@/lib/loadruns/store';
import { readableFailure } from '@/lib/loadgen/error-text';

/**
 * How long after a run's end its span-derived numbers may still change: the
 * sandbox exports spans every 2 s (BatchSpanProcessor). Prometheus counts wait
 * for the first scrape after the run instead (lib/datasources/prometheus/views).
 */
export const SPANS_SETTLE_MS = 8_000;

/** Whether a run's numbers may still change: it is running, or ended less than `ms` ago. */
export const settling = (run: Pick<RunView, 'finishedAt'>, ms: number, now = Date.now()) => run.finishedAt === null || now < Date.parse(run.finishedAt) + ms;

/** Server spans are selected by start time within the run's window, give or take this much clock skew between processes. */
export const SPAN_WINDOW_SLACK_MS = 100;

/** How many requests the server's histogram holds, and how sure that number is. */
export interface ServerCounts {
  /** exact: the server's own counters between two scrapes, or every request traced; estimate: sampled spans re-weighted, or increase() */
  kind: 'exact' | 'estimate';
  /** requests in the histogram (an estimate may be fractional: show it rounded, with ≈) */
  total: number;
  /** stored request spans behind a span-derived number */
  spans?: number;
  /** how the number was obtained, in a few words */
  how: string;
  /** this run's requests the histogram should hold (each measured by the client) */
  expected: number;
  /**
   * total − expected, rounded: > 0 other traffic reached the server in the
   * run's window; < 0 some of the run's requests are not in the histogram.
   */
  difference: number;
}

export function serverCounts(kind: ServerCounts['kind'], total: number, expected: number, how: string, spans?: number): ServerCounts {
  return { kind, total, expected, how, difference: Math.round(total) - expected, ...(spans !== undefined ? { spans } : {}) };
}

/**
 * The run's own window, unix ms: its first request sent → its last response
 * received (the load generator's clock, sub-millisecond), unpadded. Null
 * before the first request.
 */
export function requestWindow(run: Pick<RunView, 'summary' | 'startedAt' | 'finishedAt'>): { startMs: number; endMs: number } | null {
  if (run.summary?.window) return run.summary.window;
  if (!run.startedAt || !run.finishedAt) return null;
  return { startMs: Date.parse(run.startedAt), endMs: Date.parse(run.finishedAt) };
}

/** The run ended and not one request succeeded. */
export const allFailed = (run: Pick<RunView, 'status' | 'done' | 'failed'>) => run.status !== 'running' && run.status !== 'queued' && run.done === 0 && run.failed > 0;

/** What the panels say after a run where every request failed, with the first failure. */
export function allFailedNote(run: Pick<RunView, 'failed' | 'error'>): string {
  const first = run.error?.match(/first: (.*)$/s)?.[1];
  const reason = first && readableFailure(first);
  return `Every request of this run failed (${run.failed} of ${run.failed}), so there are no latencies or traces to compare.${reason ? ` The first failure: ${reason}` : ''} Fix the load and run it again.`;
}

/** 12:00:01.234 UTC: scrape times, to the millisecond. */
export function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 23)} UTC`;
}
