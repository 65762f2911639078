// Matrix products against row-major weights W[outDim][inDim]:
//   gemv:   y = W·x for one input row (decode of one sequence).
//   matmul: Y[r] = W·X[r] for several input rows (prefill, batched decode);
//           each weight row is fetched from memory once and reused for every
//           input row while it sits in L1.
// Twins of gemv.wgsl and matmul.wgsl. inDim must be even.
//
// V8 compiles these to scalar code, so they are limited by instructions per
// multiply-add rather than by memory: each loaded value is used as often as
// the registers allow (x against four weight rows; blocks of 2 weight rows ×
// 4 input rows, then 2 × 2 for the rows left over), x is widened to f64 once
// per call instead of once per use, and every output is summed in the same
// order — even and odd i in two accumulators, added at the end — so a
// sequence gets bit-identical logits whatever batch or thread split it is
// computed in. The 2 × 4 block sums the even and the odd i in two passes
// rather than side by side: its 8 running sums then fit the 16 registers
// with the 6 loaded values (side by side, 16 sums would spill), and each
// pass loads 6 values for 8 multiply-adds where the 2 × 2 block loads 8.

let x64 = new Float64Array(0);

/** x[off .. off+n) widened to f64 in a reused buffer. */
function widen(x: Float32Array, off: number, n: number): Float64Array {
  if (x64.length < n) x64 = new Float64Array(n);
  for (let i = 0; i < n; i++) x64[i] = x[off + i];
  return x64;
}

/** y[yOff + o] = Σ_i W[wOff + o·inDim + i] · x[xOff + i] for o in [rowStart, rowEnd). */
export function gemv(
  y: Float32Array,
  yOff: number,
  x32: Float32Array,
  xOff: number,
  w: Float32Array,
  wOff: number,
  inDim: number,
  rowStart: number,
  rowEnd: number,
): void {
  const x = widen(x32, xOff, inDim);
  let o = rowStart;
  for (; o + 4 <= rowEnd; o += 4) {
    const wa = wOff + o * inDim;
    const wb = wa + inDim;
    const wc = wb + inDim;
    const wd = wc + inDim;
    let a0 = 0;
    let a1 = 0;
    let b0 = 0;
    let b1 = 0;
    let c0 = 0;
    let c1 = 0;
    let d0 = 0;
    let d1 = 0;
    for (let i = 0; i < inDim; i += 2) {
      const x0 = x[i];
      const x1 = x[i + 1];
      a0 += w[wa + i] * x0;
      a1 += w[wa + i + 1] * x1;
      b0 += w[wb + i] * x0;
      b1 += w[wb + i + 1] * x1;
      c0 += w[wc + i] * x0;
      c1 += w[wc + i + 1] * x1;
      d0 += w[wd + i] * x0;
      d1 += w[wd + i + 1] * x1;
    }
    y[yOff + o] = a0 + a1;
    y[yOff + o + 1] = b0 + b1;
    y[yOff + o + 2] = c0 + c1;
    y[yOff + o + 3] = d0 + d1;
  }
  for (; o < rowEnd; o++) {
    const wa = wOff + o * inDim;
    let a0 = 0;
    let a1 = 0;
    for (let i = 0; i < inDim; i += 2) {
      a0 += w[wa + i] * x[i];
      a1 += w[wa + i + 1] * x[i + 1];
    }
    y[yOff + o] = a0 + a1;
  }
}

/**
 * Y[r·outDim + o] = Σ_i W[wOff + o·inDim + i] · X[r·inDim + i] for r < rows
 * and o in [rowStart, rowEnd) (a row range lets two threads split the work).
 */
