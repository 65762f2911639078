// WebGPU backend: the same forward pass as cpu.ts, as WGSL compute kernels.
// Works on any GPUDevice — dawn.node's (runtime/webgpu.ts opens one) or a
// browser's navigator.gpu — so it imports nothing from Node. Weights, KV
// caches and activations stay on the GPU; only row metadata goes up and
// logits (plus, when timed, each dispatch's timestamps) come back.

import { type ModelConfig, headDim, kvDim, qkvDim } from '../model/config';
import { paramCount, type Weights } from '../model/weights';
import type { KernelName } from '../kernels/names';
import { ropeTable } from '../kernels/cpu/rope';
import { type Dispatch, GpuContext, type GpuTimingMode, TIMESTAMP_PAIR_BYTES, Usage, dispatchDurationsNs, f32bits, gemvGroups, gemvMaxRows, gemvRowGroups, gemvThreadsPerRow } from './gpu';
import { SequenceSlots, SequenceTable } from './sequences';
import type { BackendInfo, GpuPassTiming, ModelRunner, RunnerMemory, SeqHandle, WorkTag } from './types';

/** Prompt tokens per forward pass (one 64-row matmul tile). */
const PREFILL_CHUNK = 64;

/**
 * A pass's shape: its phase and what fixes its kernel sequence — GEMV or
 * tiled matmul for the rows, and for the logit rows (none on a middle prefill
 * chunk). Not the row count itself: passes of one shape split their time
 * across kernels in the proportions of the shape's latest per-dispatch
 * measurement, and the first pass of a shape is timed per dispatch, so keying
 * on the row count timed every new batch size and prompt-chunk length per
 * dispatch (a fifth of a short run's passes, each about twice as slow on an
 * H200). The phase stays in the key: a prompt's rows attend over each other,
 * a decode step's over their caches, so their splits differ.
 */
export function passShape(phase: GpuPassTiming['phase'], rows: number, outRows: number, gemvRows: number): string {
  const kind = (n: number) => (n === 0 ? 'none' : n <= gemvRows ? 'gemv' : 'matmul');
  return `${phase}:${kind(rows)}:${kind(outRows)}`;
}
/** attention.wgsl keeps one score per attended position in workgroup memory. */
const WGSL_MAX_SEQ = 2048;

export interface AdapterDescription {
  name: string;
  isFallbackAdapter: boolean;
  vendor?: string;
  architecture?: string;
}

export function describeAdapter(adapter: GPUAdapter): AdapterDescription {
  const info = adapter.info;
  const legacy = (adapter as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    name: info.description || info.device || [info.vendor, info.architecture].filter(Boolean).join(' ') || 'unknown adapter',
    isFallbackAdapter: Boolean(info.isFallbackAdapter ?? legacy),
    vendor: info.vendor || undefined,
    architecture: info.architecture || undefined,
  };
}

/** GPU time measurement wanted: `auto` takes timestamp queries where the adapter has them, else submission bracketing. */
export type GpuTimingChoice = 'auto' | 'submission' | 'off';

export function timingMode(choice: GpuTimingChoice, adapterHasTimestamps: boolean): GpuTimingMode {
  if (choice === 'off') return 'off';
  return choice === 'auto' && adapterHasTimestamps ? 'timestamp-query' : 'submission';
}

/**
 * Opens a device big enough for the model's weights, with the
 * timestamp-query feature when `timing` needs it.
 */
export async function openDevice(adapter: GPUAdapter, minStorageBytes: number, timing: GpuTimingMode = 'off'): Promise<GPUDevice> {
  const l = adapter.limits;
  if (l.maxStorageBufferBindingSize < minStorageBytes) {
    throw new Error(`adapter binds at most ${l.maxStorageBufferBindingSize} bytes per storage buffer; the model needs ${minStorageBytes}`);
  }
  const device = await adapter.requestDevice({
    requiredFeatures: timing === 'timestamp-query' ? ['timestamp-query'] : [],
    requiredLimits: { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize, maxBufferSize: l.maxBufferSize },
  });
  device.addEventListener('uncapturederror', (e) => {
    console.error(`webgpu: ${(e as GPUUncapturedErrorEvent).error.message}`);
  });
  return device;
}

