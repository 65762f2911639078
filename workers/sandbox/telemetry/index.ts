// The sandbox's telemetry facade: one object per server that the HTTP layer and
// the scheduler talk to. It owns the trace pipeline, the metrics registry and the
// profiler, and creates one RequestSpans per request.
//
// Span tree of a sampled request (see docs/sandbox-telemetry.md):
//   text_completion <model>   (SERVER; gen_ai.* attributes)
//     tokenize, queue, prefill, decode
// plus, for every stretch of decode steps with an unchanged batch, a root span
// `decode_batch` linked to the decode spans of the sampled requests in it; its id
// labels the shared decode compute in the CPU profile.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Link, type Span } from '@opentelemetry/api';
import type { BackendInfo, GpuPassTiming } from '../runtime/types';
import type { RequestTrace, SchedulerStats, SchedulerTelemetry } from '../serve/scheduler';
import type { GpuProfileRecorder } from './gpu-profile';
import type { SandboxMetrics } from './metrics';
import type { Profiler, ProfilingOptions } from './profiling';
import { pushLabelValue } from './ingest';
import { DEFAULT_RULES, Redactor, addCounts, countAttributes, emptyCounts, type PiiCounts, type RuleName } from '../../../lib/redaction';
import {
  ATTR_PRIORITY,
  ATTR_SAMPLING_PROBABILITY,
  ATTR_SAMPLING_TOKENS,
  DEFAULT_SAMPLING_POLICY,
  anyOfProbability,
  samplingProbability,
  type Priority,
  type SamplingPolicy,
} from './sampling';
import { startTracing, type Tracing, type TracingOptions } from './tracing';

export const ATTR_PROFILE_ID = 'pyroscope.profile.id';
export const SERVICE_NAME = 'trisight-sandbox';
export const PROVIDER_NAME = 'trisight';
/** Most batch span ids listed on one decode span. */
const MAX_BATCH_REFS = 128;

export interface TelemetryOptions {
  model: string;
  /** OTel service.name (default trisight-sandbox; the browser run is trisight-browser) */
  serviceName?: string;
  backend: string;
  preset: string;
  /** WebGPU: the adapter that serves, and how GPU time is measured */
  adapter?: { name: string; isFallbackAdapter: boolean };
  gpuTiming?: 'timestamp-query' | 'submission' | 'off';
  /** with timestamp queries: one forward pass in this many is timed per dispatch */
  gpuKernelSampleEvery?: number;
  /** KV-cache bytes per token position, for per-request KV bytes on spans */
  kvBytesPerPosition?: number;
  /** CPU backend: threads computing the matrix products (2: a helper whose JavaScript the CPU profiler does not sample) */
  cpuThreads?: number;
  /** traces: false disables them; otherwise OTLP/HTTP settings */
  traces: false | Omit<TracingOptions, 'resource' | 'policy'>;
  sampling?: Partial<SamplingPolicy>;
  metrics: boolean;
  processMetrics?: boolean;
  profiling: false | Omit<ProfilingOptions, 'appName' | 'tags'>;
  recordPrompts: boolean;
  /** what prompts and completions are redacted of (default: the default rules of lib/redaction) */
  redactionRules?: readonly RuleName[];
  serverAddress?: string;
  serverPort?: number;
}

/** What the telemetry says of the runtime that serves (BackendInfo's fields it records), for every host of a Scheduler. */
export function runtimeTelemetry(info: BackendInfo): Pick<TelemetryOptions, 'backend' | 'preset' | 'adapter' | 'gpuTiming' | 'gpuKernelSampleEvery' | 'kvBytesPerPosition' | 'cpuThreads'> {
  const { backend, preset, adapter, gpuTiming, gpuKernelSampleEvery, kvBytesPerPosition, threads } = info;
  return { backend, preset, adapter, gpuTiming, gpuKernelSampleEvery, kvBytesPerPosition, cpuThreads: threads };
}

