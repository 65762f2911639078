import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attention } from '../../../workers/sandbox/kernels/cpu/attention';
import { embedding } from '../../../workers/sandbox/kernels/cpu/embedding';
import { kvStore } from '../../../workers/sandbox/kernels/cpu/kv-store';
import { gemv, matmul } from '../../../workers/sandbox/kernels/cpu/matmul';
import { residualAdd } from '../../../workers/sandbox/kernels/cpu/residual';
import { rmsnorm } from '../../../workers/sandbox/kernels/cpu/rmsnorm';
import { rope, ropeTable } from '../../../workers/sandbox/kernels/cpu/rope';
import { swiglu } from '../../../workers/sandbox/kernels/cpu/swiglu';
import { Rng } from '../../../workers/sandbox/model/rng';
import { maxAbsDiff, randomArray, refAttentionHead, refMatmul, refRmsnorm, refRope, silu } from './reference';

// f32 storage against an f64 reference: relative error of a few ulps of the magnitudes involved.
const TOL = 1e-5;

test('embedding copies the table row of each token', () => {
  const rng = new Rng(1);
  const dim = 8;
  const table = randomArray(rng, 5 * dim + 3);
  const tokens = Int32Array.from([4, 0, 4, 2]);
  const out = new Float32Array(tokens.length * dim);
  embedding(out, table, 3, tokens, tokens.length, dim);
  for (let r = 0; r < tokens.length; r++) {
    assert.deepEqual(out.subarray(r * dim, (r + 1) * dim), table.subarray(3 + tokens[r] * dim, 3 + (tokens[r] + 1) * dim));
  }
});

test('rmsnorm matches x / rms(x) · w per row', () => {
  const rng = new Rng(2);
  const rows = 3;
  const dim = 64;
  const x = randomArray(rng, rows * dim, 4);
  const w = randomArray(rng, dim + 5);
  const out = new Float32Array(rows * dim);
  rmsnorm(out, x, w, 5, rows, dim, 1e-5);
  assert.ok(maxAbsDiff(out, refRmsnorm(x, w.subarray(5), rows, dim, 1e-5)) < TOL);
});

test('gemv matches the naive product, honours offsets and a row range', () => {
  const rng = new Rng(3);
  const inDim = 132;
  const outDim = 37;
  const w = randomArray(rng, 7 + outDim * inDim);
  const x = randomArray(rng, 2 + inDim);
  const ref = refMatmul(w.subarray(7), x.subarray(2), 1, inDim, outDim);
  const y = new Float32Array(outDim + 1).fill(NaN);
  gemv(y, 1, x, 2, w, 7, inDim, 0, outDim);
  assert.ok(maxAbsDiff(y.subarray(1), ref) < TOL);
  const part = new Float32Array(outDim).fill(-1);
  gemv(part, 0, x, 2, w, 7, inDim, 10, 20);
  assert.equal(part[9], -1);
  assert.equal(part[20], -1);
  assert.ok(maxAbsDiff(part.subarray(10, 20), ref.slice(10, 20)) < TOL);
});

test('matmul matches the naive product for 1..11 rows, and each row equals its own gemv bit for bit', () => {
  const rng = new Rng(4);
  const inDim = 64;
  const outDim = 19;
  const w = randomArray(rng, outDim * inDim);
  // 4-row blocks, then 2-row and single rows left over; an odd last weight row
  for (const rows of [1, 2, 3, 4, 5, 6, 7, 8, 11]) {
    const x = randomArray(rng, rows * inDim);
    const y = new Float32Array(rows * outDim);
    matmul(y, x, rows, w, 0, inDim, outDim);
    assert.ok(maxAbsDiff(y, refMatmul(w, x, rows, inDim, outDim)) < TOL, `rows=${rows}`);
    for (let r = 0; r < rows; r++) {
      const single = new Float32Array(outDim);
      gemv(single, 0, x, r * inDim, w, 0, inDim, 0, outDim);
      assert.deepEqual(y.subarray(r * outDim, (r + 1) * outDim), single, `batch invariance, row ${r} of ${rows}`);
    }
  }
});