export interface WebGpuRunnerOptions {
  /** default auto */
  timing?: GpuTimingChoice;
  /**
   * With timestamp queries every forward pass is timed whole (a timestamp
   * pair around its one compute pass); one pass in this many, and the first
   * of each shape, is timed per dispatch (a pass per dispatch), which gives
   * the kernel split. 1 times every dispatch of every pass.
   */
  kernelSampleEvery?: number;
}

/**
 * A pass boundary per dispatch roughly doubled the decode step of the tiny
 * model on an H200 (51 dispatches of a few µs each; test/bench/webgpu-kernels),
 * so one pass in 32 alone would cost ~3 %: one in 128 keeps it under 1 %.
 */
export const DEFAULT_KERNEL_SAMPLE_EVERY = 128;

/**
 * The next estimate of a pass's time (ms) from submit to mapped results.
 * When the runner slept through part of it first (`afterWakeMs` is how long
 * it then still waited), the measured time includes the sleep: a result that
 * was ready on waking says the pass was shorter, so the estimate shrinks —
 * else one slow pass (a GC, a page fault) would keep every later pass
 * sleeping at least that long.
 */
export function nextExpectMs(expect: number, tookMs: number, afterWakeMs?: number): number {
  if (!expect) return tookMs;
  if (afterWakeMs !== undefined && afterWakeMs < 0.25) return expect * 0.8;
  return expect * 0.7 + tookMs * 0.3;
}

/** With submission timing a pass has one figure, for all of its kernels. */
const SUBMISSION_KERNELS: readonly string[] = ['submission'];

interface Activations {
  rows: number;
  rowInfo: GPUBuffer;
  x: GPUBuffer;
  xb: GPUBuffer;
  xb2: GPUBuffer;
  qkv: GPUBuffer;
  gu: GPUBuffer;
  h: GPUBuffer;
  logits: GPUBuffer;
  readback: GPUBuffer;
}

export class WebGpuRunner extends SequenceSlots<number> implements ModelRunner {
  readonly info: BackendInfo;
  private readonly c: ModelConfig;
  protected readonly seqs: SequenceTable<number>;
  private readonly weightsBuf: GPUBuffer;
  private readonly cosBuf: GPUBuffer;
  private readonly sinBuf: GPUBuffer;
  private kvBuf: GPUBuffer;
  private kvSlots: number;
  private readonly maxSlots: number;
  private nextSlot = 0;
  private copyTmp: GPUBuffer | null = null;
  private act: Activations;
  private readonly slotStride: number;
  private readonly layerStride: number;
  private readonly kvStride: number;
  private readonly kvBytesPerPosition: number;
  /** dispatches of one forward pass at most (sizes the timestamp area of the readback buffer) */
  private readonly maxDispatches: number;
  /** forward passes run one at a time: they share activations and the readback buffer */
  private chain: Promise<unknown> = Promise.resolve();
  /** per-dispatch timing on one forward pass in this many (every pass is timed whole) */
  private readonly kernelSampleEvery: number;
  private passCount = 0;
  /** by pass shape (rows and kernel sequence): each dispatch's share of the pass, from its latest per-dispatch measurement */
  private readonly kernelShares = new Map<string, number[]>();
  private readonly shapeKernels = new Map<string, readonly string[]>();
  /** reused for every split pass (the telemetry reads a pass's timing synchronously) */
  private splitMs = new Float64Array(0);
  /** recent GPU time of a forward pass by row count, to sleep instead of busy-polling in mapAsync */
  private readonly expectMs = new Map<number, number>();
  private rowInfoHost = new Uint32Array(0);