export interface RequestStart {
  headers: Record<string, string | string[] | undefined>;
  /** performance.now() values */
  arrivalMs: number;
  tokenizedMs: number;
  priority: Priority;
  maxTokens: number;
  temperature: number;
  topK: number;
  seed?: number;
  promptTokens: number;
  prompt: string;
}

export interface RequestEnd {
  id: string;
  finishReason?: string;
  /** error.type when the request failed */
  errorType?: string;
  httpStatus: number;
  inputTokens: number;
  outputTokens: number;
  completion?: string;
  /** milliseconds, from the scheduler when it got that far */
  timings?: { queue?: number; ttft?: number; tpot?: number; total: number };
  /** model-side quality signals of a finished request */
  quality?: QualitySummary;
}

/** What a request's logits and cache said about it (model/quality.ts computes them). */
export interface QualitySummary {
  promptEntropyBits: number;
  /** undefined before the first output token */
  perplexity?: number;
  /** undefined while the output is shorter than one window */
  perplexityWindowStdMax?: number;
  perplexityWindow: number;
  promptTokens: number;
  cachedTokens: number;
}

/** vLLM's KV block size: reuse is reported in blocks of this many tokens, as vLLM's prefix cache counts it. */
export const KV_BLOCK_TOKENS = 16;

function qualityAttributes(q: QualitySummary): Record<string, number> {
  const reused = Math.floor(q.cachedTokens / KV_BLOCK_TOKENS);
  return {
    'trisight.prompt.entropy_bits': q.promptEntropyBits,
    ...(q.perplexity !== undefined ? { 'trisight.output.perplexity': q.perplexity } : {}),
    ...(q.perplexityWindowStdMax !== undefined ? { 'trisight.output.perplexity_window_std_max': q.perplexityWindowStdMax } : {}),
    'trisight.output.perplexity_window_tokens': q.perplexityWindow,
    'trisight.kv_cache.block_size_tokens': KV_BLOCK_TOKENS,
    'trisight.kv_cache.blocks_reused': reused,
    'trisight.kv_cache.blocks_computed': Math.ceil(q.promptTokens / KV_BLOCK_TOKENS) - reused,
  };
}

/**
 * A performance.now() reading as unix ms. Every span time the sandbox records
 * goes through this, from that one monotonic clock: mixing in the SDK's default
 * (Date.now(), whole milliseconds) drew a prefill span up to 1 ms before its own
 * parent and before the tokenize and queue spans that precede it.
 */
const epochMs = (perfMs: number) => performance.timeOrigin + perfMs;

/** GPU time a span accumulated, in the attributes it ends with. */
interface GpuSum {
  ms: number;
  dispatches: number;
  timing?: GpuPassTiming['timing'];
}

const addGpu = (g: GpuSum, ms: number, t: GpuPassTiming) => {
  g.ms += ms;
  g.dispatches += t.dispatches;
  g.timing = t.timing;
};


/** Span attributes of a GPU summary: kernel time (GPU time, or submission time with queueing), dispatches, how it was timed. */
function gpuAttributes(g: GpuSum, timeKey = 'trisight.gpu.kernel_time_ms'): Record<string, number | string> {
  if (!g.timing) return {};
  return { [timeKey]: Math.round(g.ms * 1000) / 1000, 'trisight.gpu.dispatches': g.dispatches, 'trisight.gpu.timing': g.timing };
}

/**
 * What only a Node process has: the metrics registry, the CPU and heap
 * profilers and the profile pushes (telemetry/node.ts makes it). Without it
 * the telemetry records spans and GPU summaries alone — what a browser run does.
 */
export interface ProcessTelemetry {
  metrics?: SandboxMetrics;
  resources?: { gpuPass(t: GpuPassTiming): void };
  profiler?: Profiler;
  gpuProfile?: GpuProfileRecorder;
  /** pushes the last profiles and stops the profilers */
  shutdown(): Promise<void>;
}

