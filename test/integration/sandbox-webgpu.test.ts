// WebGPU backend on whatever adapter dawn.node finds — on CI that is
// SwiftShader (software Vulkan), which is slow, so these use the tiny preset
// and few tokens (the small preset for a handful of tokens only). Each WGSL kernel is checked against its CPU twin, then the
// whole model against the CPU runner.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { attention } from '../../workers/sandbox/kernels/cpu/attention';
import { embedding } from '../../workers/sandbox/kernels/cpu/embedding';
import { kvStore } from '../../workers/sandbox/kernels/cpu/kv-store';
import { gemv, matmul } from '../../workers/sandbox/kernels/cpu/matmul';
import { residualAdd } from '../../workers/sandbox/kernels/cpu/residual';
import { rmsnorm } from '../../workers/sandbox/kernels/cpu/rmsnorm';
import { rope, ropeTable } from '../../workers/sandbox/kernels/cpu/rope';
import { swiglu } from '../../workers/sandbox/kernels/cpu/swiglu';
import type { KernelName } from '../../workers/sandbox/kernels/index';
import { PRESETS } from '../../workers/sandbox/model/config';
import { Rng } from '../../workers/sandbox/model/rng';
import { argmax } from '../../workers/sandbox/model/sampling';
import { encode } from '../../workers/sandbox/model/tokenizer';
import { generateWeights } from '../../workers/sandbox/model/weights';
import { CpuRunner } from '../../workers/sandbox/runtime/cpu';
import { GpuContext, f32bits, gemvGroups, gemvRowGroups } from '../../workers/sandbox/runtime/gpu';
import { createRunner } from '../../workers/sandbox/runtime/index';
import { createWebGpuRunner, loadAllWgsl, openDevice, requestNodeAdapter } from '../../workers/sandbox/runtime/webgpu';
import { loadWgsl } from '../../workers/sandbox/kernels/index';

/**
 * Max abs difference allowed between WebGPU and CPU logits. The CPU sums in
 * f64 and the GPU in f32 in another order; on SwiftShader the observed
 * difference is ~5e-6 for logits of magnitude ~5, so 1e-4 leaves room for a
 * real GPU's fused multiply-adds while still catching any indexing bug (those
 * are O(1)).
 */
const LOGITS_TOLERANCE = 1e-4;
/** Per-kernel tolerance, relative to the magnitude of the outputs. */
const KERNEL_TOLERANCE = 1e-5;

let ctx: GpuContext;
/** gemv.wgsl as compiled for hardware adapters (a warp per row); `ctx` has it as for software ones */
let ctxWarpGemv: GpuContext;
let device: GPUDevice;

before(async () => {
  const adapter = await requestNodeAdapter();
  assert.ok(adapter, 'no WebGPU adapter: LD_LIBRARY_PATH and VK_ICD_FILENAMES must point at SwiftShader (test/run.ts sets them)');
  device = await openDevice(adapter, 1 << 20);
  ctx = await GpuContext.create(device, loadAllWgsl(), { gemv: { TPR: 1 } });
  ctxWarpGemv = await GpuContext.create(device, { gemv: loadWgsl('gemv') }, { gemv: { TPR: 32 } });
});

after(() => device?.destroy());