  private constructor(
    private readonly ctx: GpuContext,
    private readonly weights: Weights,
    preset: string,
    adapter: AdapterDescription,
    private readonly gemvTpr: number,
    /** up to this many rows the matrix products use gemv.wgsl, above it matmul.wgsl */
    private readonly gemvRows: number,
    kernelSampleEvery: number,
  ) {
    super();
    const c = weights.config;
    this.c = c;
    this.kernelSampleEvery = Math.max(1, Math.floor(kernelSampleEvery));
    if (c.maxSeqLen > WGSL_MAX_SEQ) throw new Error(`maxSeqLen ${c.maxSeqLen} exceeds attention.wgsl's ${WGSL_MAX_SEQ}`);
    this.kvStride = c.maxSeqLen * kvDim(c);
    this.layerStride = 2 * this.kvStride;
    this.slotStride = c.nLayers * this.layerStride;
    this.kvBytesPerPosition = c.nLayers * 2 * kvDim(c) * 4;
    this.maxDispatches = 1 + 12 * c.nLayers + 2;
    this.weightsBuf = ctx.upload(weights.data, 'weights', 'weights');
    const rt = ropeTable(c.maxSeqLen, headDim(c), c.ropeTheta);
    this.cosBuf = ctx.upload(rt.cos, 'rope cos', 'weights');
    this.sinBuf = ctx.upload(rt.sin, 'rope sin', 'weights');
    const maxBind = ctx.device.limits.maxStorageBufferBindingSize;
    this.maxSlots = Math.max(1, Math.floor(maxBind / (this.slotStride * 4)));
    this.kvSlots = Math.min(4, this.maxSlots);
    this.kvBuf = ctx.buffer(this.kvSlots * this.slotStride * 4, undefined, 'kv cache', 'kv_cache');
    this.seqs = new SequenceTable(c.maxSeqLen, () => this.newSlot());
    this.act = this.makeActivations(PREFILL_CHUNK);
    this.info = {
      backend: 'webgpu',
      adapter,
      preset,
      params: paramCount(c),
      vocabSize: c.vocabSize,
      maxSeqLen: c.maxSeqLen,
      layers: c.nLayers,
      kvBytesPerPosition: this.kvBytesPerPosition,
      gpuTiming: ctx.timing,
      ...(ctx.timing === 'timestamp-query' ? { gpuKernelSampleEvery: this.kernelSampleEvery } : {}),
    };
  }

  /**
   * Opens a device on `adapter`, compiles `sources` (every kernel's WGSL) and
   * uploads the weights. GPU time is measured as `opts.timing` asks (default:
   * timestamp queries where the adapter has them).
   */
  static async open(adapter: GPUAdapter, weights: Weights, preset: string, sources: Record<KernelName, string>, opts: WebGpuRunnerOptions = {}): Promise<WebGpuRunner> {
    const timing = timingMode(opts.timing ?? 'auto', adapter.features.has('timestamp-query'));
    const device = await openDevice(adapter, weights.data.byteLength, timing);
    const adapterInfo = describeAdapter(adapter);
    const tpr = gemvThreadsPerRow(adapterInfo.isFallbackAdapter);
    const ctx = await GpuContext.create(device, sources, { gemv: { TPR: tpr } }, timing);
    return new WebGpuRunner(ctx, weights, preset, adapterInfo, tpr, gemvMaxRows(adapterInfo.isFallbackAdapter), opts.kernelSampleEvery ?? DEFAULT_KERNEL_SAMPLE_EVERY);
  }

  /** Receives the GPU time of every forward pass (set by the telemetry; unset: timings are dropped). */
  onGpuTiming?: (t: GpuPassTiming) => void;

  memory(): RunnerMemory {
    const gpu = this.ctx.memory();
    return { kvBytesPerPosition: this.kvBytesPerPosition, kvReservedBytes: gpu.kv_cache, kvAllocations: this.kvSlots, kvOnHost: false, gpuBuffers: gpu };
  }

  protected copyKv(src: number, dst: number, n: number): void {
    if (n === 0) return;
    // copyBufferToBuffer cannot copy within one buffer: go through a temporary
    this.copyTmp ??= this.ctx.buffer(this.slotStride * 4, undefined, 'kv copy', 'kv_cache');
    const bytes = n * kvDim(this.c) * 4;
    const enc = this.ctx.device.createCommandEncoder();
    const parts: number[] = [];
    for (let l = 0; l < this.c.nLayers; l++) parts.push(l * this.layerStride, l * this.layerStride + this.kvStride);
    for (const off of parts) enc.copyBufferToBuffer(this.kvBuf, (src * this.slotStride + off) * 4, this.copyTmp, off * 4, bytes);
    for (const off of parts) enc.copyBufferToBuffer(this.copyTmp, off * 4, this.kvBuf, (dst * this.slotStride + off) * 4, bytes);
    this.ctx.submit(enc);
  }

