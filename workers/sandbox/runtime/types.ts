// The contract between the scheduler (serve/) and a compute backend (cpu or
// webgpu). Backends own weights and per-sequence KV caches; the scheduler owns
// which sequences run in which step.

export interface BackendInfo {
  backend: 'cpu' | 'webgpu';
  adapter?: { name: string; isFallbackAdapter: boolean; vendor?: string; architecture?: string };
  preset: string;
  params: number;
  vocabSize: number;
  maxSeqLen: number;
  /** transformer blocks (each has its own KV cache) */
  layers: number;
  threads?: number;
  /** KV-cache bytes one token position takes (all layers, keys and values) */
  kvBytesPerPosition: number;
  /** WebGPU only: how GPU time is measured (see runtime/gpu.ts GpuTimingMode) */
  gpuTiming?: 'timestamp-query' | 'submission' | 'off';
  /** WebGPU with timestamp queries: one forward pass in this many is timed per dispatch */
  gpuKernelSampleEvery?: number;
}

/** Whose work a prefill or decode call is: the span id that labels it in profiles (none: unlabelled). */
export interface WorkTag {
  spanId?: string;
}

/**
 * The GPU time of one forward pass (WebGPU backend). With timestamp queries,
 * `ms` has one entry per dispatch, in dispatch order: measured per dispatch
 * when `split` is false, else the pass's measured time split as the latest
 * per-dispatch measurement of a pass of the same shape was. With submission
 * timing one entry, kernel `submission`, whose time includes queueing.
 * Passes come every few hundred microseconds on a GPU: nothing here is
 * allocated per dispatch.
 */
export interface GpuPassTiming {
  timing: 'timestamp-query' | 'submission';
  phase: 'prefill' | 'decode';
  spanId?: string;
  /** token rows in the pass (prompt tokens, or sequences of a decode step) */
  rows: number;
  dispatches: number;
  /** what fixes the kernel sequence (GEMV or matmul for the rows and the logit rows): passes of one shape dispatch the same kernels */
  shape: string;
  /** the kernel of each entry of `ms`; the same array for every pass of a shape */
  kernels: readonly string[];
  ms: ArrayLike<number>;
  /** the sum of `ms`: the pass's GPU time */
  totalMs: number;
  /** `ms` is the pass's total in measured proportions, not measured per dispatch */
  split: boolean;
}

export interface RunnerMemory {
  kvBytesPerPosition: number;
  /** bytes allocated for KV caches, in use or pooled */
  kvReservedBytes: number;
  /** KV caches allocated (one per sequence slot; the GPU backend keeps them in one buffer) */
  kvAllocations: number;
  /** whether the KV caches are in this process's memory (CPU backend) rather than on a GPU */
  kvOnHost: boolean;
  /** WebGPU: bytes of live GPU buffers by what they hold */
  gpuBuffers?: Record<string, number>;
}

/** A sequence slot with its own KV cache (capacity maxSeqLen). */
export interface SeqHandle {
  readonly id: number;
  /** tokens already in the KV cache */
  length: number;
}

export interface ModelRunner {
  readonly info: BackendInfo;
  allocSequence(): SeqHandle;
  freeSequence(seq: SeqHandle): void;
  /** Copies the first n cached positions of `from` into `to` (prefix cache reuse). */
  copyPrefix(from: SeqHandle, to: SeqHandle, n: number): void;
  /** Appends tokens to the sequence's KV cache; returns logits of the last position (length vocabSize). */
  prefill(seq: SeqHandle, tokens: Int32Array, tag?: WorkTag): Promise<Float32Array>;
  /** One decode step for several sequences together: one new token each; returns logits per sequence. */
  decode(batch: { seq: SeqHandle; token: number }[], tag?: WorkTag): Promise<Float32Array[]>;
  /** KV-cache and (WebGPU) buffer memory. */
  memory(): RunnerMemory;
  /** WebGPU: set to receive each forward pass's GPU time. */
  onGpuTiming?: (t: GpuPassTiming) => void;
  dispose(): Promise<void>;
}
