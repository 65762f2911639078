// The WebGPU plumbing under the model: compiled kernels, a uniform-parameter
// arena and cached bind groups. Works with any GPUDevice (dawn.node or a
// browser's navigator.gpu); only the WGSL sources are passed in.

import type { KernelName } from '../kernels/names';

/** GPUBufferUsage / GPUMapMode values (spec constants; dawn.node exposes them only as globals). */
export const Usage = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80, QUERY_RESOLVE: 0x200 } as const;
const MAP_READ_MODE = 0x1;

/** Uniform buffer offsets must be 256-byte aligned (minUniformBufferOffsetAlignment). */
const PARAM_SLOT_BYTES = 256;

/**
 * Invocations of gemv.wgsl per output row: a warp per row on a GPU, one
 * invocation (no barriers) on a software adapter, where barriers are slow.
 */
export function gemvThreadsPerRow(isFallbackAdapter: boolean): number {
  return isFallbackAdapter ? 1 : 32;
}

/** Workgroups for gemv.wgsl (64 invocations each) over `outDim` rows. */
export function gemvGroups(outDim: number, threadsPerRow: number): number {
  return Math.ceil(outDim / (64 / threadsPerRow));
}

/** Workgroup rows for gemv.wgsl over `rows` input rows: each takes four. */
export function gemvRowGroups(rows: number): number {
  return Math.ceil(rows / 4);
}

/**
 * Up to how many input rows the runner multiplies with gemv.wgsl rather than
 * the tiled matmul.wgsl. On a GPU the 64×64 tiles pay from a few rows on.
 * On a software adapter the matmul computes a whole 64-row tile whatever the
 * rows, behind 2 barriers per 16-deep slice, each very costly there: on
 * SwiftShader a tiny-model decode step at batch 5–8 took 13–15× the batch-4
 * GEMV one (1.2–1.5 s against 95 ms), and GEMV (one invocation per output,
 * no barriers, weights read once per 4 rows) is faster at every row count,
 * prefill too (a 64-token prompt 1.7–3.4×, an 8-token one 10–16×), so there
 * it serves all.
 */
export function gemvMaxRows(isFallbackAdapter: boolean): number {
  return isFallbackAdapter ? Number.POSITIVE_INFINITY : 4;
}

/**
 * How GPU time is measured: `timestamp-query` writes a timestamp at the start
 * and end of every dispatch's compute pass (the time the GPU spent on each
 * kernel); `submission` brackets a whole submission with
 * queue.onSubmittedWorkDone(), so the figure includes queueing and the
 * callback's latency; `off` measures nothing.
 */
export type GpuTimingMode = 'timestamp-query' | 'submission' | 'off';

/** What a GPU buffer holds, for the memory gauges. */
export type GpuMemoryKind = 'weights' | 'kv_cache' | 'activations' | 'staging' | 'uniforms' | 'timestamps' | 'other';

/** Bytes of one resolved timestamp pair (begin, end) per dispatch. */
export const TIMESTAMP_PAIR_BYTES = 16;

/**
 * Nanoseconds between each dispatch's begin and end timestamps, from a
 * resolved query set (u64 ticks in ns, as WebGPU defines them). A pair the
 * implementation wrote out of order (end before begin) counts as 0.
 */
export function dispatchDurationsNs(timestamps: BigUint64Array, dispatches: number): number[] {
  const out = new Array<number>(dispatches);
  for (let i = 0; i < dispatches; i++) {
    const d = timestamps[2 * i + 1] - timestamps[2 * i];
    out[i] = d > 0n ? Number(d) : 0;
  }
  return out;
}

export interface Dispatch {
  kernel: KernelName;
  /** bindings 1.. in the order the kernel's WGSL declares them (binding 0 is the params) */
  buffers: GPUBuffer[];
  /** the kernel's Params struct, field by field, as u32 bit patterns (see f32bits) */
  params: number[];
  groups: [number, number?, number?];
}

const f32View = new Float32Array(1);
const u32View = new Uint32Array(f32View.buffer);
/** The bit pattern of an f32 value, for an f32 field of a Params struct. */
export function f32bits(x: number): number {
  f32View[0] = x;
  return u32View[0];
}

export class GpuContext {
  private readonly pipelines = new Map<KernelName, GPUComputePipeline>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();
  private readonly bufferIds = new WeakMap<GPUBuffer, number>();
  private nextBufferId = 1;
  private paramBuf: GPUBuffer | null = null;
  private paramStaging = new Uint32Array(0);
  private readonly sizes = new Map<GPUBuffer, { bytes: number; kind: GpuMemoryKind }>();
  private querySet: GPUQuerySet | null = null;
  private queryResolve: GPUBuffer | null = null;
  private queryPairs = 0;