  prefill(seq: SeqHandle, tokens: Int32Array, tag: WorkTag = {}): Promise<Float32Array> {
    this.seqs.checkAppend(seq, tokens, this.c.vocabSize);
    if (tokens.length === 0) return Promise.reject(new RangeError('prefill needs at least one token'));
    return this.serial(async () => {
      const slot = this.seqs.get(seq);
      let logits: Float32Array | undefined;
      for (let start = 0; start < tokens.length; start += PREFILL_CHUNK) {
        const n = Math.min(PREFILL_CHUNK, tokens.length - start);
        const info = this.rowInfo(n);
        for (let r = 0; r < n; r++) info.set([tokens[start + r], seq.length + r, slot, 0], r * 4);
        const last = start + n === tokens.length;
        const out = await this.forward(n, last ? n - 1 : -1, 'prefill', tag);
        seq.length += n;
        if (last) logits = out;
      }
      return logits!;
    });
  }

  decode(batch: { seq: SeqHandle; token: number }[], tag: WorkTag = {}): Promise<Float32Array[]> {
    this.seqs.checkDecodeBatch(batch, this.c.vocabSize);
    if (batch.length === 0) return Promise.resolve([]);
    return this.serial(async () => {
      const n = batch.length;
      const info = this.rowInfo(n);
      batch.forEach(({ seq, token }, r) => { info.set([token, seq.length, this.seqs.get(seq), 0], r * 4); });
      const all = await this.forward(n, 0, 'decode', tag);
      const V = this.c.vocabSize;
      return batch.map((b, r) => {
        b.seq.length++;
        return all.slice(r * V, (r + 1) * V);
      });
    });
  }