/** Labels of every profile and resource attributes of every span: which backend (and GPU adapter) served. */
export function telemetryTags(opts: Pick<TelemetryOptions, 'backend' | 'preset' | 'adapter' | 'gpuTiming' | 'gpuKernelSampleEvery' | 'cpuThreads'>): Record<string, string> {
  const tags: Record<string, string> = { backend: opts.backend, preset: opts.preset };
  if (opts.adapter) {
    tags.gpu_adapter = pushLabelValue(opts.adapter.name);
    tags.gpu_fallback_adapter = String(opts.adapter.isFallbackAdapter);
  }
  if (opts.gpuTiming && opts.gpuTiming !== 'off') tags.gpu_timing = opts.gpuTiming;
  if (opts.gpuKernelSampleEvery) tags.gpu_kernel_sample_every = String(opts.gpuKernelSampleEvery);
  // Only when it changes what the CPU profile shows: a helper thread's kernels are one unlabelled frame there.
  if (opts.cpuThreads && opts.cpuThreads > 1) tags.cpu_threads = String(opts.cpuThreads);
  return tags;
}

export class SandboxTelemetry implements SchedulerTelemetry {
  readonly metrics?: SandboxMetrics;
  private readonly resources?: ProcessTelemetry['resources'];
  private readonly tracing?: Tracing;
  private readonly profiler?: Profiler;
  private readonly process?: ProcessTelemetry;
  readonly policy: SamplingPolicy;
  /** the app's rule set (lib/redaction), for prompts and completions recorded on spans */
  readonly redactor: Redactor;
  private batchVersion = -1;
  private batchSpan?: Span;
  private batchSpanId?: string;
  private batchSteps = 0;
  private batchSize = 0;
  private batchGpu: GpuSum = { ms: 0, dispatches: 0 };
  private batchMembers: RequestSpans[] = [];
  /** @internal open prefill spans by id, to add their GPU time */
  readonly openPrefills = new Map<string, RequestSpans>();
  private readonly gpuProfile?: GpuProfileRecorder;

  /**
   * `makeProcess` builds the Node-only parts (telemetry/node.ts) from the
   * tags every profile carries; the core here imports nothing of Node.
   */
  constructor(
    readonly opts: TelemetryOptions,
    readonly stats: () => SchedulerStats,
    makeProcess?: (tags: Record<string, string>) => ProcessTelemetry,
  ) {
    this.policy = { ...DEFAULT_SAMPLING_POLICY, ...opts.sampling };
    this.redactor = new Redactor(opts.redactionRules ?? DEFAULT_RULES);
    const tags = telemetryTags(opts);
    if (opts.traces) {
      this.tracing = startTracing({
        ...opts.traces,
        policy: this.policy,
        resource: { 'service.name': opts.serviceName ?? SERVICE_NAME, 'service.version': '0.1.0', ...tags },
      });
    }
    this.process = makeProcess?.(tags);
    this.metrics = this.process?.metrics;
    this.resources = this.process?.resources;
    this.profiler = this.process?.profiler;
    this.gpuProfile = this.process?.gpuProfile;
  }

  /** GPU time of one forward pass: per-kernel metrics, the GPU profile, and the GPU summary of the span it worked for. */
  gpuPass(t: GpuPassTiming): void {
    this.resources?.gpuPass(t);
    this.gpuProfile?.add(t);
    if (!t.spanId) return;
    const ms = t.totalMs;
    if (t.phase === 'prefill') {
      this.openPrefills.get(t.spanId)?.gpuPrefill(ms, t);
    } else if (t.spanId === this.batchSpanId) {
      addGpu(this.batchGpu, ms, t);
      for (const m of this.batchMembers) m.gpuDecodeStep(ms, this.batchSize, t);
    }
  }

  get profiling(): boolean {
    return this.profiler !== undefined;
  }

  startRequest(r: RequestStart): RequestSpans {
    return new RequestSpans(this, r);
  }

  /** @internal */
  get tracer() {
    return this.tracing?.tracer;
  }

  /** @internal */
  extract(headers: RequestStart['headers']): Context | undefined {
    return this.tracing?.extract(headers);
  }

  label<T>(spanId: string | undefined, fn: () => T): T {
    return this.profiler && spanId ? this.profiler.label(spanId, fn) : fn();
  }

