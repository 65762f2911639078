// Model shape and the named presets. A Llama-style decoder: RMSNorm, RoPE,
// grouped-query attention with a KV cache, SwiGLU MLP, untied LM head.

import { VOCAB_SIZE } from './tokenizer';

export interface ModelConfig {
  /** byte-level: 256 bytes + special tokens */
  vocabSize: number;
  dim: number;
  nLayers: number;
  nHeads: number;
  /** key/value heads (grouped-query attention); divides nHeads */
  nKvHeads: number;
  /** SwiGLU inner width */
  hiddenDim: number;
  maxSeqLen: number;
  ropeTheta: number;
  normEps: number;
}

export type PresetName = 'tiny' | 'small';

const base = { vocabSize: VOCAB_SIZE, ropeTheta: 10000, normEps: 1e-5 };

export const PRESETS: Record<PresetName, ModelConfig> = {
  // ≈0.92M parameters: fast enough for SwiftShader correctness tests.
  tiny: { ...base, dim: 128, nLayers: 4, nHeads: 4, nKvHeads: 4, hiddenDim: 384, maxSeqLen: 256 },
  // ≈25.4M parameters: ~100 MB of f32 weights, so CPU decode is memory-bound like a real model.
  small: { ...base, dim: 512, nLayers: 8, nHeads: 8, nKvHeads: 4, hiddenDim: 1536, maxSeqLen: 512 },
};

/** The served model's name for a preset, as /v1/models lists it. */
export function modelName(preset: string): string {
  return `trisight-${preset}`;
}

export function isPresetName(s: string): s is PresetName {
  return Object.hasOwn(PRESETS, s);
}

export function headDim(c: ModelConfig): number {
  return c.dim / c.nHeads;
}

export function kvDim(c: ModelConfig): number {
  return headDim(c) * c.nKvHeads;
}

/** Width of the fused q|k|v projection output. */
export function qkvDim(c: ModelConfig): number {
  return c.dim + 2 * kvDim(c);
}

export function validateConfig(c: ModelConfig): void {
  const problems: string[] = [];
  if (c.dim % c.nHeads) problems.push(`dim ${c.dim} is not a multiple of nHeads ${c.nHeads}`);
  if (c.nHeads % c.nKvHeads) problems.push(`nHeads ${c.nHeads} is not a multiple of nKvHeads ${c.nKvHeads}`);
  if ((c.dim / c.nHeads) % 2) problems.push(`head dimension ${c.dim / c.nHeads} must be even for RoPE`);
  if (c.dim % 4 || c.hiddenDim % 4) problems.push('dim and hiddenDim must be multiples of 4 (vectorised kernels)');
  if (problems.length) throw new Error(`invalid model config: ${problems.join('; ')}`);
}
