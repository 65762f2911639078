// Model compute speed per backend and preset, and how close CPU decode gets to
// the memory bandwidth a plain loop reaches in this same process.
//
// Decoding one sequence reads every weight once per token, so
//   decode efficiency = (weight bytes per token × tokens/s) / plain-loop read bandwidth.
// The machine is shared, so each figure is the best of several short windows,
// and the bandwidth windows are interleaved with the decode windows. Besides
// wall-clock rates, single-threaded figures are also given per CPU-second
// (process.cpuUsage), which other processes' time-slicing does not distort.

import os from 'node:os';
import { PRESETS, type PresetName } from '../../workers/sandbox/model/config';
import { Rng } from '../../workers/sandbox/model/rng';
import { decodeWeightFloats, generateWeights } from '../../workers/sandbox/model/weights';
import { CpuRunner } from '../../workers/sandbox/runtime/cpu';
import { gemv, matmul } from '../../workers/sandbox/kernels/cpu/matmul';
import type { Weights } from '../../workers/sandbox/model/weights';
import type { ModelRunner, SeqHandle } from '../../workers/sandbox/runtime/types';

const line = (name: string, value: number, unit: string, note = '') =>
  console.log(`${name} ${Number.isFinite(value) ? value.toFixed(value < 10 ? 3 : 1) : 'NaN'} ${unit}${note ? `  # ${note}` : ''}`);

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Runs fn; returns [wall seconds, CPU seconds of this process]. */
async function timed(fn: () => unknown): Promise<[number, number]> {
  const c0 = cpuSeconds();
  const t0 = performance.now();
  await fn();
  return [(performance.now() - t0) / 1000, cpuSeconds() - c0];
}

class Best {
  wall = 0;
  cpu = 0;
  add(amount: number, [wall, cpu]: [number, number]): void {
    this.wall = Math.max(this.wall, amount / wall);
    this.cpu = Math.max(this.cpu, amount / cpu);
  }
}

// --- reference: a plain summing loop over 64 MB ---------------------------------
const BW_FLOATS = 16 * 1024 * 1024;
const bwData = new Float32Array(BW_FLOATS);
for (let i = 0; i < BW_FLOATS; i++) bwData[i] = (i & 1023) * 1e-3;
let sink = 0;

function sumLoop(a: Float32Array): number {
  // independent accumulators so the loop waits on loads, not on add latency
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  let s5 = 0;
  let s6 = 0;
  let s7 = 0;
  for (let i = 0; i < a.length; i += 8) {
    s0 += a[i];
    s1 += a[i + 1];
    s2 += a[i + 2];
    s3 += a[i + 3];
    s4 += a[i + 4];
    s5 += a[i + 5];
    s6 += a[i + 6];
    s7 += a[i + 7];
  }
  return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7;
}

const bandwidth = new Best(); // bytes/s
async function measureBandwidth(rounds = 1): Promise<void> {
  for (let r = 0; r < rounds; r++) bandwidth.add(BW_FLOATS * 4, await timed(() => (sink += sumLoop(bwData))));
}

// --- model helpers --------------------------------------------------------------
function prompt(n: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => 32 + Math.floor(rng.next() * 95));
}

async function prefillRate(r: ModelRunner, tokens: number, windows: number): Promise<Best> {
  const best = new Best();
  for (let w = 0; w < windows; w++) {
    const seq = r.allocSequence();
    best.add(tokens, await timed(() => r.prefill(seq, prompt(tokens, w))));
    r.freeSequence(seq);
  }
  return best;
}

async function startBatch(r: ModelRunner, batch: number, context = 8): Promise<SeqHandle[]> {
  const seqs = Array.from({ length: batch }, () => r.allocSequence());
  for (const [i, s] of seqs.entries()) await r.prefill(s, prompt(context, 100 + i));
  await r.decode(seqs.map((seq) => ({ seq, token: 65 }))); // warm-up step
  return seqs;
}

async function decodeWindow(r: ModelRunner, seqs: SeqHandle[], steps: number, best: Best): Promise<void> {
  best.add(steps * seqs.length, await timed(async () => {
    for (let i = 0; i < steps; i++) await r.decode(seqs.map((seq, j) => ({ seq, token: 65 + ((i + j) % 26) })));
  }));
}