  batchStep(version: number, members: readonly (RequestTrace | undefined)[], atMs: number): string | undefined {
    if (version !== this.batchVersion) {
      this.batchIdle(atMs);
      this.batchVersion = version;
      const tracer = this.tracer;
      const spans = members.filter((m): m is RequestSpans => m instanceof RequestSpans);
      const sampled = spans.filter((m) => m.sampled && m.decodeSpan);
      if (tracer && sampled.length) {
        const links: Link[] = sampled.map((m) => ({ context: m.decodeSpan!.spanContext() }));
        this.batchSpan = tracer.startSpan('decode_batch', {
          kind: SpanKind.INTERNAL,
          startTime: epochMs(atMs),
          links,
          attributes: {
            'trisight.batch.size': members.length,
            'trisight.batch.sampled_members': sampled.length,
            // Recorded whenever any member is: 1 − Π(1 − p_i) over all members.
            [ATTR_SAMPLING_PROBABILITY]: anyOfProbability(spans.map((m) => m.probability)),
          },
        });
        this.batchSpanId = this.batchSpan.spanContext().spanId;
        if (this.profiler) this.batchSpan.setAttribute(ATTR_PROFILE_ID, this.batchSpanId);
        for (const m of sampled) m.batchRefs(this.batchSpanId);
        this.batchMembers = sampled;
        this.batchSize = members.length;
      }
    }
    this.batchSteps++;
    return this.batchSpanId;
  }

  batchIdle(atMs: number): void {
    if (this.batchSpan) {
      this.batchSpan.setAttributes({ 'trisight.batch.steps': this.batchSteps, ...gpuAttributes(this.batchGpu) });
      this.batchSpan.end(epochMs(atMs));
    }
    this.batchSpan = undefined;
    this.batchSpanId = undefined;
    this.batchSteps = 0;
    this.batchVersion = -1;
    this.batchGpu = { ms: 0, dispatches: 0 };
    this.batchMembers = [];
    this.batchSize = 0;
  }

  /** Ends open spans, pushes the last profiles and flushes spans. */
  async shutdown(): Promise<void> {
    this.batchIdle(performance.now());
    await Promise.allSettled([this.process?.shutdown(), this.tracing?.shutdown()]);
  }
}

/** Telemetry of one request: its spans (when sampled) and its metrics (always). */
export class RequestSpans implements RequestTrace {
  readonly sampled: boolean;
  /** the probability this request's trace was (or would have been) recorded with */
  readonly probability: number;
  private readonly root?: Span;
  private readonly ctx?: Context;
  private queueSpan?: Span;
  private prefillSpan?: Span;
  decodeSpan?: Span;
  private batchIds?: string[];
  private promptCounts?: PiiCounts;
  private ended = false;
  private prefillSpanId?: string;
  private prefillGpu: GpuSum = { ms: 0, dispatches: 0 };
  /** GPU time of the batched steps this request took part in, and its 1/batch-size share of it */
  private decodeGpu: GpuSum = { ms: 0, dispatches: 0 };
  private decodeGpuShareMs = 0;

