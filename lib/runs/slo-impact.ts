// The run page's "SLOs this run touched": which window a run's SLO events are
// counted over, and whether that count can still grow.
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { bracketWindow } from '@/lib/datasources/prometheus/views';
import type { RunView } from '@/lib/loadruns';
import type { TimeRange } from '@/lib/model/types';
import { impactSettled, runImpact, type RunImpact } from '@/lib/slo/run-impact';
import type { StoredSlo } from '@/lib/slo/store';
import { findTarget } from '@/lib/targets';
import { requestWindow, settling, SPAN_WINDOW_SLACK_MS, SPANS_SETTLE_MS } from './latency';
import { runRange } from './views';

export interface RunSloImpact {
  impacts: RunImpact[];
  note?: string;
  /** the counts may still grow: the page asks again */
  pending: boolean;
  /** scrapes: read between the target's scrapes around the run (exact); window: over the run's window ± 2 s */
  counted: 'scrapes' | 'window';
}

type CounterWindow = Pick<RunSloImpact, 'pending' | 'counted'> & { range: TimeRange };

/**
 * Where the counters are read: between the scrapes of the run's target that
 * bracket its requests when Prometheus scrapes it, so requests that ended just
 * before the run (another run, a moment earlier) are not counted as the run's;
 * otherwise over the padded run window, settled once the scrapes after it are in.
 */
async function counterWindow(run: RunView, requests: { startMs: number; endMs: number } | null, padded: TimeRange, signal?: AbortSignal): Promise<CounterWindow> {
  const windowed = (pending: boolean): CounterWindow => ({ range: padded, pending, counted: 'window' });
  const cfg = config();
  const target = findTarget(cfg, run.target);
  if (!cfg.PROMETHEUS_URL || !target || !requests || run.finishedAt === null) return windowed(!impactSettled(padded, run.finishedAt !== null));
  const w = await bracketWindow(PrometheusClient.fromConfig(), { baseUrl: target.url, ...requests }, signal).catch((e: unknown) => {
    if (signal?.aborted) throw e;
    return { status: 'unavailable' as const };
  });
  // Before the scrape after the run its events are not all counted: show what the padded window holds so far.
  if (w.status === 'pending') return windowed(true);
  if (w.status === 'unavailable') return windowed(!impactSettled(padded, true));
  return { range: { from: w.scrapes.before, to: w.scrapes.after }, pending: false, counted: 'scrapes' };
}

export async function runSloImpact(run: RunView, slos: readonly StoredSlo[], signal?: AbortSignal, now = Date.now()): Promise<RunSloImpact> {
  const requests = requestWindow(run);
  const padded = runRange(run);
  const spans = requests ? { from: requests.startMs - SPAN_WINDOW_SLACK_MS, to: requests.endMs + SPAN_WINDOW_SLACK_MS } : padded;
  const spansPending = slos.some((s) => s.definition.sli.kind === 'trace') && settling(run, SPANS_SETTLE_MS, now);
  const counters = await counterWindow(run, requests, padded, signal);
  const r = await runImpact(slos, { counters: counters.range, spans }, signal);
  return { ...r, pending: counters.pending || spansPending, counted: counters.counted };
}
