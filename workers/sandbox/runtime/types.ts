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
  threads?: number;
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
  prefill(seq: SeqHandle, tokens: Int32Array): Promise<Float32Array>;
  /** One decode step for several sequences together: one new token each; returns logits per sequence. */
  decode(batch: { seq: SeqHandle; token: number }[]): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}
