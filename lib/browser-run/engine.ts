// "Run in this browser": the sandbox's model, scheduler and telemetry run in
// the page. The same WGSL kernels (fetched as they are on disk), the same
// seeded weights, the same continuous-batching scheduler and span tree, on
// navigator.gpu; the load is the form's, request for request (the same
// prompts and priorities as a server run with those parameters). Spans go to
// the app's OTLP receiver and the GPU profile to its /ingest, under the
// service trisight-browser; the page measures each request as the load
// generator would, and the caller posts the result (lib/browser-run/schema.ts).
// Client-side only.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { csrfHeaders } from '@/lib/auth/client';
import type { LoadParams } from '@/lib/loadgen/params';
import { planRequest } from '@/lib/loadgen/prompt';
import type { RequestSample } from '@/lib/loadgen/report';
import type { KernelName } from '@/workers/sandbox/kernels/names';
import { PRESETS, modelName } from '@/workers/sandbox/model/config';
import { Rng } from '@/workers/sandbox/model/rng';
import { sample } from '@/workers/sandbox/model/sampling';
import { EOS, encode } from '@/workers/sandbox/model/tokenizer';
import { generateWeights } from '@/workers/sandbox/model/weights';
import { WebGpuRunner } from '@/workers/sandbox/runtime/webgpu-runner';
import { Scheduler, type AbortReason } from '@/workers/sandbox/serve/scheduler';
import { runtimeTelemetry, SandboxTelemetry } from '@/workers/sandbox/telemetry';
import { GpuProfileRecorder } from '@/workers/sandbox/telemetry/gpu-profile';
import { postProfile } from '@/workers/sandbox/telemetry/ingest';
import { DeliveryLog, watchedExporter } from './delivery';
import { BROWSER_SERVICE, type BrowserRunBody } from './schema';

/** The bundled sandbox's defaults: the same model, weight for weight (SANDBOX_PRESET, SANDBOX_SEED). */
export const BROWSER_PRESET = 'tiny';
const SEED = 1;

export interface BrowserRunProgress {
  phase: 'starting' | 'running' | 'flushing';
  done: number;
  failed: number;
  total: number;
  outputTokens: number;
}

/** Why this browser cannot run the model, or null when it can (so the button can say so before a click). */
export async function webGpuUnavailable(): Promise<string | null> {
  if (typeof navigator === 'undefined' || !('gpu' in navigator)) return 'This browser has no WebGPU (navigator.gpu). Chrome or Edge 113+ on a secure (https or localhost) page has it.';
  const adapter = await navigator.gpu.requestAdapter().catch(() => null);
  if (!adapter) return 'WebGPU is present but offers no adapter (no usable GPU, or it is disabled in this browser).';
  return null;
}

/** As the sandbox's HTTP layer names a request that did not finish (serve/http.ts). */
const ABORT_ERROR: Record<AbortReason, { errorType: string; status: number }> = {
  deadline: { errorType: 'deadline_exceeded', status: 504 },
  cancelled: { errorType: 'cancelled', status: 499 },
  shutdown: { errorType: 'shutdown', status: 503 },
  error: { errorType: 'internal', status: 500 },
};

const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