function rand(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Runs one kernel over host arrays (bindings 1.. in WGSL order) and returns binding `outIndex` after the run. */
async function runKernel(
  kernel: KernelName,
  inputs: (Float32Array | Uint32Array)[],
  outIndex: number,
  params: number[],
  groups: [number, number?, number?],
  on = ctx,
): Promise<Float32Array> {
  const bufs = inputs.map((a) => on.upload(a));
  on.submit(on.encode([{ kernel, buffers: bufs, params, groups }]));
  const out = new Float32Array(await on.read(bufs[outIndex], inputs[outIndex].byteLength));
  bufs.forEach((b) => { b.destroy(); });
  on.dropBindGroups();
  return out;
}

/** (token, position, slot, 0) per row, as the runner lays out row_info. */
function rowInfo(rows: [number, number, number][]): Uint32Array {
  return Uint32Array.from(rows.flatMap(([t, p, s]) => [t, p, s, 0]));
}

test('embedding.wgsl equals cpu/embedding', async () => {
  const rng = new Rng(1);
  const dim = 96;
  const table = rand(rng, 10 + 7 * dim);
  const tokens = Int32Array.from([6, 0, 3]);
  const want = new Float32Array(tokens.length * dim);
  embedding(want, table, 10, tokens, tokens.length, dim);
  const got = await runKernel('embedding', [table, rowInfo([[6, 0, 0], [0, 1, 0], [3, 2, 0]]), new Float32Array(want.length)], 2, [3, dim, 10], [2, 3]);
  assert.deepEqual(got, want);
});

test('rmsnorm.wgsl equals cpu/rmsnorm, including an input row offset', async () => {
  const rng = new Rng(2);
  const dim = 200;
  const x = rand(rng, 4 * dim, 3);
  const w = rand(rng, 5 + dim);
  const want = new Float32Array(3 * dim);
  rmsnorm(want, x.subarray(dim), w, 5, 3, dim, 1e-5);
  const got = await runKernel('rmsnorm', [w, x, new Float32Array(3 * dim)], 2, [3, dim, 5, dim, f32bits(1e-5)], [3]);
  assert.ok(maxAbsDiff(got, want) < KERNEL_TOLERANCE * maxAbs(want) * 10);
});

test('gemv.wgsl equals cpu gemv for 1 to 9 rows (four per workgroup row), with one invocation per row and with a warp per row', async () => {
  const rng = new Rng(3);
  const inDim = 132;
  const outDim = 70; // not a multiple of the rows per workgroup
  const w = rand(rng, 8 + outDim * inDim);
  for (const [tpr, on] of [[1, ctx], [32, ctxWarpGemv]] as const) {
    for (const rows of [1, 2, 3, 4, 5, 8, 9]) {
      const x = rand(rng, rows * inDim);
      const want = new Float32Array(rows * outDim);
      for (let r = 0; r < rows; r++) gemv(want, r * outDim, x, r * inDim, w, 8, inDim, 0, outDim);
      const got = await runKernel('gemv', [w, x, new Float32Array(rows * outDim)], 2, [rows, inDim, outDim, 8], [gemvGroups(outDim, tpr), gemvRowGroups(rows)], on);
      assert.ok(maxAbsDiff(got, want) < KERNEL_TOLERANCE * maxAbs(want) * 10, `TPR ${tpr}, rows ${rows}: ${maxAbsDiff(got, want)}`);
    }
  }
});

test('matmul.wgsl equals cpu matmul across partial tiles in every dimension', async () => {
  const rng = new Rng(4);
  const inDim = 200; // not a multiple of the 16-deep slice
  const outDim = 130; // 3 column tiles, the last partial
  const w = rand(rng, 3 + outDim * inDim);
  for (const rows of [5, 70]) {
    const x = rand(rng, rows * inDim);
    const want = new Float32Array(rows * outDim);
    matmul(want, x, rows, w, 3, inDim, outDim);
    const got = await runKernel('matmul', [w, x, new Float32Array(rows * outDim)], 2, [rows, inDim, outDim, 3], [Math.ceil(outDim / 64), Math.ceil(rows / 64)]);
    assert.ok(maxAbsDiff(got, want) < KERNEL_TOLERANCE * maxAbs(want) * 10, `rows ${rows}: ${maxAbsDiff(got, want)}`);
  }
});

test('rope.wgsl equals cpu/rope on the q and k heads of fused rows, leaving v alone', async () => {
  const rng = new Rng(5);
  const headDim = 16;
  const nQ = 3;
  const nK = 2;
  const qkvDim = (nQ + 2 * nK) * headDim;
  const positions = [0, 37];
  const t = ropeTable(64, headDim, 10000);
  const qkv = rand(rng, positions.length * qkvDim);
  const want = Float32Array.from(qkv);
  positions.forEach((pos, r) => {
    rope(want, r * qkvDim, nQ, headDim, pos, t);
    rope(want, r * qkvDim + nQ * headDim, nK, headDim, pos, t);
  });
  const info = rowInfo(positions.map((p) => [0, p, 0]));
  const got = await runKernel('rope', [info, t.cos, t.sin, qkv], 3, [2, nQ + nK, headDim, qkvDim], [1, 2]);
  assert.ok(maxAbsDiff(got, want) < KERNEL_TOLERANCE);
});

// a small KV pool: 3 slots of [layer 0..1][K | V][maxSeq 8][kvDim 8]
const kvShape = { nHeads: 4, nKvHeads: 2, headDim: 4, maxSeq: 8, layers: 2 };
const kvDim = kvShape.nKvHeads * kvShape.headDim;
const vOff = kvShape.maxSeq * kvDim;
const slotStride = kvShape.layers * 2 * vOff;

test('kv_store.wgsl equals cpu/kv-store: k and v land in the row’s slot, layer and position', async () => {
  const rng = new Rng(6);
  const dim = kvShape.nHeads * kvShape.headDim;
  const qkvDim = dim + 2 * kvDim;
  const rows: [number, number, number][] = [[0, 5, 2], [0, 0, 1]];
  const qkv = rand(rng, rows.length * qkvDim);
  const kv = rand(rng, 3 * slotStride);
  const want = Float32Array.from(kv);
  const layerOff = 2 * vOff; // layer 1
  rows.forEach(([, pos, slot], r) => { kvStore(want, slot * slotStride + layerOff, slot * slotStride + layerOff + vOff, pos, qkv, r * qkvDim, dim, kvDim); });
  const got = await runKernel('kv_store', [rowInfo(rows), qkv, kv], 2, [2, dim, kvDim, qkvDim, layerOff, vOff, slotStride], [1, 2]);
  assert.deepEqual(got, want);
});

test('attention.wgsl equals cpu/attention per row slot and length, and stays finite at large scores', async () => {
  const rng = new Rng(7);
  const { nHeads, nKvHeads, headDim } = kvShape;
  const dim = nHeads * headDim;
  const qkvDim = dim + 2 * kvDim;
  const rows: [number, number, number][] = [[0, 7, 2], [0, 2, 0], [0, 0, 1]]; // (pos → attends pos+1 positions, slot)
  for (const scale of [1, 60]) {
    const qkv = rand(rng, rows.length * qkvDim, scale);
    const kv = rand(rng, 3 * slotStride, scale);
    const layerOff = 2 * vOff;
    const want = new Float32Array(rows.length * dim);
    rows.forEach(([, pos, slot], r) => {
      const k = slot * slotStride + layerOff;
      attention(want, r * dim, qkv, r * qkvDim, kv, k, k + vOff, pos + 1, kvShape, new Float32Array(kvShape.maxSeq));
    });
    const got = await runKernel('attention', [rowInfo(rows), qkv, kv, new Float32Array(want.length)], 3, [rows.length, nHeads, nKvHeads, headDim, qkvDim, kvDim, layerOff, vOff, slotStride, dim], [nHeads, rows.length]);
    assert.ok(got.every(Number.isFinite));
    assert.ok(maxAbsDiff(got, want) < KERNEL_TOLERANCE * maxAbs(want) * 10, `scale ${scale}: ${maxAbsDiff(got, want)}`);
  }
});

test('swiglu.wgsl and residual.wgsl equal their CPU twins', async () => {
  const rng = new Rng(8);
  const hidden = 100;
  const gu = rand(rng, 2 * 2 * hidden, 8);
  const want = new Float32Array(2 * hidden);
  swiglu(want, gu, 2, hidden);
  const got = await runKernel('swiglu', [gu, new Float32Array(want.length)], 1, [2, hidden], [2, 2]);
  assert.ok(maxAbsDiff(got, want) < KERNEL_TOLERANCE * maxAbs(want));

  const x = rand(rng, 300);
  const y = rand(rng, 300);
  const sum = Float32Array.from(x);
  residualAdd(sum, y, 299);
  assert.deepEqual(await runKernel('residual', [y, x], 1, [299], [2]), sum);
});

test(`the tiny model gives the same logits on WebGPU and CPU (max abs diff < ${LOGITS_TOLERANCE})`, async () => {
  const weights = generateWeights(PRESETS.tiny, 99);
  const cpu = new CpuRunner(weights, 'tiny');
  const gpu = await createWebGpuRunner(weights, 'tiny');
  try {
    assert.equal(gpu.info.backend, 'webgpu');
    assert.ok(gpu.info.adapter?.name);
    const prompt = encode('The sandbox runs the same model on two backends.', { bos: true });
    const [c0, g0] = [cpu.allocSequence(), gpu.allocSequence()];
    const lc = await cpu.prefill(c0, prompt);
    const lg = await gpu.prefill(g0, prompt);
    assert.ok(maxAbsDiff(lc, lg) < LOGITS_TOLERANCE, `prefill: ${maxAbsDiff(lc, lg)}`);
    assert.ok(maxAbs(lc) > 1, 'logits are not trivially small');

    // a second sequence sharing a prefix, then greedy decoding of both together (GEMV path)
    const [c1, g1] = [cpu.allocSequence(), gpu.allocSequence()];
    cpu.copyPrefix(c0, c1, 12);
    gpu.copyPrefix(g0, g1, 12);
    let toks = [argmax(lc), 33];
    for (let step = 0; step < 3; step++) {
      const oc = await cpu.decode([{ seq: c0, token: toks[0] }, { seq: c1, token: toks[1] }]);
      const og = await gpu.decode([{ seq: g0, token: toks[0] }, { seq: g1, token: toks[1] }]);
      oc.forEach((o, i) => { assert.ok(maxAbsDiff(o, og[i]) < LOGITS_TOLERANCE, `step ${step} seq ${i}: ${maxAbsDiff(o, og[i])}`); });
      toks = oc.map(argmax);
      assert.deepEqual(og.map(argmax), toks, 'greedy choices agree');
    }
    assert.equal(g1.length, 15);

    // six sequences in one step take the tiled-matmul path
    const cs = [];
    const gs = [];
    for (let i = 0; i < 6; i++) {
      const p = encode(`s${i}`); // short prompts keep prefill on the cheap GEMV path
      cs.push(cpu.allocSequence());
      gs.push(gpu.allocSequence());
      await cpu.prefill(cs[i], p);
      await gpu.prefill(gs[i], p);
    }
    const oc = await cpu.decode(cs.map((seq, i) => ({ seq, token: 97 + i })));
    const og = await gpu.decode(gs.map((seq, i) => ({ seq, token: 97 + i })));
    oc.forEach((o, i) => { assert.ok(maxAbsDiff(o, og[i]) < LOGITS_TOLERANCE, `batch row ${i}: ${maxAbsDiff(o, og[i])}`); });
  } finally {
    await gpu.dispose();
  }
});

test(`the small (25M) model gives the same logits on WebGPU and CPU too (max abs diff < ${LOGITS_TOLERANCE}; 3 prompt tokens, 2 steps)`, async () => {
  const weights = generateWeights(PRESETS.small, 3);
  const cpu = new CpuRunner(weights, 'small');
  const gpu = await createWebGpuRunner(weights, 'small');
  try {
    const [c, g] = [cpu.allocSequence(), gpu.allocSequence()];
    const prompt = encode('Hi', { bos: true });
    const lc = await cpu.prefill(c, prompt);
    const lg = await gpu.prefill(g, prompt);
    assert.ok(maxAbsDiff(lc, lg) < LOGITS_TOLERANCE, `prefill: ${maxAbsDiff(lc, lg)}`);
    let tok = argmax(lc);
    for (let step = 0; step < 2; step++) {
      const [oc] = await cpu.decode([{ seq: c, token: tok }]);
      const [og] = await gpu.decode([{ seq: g, token: tok }]);
      assert.ok(maxAbsDiff(oc, og) < LOGITS_TOLERANCE, `step ${step}: ${maxAbsDiff(oc, og)}`);
      tok = argmax(oc);
    }
  } finally {
    await gpu.dispose();
  }
});

test('backend auto picks the CPU on a software adapter; webgpu forces the GPU and reports the adapter', async () => {
  const adapter = await requestNodeAdapter();
  const auto = await createRunner({ backend: 'auto', preset: 'tiny', seed: 1 });
  const forced = await createRunner({ backend: 'webgpu', preset: 'tiny', seed: 1 });
  try {
    assert.equal(forced.info.backend, 'webgpu');
    const fallback = forced.info.adapter!.isFallbackAdapter;
    assert.equal(fallback, Boolean(adapter!.info.isFallbackAdapter));
    assert.equal(auto.info.backend, fallback ? 'cpu' : 'webgpu');
  } finally {
    await auto.dispose();
    await forced.dispose();
  }
});
