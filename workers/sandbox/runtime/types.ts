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
}

/** Whose work a prefill or decode call is: the span id that labels it in profiles (none: unlabelled). */
export interface WorkTag {
  spanId?: string;
}

/**
 * The GPU time of one forward pass (WebGPU backend). With timestamp queries,
 * one entry per dispatch in dispatch order; with submission timing one entry,
 * kernel `submission`, whose time includes queueing.
 */
export interface GpuPassTiming {
  timing: 'timestamp-query' | 'submission';
  phase: 'prefill' | 'decode';
  spanId?: string;
  /** token rows in the pass (prompt tokens, or sequences of a decode step) */
  rows: number;
  dispatches: number;
  kernels: { kernel: string; ms: number }[];
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