test('rope rotates every head by the position-dependent angle; position 0 is the identity', () => {
  const rng = new Rng(5);
  const headDim = 16;
  const nHeads = 3;
  const t = ropeTable(64, headDim, 10000);
  for (const pos of [0, 1, 17, 63]) {
    const x = randomArray(rng, 4 + nHeads * headDim);
    const before = Float32Array.from(x);
    rope(x, 4, nHeads, headDim, pos, t);
    assert.deepEqual(x.subarray(0, 4), before.subarray(0, 4));
    for (let h = 0; h < nHeads; h++) {
      const s = 4 + h * headDim;
      const ref = refRope(before.subarray(s, s + headDim), pos, 10000);
      assert.ok(maxAbsDiff(x.subarray(s, s + headDim), ref) < TOL, `pos ${pos} head ${h}`);
    }
    if (pos === 0) assert.deepEqual(x, before);
  }
});

test('attention matches the naive softmax-weighted sum with grouped KV heads, and stays finite at large scores', () => {
  const rng = new Rng(6);
  const shape = { nHeads: 4, nKvHeads: 2, headDim: 8 };
  const kvDim = shape.nKvHeads * shape.headDim;
  // 11: two passes of four positions and a tail of three; 1 and 4: tail only, passes only
  for (const [len, scale] of [[11, 1], [11, 200], [1, 1], [4, 1]]) {
    // scale 200 gives scores ~1e4: exp() without the max shift would overflow to Infinity
    const q = randomArray(rng, shape.nHeads * shape.headDim, scale);
    const kOff = 3;
    const vOff = kOff + len * kvDim;
    const cache = randomArray(rng, vOff + len * kvDim, scale);
    const out = new Float32Array(shape.nHeads * shape.headDim);
    attention(out, 0, q, 0, cache, kOff, vOff, len, shape, new Float32Array(len));
    for (let h = 0; h < shape.nHeads; h++) {
      const kvh = Math.floor(h / 2);
      const row = (base: number, t: number) => Array.from(cache.subarray(base + t * kvDim + kvh * shape.headDim, base + t * kvDim + (kvh + 1) * shape.headDim));
      const keys = Array.from({ length: len }, (_, t) => row(kOff, t));
      const values = Array.from({ length: len }, (_, t) => row(vOff, t));
      const ref = refAttentionHead(Array.from(q.subarray(h * 8, h * 8 + 8)), keys, values);
      const got = out.subarray(h * 8, h * 8 + 8);
      assert.ok(got.every(Number.isFinite));
      assert.ok(maxAbsDiff(got, ref) < TOL * scale, `scale ${scale} head ${h}: ${maxAbsDiff(got, ref)}`);
    }
  }
});

test('swiglu is silu(gate) · up per row of the fused projection', () => {
  const rng = new Rng(7);
  const rows = 2;
  const hidden = 12;
  const gu = randomArray(rng, rows * 2 * hidden, 6);
  const out = new Float32Array(rows * hidden);
  swiglu(out, gu, rows, hidden);
  const ref: number[] = [];
  for (let r = 0; r < rows; r++) for (let i = 0; i < hidden; i++) ref.push(silu(gu[r * 2 * hidden + i]) * gu[r * 2 * hidden + hidden + i]);
  assert.ok(maxAbsDiff(out, ref) < TOL);
});

test('residualAdd adds in place over n elements only', () => {
  const x = Float32Array.from([1, 2, 3, 4]);
  residualAdd(x, Float32Array.from([0.5, -2, 10, 100]), 3);
  assert.deepEqual(x, Float32Array.from([1.5, 0, 13, 4]));
});

test('kvStore writes the row\'s k and v columns at the position, and nothing else', () => {
  const dim = 4;
  const kvDim = 2;
  const qkv = Float32Array.from([0, 0, 0, 0, 1, 2, 3, 4]); // q(4) | k(2) | v(2)
  const cache = new Float32Array(2 * 3 * kvDim); // K rows then V rows, 3 positions
  kvStore(cache, 0, 3 * kvDim, 1, qkv, 0, dim, kvDim);
  assert.deepEqual(Array.from(cache), [0, 0, 1, 2, 0, 0, 0, 0, 3, 4, 0, 0]);
});
