// A bounded load run: `requests` requests, at most `concurrency` in flight, stopped
// by the caller's signal or by the run's own time cap, whichever comes first.
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ClientSpans, wallClockMs } from './client-spans';
import type { LoadParams } from './params';
import { planRequest } from './prompt';
import { buildReport, ItlPool, liveStats, type BenchmarkReport, type LiveStats, type RequestSample } from './report';
import { RequestAborted, firstModel, streamCompletion } from './request';

export type StopReason = 'completed' | 'cancelled' | 'time-cap';

export interface RunLoadOptions {
  baseUrl: string;
  /** the target's configured name, recorded on client spans */
  targetName?: string;
  /**
   * Where the run's client spans go (one per request whose trace the server
   * kept); none are recorded without it. `resource` is added to their resource.
   */
  clientSpans?: { exporter: SpanExporter; resource?: Record<string, string> };
  params: LoadParams;
  /** send the `priority` field (the sandbox takes P0/P1; vLLM would reject it) */
  sendPriority: boolean;
  signal?: AbortSignal;
  onProgress?: (s: LiveStats) => void;
  progressIntervalMs?: number;
  /** once the model is known, just before the first request */
  onStart?: (info: { model: string; startedAtMs: number }) => void;
  /** request i's prompt instead of the seeded one (tests: prompts carrying PII); not part of LoadParams */
  promptFor?: (index: number) => string;
}

export interface RunLoadResult {
  model: string;
  stopReason: StopReason;
  /** requests stopped by cancel or the time cap: neither completed nor failed */
  aborted: number;
  /** unix ms (sub-ms, see wallClockMs) of the first request and of the end of the run: the run's window */
  startedAtMs: number;
  finishedAtMs: number;
  /** client spans exported (kept because the server kept their trace); 0 without `clientSpans` */
  clientSpansExported: number;
  report: BenchmarkReport;
  /** in request index order */
  samples: RequestSample[];
}

function insertSorted(a: number[], v: number) {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= v) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 0, v);
}

export async function runLoad(o: RunLoadOptions): Promise<RunLoadResult> {
  const { params } = o;
  const stop = new AbortController();
  let stopReason: StopReason = 'completed';
  const halt = (reason: StopReason) => {
    if (stop.signal.aborted) return;
    stopReason = reason;
    stop.abort(new Error(reason));
  };
  const onCancel = () => halt('cancelled');
  if (o.signal?.aborted) halt('cancelled');
  o.signal?.addEventListener('abort', onCancel, { once: true });
  // The time cap covers the model look-up too: a run never outlives maxDurationS.
  const cap = setTimeout(() => halt('time-cap'), params.maxDurationS * 1000);
  let progressTimer: ReturnType<typeof setInterval> | undefined;
  const spans = o.clientSpans ? new ClientSpans(o.clientSpans.exporter, o.clientSpans.resource) : undefined;
  try {
    const model = params.model ?? (await firstModel(o.baseUrl, stop.signal));
    const target = { name: o.targetName, baseUrl: o.baseUrl, model, sendPriority: o.sendPriority };
    const settings = { maxTokens: params.maxTokens, temperature: params.temperature };
    const samples: RequestSample[] = [];
    const e2eSorted: number[] = [];
    // Gaps are pooled as requests finish and dropped from the samples: memory stays
    // bounded however many tokens a run streams.
    const itl = new ItlPool();
    let next = 0;
    let inFlight = 0;
    let done = 0;
    let failed = 0;
    let aborted = 0;
    let outputTokens = 0;
    const t0 = performance.now();
    const startedAtMs = performance.timeOrigin + t0;
    o.onStart?.({ model, startedAtMs });
    const snapshot = () =>
      liveStats(e2eSorted, { done, failed, inFlight, total: params.requests, outputTokens }, (performance.now() - t0) / 1000);
    if (o.onProgress) progressTimer = setInterval(() => o.onProgress!(snapshot()), o.progressIntervalMs ?? 250);

    const worker = async () => {
      while (!stop.signal.aborted && next < params.requests) {
        const planned = planRequest(params, next++);
        if (o.promptFor) planned.prompt = o.promptFor(planned.index);
        inFlight++;
        try {
          const s = await streamCompletion(target, planned, settings, stop.signal, params.requestTimeoutS * 1000, spans);
          if (s.ok) for (const g of s.itlMs) itl.add(g);
          s.itlMs = [];
          samples.push(s);
          if (s.ok) {
            done++;
            outputTokens += s.outputTokens;
            insertSorted(e2eSorted, s.e2eMs);
          } else failed++;
        } catch (e) {
          if (!(e instanceof RequestAborted)) throw e;
          aborted++;
        } finally {
          inFlight--;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(params.concurrency, params.requests) }, worker));
    } catch (e) {
      // A bug in one worker must not leave the others sending: stop them all.
      stop.abort(e);
      throw e;
    }
    // Requests never sent because the run stopped count as aborted too.
    aborted += params.requests - next;
    const finishedAtMs = wallClockMs();
    const durationS = (finishedAtMs - startedAtMs) / 1000;
    o.onProgress?.(snapshot());
    samples.sort((a, b) => a.index - b.index);
    // The run ends once its client spans are stored, so the page can show them at once.
    const clientSpansExported = (await spans?.close()) ?? 0;
    return { model, stopReason, aborted, startedAtMs, finishedAtMs, clientSpansExported, report: buildReport(samples, durationS, params.slo, itl), samples };
  } finally {
    if (spans) void spans.close().catch(() => {});
    clearTimeout(cap);
    clearInterval(progressTimer);
    o.signal?.removeEventListener('abort', onCancel);
  }
}
