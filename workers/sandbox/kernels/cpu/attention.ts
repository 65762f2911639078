// Causal multi-head attention for one query position over a sequence's KV
// cache, with grouped-query heads and a max-shifted (numerically stable)
// softmax. Twin of attention.wgsl.
//
// Attention is the part of a decode step that batching does not share (each
// sequence reads its own cache), so its cost per multiply-add decides how much
// a batch gains at serving-length contexts. The score loop takes four positions
// per pass (q loaded once for four); the value loop takes eight output
// dimensions at a time, their f64 sums in registers over every position. Every
// sum keeps its order — each score is even/odd lanes added at the end, each
// output adds positions in turn — so the results are bit-identical to the
// one-position loops.

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
  for (let h = 0; h < nHeads; h++) {
    const qb = qOff + h * headDim;
    const kvh = (h / group) | 0;
    const kh = kOff + kvh * headDim;
    // the max is taken over the f64 scores, before `scores` rounds them to f32
    let max = -Infinity;
    let t = 0;
    for (; t + 4 <= len; t += 4) {
      const ka = kh + t * kvDim;
      const kb = ka + kvDim;
      const kc = kb + kvDim;
      const kd = kc + kvDim;
      let a0 = 0;
      let a1 = 0;
      let b0 = 0;
      let b1 = 0;
      let c0 = 0;
      let c1 = 0;
      let d0 = 0;
      let d1 = 0;
      for (let i = 0; i < headDim; i += 2) {
        const q0 = q[qb + i];
        const q1 = q[qb + i + 1];
        a0 += q0 * cache[ka + i];
        a1 += q1 * cache[ka + i + 1];
        b0 += q0 * cache[kb + i];
        b1 += q1 * cache[kb + i + 1];
        c0 += q0 * cache[kc + i];
        c1 += q1 * cache[kc + i + 1];
        d0 += q0 * cache[kd + i];
        d1 += q1 * cache[kd + i + 1];
      }
      const sa = (a0 + a1) * scale;
      const sb = (b0 + b1) * scale;
      const sc = (c0 + c1) * scale;
      const sd = (d0 + d1) * scale;
      scores[t] = sa;
      scores[t + 1] = sb;
      scores[t + 2] = sc;
      scores[t + 3] = sd;
      if (sa > max) max = sa;
      if (sb > max) max = sb;
      if (sc > max) max = sc;
      if (sd > max) max = sd;
    }
    for (; t < len; t++) {
      const kb = kh + t * kvDim;
      let s0 = 0;
      let s1 = 0;
      for (let i = 0; i < headDim; i += 2) {
        s0 += q[qb + i] * cache[kb + i];
        s1 += q[qb + i + 1] * cache[kb + i + 1];
      }
      const st = (s0 + s1) * scale;
      scores[t] = st;
      if (st > max) max = st;
    }
    let sum = 0;
    for (let t = 0; t < len; t++) {
      const e = Math.exp(scores[t] - max);
      scores[t] = e;
      sum += e;
    }
    const vh = vOff + kvh * headDim;
    const ob = outOff + h * headDim;
    const inv = 1 / sum;
    // Eight output dimensions at a time, their sums held in registers across every
    // position: one score and eight values loaded per eight multiply-adds.
    let i = 0;
    for (; i + 8 <= headDim; i += 8) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let a4 = 0;
      let a5 = 0;
      let a6 = 0;
      let a7 = 0;
      for (let t = 0, v = vh + i; t < len; t++, v += kvDim) {
        const p = scores[t];
        a0 += p * cache[v];
        a1 += p * cache[v + 1];
        a2 += p * cache[v + 2];
        a3 += p * cache[v + 3];
        a4 += p * cache[v + 4];
        a5 += p * cache[v + 5];
        a6 += p * cache[v + 6];
        a7 += p * cache[v + 7];
      }
      out[ob + i] = a0 * inv;
      out[ob + i + 1] = a1 * inv;
      out[ob + i + 2] = a2 * inv;
      out[ob + i + 3] = a3 * inv;
      out[ob + i + 4] = a4 * inv;
      out[ob + i + 5] = a5 * inv;
      out[ob + i + 6] = a6 * inv;
      out[ob + i + 7] = a7 * inv;
    }
    // headDim is even (RoPE): the rest two at a time
    for (; i < headDim; i += 2) {
      let a0 = 0;
      let a1 = 0;
      for (let t = 0, v = vh + i; t < len; t++, v += kvDim) {
        const p = scores[t];
        a0 += p * cache[v];
        a1 += p * cache[v + 1];
      }
      out[ob + i] = a0 * inv;
      out[ob + i + 1] = a1 * inv;
    }
  }
}
