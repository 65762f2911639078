// Deterministic weights: every tensor is filled from a seeded PRNG, so the same
// (preset, seed) gives bit-identical models on every backend and machine.
// All tensors live in one Float32Array (one upload to the GPU, one
// SharedArrayBuffer for CPU worker threads); the layout gives their offsets.

import { type ModelConfig, qkvDim, validateConfig } from './config';
import { Rng } from './rng';

/** Offset (in floats) and shape [rows, cols] of a row-major tensor. */
export interface TensorRef {
  offset: number;
  rows: number;
  cols: number;
}

export interface LayerLayout {
  attnNorm: TensorRef;
  /** fused q|k|v projection: rows = dim + 2·kvDim, cols = dim */
  wqkv: TensorRef;
  wo: TensorRef;
  mlpNorm: TensorRef;
  /** fused gate|up projection: rows = 2·hiddenDim (gate rows first), cols = dim */
  w13: TensorRef;
  /** down projection: rows = dim, cols = hiddenDim */
  w2: TensorRef;
}

export interface WeightLayout {
  tokEmbedding: TensorRef;
  layers: LayerLayout[];
  finalNorm: TensorRef;
  lmHead: TensorRef;
  /** total floats */
  size: number;
}

export function weightLayout(c: ModelConfig): WeightLayout {
  validateConfig(c);
  let size = 0;
  const t = (rows: number, cols: number): TensorRef => {
    const r = { offset: size, rows, cols };
    size += rows * cols;
    return r;
  };
  const tokEmbedding = t(c.vocabSize, c.dim);
  const layers: LayerLayout[] = [];
  for (let l = 0; l < c.nLayers; l++) {
    layers.push({
      attnNorm: t(1, c.dim),
      wqkv: t(qkvDim(c), c.dim),
      wo: t(c.dim, c.dim),
      mlpNorm: t(1, c.dim),
      w13: t(2 * c.hiddenDim, c.dim),
      w2: t(c.dim, c.hiddenDim),
    });
  }
  const finalNorm = t(1, c.dim);
  const lmHead = t(c.vocabSize, c.dim);
  return { tokEmbedding, layers, finalNorm, lmHead, size };
}

export function paramCount(c: ModelConfig): number {
  return weightLayout(c).size;
}

export interface Weights {
  config: ModelConfig;
  layout: WeightLayout;
  data: Float32Array;
}

function fillUniform(rng: Rng, out: Float32Array, ref: TensorRef, scale: number): void {
  const end = ref.offset + ref.rows * ref.cols;
  for (let i = ref.offset; i < end; i++) out[i] = (rng.next() * 2 - 1) * scale;
}

function fillNorm(rng: Rng, out: Float32Array, ref: TensorRef): void {
  // around 1 like a trained norm, but not exactly 1 so the weight matters
  const end = ref.offset + ref.cols;
  for (let i = ref.offset; i < end; i++) out[i] = 1 + (rng.next() * 2 - 1) * 0.1;
}

/**
 * Builds the weights for `config` from `seed`. Uniform init scaled to keep
 * the residual stream and logits in a realistic range (std ≈ 1/√fan_in; the
 * output projections shrunk by √(2·layers) as in GPT-2).
 */
export function generateWeights(config: ModelConfig, seed: number, opts: { shared?: boolean } = {}): Weights {
  const layout = weightLayout(config);
  const bytes = layout.size * 4;
  const data = new Float32Array(opts.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const rng = new Rng(seed);
  const sqrt3 = Math.sqrt(3); // uniform(-a, a) has std a/√3
  const std = (s: number) => s * sqrt3;
  const resid = 1 / Math.sqrt(2 * config.nLayers);
  fillUniform(rng, data, layout.tokEmbedding, std(1));
  for (const l of layout.layers) {
    fillNorm(rng, data, l.attnNorm);
    fillUniform(rng, data, l.wqkv, std(1 / Math.sqrt(config.dim)));
    fillUniform(rng, data, l.wo, std(resid / Math.sqrt(config.dim)));
    fillNorm(rng, data, l.mlpNorm);
    fillUniform(rng, data, l.w13, std(1 / Math.sqrt(config.dim)));
    fillUniform(rng, data, l.w2, std(resid / Math.sqrt(config.hiddenDim)));
  }
  fillNorm(rng, data, layout.finalNorm);
  // a wider logit spread than 1/√dim makes greedy and sampled outputs differ visibly
  fillUniform(rng, data, layout.lmHead, std(3 / Math.sqrt(config.dim)));
  return { config, layout, data };
}

/** Floats read from weights per decoded token: all matrices once, one embedding row. */
export function decodeWeightFloats(c: ModelConfig): number {
  const l = weightLayout(c);
  return l.size - l.tokEmbedding.rows * l.tokEmbedding.cols + c.dim;
}
