// The run page's "SLOs this run touched": which window a run's SLO events are
// counted over, and whether that count can still grow.
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { bracketWindow, type NotBracketed } from '@/lib/datasources/prometheus/views';
import type { RunView } from '@/lib/loadruns';
import type { TimeRange } from '@/lib/model/types';
import { impactSettled, runImpact, type RunImpact } from '@/lib/slo/run-impact';
import type { StoredSlo } from '@/lib/slo/store';
import { findTarget } from '@/lib/targets';
import { requestWindow, SPAN_WINDOW_SLACK_MS, SPANS_SETTLE_MS } from './latency';
import { runRange } from './views';

export interface RunSloImpact {
  impacts: RunImpact[];
  note?: string;
  /** the counts may still grow: the page asks again */
  pending: boolean;
  /** scrapes: read between the target's scrapes around the run (exact); window: over the run's window ± 2 s */
  counted: 'scrapes' | 'window';
}

/**
 * Where the counters are read: between the scrapes of the run's target that
 * bracket its requests when Prometheus scrapes it, so requests that ended just
 * before the run (another run, a moment earlier) are not counted as the run's;
 * otherwise over the padded run window, settled once the scrapes after it are in.
 */
async function counterWindow(run: RunView, signal?: AbortSignal): Promise<{ range: TimeRange; pending: boolean; counted: RunSloImpact['counted'] } | NotBracketed> {
  const padded = runRange(run);
  const fallback = { range: padded, pending: !impactSettled(padded, run.finishedAt !== null), counted: 'window' as const };
  const span = requestWindow(run);
  const target = findTarget(config(), run.target);
  if (!config().PROMETHEUS_URL || !target || !span || run.finishedAt === null) return fallback;
  const w = await bracketWindow(PrometheusClient.fromConfig(), { baseUrl: target.url, startMs: span.startMs, endMs: span.endMs }, signal).catch((e: unknown) => {
    if (signal?.aborted) throw e;
    return { status: 'unavailable' as const, reason: String(e) };
  });
  if (w.status === 'pending') return w;
  if (w.status === 'unavailable') return fallback;
  return { range: { from: w.scrapes.before, to: w.scrapes.after }, pending: false, counted: 'scrapes' };
}

export async function runSloImpact(run: RunView, slos: readonly StoredSlo[], signal?: AbortSignal, now = Date.now()): Promise<RunSloImpact> {
  const span = requestWindow(run);
  const spans = span ? { from: span.startMs - SPAN_WINDOW_SLACK_MS, to: span.endMs + SPAN_WINDOW_SLACK_MS } : runRange(run);
  const spansPending = slos.some((s) => s.definition.sli.kind === 'trace') && (run.finishedAt === null || now < Date.parse(run.finishedAt) + SPANS_SETTLE_MS);
  const c = await counterWindow(run, signal);
  // Before the scrape after the run, its events are not all counted yet: show what the padded window holds so far.
  const counters = 'range' in c ? c : { range: runRange(run), pending: true, counted: 'window' as const };
  const r = await runImpact(slos, { counters: counters.range, spans }, signal);
  return { ...r, pending: counters.pending || spansPending, counted: counters.counted };
}
