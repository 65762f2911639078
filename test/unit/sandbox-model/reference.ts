// Naive f64 reference implementations for the sandbox model tests: written
// for obviousness, not speed, and independently of the kernels they check.

import type { Rng } from '../../../workers/sandbox/model/rng';

export function randomArray(rng: Rng, n: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() * 2 - 1) * scale;
  return a;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** y[r][o] = Σ_i W[o][i] x[r][i] */
export function refMatmul(w: ArrayLike<number>, x: ArrayLike<number>, rows: number, inDim: number, outDim: number): number[] {
  const y: number[] = [];
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outDim; o++) {
      let s = 0;
      for (let i = 0; i < inDim; i++) s += w[o * inDim + i] * x[r * inDim + i];
      y.push(s);
    }
  return y;
}

export function refRmsnorm(x: ArrayLike<number>, w: ArrayLike<number>, rows: number, dim: number, eps: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: dim }, (_, i) => x[r * dim + i]);
    const rms = Math.sqrt(row.reduce((s, v) => s + v * v, 0) / dim + eps);
    row.forEach((v, i) => { out.push((v / rms) * w[i]); });
  }
  return out;
}

/** Rotation of pairs (2i, 2i+1) by angle pos·θ^(-2i/d), as complex multiplication. */
export function refRope(head: ArrayLike<number>, pos: number, theta: number): number[] {
  const d = head.length;
  const out: number[] = [];
  for (let i = 0; i < d / 2; i++) {
    const ang = pos / theta ** ((2 * i) / d);
    const re = head[2 * i];
    const im = head[2 * i + 1];
    out.push(re * Math.cos(ang) - im * Math.sin(ang), re * Math.sin(ang) + im * Math.cos(ang));
  }
  return out;
}

/** Softmax attention of one head: q [d], keys/values [len][d]. Uses the textbook (unshifted) formula in f64. */
export function refAttentionHead(q: number[], keys: number[][], values: number[][]): number[] {
  const d = q.length;
  const logits = keys.map((k) => k.reduce((s, kv, i) => s + kv * q[i], 0) / Math.sqrt(d));
  const m = Math.max(...logits); // f64 overflows only past ~709; shift anyway to compare meaningfully at large scores
  const e = logits.map((l) => Math.exp(l - m));
  const z = e.reduce((a, b) => a + b, 0);
  return Array.from({ length: d }, (_, i) => values.reduce((s, v, t) => s + (e[t] / z) * v[i], 0));
}

export function silu(a: number): number {
  return a / (1 + Math.exp(-a));
}

import type { Weights } from '../../../workers/sandbox/model/weights';

/**
 * The whole model, naively, in f64: processes `tokens` from position 0 with
 * full causal attention recomputed from scratch and returns the logits of
 * every position. Independent of the runtime's KV cache and scratch layout.
 */
export function refForward(weights: Weights, tokens: number[]): number[][] {
  const { config: c, layout: L, data: w } = weights;
  const hd = c.dim / c.nHeads;
  const kvd = hd * c.nKvHeads;
  const mat = (off: number, x: number[], outDim: number) => refMatmul(w.subarray(off, off + outDim * x.length), x, 1, x.length, outDim);
  const norm = (off: number, x: number[]) => refRmsnorm(x, w.subarray(off, off + c.dim), 1, c.dim, c.normEps);
  let xs = tokens.map((t) => Array.from(w.subarray(L.tokEmbedding.offset + t * c.dim, L.tokEmbedding.offset + (t + 1) * c.dim)));
  for (const ly of L.layers) {
    const qs: number[][][] = [];
    const ks: number[][][] = [];
    const vs: number[][][] = [];
    xs.forEach((x, pos) => {
      const qkv = mat(ly.wqkv.offset, norm(ly.attnNorm.offset, x), c.dim + 2 * kvd);
      const heads = (base: number, n: number) => Array.from({ length: n }, (_, h) => qkv.slice(base + h * hd, base + (h + 1) * hd));
      qs.push(heads(0, c.nHeads).map((h) => refRope(h, pos, c.ropeTheta)));
      ks.push(heads(c.dim, c.nKvHeads).map((h) => refRope(h, pos, c.ropeTheta)));
      vs.push(heads(c.dim + kvd, c.nKvHeads));
    });
    xs = xs.map((x, pos) => {
      const att: number[] = [];
      for (let h = 0; h < c.nHeads; h++) {
        const g = Math.floor(h / (c.nHeads / c.nKvHeads));
        att.push(...refAttentionHead(qs[pos][h], ks.slice(0, pos + 1).map((k) => k[g]), vs.slice(0, pos + 1).map((v) => v[g])));
      }
      const o = mat(ly.wo.offset, att, c.dim);
      const x1 = x.map((v, i) => v + o[i]);
      const gu = mat(ly.w13.offset, norm(ly.mlpNorm.offset, x1), 2 * c.hiddenDim);
      const hidden = Array.from({ length: c.hiddenDim }, (_, i) => silu(gu[i]) * gu[c.hiddenDim + i]);
      const down = mat(ly.w2.offset, hidden, c.dim);
      return x1.map((v, i) => v + down[i]);
    });
  }
  return xs.map((x) => mat(L.lmHead.offset, norm(L.finalNorm.offset, x), c.vocabSize));
}