  constructor(
    private readonly tel: SandboxTelemetry,
    private readonly r: RequestStart,
  ) {
    const tokens = r.promptTokens + r.maxTokens;
    const tracer = tel.tracer;
    const parent = tel.extract(r.headers) ?? ROOT_CONTEXT;
    // Mirrors AdaptiveSampler: P1 under a remote parent follows the caller's flag.
    const remote = trace.getSpanContext(parent);
    this.probability = remote && r.priority === 'P1' ? remote.traceFlags & 1 : samplingProbability(r.priority, tokens, tel.policy);
    if (!tracer) {
      this.sampled = false;
      tel.metrics?.sampled(r.priority, false);
      return;
    }
    const o = tel.opts;
    const root = tracer.startSpan(
      `text_completion ${o.model}`,
      {
        kind: SpanKind.SERVER,
        startTime: epochMs(r.arrivalMs),
        attributes: {
          'gen_ai.operation.name': 'text_completion',
          'gen_ai.provider.name': PROVIDER_NAME,
          'gen_ai.request.model': o.model,
          'gen_ai.request.max_tokens': r.maxTokens,
          'gen_ai.request.temperature': r.temperature,
          'gen_ai.request.top_k': r.topK,
          ...(r.seed !== undefined ? { 'gen_ai.request.seed': r.seed } : {}),
          ...(o.serverAddress ? { 'server.address': o.serverAddress } : {}),
          ...(o.serverPort ? { 'server.port': o.serverPort } : {}),
          [ATTR_PRIORITY]: r.priority,
          [ATTR_SAMPLING_TOKENS]: tokens,
        },
      },
      parent,
    );
    this.sampled = root.isRecording();
    tel.metrics?.sampled(r.priority, this.sampled);
    if (!this.sampled) return;
    this.root = root;
    this.ctx = trace.setSpan(parent, root);
    this.child('tokenize', r.arrivalMs).end(epochMs(r.tokenizedMs));
    this.queueSpan = this.child('queue', r.tokenizedMs);
    if (o.recordPrompts) {
      const counts = emptyCounts();
      const content = tel.redactor.redact(r.prompt, counts);
      root.setAttributes({ 'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content }] }]), ...countAttributes(counts) });
      this.promptCounts = counts;
    }
  }

  get traceId(): string | undefined {
    return this.root?.spanContext().traceId;
  }

  get spanId(): string | undefined {
    return this.root?.spanContext().spanId;
  }

  /** A child of the request span starting at `atMs` (performance.now() clock). */
  private child(name: string, atMs: number): Span {
    const attributes = { [ATTR_SAMPLING_PROBABILITY]: this.probability };
    return this.tel.tracer!.startSpan(name, { kind: SpanKind.INTERNAL, startTime: epochMs(atMs), attributes }, this.ctx);
  }

  private profiled(span: Span): string | undefined {
    const id = span.spanContext().spanId;
    if (this.tel.profiling) span.setAttribute(ATTR_PROFILE_ID, id);
    return id;
  }

  admitted(atMs: number): void {
    this.queueSpan?.end(epochMs(atMs));
    this.queueSpan = undefined;
  }

  prefillStart(atMs: number): string | undefined {
    if (!this.sampled) return undefined;
    this.prefillSpan = this.child('prefill', atMs);
    this.prefillSpanId = this.profiled(this.prefillSpan);
    this.tel.openPrefills.set(this.prefillSpanId!, this);
    return this.prefillSpanId;
  }

  /** @internal a prefill pass of this request's prefill span was timed on the GPU */
  gpuPrefill(ms: number, t: GpuPassTiming): void {
    addGpu(this.prefillGpu, ms, t);
  }

  /** @internal a batched decode step this request took part in was timed on the GPU */
  gpuDecodeStep(ms: number, batchSize: number, t: GpuPassTiming): void {
    addGpu(this.decodeGpu, ms, t);
    this.decodeGpuShareMs += ms / Math.max(1, batchSize);
  }

  private kvBytes(positions: number): Record<string, number> {
    const b = this.tel.opts.kvBytesPerPosition;
    return b ? { 'trisight.kv_cache.bytes': positions * b } : {};
  }

  prefillEnd(info: { promptTokens: number; cachedTokens: number; kvPositions: number }, atMs: number): void {
    const s = this.prefillSpan;
    if (!s) return;
    s.setAttributes({
      'gen_ai.usage.input_tokens': info.promptTokens,
      'trisight.prefix_cache.hit_tokens': info.cachedTokens,
      'trisight.prefill.tokens': info.promptTokens - info.cachedTokens,
      'trisight.kv_cache.positions': info.kvPositions,
      ...this.kvBytes(info.kvPositions),
      ...gpuAttributes(this.prefillGpu),
    });
    s.end(epochMs(atMs));
    this.prefillSpan = undefined;
    if (this.prefillSpanId) this.tel.openPrefills.delete(this.prefillSpanId);
  }

  decodeStart(atMs: number): string | undefined {
    if (!this.sampled) return undefined;
    this.decodeSpan = this.child('decode', atMs);
    return this.profiled(this.decodeSpan);
  }

  /** Called by the telemetry when this request joins a new batch span. */
  batchRefs(batchSpanId: string): void {
    this.batchIds ??= [];
    if (this.batchIds.length < MAX_BATCH_REFS) this.batchIds.push(batchSpanId);
  }

  decodeEnd(info: { steps: number; batchSizeMax: number; batchSizeMean: number; kvPositions: number }, atMs: number): void {
    const s = this.decodeSpan;
    if (!s) return;
    s.setAttributes({
      'trisight.decode.steps': info.steps,
      'trisight.batch.size.max': info.batchSizeMax,
      'trisight.batch.size.mean': info.batchSizeMean,
      'trisight.kv_cache.positions': info.kvPositions,
      ...this.kvBytes(info.kvPositions),
      ...(this.batchIds ? { 'trisight.batch.span_ids': this.batchIds } : {}),
      ...gpuAttributes(this.decodeGpu, 'trisight.gpu.batch_kernel_time_ms'),
      ...(this.decodeGpu.timing ? { 'trisight.gpu.kernel_time_share_ms': Math.round(this.decodeGpuShareMs * 1000) / 1000 } : {}),
    });
    s.end(epochMs(atMs));
    this.decodeSpan = undefined;
  }

  /** Ends the request: root span attributes and status, and the request metrics. */
  end(e: RequestEnd): void {
    if (this.ended) return;
    this.ended = true;
    const o = this.tel.opts;
    const t = e.timings;
    const root = this.root;
    // The request ends where its measured duration says (the histogram observes the same number).
    const endMs = t ? this.r.arrivalMs + t.total : performance.now();
    if (root) {
      const end = epochMs(endMs);
      this.queueSpan?.end(end);
      this.prefillSpan?.end(end);
      if (this.prefillSpanId) this.tel.openPrefills.delete(this.prefillSpanId);
      this.decodeSpan?.end(end);
      root.setAttributes({
        'gen_ai.response.id': e.id,
        'gen_ai.response.model': o.model,
        'gen_ai.usage.input_tokens': e.inputTokens,
        'gen_ai.usage.output_tokens': e.outputTokens,
        'http.response.status_code': e.httpStatus,
        ...(e.finishReason ? { 'gen_ai.response.finish_reasons': [e.finishReason] } : {}),
        ...(t?.queue !== undefined ? { 'trisight.timings.queue_ms': t.queue } : {}),
        ...(t?.ttft !== undefined ? { 'trisight.timings.ttft_ms': t.ttft } : {}),
        ...(t?.tpot !== undefined ? { 'trisight.timings.tpot_ms': t.tpot } : {}),
        ...(e.quality ? qualityAttributes(e.quality) : {}),
      });
      if (o.recordPrompts && e.completion !== undefined) {
        const counts = emptyCounts();
        const content = this.tel.redactor.redact(e.completion, counts);
        root.setAttribute('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content }], finish_reason: e.finishReason ?? 'error' }]));
        // Counts of prompt and completion together (the attributes are set once per key).
        root.setAttributes(countAttributes(this.promptCounts ? addCounts(counts, this.promptCounts) : counts));
      }
      if (e.errorType) {
        root.setAttribute('error.type', e.errorType);
        root.setStatus({ code: SpanStatusCode.ERROR, message: e.errorType });
      }
      root.end(end);
    }
    this.tel.metrics?.observe({
      model: o.model,
      priority: this.r.priority,
      outcome: e.errorType ?? e.finishReason ?? 'unknown',
      errorType: e.errorType,
      inputTokens: e.inputTokens,
      outputTokens: e.outputTokens,
      duration: (endMs - this.r.arrivalMs) / 1000,
      queue: t?.queue !== undefined ? t.queue / 1000 : undefined,
      ttft: t?.ttft !== undefined ? t.ttft / 1000 : undefined,
      tpot: t?.tpot !== undefined ? t.tpot / 1000 : undefined,
      quality: e.quality,
      exemplar: root ? { trace_id: root.spanContext().traceId, span_id: root.spanContext().spanId } : undefined,
    });
  }
}