/**
 * How much cheaper per row the batched matmul is than one gemv per row, over
 * the model's own matrices (layer 0's products and the LM head): the most that
 * batching prompt tokens or sequences can save on the products.
 */
function matmulGain(weights: Weights, rows: number): number {
  const c = weights.config;
  const ly = weights.layout.layers[0];
  const mats = [ly.wqkv, ly.wo, ly.w13, ly.w2, weights.layout.lmHead];
  const maxIn = Math.max(...mats.map((m) => m.cols));
  const x = Float32Array.from({ length: rows * maxIn }, (_, i) => Math.sin(i));
  const y = new Float32Array(rows * Math.max(...mats.map((m) => m.rows)));
  const one = () => {
    for (const m of mats) for (let r = 0; r < rows; r++) gemv(y, r * m.rows, x, r * m.cols, weights.data, m.offset, m.cols, 0, m.rows);
  };
  const together = () => {
    for (const m of mats) matmul(y, x, rows, weights.data, m.offset, m.cols, m.rows);
  };
  const reps = Math.max(1, Math.round(4e6 / (rows * c.dim * c.hiddenDim)));
  const best = [Infinity, Infinity];
  for (let w = 0; w < 8; w++) {
    for (const [i, f] of [one, together].entries()) {
      const c0 = cpuSeconds();
      for (let k = 0; k < reps; k++) f();
      best[i] = Math.min(best[i], cpuSeconds() - c0);
    }
  }
  return best[0] / best[1];
}

// steps · windows stays under maxSeqLen
const plan: Record<PresetName, { prefill: number; prefillWindows: number; steps: number; windows: number; batchSteps: number }> = {
  tiny: { prefill: 128, prefillWindows: 3, steps: 40, windows: 5, batchSteps: 16 },
  small: { prefill: 32, prefillWindows: 2, steps: 8, windows: 6, batchSteps: 3 },
};

