// Continuous batching: between two decode steps the scheduler expires deadlines,
// admits waiting sequences (prefill, highest priority first) while there is a free
// batch slot, then runs one decode step for every running sequence together.
// It yields to the event loop after each prefill and each step so that /healthz,
// /metrics and new requests are answered while the model computes.
//
// All state changes happen inside the loop; cancel() and deadlines only mark a
// sequence, and the loop frees its KV cache at the next step boundary.
import type { ModelRunner, SeqHandle } from '../runtime/types';
import { PrefixCache } from './prefix-cache';

export type Priority = 'P0' | 'P1';
export type FinishReason = 'stop' | 'length';
export type AbortReason = 'deadline' | 'cancelled' | 'shutdown' | 'error';

/** Milliseconds. queue: arrival → admission; ttft: arrival → first token; tpot: mean gap after the first token. */
export interface Timings {
  queue: number;
  ttft: number;
  tpot: number;
  total: number;
}

export interface FinishInfo {
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** prompt tokens whose KV came from the prefix cache */
  cachedTokens: number;
  timings: Timings;
}

/**
 * Telemetry hooks for one request; all optional work is skipped when absent.
 * Every `atMs` is a reading of the scheduler's clock (performance.now() in the
 * server): span times all come from that one monotonic clock, so a child can
 * never appear to start before its parent.
 */
export interface RequestTrace {
  readonly sampled: boolean;
  admitted(atMs: number): void;
  /** Starts the prefill span; returns the span id that labels prefill compute (undefined: unlabelled). */
  prefillStart(atMs: number): string | undefined;
  prefillEnd(info: { promptTokens: number; cachedTokens: number; kvPositions: number }, atMs: number): void;
  /** Starts the decode span; returns the span id that labels this request's own per-step compute. */
  decodeStart(atMs: number): string | undefined;
  decodeEnd(info: { steps: number; batchSizeMax: number; batchSizeMean: number; kvPositions: number }, atMs: number): void;
}

export interface SchedulerTelemetry {
  /** Runs fn with CPU profile samples labelled span_id=spanId; plain call when spanId is undefined. */
  label<T>(spanId: string | undefined, fn: () => T): T;
  /**
   * A decode step shared by `members` is about to run. `version` changes whenever
   * the set of running sequences changes. Returns the span id that labels the
   * shared step (a batch span linked to the members), or undefined. `atMs`: the scheduler's clock.
   */
  batchStep(version: number, members: readonly (RequestTrace | undefined)[], atMs: number): string | undefined;
  /** No decode step is running any more: close whatever batch span is open. */
  batchIdle(atMs: number): void;
}

export interface SchedulerRequest {
  prompt: Int32Array;
  maxTokens: number;
  /** generate max_tokens tokens even past end-of-sequence */
  ignoreEos?: boolean;
  priority: Priority;
  /** performance.now() when the HTTP request arrived */
  arrivalMs: number;
  /** absolute performance.now() after which the request fails with 'deadline' */
  deadlineMs: number;
  /** picks the next token from logits (the request's own seeded sampler) */
  sample(logits: Float32Array): number;
  trace?: RequestTrace;
  onToken(token: number): void;
  onFinish(info: FinishInfo): void;
  onAbort(reason: AbortReason, error?: unknown): void;
}

export type SubmitResult =
  | { accepted: true; cancel(): void }
  | { accepted: false; reason: 'queue_full' | 'shutting_down'; retryAfterS: number };

export interface SchedulerOptions {
  /** sequences decoded together (and so KV caches in use by running requests) */
  maxBatch: number;
  /** waiting sequences; beyond it submit() rejects */
  maxQueue: number;
  /** finished sequences kept for prefix reuse */
  prefixCacheEntries: number;
  prefixMinTokens?: number;
  /**
   * Prompt tokens per prefill call. Each call runs synchronously in the CPU
   * backend, so each chunk can be profile-labelled; the loop yields between chunks.
   */
  prefillChunk?: number;
  /**
   * Prompt tokens admitted (prefilled) between two decode steps, at least one
   * sequence: bounds how long running sequences wait while new ones prefill.
   */
  prefillTokenBudget?: number;
  /** per transformer block, positions of a prefix-cache entry it keeps (default: all, every block) */
  kvBlockRetain?: readonly number[];
  eosToken?: number;
  telemetry?: SchedulerTelemetry;
  now?: () => number;
}