  private constructor(
    readonly device: GPUDevice,
    /** what this context measures; `timestamp-query` only when the device was opened with that feature */
    readonly timing: GpuTimingMode,
  ) {}

  /**
   * Compiles every kernel. `constants` sets a module's pipeline-overridable
   * constants (WGSL `override`), e.g. the GEMV's invocations per row.
   */
  static async create(
    device: GPUDevice,
    sources: Partial<Record<KernelName, string>>,
    constants: Partial<Record<KernelName, Record<string, number>>> = {},
    timing: GpuTimingMode = 'off',
  ): Promise<GpuContext> {
    if (timing === 'timestamp-query' && !device.features.has('timestamp-query')) throw new Error('timestamp-query timing needs a device opened with the timestamp-query feature');
    const ctx = new GpuContext(device, timing);
    for (const [name, code] of Object.entries(sources) as [KernelName, string][]) {
      // (a subset of the kernels is enough for tests that run single dispatches)
      const module = device.createShaderModule({ code, label: name });
      const info = await module.getCompilationInfo();
      const errors = info.messages.filter((m) => m.type === 'error');
      if (errors.length) throw new Error(`${name}.wgsl: ${errors.map((e) => `${e.lineNum}:${e.linePos} ${e.message}`).join('; ')}`);
      const compute: GPUProgrammableStage = { module, entryPoint: 'main', constants: constants[name] };
      ctx.pipelines.set(name, await device.createComputePipelineAsync({ label: name, layout: 'auto', compute }));
    }
    return ctx;
  }

  buffer(size: number, usage = Usage.STORAGE | Usage.COPY_SRC | Usage.COPY_DST, label?: string, kind: GpuMemoryKind = 'other'): GPUBuffer {
    // storage bindings need a non-zero size that is a multiple of 4
    const bytes = Math.max(16, Math.ceil(size / 16) * 16);
    const buf = this.device.createBuffer({ size: bytes, usage, label });
    this.bufferIds.set(buf, this.nextBufferId++);
    this.sizes.set(buf, { bytes, kind });
    return buf;
  }

  upload(data: Float32Array | Uint32Array | Int32Array, label?: string, kind: GpuMemoryKind = 'other'): GPUBuffer {
    const buf = this.buffer(data.byteLength, undefined, label, kind);
    this.write(buf, data);
    return buf;
  }

  /** Destroys a buffer made by this context and stops counting its bytes. */
  release(buf: GPUBuffer): void {
    this.sizes.delete(buf);
    buf.destroy();
  }

  /** Bytes of the live buffers this context made, by what they hold. */
  memory(): Record<GpuMemoryKind, number> {
    const out: Record<GpuMemoryKind, number> = { weights: 0, kv_cache: 0, activations: 0, staging: 0, uniforms: 0, timestamps: 0, other: 0 };
    for (const { bytes, kind } of this.sizes.values()) out[kind] += bytes;
    return out;
  }

  write(buf: GPUBuffer, data: Float32Array | Uint32Array | Int32Array, offsetBytes = 0): void {
    // dawn.node copies from the view; a SharedArrayBuffer-backed view is fine too
    this.device.queue.writeBuffer(buf, offsetBytes, data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);
  }

