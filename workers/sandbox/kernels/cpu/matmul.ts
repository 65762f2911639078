// Matrix products against row-major weights W[outDim][inDim]:
//   gemv:   y = W·x for one input row (decode of one sequence) — memory-bound,
//           so it streams each weight row once with four independent
//           accumulators (lets the CPU overlap loads and multiply-adds).
//   matmul: Y[r] = W·X[r] for several input rows (prefill, batched decode) —
//           each weight row is loaded once and reused for every input row,
//           so a batch of B costs far less than B separate GEMVs.
// Twins of gemv.wgsl and matmul.wgsl. inDim must be a multiple of 4.

/** y[yOff + o] = Σ_i W[wOff + o·inDim + i] · x[xOff + i] for o in [rowStart, rowEnd). */
export function gemv(
  y: Float32Array,
  yOff: number,
  x: Float32Array,
  xOff: number,
  w: Float32Array,
  wOff: number,
  inDim: number,
  rowStart: number,
  rowEnd: number,
): void {
  let o = rowStart;
  // Two weight rows per pass share each load of x: V8 emits scalar code, so
  // fewer loads per weight is what brings this close to a plain summing loop.
  for (; o + 2 <= rowEnd; o += 2) {
    const wa = wOff + o * inDim;
    const wb = wa + inDim;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    let b3 = 0;
    for (let i = 0; i < inDim; i += 4) {
      const x0 = x[xOff + i];
      const x1 = x[xOff + i + 1];
      const x2 = x[xOff + i + 2];
      const x3 = x[xOff + i + 3];
      a0 += w[wa + i] * x0;
      a1 += w[wa + i + 1] * x1;
      a2 += w[wa + i + 2] * x2;
      a3 += w[wa + i + 3] * x3;
      b0 += w[wb + i] * x0;
      b1 += w[wb + i + 1] * x1;
      b2 += w[wb + i + 2] * x2;
      b3 += w[wb + i + 3] * x3;
    }
    y[yOff + o] = a0 + a1 + a2 + a3;
    y[yOff + o + 1] = b0 + b1 + b2 + b3;
  }
  if (o < rowEnd) {
    // same four-accumulator order as above, so results do not depend on row parity
    const wa = wOff + o * inDim;
    let a0 = 0;
    let a1 = 0;
    let a2 = 0;
    let a3 = 0;
    for (let i = 0; i < inDim; i += 4) {
      a0 += w[wa + i] * x[xOff + i];
      a1 += w[wa + i + 1] * x[xOff + i + 1];
      a2 += w[wa + i + 2] * x[xOff + i + 2];
      a3 += w[wa + i + 3] * x[xOff + i + 3];
    }
    y[yOff + o] = a0 + a1 + a2 + a3;
  }
}

/**
 * Y[r·outDim + o] = Σ_i W[wOff + o·inDim + i] · X[r·inDim + i] for r < rows
 * and o in [rowStart, rowEnd) (a row range lets two threads split the work).
 *
 * The weight row is the outer loop, so each row is fetched from memory once
 * and then served from L1 to every input row. Input rows go in pairs with the
 * same four-accumulator order as `gemv`, so a sequence gets bit-identical
 * results whatever batch it is decoded in.
 */
export function matmul(
  y: Float32Array,
  x: Float32Array,
  rows: number,
  w: Float32Array,
  wOff: number,
  inDim: number,
  outDim: number,
  rowStart = 0,
  rowEnd = outDim,
): void {
  if (rows === 1) {
    gemv(y, 0, x, 0, w, wOff, inDim, rowStart, rowEnd);
    return;
  }
  for (let o = rowStart; o < rowEnd; o++) {
    const wb = wOff + o * inDim;
    let r = 0;
    for (; r + 2 <= rows; r += 2) {
      const xa = r * inDim;
      const xb = xa + inDim;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let b0 = 0;
      let b1 = 0;
      let b2 = 0;
      let b3 = 0;
      for (let i = 0; i < inDim; i += 4) {
        const w0 = w[wb + i];
        const w1 = w[wb + i + 1];
        const w2 = w[wb + i + 2];
        const w3 = w[wb + i + 3];
        a0 += w0 * x[xa + i];
        a1 += w1 * x[xa + i + 1];
        a2 += w2 * x[xa + i + 2];
        a3 += w3 * x[xa + i + 3];
        b0 += w0 * x[xb + i];
        b1 += w1 * x[xb + i + 1];
        b2 += w2 * x[xb + i + 2];
        b3 += w3 * x[xb + i + 3];
      }
      y[r * outDim + o] = a0 + a1 + a2 + a3;
      y[(r + 1) * outDim + o] = b0 + b1 + b2 + b3;
    }
    if (r < rows) gemv(y, r * outDim, x, r * inDim, w, wOff, inDim, o, o + 1);
  }
}