export interface SchedulerStats {
  running: number;
  waiting: number;
  /** KV positions in use (running + prefix cache) / positions of the whole pool */
  kvCacheUsage: number;
  prefixCacheHitRatio: number;
  prefixCacheQueriedTokens: number;
  prefixCacheHitTokens: number;
  /** per transformer block: prompt tokens looked up in the prefix cache, and matched positions that block held */
  blockQueriedTokens: number[];
  blockHitTokens: number[];
  prefillTokens: number;
  generatedTokens: number;
  decodeSteps: number;
  /** sequences allocated from the runner and not yet freed (running + prefix cache) */
  liveSequences: number;
  /** KV-cache bytes holding tokens of running sequences and prefix-cache entries */
  kvUsedBytes: number;
  /** KV-cache bytes the backend has allocated (in use or pooled) */
  kvReservedBytes: number;
  /** the part of kvUsedBytes held by prefix-cache entries */
  prefixCacheBytes: number;
  /** KV caches allocated by the backend, and whether they live in this process's memory (CPU) or on the GPU */
  kvAllocations: number;
  kvOnHost: boolean;
  /** WebGPU: live GPU buffer bytes by what they hold */
  gpuBuffers?: Record<string, number>;
  /** milliseconds spent in the backend's prefill and decode calls since start (wall clock, awaited) */
  prefillMs: number;
  decodeMs: number;
  /** sequence-steps decoded: the sum of every decode step's batch size */
  decodeRows: number;
}

interface Sequence {
  req: SchedulerRequest;
  seq?: SeqHandle;
  /** prompt then generated tokens */
  tokens: Int32Array;
  outLen: number;
  cachedTokens: number;
  lastToken: number;
  admittedMs: number;
  firstTokenMs: number;
  decodeSpanId: string | undefined;
  decodeStarted: boolean;
  steps: number;
  batchSum: number;
  batchMax: number;
  abort?: AbortReason;
  done: boolean;
}

/**
 * Lets I/O and timers run. setImmediate in Node; a MessageChannel round trip
 * in a browser (the browser run drives this scheduler in the page), where a
 * 0 ms setTimeout is clamped to 4 ms once nested.
 */
const yieldToEventLoop: () => Promise<void> =
  typeof setImmediate === 'function'
    ? () => new Promise<void>((resolve) => setImmediate(resolve))
    : () =>
        new Promise<void>((resolve) => {
          const c = new MessageChannel();
          c.port1.onmessage = () => {
            c.port1.close();
            resolve();
          };
          c.port2.postMessage(null);
        });

export class Scheduler {
  private readonly waiting: [Sequence[], Sequence[]] = [[], []]; // P0, P1
  private running: Sequence[] = [];
  private readonly cache: PrefixCache;
  private readonly now: () => number;
  private readonly tel?: SchedulerTelemetry;
  private membershipVersion = 0;
  private wake?: () => void;
  private loop?: Promise<void>;
  private accepting = true;
  private serviceMsEwma = 0;
  private live = 0;
  private prefillTokens = 0;
  private generatedTokens = 0;
  private decodeSteps = 0;
  private prefillMs = 0;
  private decodeMs = 0;
  private decodeRows = 0;
  private readonly maxSeqLen: number;

  constructor(
    private readonly runner: ModelRunner,
    private readonly opts: SchedulerOptions,
  ) {
    this.now = opts.now ?? (() => performance.now());
    this.tel = opts.telemetry;
    this.maxSeqLen = runner.info.maxSeqLen;
    this.cache = new PrefixCache((s) => this.free(s), opts.prefixCacheEntries, opts.prefixMinTokens, opts.kvBlockRetain ?? Array.from({ length: runner.info.layers }, () => Infinity));
  }