  /**
   * Records the dispatches into one compute pass (WebGPU orders the writes of
   * one dispatch before the reads of the next) and returns the encoder, so
   * the caller can add copies before `submit`. Timestamps (only in
   * `timestamp-query` mode): `pass` writes one pair at the start and end of
   * that pass (the GPU time of all of it, nearly free); `dispatch` gives
   * every dispatch a pass of its own with its own pair (each kernel's time,
   * at the cost of a pass boundary per dispatch). `copyTimestamps` then
   * copies the pairs out.
   */
  encode(dispatches: Dispatch[], opts: { timestamps?: 'pass' | 'dispatch' } = {}): GPUCommandEncoder {
    this.ensureParamSlots(dispatches.length);
    const slotWords = PARAM_SLOT_BYTES / 4;
    const enc = this.device.createCommandEncoder();
    const mode = this.timing === 'timestamp-query' ? opts.timestamps : undefined;
    const perDispatch = mode === 'dispatch';
    if (mode) this.ensureQueryPairs(perDispatch ? dispatches.length : 1);
    const stamps = (i: number): GPUComputePassDescriptor => ({ timestampWrites: { querySet: this.querySet!, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
    let pass: GPUComputePassEncoder | null = perDispatch ? null : enc.beginComputePass(mode === 'pass' ? stamps(0) : undefined);
    dispatches.forEach((d, i) => {
      this.paramStaging.set(d.params, i * slotWords);
      if (perDispatch) pass = enc.beginComputePass(stamps(i));
      pass!.setPipeline(this.pipelines.get(d.kernel)!);
      pass!.setBindGroup(0, this.bindGroup(i, d));
      pass!.dispatchWorkgroups(d.groups[0], d.groups[1] ?? 1, d.groups[2] ?? 1);
      if (perDispatch) pass!.end();
    });
    if (!perDispatch) pass!.end();
    if (mode) enc.resolveQuerySet(this.querySet!, 0, perDispatch ? 2 * dispatches.length : 2, this.queryResolve!, 0);
    // one upload of every dispatch's params, ordered before the submit that uses them
    this.device.queue.writeBuffer(this.paramBuf!, 0, this.paramStaging.buffer, 0, dispatches.length * PARAM_SLOT_BYTES);
    return enc;
  }

  /**
   * After `encode(…, { timestamps })`: copies the `pairs` resolved timestamp
   * pairs (1 for `pass`, one per dispatch for `dispatch`) into `dst` at
   * `offset` (a multiple of 8), where `dispatchDurationsNs` reads them once
   * `dst` is mapped.
   */
  copyTimestamps(enc: GPUCommandEncoder, pairs: number, dst: GPUBuffer, offset: number): void {
    enc.copyBufferToBuffer(this.queryResolve!, 0, dst, offset, pairs * TIMESTAMP_PAIR_BYTES);
  }

  submit(enc: GPUCommandEncoder): void {
    this.device.queue.submit([enc.finish()]);
  }

  /** Copies `bytes` of `src` back to the host through a mappable staging buffer. */
  async read(src: GPUBuffer, bytes: number, staging?: GPUBuffer): Promise<ArrayBuffer> {
    const own = !staging;
    const st = staging ?? this.buffer(bytes, Usage.MAP_READ | Usage.COPY_DST, 'read', 'staging');
    const enc = this.device.createCommandEncoder();
    enc.copyBufferToBuffer(src, 0, st, 0, bytes);
    this.submit(enc);
    await st.mapAsync(MAP_READ_MODE, 0, bytes);
    const out = st.getMappedRange(0, bytes).slice(0);
    st.unmap();
    if (own) this.release(st);
    return out;
  }

  /** Maps an already filled staging buffer and copies `bytes` out. */
  async mapRead(staging: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    await staging.mapAsync(MAP_READ_MODE, 0, bytes);
    const out = staging.getMappedRange(0, bytes).slice(0);
    staging.unmap();
    return out;
  }

  private ensureQueryPairs(n: number): void {
    if (this.queryPairs >= n) return;
    this.querySet?.destroy();
    if (this.queryResolve) this.release(this.queryResolve);
    const pairs = Math.max(64, n);
    this.querySet = this.device.createQuerySet({ type: 'timestamp', count: 2 * pairs, label: 'dispatch timestamps' });
    this.queryResolve = this.buffer(pairs * TIMESTAMP_PAIR_BYTES, Usage.QUERY_RESOLVE | Usage.COPY_SRC, 'timestamps', 'timestamps');
    this.queryPairs = pairs;
  }

  private ensureParamSlots(n: number): void {
    const bytes = n * PARAM_SLOT_BYTES;
    if (this.paramBuf && this.paramBuf.size >= bytes) return;
    if (this.paramBuf) this.release(this.paramBuf);
    const cap = Math.max(64, n) * PARAM_SLOT_BYTES;
    this.paramBuf = this.buffer(cap, Usage.UNIFORM | Usage.COPY_DST, 'params', 'uniforms');
    this.paramStaging = new Uint32Array(cap / 4);
    this.bindGroups.clear();
  }

  private bindGroup(slot: number, d: Dispatch): GPUBindGroup {
    // A forward pass repeats the same (slot, kernel, buffers) every step, so
    // the groups are built once; the key changes only when buffers are replaced.
    const key = `${slot}:${d.kernel}:${d.buffers.map((b) => this.bufferIds.get(b)).join(',')}`;
    let g = this.bindGroups.get(key);
    if (!g) {
      g = this.device.createBindGroup({
        layout: this.pipelines.get(d.kernel)!.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: this.paramBuf!, offset: slot * PARAM_SLOT_BYTES, size: PARAM_SLOT_BYTES } },
          ...d.buffers.map((buffer, i) => ({ binding: i + 1, resource: { buffer } })),
        ],
      });
      this.bindGroups.set(key, g);
    }
    return g;
  }

  /** Forget bind groups that name a buffer about to be destroyed. */
  dropBindGroups(): void {
    this.bindGroups.clear();
  }
}