  async dispose(): Promise<void> {
    await this.chain.catch(() => {});
    this.seqs.clear();
    this.ctx.device.destroy();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  private newSlot(): number {
    const slot = this.nextSlot++;
    if (slot >= this.kvSlots) this.growKv(slot + 1);
    return slot;
  }

  private growKv(need: number): void {
    if (need > this.maxSlots) throw new Error(`KV cache full: the adapter binds at most ${this.maxSlots} sequences of this model`);
    const slots = Math.min(this.maxSlots, Math.max(need, this.kvSlots * 2));
    const bigger = this.ctx.buffer(slots * this.slotStride * 4, undefined, 'kv cache', 'kv_cache');
    const enc = this.ctx.device.createCommandEncoder();
    enc.copyBufferToBuffer(this.kvBuf, 0, bigger, 0, this.kvSlots * this.slotStride * 4);
    this.ctx.submit(enc);
    this.ctx.release(this.kvBuf); // WebGPU keeps it alive until the submitted copy has run
    this.kvBuf = bigger;
    this.kvSlots = slots;
    this.ctx.dropBindGroups();
  }

  private makeActivations(rows: number): Activations {
    const c = this.c;
    const f = (n: number, label: string) => this.ctx.buffer(rows * n * 4, undefined, label, 'activations');
    return {
      rows,
      rowInfo: f(4, 'row info'),
      x: f(c.dim, 'x'),
      xb: f(c.dim, 'xb'),
      xb2: f(c.dim, 'xb2'),
      qkv: f(qkvDim(c), 'qkv'),
      gu: f(2 * c.hiddenDim, 'gate|up'),
      h: f(c.hiddenDim, 'h'),
      logits: f(c.vocabSize, 'logits'),
      // logits, then (when timed) one timestamp pair per dispatch
      readback: this.ctx.buffer(this.timestampOffset(rows) + this.maxDispatches * TIMESTAMP_PAIR_BYTES, Usage.MAP_READ | Usage.COPY_DST, 'readback', 'staging'),
    };
  }

  private rowInfo(n: number): Uint32Array {
    if (n > this.act.rows) {
      for (const b of Object.values(this.act)) if (typeof b !== 'number') this.ctx.release(b);
      this.act = this.makeActivations(Math.max(n, this.act.rows * 2));
      this.ctx.dropBindGroups();
    }
    if (this.rowInfoHost.length < n * 4) this.rowInfoHost = new Uint32Array(this.act.rows * 4);
    return this.rowInfoHost;
  }

  /** Where the timestamps start in the readback buffer: after `rows` rows of logits, 8-byte aligned. */
  private timestampOffset(rows: number): number {
    return Math.ceil((rows * this.c.vocabSize * 4) / 8) * 8;
  }

  /** The rows' matrix product: GEMV up to gemvRows rows, tiled matmul above. */
  private mm(rows: number, x: GPUBuffer, y: GPUBuffer, wOff: number, inDim: number, outDim: number): Dispatch {
    const params = [rows, inDim, outDim, wOff];
    if (rows <= this.gemvRows) return { kernel: 'gemv', buffers: [this.weightsBuf, x, y], params, groups: [gemvGroups(outDim, this.gemvTpr), gemvRowGroups(rows)] };
    return { kernel: 'matmul', buffers: [this.weightsBuf, x, y], params, groups: [Math.ceil(outDim / 64), Math.ceil(rows / 64)] };
  }

  /**
   * Runs `rows` rows (described in rowInfoHost) through the model. With
   * logitRow ≥ 0 returns that row's logits only; with logitRow = 0 for decode
   * returns the logits of all rows; with -1 computes no logits.
   */
  private async forward(rows: number, logitRow: number, phase: GpuPassTiming['phase'], tag: WorkTag): Promise<Float32Array> {
    const c = this.c;
    const a = this.act;
    const L = this.weights.layout;
    const W = this.weightsBuf;
    const dim = c.dim;
    const kvd = kvDim(c);
    const qd = qkvDim(c);
    const hd = headDim(c);
    const eps = f32bits(c.normEps);
    this.ctx.write(a.rowInfo, this.rowInfoHost.subarray(0, rows * 4));
    const d: Dispatch[] = [];
    const ew = (n: number) => Math.ceil(n / 64);
    d.push({ kernel: 'embedding', buffers: [W, a.rowInfo, a.x], params: [rows, dim, L.tokEmbedding.offset], groups: [ew(dim), rows] });
    for (let l = 0; l < c.nLayers; l++) {
      const ly = L.layers[l];
      const layerOff = l * this.layerStride;
      d.push({ kernel: 'rmsnorm', buffers: [W, a.x, a.xb], params: [rows, dim, ly.attnNorm.offset, 0, eps], groups: [rows] });
      d.push(this.mm(rows, a.xb, a.qkv, ly.wqkv.offset, dim, qd));
      const ropeHeads = c.nHeads + c.nKvHeads;
      d.push({ kernel: 'rope', buffers: [a.rowInfo, this.cosBuf, this.sinBuf, a.qkv], params: [rows, ropeHeads, hd, qd], groups: [ew((ropeHeads * hd) / 2), rows] });
      d.push({ kernel: 'kv_store', buffers: [a.rowInfo, a.qkv, this.kvBuf], params: [rows, dim, kvd, qd, layerOff, this.kvStride, this.slotStride], groups: [ew(kvd), rows] });
      d.push({
        kernel: 'attention',
        buffers: [a.rowInfo, a.qkv, this.kvBuf, a.xb],
        params: [rows, c.nHeads, c.nKvHeads, hd, qd, kvd, layerOff, this.kvStride, this.slotStride, dim],
        groups: [c.nHeads, rows],
      });
      d.push(this.mm(rows, a.xb, a.xb2, ly.wo.offset, dim, dim));
      d.push({ kernel: 'residual', buffers: [a.xb2, a.x], params: [rows * dim], groups: [Math.ceil((rows * dim) / 256)] });
      d.push({ kernel: 'rmsnorm', buffers: [W, a.x, a.xb], params: [rows, dim, ly.mlpNorm.offset, 0, eps], groups: [rows] });
      d.push(this.mm(rows, a.xb, a.gu, ly.w13.offset, dim, 2 * c.hiddenDim));
      d.push({ kernel: 'swiglu', buffers: [a.gu, a.h], params: [rows, c.hiddenDim], groups: [ew(c.hiddenDim), rows] });
      d.push(this.mm(rows, a.h, a.xb2, ly.w2.offset, c.hiddenDim, dim));
      d.push({ kernel: 'residual', buffers: [a.xb2, a.x], params: [rows * dim], groups: [Math.ceil((rows * dim) / 256)] });
    }
    const outRows = logitRow < 0 ? 0 : rows - logitRow;
    if (outRows > 0) {
      d.push({ kernel: 'rmsnorm', buffers: [W, a.x, a.xb], params: [outRows, dim, L.finalNorm.offset, logitRow * dim, eps], groups: [outRows] });
      d.push(this.mm(outRows, a.xb, a.logits, L.lmHead.offset, dim, c.vocabSize));
    }
    const timing = this.onGpuTiming ? this.ctx.timing : 'off';
    const stamped = timing === 'timestamp-query';
    // Every pass is timed whole; one in kernelSampleEvery (and the first of each shape) per dispatch.
    const shape = passShape(phase, rows, outRows, this.gemvRows);
    const perDispatch = stamped && (this.passCount++ % this.kernelSampleEvery === 0 || !this.kernelShares.has(shape));
    const pairs = perDispatch ? d.length : 1;
    const enc = this.ctx.encode(d, stamped ? { timestamps: perDispatch ? 'dispatch' : 'pass' } : {});
    const bytes = outRows * c.vocabSize * 4;
    if (bytes) enc.copyBufferToBuffer(a.logits, 0, a.readback, 0, bytes);
    const tsOff = this.timestampOffset(outRows);
    if (stamped) this.ctx.copyTimestamps(enc, pairs, a.readback, tsOff);
    const t0 = performance.now();
    this.ctx.submit(enc);
    const done = timing === 'submission' ? this.ctx.device.queue.onSubmittedWorkDone().then(() => performance.now()) : undefined;
    const mapBytes = stamped ? tsOff + pairs * TIMESTAMP_PAIR_BYTES : bytes;
    // a middle prefill chunk needs no result: the queue orders the next chunk after it
    if (!mapBytes) {
      if (done) {
        const took2 = (await done) - t0;
        this.report({ timing: 'submission', phase, spanId: tag.spanId, rows, dispatches: d.length, shape, kernels: SUBMISSION_KERNELS, ms: [took2], totalMs: took2, split: false });
      }
      return new Float32Array(0);
    }
    // While mapAsync is pending dawn.node busy-polls this thread; sleeping
    // through most of the expected GPU time first leaves the CPU to the GPU
    // (on SwiftShader the "GPU" is this machine's cores).
    const expect = this.expectMs.get(rows) ?? 0;
    const slept = expect > 4 ? expect * 0.8 : 0;
    if (slept) await new Promise((r) => setTimeout(r, slept));
    const woke = performance.now();
    const mapped = await this.ctx.mapRead(a.readback, mapBytes);
    const mappedAt = performance.now();
    this.expectMs.set(rows, nextExpectMs(expect, mappedAt - t0, slept ? mappedAt - woke : undefined));
    if (stamped) {
      const ms = dispatchDurationsNs(new BigUint64Array(mapped, tsOff, 2 * pairs), pairs).map((ns) => ns / 1e6);
      const kernels = this.kernelsOf(shape, d);
      if (perDispatch) {
        const total = ms.reduce((x, y) => x + y, 0);
        if (total > 0) this.kernelShares.set(shape, ms.map((m) => m / total));
        this.report({ timing: 'timestamp-query', phase, spanId: tag.spanId, rows, dispatches: d.length, shape, kernels, ms, totalMs: total, split: false });
      } else {
        // the pass's measured time, split as the latest per-dispatch measurement of this shape was
        const share = this.kernelShares.get(shape)!;
        const split = this.splitMs.length === share.length ? this.splitMs : (this.splitMs = new Float64Array(share.length));
        for (let i = 0; i < share.length; i++) split[i] = ms[0] * share[i];
        this.report({ timing: 'timestamp-query', phase, spanId: tag.spanId, rows, dispatches: d.length, shape, kernels, ms: split, totalMs: ms[0], split: true });
      }
    } else if (done) {
      const took2 = (await done) - t0;
      this.report({ timing: 'submission', phase, spanId: tag.spanId, rows, dispatches: d.length, shape, kernels: SUBMISSION_KERNELS, ms: [took2], totalMs: took2, split: false });
    }
    return new Float32Array(mapped, 0, bytes / 4);
  }

  /** The kernel names of a pass shape, one array per shape. */
  private kernelsOf(shape: string, d: Dispatch[]): readonly string[] {
    let k = this.shapeKernels.get(shape);
    if (!k) {
      k = d.map((x) => x.kernel);
      this.shapeKernels.set(shape, k);
    }
    return k;
  }

  /** Hands one forward pass's GPU time to the telemetry (it reads it synchronously: `ms` may be reused). */
  private report(t: GpuPassTiming): void {
    this.onGpuTiming?.(t);
  }
}