  get waitingCount(): number {
    return this.waiting[0].length + this.waiting[1].length;
  }

  submit(req: SchedulerRequest): SubmitResult {
    if (!this.accepting) return { accepted: false, reason: 'shutting_down', retryAfterS: this.retryAfterS() };
    if (this.waitingCount >= this.opts.maxQueue) return { accepted: false, reason: 'queue_full', retryAfterS: this.retryAfterS() };
    const s: Sequence = {
      req,
      tokens: new Int32Array(req.prompt.length + req.maxTokens),
      outLen: 0,
      cachedTokens: 0,
      lastToken: -1,
      admittedMs: 0,
      firstTokenMs: 0,
      decodeSpanId: undefined,
      decodeStarted: false,
      steps: 0,
      batchSum: 0,
      batchMax: 0,
      done: false,
    };
    s.tokens.set(req.prompt);
    this.waiting[req.priority === 'P0' ? 0 : 1].push(s);
    this.kick();
    return {
      accepted: true,
      cancel: () => {
        if (!s.done && !s.abort) {
          s.abort = 'cancelled';
          this.kick();
        }
      },
    };
  }

  stats(): SchedulerStats {
    const cached = this.cache.cachedPositions();
    let kv = cached;
    for (const s of this.running) kv += s.seq?.length ?? 0;
    const pool = (this.opts.maxBatch + this.opts.prefixCacheEntries) * this.maxSeqLen;
    const mem = this.runner.memory();
    return {
      running: this.running.length,
      waiting: this.waitingCount,
      kvCacheUsage: pool ? kv / pool : 0,
      kvUsedBytes: kv * mem.kvBytesPerPosition,
      kvReservedBytes: mem.kvReservedBytes,
      prefixCacheBytes: cached * mem.kvBytesPerPosition,
      kvAllocations: mem.kvAllocations,
      kvOnHost: mem.kvOnHost,
      gpuBuffers: mem.gpuBuffers,
      prefillMs: this.prefillMs,
      decodeMs: this.decodeMs,
      decodeRows: this.decodeRows,
      prefixCacheHitRatio: this.cache.hitRatio(),
      prefixCacheQueriedTokens: this.cache.queriedTokens,
      prefixCacheHitTokens: this.cache.hitTokens,
      blockQueriedTokens: Array.from(this.cache.blockQueriedTokens),
      blockHitTokens: Array.from(this.cache.blockHitTokens),
      prefillTokens: this.prefillTokens,
      generatedTokens: this.generatedTokens,
      decodeSteps: this.decodeSteps,
      liveSequences: this.live,
    };
  }

  /**
   * Stops admitting new requests and resolves once every queued and running
   * request has finished; after timeoutMs the rest are aborted with 'shutdown'.
   * The prefix cache is released at the end.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.accepting = false;
    this.kick();
    const timer = setTimeout(() => {
      for (const s of [...this.waiting[0], ...this.waiting[1], ...this.running]) s.abort ??= 'shutdown';
      this.kick();
    }, timeoutMs);
    try {
      await this.loop;
    } finally {
      clearTimeout(timer);
      this.cache.clear();
    }
  }

  private kick(): void {
    if (this.wake) {
      const w = this.wake;
      this.wake = undefined;
      w();
    }
    this.loop ??= this.run().finally(() => (this.loop = undefined));
  }

  /** Seconds a rejected client should wait: the queue ahead of it served at the recent pace. */
  private retryAfterS(): number {
    const perRequestMs = this.serviceMsEwma || 1000;
    const est = (perRequestMs * (this.waitingCount / Math.max(1, this.opts.maxBatch) + 1)) / 1000;
    return Math.min(60, Math.max(1, Math.ceil(est)));
  }