export function matmul(
  y: Float32Array,
  x32: Float32Array,
  rows: number,
  w: Float32Array,
  wOff: number,
  inDim: number,
  outDim: number,
  rowStart = 0,
  rowEnd = outDim,
): void {
  if (rows === 1) {
    gemv(y, 0, x32, 0, w, wOff, inDim, rowStart, rowEnd);
    return;
  }
  const x = widen(x32, 0, rows * inDim);
  let o = rowStart;
  for (; o + 2 <= rowEnd; o += 2) {
    const wa = wOff + o * inDim;
    const wb = wa + inDim;
    let r = 0;
    for (; r + 4 <= rows; r += 4) {
      const xa = r * inDim;
      block2x4(even, w, wa, x, xa, inDim, 0);
      block2x4(odd, w, wa, x, xa, inDim, 1);
      for (let k = 0; k < 4; k++) {
        y[(r + k) * outDim + o] = even[k] + odd[k];
        y[(r + k) * outDim + o + 1] = even[4 + k] + odd[4 + k];
      }
    }
    for (; r + 2 <= rows; r += 2) {
      const xa = r * inDim;
      const xb = xa + inDim;
      let aa0 = 0;
      let aa1 = 0;
      let ab0 = 0;
      let ab1 = 0;
      let ba0 = 0;
      let ba1 = 0;
      let bb0 = 0;
      let bb1 = 0;
      for (let i = 0; i < inDim; i += 2) {
        const wa0 = w[wa + i];
        const wa1 = w[wa + i + 1];
        const wb0 = w[wb + i];
        const wb1 = w[wb + i + 1];
        const xa0 = x[xa + i];
        const xa1 = x[xa + i + 1];
        const xb0 = x[xb + i];
        const xb1 = x[xb + i + 1];
        aa0 += wa0 * xa0;
        aa1 += wa1 * xa1;
        ab0 += wa0 * xb0;
        ab1 += wa1 * xb1;
        ba0 += wb0 * xa0;
        ba1 += wb1 * xa1;
        bb0 += wb0 * xb0;
        bb1 += wb1 * xb1;
      }
      y[r * outDim + o] = aa0 + aa1;
      y[(r + 1) * outDim + o] = ab0 + ab1;
      y[r * outDim + o + 1] = ba0 + ba1;
      y[(r + 1) * outDim + o + 1] = bb0 + bb1;
    }
    if (r < rows) {
      const xa = r * inDim;
      let a0 = 0;
      let a1 = 0;
      let b0 = 0;
      let b1 = 0;
      for (let i = 0; i < inDim; i += 2) {
        const x0 = x[xa + i];
        const x1 = x[xa + i + 1];
        a0 += w[wa + i] * x0;
        a1 += w[wa + i + 1] * x1;
        b0 += w[wb + i] * x0;
        b1 += w[wb + i + 1] * x1;
      }
      y[r * outDim + o] = a0 + a1;
      y[r * outDim + o + 1] = b0 + b1;
    }
  }
  if (o < rowEnd) {
    const wa = wOff + o * inDim;
    for (let r = 0; r < rows; r++) {
      const xa = r * inDim;
      let a0 = 0;
      let a1 = 0;
      for (let i = 0; i < inDim; i += 2) {
        a0 += w[wa + i] * x[xa + i];
        a1 += w[wa + i + 1] * x[xa + i + 1];
      }
      y[r * outDim + o] = a0 + a1;
    }
  }
}

const even = new Float64Array(8);
const odd = new Float64Array(8);

/**
 * One parity (`start` 0: even i, 1: odd i) of the sums of weight rows
 * wa, wa + inDim against input rows xa … xa + 3·inDim, into
 * acc[0..4) (first weight row, input rows in turn) and acc[4..8) (second).
 */
function block2x4(acc: Float64Array, w: Float32Array, wa: number, x: Float64Array, xa: number, inDim: number, start: number): void {
  const wb = wa + inDim;
  const xb = xa + inDim;
  const xc = xb + inDim;
  const xd = xc + inDim;
  let aa = 0;
  let ab = 0;
  let ac = 0;
  let ad = 0;
  let ba = 0;
  let bb = 0;
  let bc = 0;
  let bd = 0;
  for (let i = start; i < inDim; i += 2) {
    const w0 = w[wa + i];
    const w1 = w[wb + i];
    const x0 = x[xa + i];
    aa += w0 * x0;
    ba += w1 * x0;
    const x1 = x[xb + i];
    ab += w0 * x1;
    bb += w1 * x1;
    const x2 = x[xc + i];
    ac += w0 * x2;
    bc += w1 * x2;
    const x3 = x[xd + i];
    ad += w0 * x3;
    bd += w1 * x3;
  }
  acc[0] = aa;
  acc[1] = ab;
  acc[2] = ac;
  acc[3] = ad;
  acc[4] = ba;
  acc[5] = bb;
  acc[6] = bc;
  acc[7] = bd;
}
