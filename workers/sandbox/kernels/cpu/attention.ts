// Causal multi-head attention for one query position over a sequence's KV
// cache, with grouped-query heads and a max-shifted (numerically stable)
// softmax. Twin of attention.wgsl.

/** per-head output accumulator, f64 so the weighted sum is not rounded at every position */
let acc = new Float64Array(0);

export interface AttentionShape {
  nHeads: number;
  nKvHeads: number;
  headDim: number;
}

/**
 * out[h·headDim..] = softmax(q_h·K_t / √headDim over t < len) · V.
 * K and V rows are `kvDim = nKvHeads·headDim` floats, starting at kOff / vOff
 * in `cache`. `scores` is caller-owned scratch of at least `len` floats.
 */
export function attention(
  out: Float32Array,
  outOff: number,
  q: Float32Array,
  qOff: number,
  cache: Float32Array,
  kOff: number,
  vOff: number,
  len: number,
  shape: AttentionShape,
  scores: Float32Array,
): void {
  const { nHeads, nKvHeads, headDim } = shape;
  const kvDim = nKvHeads * headDim;
  const group = nHeads / nKvHeads;
  const scale = 1 / Math.sqrt(headDim);
  if (acc.length < headDim) acc = new Float64Array(headDim);
  for (let h = 0; h < nHeads; h++) {
    const qb = qOff + h * headDim;
    const kvh = (h / group) | 0;
    let max = -Infinity;
    for (let t = 0; t < len; t++) {
      const kb = kOff + t * kvDim + kvh * headDim;
      let s0 = 0;
      let s1 = 0;
      for (let i = 0; i < headDim; i += 2) {
        s0 += q[qb + i] * cache[kb + i];
        s1 += q[qb + i + 1] * cache[kb + i + 1];
      }
      const s = (s0 + s1) * scale;
      scores[t] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let t = 0; t < len; t++) {
      const e = Math.exp(scores[t] - max);
      scores[t] = e;
      sum += e;
    }
    acc.fill(0, 0, headDim);
    for (let t = 0; t < len; t++) {
      const p = scores[t];
      const vb = vOff + t * kvDim + kvh * headDim;
      for (let i = 0; i < headDim; i++) acc[i] += p * cache[vb + i];
    }
    const ob = outOff + h * headDim;
    const inv = 1 / sum;
    for (let i = 0; i < headDim; i++) out[ob + i] = acc[i] * inv;
  }
}