  private async run(): Promise<void> {
    // Never compute inside submit(): the caller (an HTTP handler) returns first.
    await yieldToEventLoop();
    for (;;) {
      if (!this.running.length && !this.waitingCount) {
        this.tel?.batchIdle(this.now());
        if (!this.accepting) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      this.expire();
      let budget = this.opts.prefillTokenBudget ?? Infinity;
      while (this.running.length < this.opts.maxBatch && budget > 0) {
        const s = this.waiting[0].shift() ?? this.waiting[1].shift();
        if (!s) break;
        budget -= await this.prefill(s);
        await yieldToEventLoop();
        this.expire();
      }
      if (this.running.length) {
        await this.decodeStep();
        await yieldToEventLoop();
      }
    }
  }

  /** Aborts sequences past their deadline or marked for abort, wherever they are. */
  private expire(): void {
    const t = this.now();
    for (const q of this.waiting) {
      for (let i = q.length - 1; i >= 0; i--) {
        const s = q[i];
        if (t > s.req.deadlineMs) s.abort ??= 'deadline';
        if (s.abort) {
          q.splice(i, 1);
          this.fail(s, s.abort);
        }
      }
    }
    let removed = false;
    for (const s of this.running) {
      if (t > s.req.deadlineMs) s.abort ??= 'deadline';
      if (s.abort) {
        removed = true;
        this.fail(s, s.abort);
      }
    }
    if (removed) this.dropDone();
  }

  private dropDone(): void {
    this.running = this.running.filter((s) => !s.done);
    this.membershipVersion++;
  }

  private label<T>(spanId: string | undefined, fn: () => T): T {
    return this.tel && spanId ? this.tel.label(spanId, fn) : fn();
  }

  /** Admits one sequence; returns the prompt tokens it prefilled. */
  private async prefill(s: Sequence): Promise<number> {
    const { req } = s;
    s.admittedMs = this.now();
    req.trace?.admitted(s.admittedMs);
    let seq: SeqHandle;
    try {
      seq = this.runner.allocSequence();
    } catch (e) {
      this.fail(s, 'error', e);
      return 0;
    }
    this.live++;
    s.seq = seq;
    const hit = this.cache.lookup(req.prompt);
    try {
      if (hit) {
        this.runner.copyPrefix(hit.seq, seq, hit.length);
        s.cachedTokens = hit.length;
      }
      const spanId = req.trace?.prefillStart(this.now());
      const chunk = this.opts.prefillChunk ?? req.prompt.length;
      let logits!: Float32Array;
      const first = seq.length;
      for (let start = first; start < req.prompt.length; start += chunk) {
        if (start > first) {
          // between chunks: let the server answer, and notice deadlines
          await yieldToEventLoop();
          if (s.abort || this.now() > req.deadlineMs) break;
        }
        const part = req.prompt.subarray(start, Math.min(req.prompt.length, start + chunk));
        const t0 = this.now();
        logits = await this.label(spanId, () => this.runner.prefill(seq, part, { spanId }));
        this.prefillMs += this.now() - t0;
        this.prefillTokens += part.length;
      }
      if (seq.length < req.prompt.length) {
        req.trace?.prefillEnd({ promptTokens: req.prompt.length, cachedTokens: s.cachedTokens, kvPositions: seq.length }, this.now());
        this.fail(s, s.abort ?? 'deadline');
        return req.prompt.length - s.cachedTokens;
      }
      // Sampling the first token is part of this request's prefill work.
      const token = this.label(spanId, () => req.sample(logits));
      req.trace?.prefillEnd({ promptTokens: req.prompt.length, cachedTokens: s.cachedTokens, kvPositions: seq.length }, this.now());
      if (s.abort || this.now() > req.deadlineMs) {
        this.fail(s, s.abort ?? 'deadline');
        return req.prompt.length - s.cachedTokens;
      }
      s.firstTokenMs = this.now();
      if (!this.emit(s, token)) {
        this.running.push(s);
        this.membershipVersion++;
      }
    } catch (e) {
      this.fail(s, 'error', e);
    }
    return req.prompt.length - s.cachedTokens;
  }

  /** Records a sampled token; returns true when the sequence has finished (and was released). */
  private emit(s: Sequence, token: number): boolean {
    if (token === this.opts.eosToken && !s.req.ignoreEos) {
      this.finish(s, 'stop');
      return true;
    }
    s.tokens[s.req.prompt.length + s.outLen] = token;
    s.outLen++;
    s.lastToken = token;
    this.generatedTokens++;
    s.req.onToken(token);
    if (s.outLen >= s.req.maxTokens || s.req.prompt.length + s.outLen >= this.maxSeqLen) {
      this.finish(s, 'length');
      return true;
    }
    return false;
  }

  private async decodeStep(): Promise<void> {
    const members = this.running;
    const n = members.length;
    const batch = members.map((s) => ({ seq: s.seq!, token: s.lastToken }));
    const t = this.now();
    for (const s of members) {
      if (!s.decodeStarted) {
        s.decodeStarted = true;
        s.decodeSpanId = s.req.trace?.decodeStart(t);
      }
    }
    const batchSpanId = this.tel?.batchStep(
      this.membershipVersion,
      members.map((s) => s.req.trace),
      t,
    );
    let logits: Float32Array[];
    const t0 = this.now();
    try {
      logits = await this.label(batchSpanId, () => this.runner.decode(batch, { spanId: batchSpanId }));
      this.decodeMs += this.now() - t0;
    } catch (e) {
      for (const s of members) this.fail(s, 'error', e);
      this.dropDone();
      return;
    }
    this.decodeSteps++;
    this.decodeRows += n;
    let finished = false;
    for (let i = 0; i < n; i++) {
      const s = members[i];
      if (s.done) continue;
      s.steps++;
      s.batchSum += n;
      if (n > s.batchMax) s.batchMax = n;
      if (s.abort) continue; // freed by expire() below
      // Each request's own sampling runs under its own span, never the batch's.
      const token = this.label(s.decodeSpanId, () => s.req.sample(logits[i]));
      if (this.emit(s, token)) finished = true;
    }
    if (finished) this.dropDone();
    this.expire();
  }

  private endDecode(s: Sequence, atMs: number): void {
    if (s.decodeStarted) {
      s.req.trace?.decodeEnd(
        {
          steps: s.steps,
          batchSizeMax: s.batchMax,
          batchSizeMean: s.steps ? s.batchSum / s.steps : 0,
          kvPositions: s.seq?.length ?? 0,
        },
        atMs,
      );
    }
  }

  private finish(s: Sequence, reason: FinishReason): void {
    s.done = true;
    const t = this.now();
    this.endDecode(s, t);
    const seq = s.seq!;
    s.seq = undefined;
    // The cache owns it now (or frees it when it is too short to be worth keeping).
    this.cache.insert(seq, s.tokens.subarray(0, seq.length));
    const service = t - s.admittedMs;
    this.serviceMsEwma = this.serviceMsEwma ? 0.9 * this.serviceMsEwma + 0.1 * service : service;
    const arrival = s.req.arrivalMs;
    s.req.onFinish({
      finishReason: reason,
      promptTokens: s.req.prompt.length,
      completionTokens: s.outLen,
      cachedTokens: s.cachedTokens,
      timings: {
        queue: s.admittedMs - arrival,
        ttft: (s.firstTokenMs || t) - arrival,
        tpot: s.outLen > 1 ? (t - s.firstTokenMs) / (s.outLen - 1) : 0,
        total: t - arrival,
      },
    });
  }

  private free(seq: SeqHandle): void {
    this.live--;
    this.runner.freeSequence(seq);
  }

  private fail(s: Sequence, reason: AbortReason, error?: unknown): void {
    if (s.done) return;
    s.done = true;
    this.endDecode(s, this.now());
    if (s.seq) {
      this.free(s.seq);
      s.seq = undefined;
    }
    s.req.onAbort(reason, error);
  }
}