export async function runInBrowser(o: { params: LoadParams; onProgress?: (p: BrowserRunProgress) => void; signal?: AbortSignal }): Promise<{ body: BrowserRunBody; undelivered: string[] }> {
  const { params } = o;
  const progress: BrowserRunProgress = { phase: 'starting', done: 0, failed: 0, total: params.requests, outputTokens: 0 };
  const report = () => o.onProgress?.({ ...progress });
  report();
  const adapter = await navigator.gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('WebGPU offers no adapter in this browser');
  const res = await fetch('/api/sandbox/kernels', { signal: o.signal });
  if (!res.ok) throw new Error(`could not load the WGSL kernels: HTTP ${res.status}`);
  const { kernels } = (await res.json()) as { kernels: Record<KernelName, string> };
  const runner = await WebGpuRunner.open(adapter, generateWeights(PRESETS[BROWSER_PRESET], SEED), BROWSER_PRESET, kernels);
  const info = runner.info;
  const model = modelName(BROWSER_PRESET);
  const gpuProfile = new GpuProfileRecorder();
  const delivery = new DeliveryLog();
  let scheduler: Scheduler | undefined;
  const stats = () => scheduler!.stats();
  const telemetry = new SandboxTelemetry(
    {
      model,
      serviceName: BROWSER_SERVICE,
      ...runtimeTelemetry(info),
      // the page's own origin: the app's OTLP receiver. The CSRF token lets a signed-in
      // editor's run push where the receivers otherwise want the ingest token.
      traces: { exporter: watchedExporter(new OTLPTraceExporter({ url: `${location.origin}/v1/traces`, headers: csrfHeaders() }), delivery), exportDelayMs: 500 },
      // every request of a browser run is recorded (its traceparent says so too)
      sampling: { minProbability: 1 },
      metrics: false,
      profiling: false,
      recordPrompts: false,
    },
    stats,
    (tags) => ({
      gpuProfile,
      async shutdown() {
        const p = gpuProfile.take();
        if (p && !(await postProfile({ serverAddress: location.origin, appName: BROWSER_SERVICE, labels: tags, headers: csrfHeaders() }, p.pprof, p.fromMs, p.untilMs))) {
          delivery.refuse('the GPU profile sent to /ingest', 'refused or unreachable');
        }
      },
    }),
  );
  runner.onGpuTiming = (t) => telemetry.gpuPass(t);
  // as the sandbox runs it (serve/index.ts)
  scheduler = new Scheduler(runner, { maxBatch: 8, maxQueue: 256, prefixCacheEntries: 8, prefillChunk: 16, prefillTokenBudget: 128, eosToken: EOS, telemetry });
  const sched = scheduler;

  const stop = new AbortController();
  let stopReason: BrowserRunBody['stopReason'] = 'completed';
  const halt = (why: BrowserRunBody['stopReason']) => {
    if (stop.signal.aborted) return;
    stopReason = why;
    stop.abort();
  };
  o.signal?.addEventListener('abort', () => halt('cancelled'), { once: true });
  const cap = setTimeout(() => halt('time-cap'), params.maxDurationS * 1000);

  /** One request, measured as the load generator measures a streamed completion (lib/loadgen/request.ts). */
  const one = (index: number): Promise<RequestSample | null> => {
    const planned = planRequest(params, index);
    const tokens = encode(planned.prompt, { bos: true });
    const traceId = hex(16);
    const startMs = Date.now();
    const t0 = performance.now();
    const itl: number[] = [];
    let first: number | null = null;
    let last = 0;
    let out = 0;
    const result = (ok: boolean, error?: string): RequestSample => ({
      index,
      priority: planned.priority,
      traceId,
      startMs,
      ok,
      ...(error ? { error } : {}),
      ttftMs: first === null ? null : first - t0,
      e2eMs: performance.now() - t0,
      itlMs: ok ? itl : [],
      promptTokens: tokens.length,
      outputTokens: out,
    });
    if (tokens.length + params.maxTokens > info.maxSeqLen) {
      return Promise.resolve(result(false, `prompt (${tokens.length}) + max tokens (${params.maxTokens}) exceed the ${info.maxSeqLen}-token context`));
    }
    const spans = telemetry.startRequest({
      headers: { traceparent: `00-${traceId}-${hex(8)}-01` },
      arrivalMs: t0,
      tokenizedMs: performance.now(),
      priority: planned.priority,
      maxTokens: params.maxTokens,
      temperature: params.temperature,
      topK: 0,
      seed: planned.seed,
      promptTokens: tokens.length,
      prompt: '',
    });
    const id = `cmpl-browser-${hex(8)}`;
    const rng = new Rng(planned.seed);
    return new Promise((resolve) => {
      const submitted = sched.submit({
        prompt: tokens,
        maxTokens: params.maxTokens,
        priority: planned.priority,
        arrivalMs: t0,
        deadlineMs: t0 + params.requestTimeoutS * 1000,
        sample: (logits) => sample(logits, { temperature: params.temperature, topK: 0 }, rng),
        trace: spans,
        onToken: () => {
          const now = performance.now();
          if (first === null) first = now;
          else itl.push(now - last);
          last = now;
          out++;
        },
        onFinish: (f) => {
          spans.end({ id, finishReason: f.finishReason, httpStatus: 200, inputTokens: f.promptTokens, outputTokens: f.completionTokens, timings: f.timings });
          resolve(result(true));
        },
        onAbort: (reason) => {
          const a = ABORT_ERROR[reason];
          spans.end({ id, errorType: a.errorType, httpStatus: a.status, inputTokens: tokens.length, outputTokens: out, timings: { total: performance.now() - t0 } });
          // a request the run itself stopped is neither completed nor failed
          resolve(stop.signal.aborted && reason === 'cancelled' ? null : result(false, a.errorType));
        },
      });
      if (!submitted.accepted) {
        spans.end({ id, errorType: submitted.reason, httpStatus: 429, inputTokens: tokens.length, outputTokens: 0 });
        resolve(result(false, submitted.reason));
        return;
      }
      stop.signal.addEventListener('abort', () => submitted.cancel(), { once: true });
    });
  };

  const samples: RequestSample[] = [];
  let next = 0;
  let aborted = 0;
  const startedAtMs = Date.now();
  let finishedAtMs = startedAtMs;
  progress.phase = 'running';
  report();
  try {
    await Promise.all(
      Array.from({ length: Math.min(params.concurrency, params.requests) }, async () => {
        while (!stop.signal.aborted && next < params.requests) {
          const s = await one(next++);
          if (!s) {
            aborted++;
            continue;
          }
          samples.push(s);
          if (s.ok) progress.done++;
          else progress.failed++;
          progress.outputTokens += s.outputTokens;
          report();
        }
      }),
    );
  } finally {
    clearTimeout(cap);
    aborted += params.requests - next;
    finishedAtMs = Date.now();
    progress.phase = 'flushing';
    report();
    await sched.drain(5_000);
    // spans flushed to /v1/traces, the GPU profile pushed to /ingest
    await telemetry.shutdown();
    await runner.dispose();
  }
  const body: BrowserRunBody = {
    params,
    model,
    adapter: { name: info.adapter!.name, isFallbackAdapter: info.adapter!.isFallbackAdapter, vendor: info.adapter!.vendor, architecture: info.adapter!.architecture },
    startedAtMs,
    finishedAtMs,
    stopReason,
    aborted,
    samples: samples.sort((a, b) => a.index - b.index),
  };
  return { body, undelivered: delivery.problems() };
}