console.log(`# load average ${os.loadavg()[0].toFixed(2)} on ${os.availableParallelism()} CPUs`);
await measureBandwidth(3);
for (const preset of ['tiny', 'small'] as const) {
  const c = PRESETS[preset];
  const p = plan[preset];
  const weights = generateWeights(c, 1, { shared: true });
  const bytesPerToken = decodeWeightFloats(c) * 4;
  console.log(`# ${preset}: ${(weights.data.length / 1e6).toFixed(2)}M params, ${(bytesPerToken / 1e6).toFixed(1)} MB of weights read per decoded token`);
  const one = await CpuRunner.create(weights, preset, { threads: 1 });
  const two = await CpuRunner.create(weights, preset, { threads: 2 });
  try {
    const tag = (t: number) => `sandbox.cpu.${preset}.threads${t}`;
    for (const [t, r] of [[1, one], [2, two]] as const) {
      const pf = await prefillRate(r, p.prefill, p.prefillWindows);
      line(`${tag(t)}.prefill`, pf.wall, 'tok/s', `${p.prefill}-token prompt${t === 1 ? `; ${pf.cpu.toFixed(1)} tok per CPU-second` : ''}`);
    }
    // batch-1 decode: windows of both modes and of the bandwidth loop take turns
    const d1 = new Best();
    const d2 = new Best();
    const s1 = await startBatch(one, 1);
    const s2 = await startBatch(two, 1);
    for (let w = 0; w < p.windows; w++) {
      await measureBandwidth(1);
      await decodeWindow(one, s1, p.steps, d1);
      await decodeWindow(two, s2, p.steps, d2);
    }
    const b8 = [new Best(), new Best()];
    for (const [i, r] of [one, two].entries()) {
      const seqs = await startBatch(r, 8);
      for (let w = 0; w < 3; w++) await decodeWindow(r, seqs, p.batchSteps, b8[i]);
    }
    const cache = preset === 'tiny' ? '; tiny fits in cache, so >1 is possible' : '';
    line(`${tag(1)}.decode_batch1`, d1.wall, 'tok/s', `${d1.cpu.toFixed(1)} tok per CPU-second`);
    line(`${tag(1)}.decode_batch8`, b8[0].wall, 'tok/s', `all 8 sequences together; ${b8[0].cpu.toFixed(1)} tok per CPU-second`);
    line(`${tag(1)}.decode_weight_read`, (d1.wall * bytesPerToken) / 1e9, 'GB/s');
    line(`${tag(1)}.decode_efficiency`, (d1.wall * bytesPerToken) / bandwidth.wall, 'ratio', `wall clock, vs the summing loop's ${(bandwidth.wall / 1e9).toFixed(2)} GB/s${cache}`);
    line(`${tag(1)}.decode_efficiency_cpu_time`, (d1.cpu * bytesPerToken) / bandwidth.cpu, 'ratio', `per CPU-second, vs ${(bandwidth.cpu / 1e9).toFixed(2)} GB/s`);
    line(`${tag(2)}.decode_batch1`, d2.wall, 'tok/s');
    line(`${tag(2)}.decode_batch8`, b8[1].wall, 'tok/s', 'all 8 sequences together');
    line(`${tag(2)}.decode_efficiency`, (d2.wall * bytesPerToken) / bandwidth.wall, 'ratio', 'two threads vs the single-thread summing loop');
    line(`${tag(2)}.decode_speedup`, d2.wall / d1.wall, 'ratio', 'two threads / one, windows interleaved');
    if (preset === 'tiny') {
      for (const rows of [4, 8, 16]) line(`${tag(1)}.matmul_rows${rows}_vs_gemv`, matmulGain(weights, rows), 'ratio', 'CPU time per row, gemv row by row / matmul of the rows together; every product of one layer and the LM head, best of 8 alternating windows');
      // What continuous batching can buy at a serving request's context (a 32–128-token prompt and
      // its output): weights are read once per batched step, but each sequence attends over its own
      // cache, so the gain shrinks as the context grows. Batch 1 and 8 windows take turns.
      for (const context of [8, 112]) {
        const [b1, b8c] = [new Best(), new Best()];
        const [q1, q8] = [await startBatch(one, 1, context), await startBatch(one, 8, context)];
        // the same steps for both, so both attend over the same contexts
        for (let w = 0; w < 6; w++) {
          await decodeWindow(one, q1, 8, b1);
          await decodeWindow(one, q8, 8, b8c);
        }
        for (const s of [...q1, ...q8]) one.freeSequence(s);
        line(`${tag(1)}.batch8_gain_context${context}`, b8c.cpu / b1.cpu, 'ratio', `tokens per CPU-second, batch 8 / batch 1, contexts ${context + 1}–${context + 49}, best of 6 windows each`);
      }
    }
  } finally {
    await one.dispose();
    await two.dispose();
  }
}
line('sandbox.cpu.read_bandwidth_64MB', bandwidth.wall / 1e9, 'GB/s', `plain summing loop, one thread, best window; ${(bandwidth.cpu / 1e9).toFixed(2)} GB per CPU-second`);

// --- WebGPU: tiny only, briefly (on SwiftShader a decode step takes ~0.1 s) -----------
try {
  const { createWebGpuRunner, requestNodeAdapter, describeAdapter } = await import('../../workers/sandbox/runtime/webgpu');
  const adapter = await requestNodeAdapter();
  if (!adapter) {
    console.log('# webgpu: no adapter (LD_LIBRARY_PATH / VK_ICD_FILENAMES unset?); not measured');
  } else {
    const a = describeAdapter(adapter);
    console.log(`# webgpu adapter: ${a.name} (fallback: ${a.isFallbackAdapter})`);
    const r = await createWebGpuRunner(generateWeights(PRESETS.tiny, 1), 'tiny', adapter);
    try {
      await prefillRate(r, 16, 1); // first use compiles the pipelines
      line('sandbox.webgpu.tiny.prefill', (await prefillRate(r, 64, 1)).wall, 'tok/s', '64-token prompt');
      for (const batch of [1, 4]) {
        const best = new Best();
        const seqs = await startBatch(r, batch);
        for (let w = 0; w < 2; w++) await decodeWindow(r, seqs, 3, best);
        line(`sandbox.webgpu.tiny.decode_batch${batch}`, best.wall, 'tok/s');
      }
    } finally {
      await r.dispose();
    }
  }
} catch (e) {
  console.log(`# webgpu failed: ${(e as Error).message}`);
  process.exitCode = 1;
}
if (sink === 42) console.log(''); // keeps the summing loop from being optimised away
