// The WebGPU backend's kernels against the adapter they run on, all measured in
// this run:
//   - the adapter's read bandwidth: a streaming read kernel (vec4 loads, one
//     sum per invocation), timed with timestamp queries — the reference;
//   - gemv.wgsl on a matrix of the same size: its weight bytes per second, as a
//     fraction of that reference (decode reads every weight once per step, so
//     this fraction is decode's ceiling);
//   - model decode tokens/s per preset and batch, untimed against timed (every
//     dispatch's timestamps, as the sandbox runs with telemetry) in alternating
//     rounds: the cost of GPU timing; and the model's own GEMV bandwidth while
//     decoding, from those timestamps.
// Prints `name value unit` lines; never fails on speed. Without an adapter it
// says so and exits 0. WEBGPU_BENCH_STEPS / WEBGPU_BENCH_ROUNDS set the decode
// rounds (a software adapter defaults to 3 steps × 4 rounds, too few to resolve
// a few per cent).
import { PRESETS, type PresetName } from '../../workers/sandbox/model/config';
import { Rng } from '../../workers/sandbox/model/rng';
import { decodeWeightFloats, generateWeights } from '../../workers/sandbox/model/weights';
import { GpuContext, Usage, dispatchDurationsNs, gemvGroups, gemvThreadsPerRow } from '../../workers/sandbox/runtime/gpu';
import type { GpuPassTiming, SeqHandle } from '../../workers/sandbox/runtime/types';
import { createWebGpuRunner, describeAdapter, loadAllWgsl, openDevice, requestNodeAdapter, type WebGpuRunner } from '../../workers/sandbox/runtime/webgpu';
import { DEFAULT_KERNEL_SAMPLE_EVERY } from '../../workers/sandbox/runtime/webgpu-runner';

const line = (name: string, value: number, unit: string, note = '') =>
  console.log(`${name} ${Number.isFinite(value) ? value.toFixed(Math.abs(value) < 10 ? 3 : 1) : 'NaN'} ${unit}${note ? `  # ${note}` : ''}`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A read kernel the GEMV can be compared with: every invocation strides over
// the buffer with vec4 loads and writes one sum, so it moves the bytes and
// little else (the write is 1/stride of the reads).
const READ_WGSL = `
struct Params { n4: u32, stride: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  var acc = vec4<f32>(0.0);
  for (var i = g.x; i < p.n4; i += p.stride) { acc += src[i]; }
  dst[g.x] = acc.x + acc.y + acc.z + acc.w;
}`;

/** One dispatch of the read kernel, timed with a timestamp pair; returns nanoseconds. */
async function readKernel(device: GPUDevice, bytes: number, invocations: number) {
  const module = device.createShaderModule({ code: READ_WGSL });
  const pipeline = await device.createComputePipelineAsync({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const params = device.createBuffer({ size: 16, usage: Usage.UNIFORM | Usage.COPY_DST });
  device.queue.writeBuffer(params, 0, new Uint32Array([bytes / 16, invocations, 0, 0]));
  const src = device.createBuffer({ size: bytes, usage: Usage.STORAGE | Usage.COPY_DST });
  const dst = device.createBuffer({ size: invocations * 4, usage: Usage.STORAGE });
  const group = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [params, src, dst].map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 });
  const resolve = device.createBuffer({ size: 16, usage: Usage.QUERY_RESOLVE | Usage.COPY_SRC });
  const read = device.createBuffer({ size: 16, usage: Usage.MAP_READ | Usage.COPY_DST });
  return async () => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(invocations / 256);
    pass.end();
    enc.resolveQuerySet(querySet, 0, 2, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, 16);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(0x1);
    const ns = dispatchDurationsNs(new BigUint64Array(read.getMappedRange().slice(0)), 1)[0];
    read.unmap();
    return ns;
  };
}

/** The read kernel's bandwidth and gemv.wgsl's over a weight matrix of the same size, alternating. */
async function bandwidthReference(adapter: GPUAdapter, bytes: number, fallback: boolean) {
  const device = await openDevice(adapter, bytes, 'timestamp-query');
  try {
    const invocations = fallback ? 256 * 16 : 256 * 4096;
    const read = await readKernel(device, bytes, invocations);
    const tpr = gemvThreadsPerRow(fallback);
    const gemv = await GpuContext.create(device, { gemv: loadAllWgsl().gemv }, { gemv: { TPR: tpr } }, 'timestamp-query');
    // gemv over the same bytes: inDim 4096, outDim = bytes / 16 KiB rows
    const inDim = 4096;
    const outDim = bytes / 4 / inDim;
    const rng = new Rng(1);
    const w = gemv.buffer(bytes);
    const x = gemv.upload(Float32Array.from({ length: inDim }, () => rng.next()));
    const y = gemv.buffer(outDim * 4);
    const ts = gemv.buffer(16, Usage.MAP_READ | Usage.COPY_DST);
    const runGemv = async () => {
      const enc = gemv.encode([{ kernel: 'gemv', buffers: [w, x, y], params: [1, inDim, outDim, 0], groups: [gemvGroups(outDim, tpr)] }], { timestamps: 'dispatch' });
      gemv.copyTimestamps(enc, 1, ts, 0);
      gemv.submit(enc);
      return dispatchDurationsNs(new BigUint64Array(await gemv.mapRead(ts, 16)), 1)[0];
    };
    const readNs: number[] = [];
    const gemvNs: number[] = [];
    await read(); // warm-up
    await runGemv();
    // alternating, so clock changes hit both
    for (let i = 0; i < (fallback ? 3 : 20); i++) {
      readNs.push(await read());
      gemvNs.push(await runGemv());
    }
    return { readGBs: bytes / median(readNs), gemvGBs: (bytes + inDim * 4 + outDim * 4) / median(gemvNs), readMs: median(readNs) / 1e6, gemvMs: median(gemvNs) / 1e6 };
  } finally {
    device.destroy();
  }
}

function prompt(n: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  return Int32Array.from({ length: n }, () => 32 + Math.floor(rng.next() * 95));
}

/** Decode tokens/s of `batch` sequences over `steps` steps, timed (timestamps on every dispatch) or not. */
async function decodeRound(r: WebGpuRunner, seqs: SeqHandle[], steps: number, timed: boolean, sink: GpuPassTiming[]): Promise<number> {
  r.onGpuTiming = timed ? (t) => sink.push(t) : undefined;
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await r.decode(seqs.map((seq, j) => ({ seq, token: 65 + ((i + j) % 26) })));
  const s = (performance.now() - t0) / 1000;
  for (const q of seqs) q.length -= steps; // rewind: the next round decodes the same positions
  r.onGpuTiming = undefined;
  return (steps * seqs.length) / s;
}

async function main() {
  const adapter = await requestNodeAdapter();
  if (!adapter) {
    console.log('# webgpu: no adapter (LD_LIBRARY_PATH / VK_ICD_FILENAMES unset?); not measured');
    return;
  }
  const a = describeAdapter(adapter);
  const hasTs = adapter.features.has('timestamp-query');
  console.log(`# webgpu adapter: ${a.name} (vendor ${a.vendor ?? '?'}, fallback ${a.isFallbackAdapter}); timestamp-query: ${hasTs ? 'yes' : 'no'}`);
  if (!hasTs) {
    console.log('# without timestamp-query the kernel figures below cannot be measured; decode tok/s only');
  }
  const fallback = a.isFallbackAdapter;
  if (hasTs) {
    const bytes = fallback ? 32 << 20 : 512 << 20;
    const bw = await bandwidthReference((await requestNodeAdapter())!, bytes, fallback);
    line('webgpu.read_bandwidth', bw.readGBs, 'GB/s', `streaming read kernel over ${bytes >> 20} MiB, median ${bw.readMs.toFixed(3)} ms: the reference`);
    line('webgpu.gemv_bandwidth', bw.gemvGBs, 'GB/s', `gemv.wgsl, 1 row × ${bytes >> 20} MiB of weights, median ${bw.gemvMs.toFixed(3)} ms`);
    line('webgpu.gemv_bandwidth_fraction', bw.gemvGBs / bw.readGBs, 'ratio', 'GEMV bytes/s over the read kernel, same run');
    (globalThis as { refGBs?: number }).refGBs = bw.readGBs;
  }
  const presets: PresetName[] = fallback ? ['tiny'] : ['tiny', 'small'];
  for (const preset of presets) {
    const c = PRESETS[preset];
    const weights = generateWeights(c, 1);
    // An adapter opens one device: a fresh one per runner. `r` times every pass whole and one in 32 per
    // dispatch (the sandbox's default), or runs untimed when no sink is set; `every` times every
    // dispatch; `sub` brackets submissions, the fallback for adapters without timestamp-query.
    const r = await createWebGpuRunner(weights, preset, await requestNodeAdapter());
    const every = await createWebGpuRunner(weights, preset, await requestNodeAdapter(), { kernelSampleEvery: 1 });
    const sub = await createWebGpuRunner(weights, preset, await requestNodeAdapter(), { timing: 'submission' });
    const runners = [r, every, sub];
    try {
      for (const batch of fallback ? [1, 4] : [1, 8]) {
        const seqs = runners.map((x) => Array.from({ length: batch }, () => x.allocSequence()));
        for (const [k, x] of runners.entries()) for (const [i, q] of seqs[k].entries()) await x.prefill(q, prompt(4, i));
        const steps = Number(process.env.WEBGPU_BENCH_STEPS ?? (fallback ? 3 : 96));
        const rounds = Number(process.env.WEBGPU_BENCH_ROUNDS ?? (fallback ? 4 : 16));
        const sink: GpuPassTiming[] = [];
        const waste: GpuPassTiming[] = [];
        for (const [k, x] of runners.entries()) await decodeRound(x, seqs[k], steps, k > 0, waste); // warm-up
        const variants = {
          off: () => decodeRound(r, seqs[0], steps, false, waste),
          timestamps: () => decodeRound(r, seqs[0], steps, true, waste),
          every_dispatch: () => decodeRound(every, seqs[1], steps, true, sink),
          submission: () => decodeRound(sub, seqs[2], steps, true, waste),
        };
        const got: Record<keyof typeof variants, number[]> = { off: [], timestamps: [], every_dispatch: [], submission: [] };
        const order = Object.keys(variants) as (keyof typeof variants)[];
        for (let k = 0; k < rounds; k++) {
          // rotate the order so drift hits every variant alike
          for (let j = 0; j < order.length; j++) {
            const v = order[(j + k) % order.length];
            got[v].push(await variants[v]());
          }
        }
        const tag = `webgpu.${preset}.decode_batch${batch}`;
        line(tag, median(got.off), 'tok/s', `untimed, median of ${rounds} rounds of ${steps} steps`);
        const what = {
          timestamps: `every pass timed whole, 1 in ${DEFAULT_KERNEL_SAMPLE_EVERY} per dispatch (the default)`,
          every_dispatch: 'a timestamp pair on every dispatch',
          submission: 'onSubmittedWorkDone around every submission',
        };
        for (const v of ['timestamps', 'every_dispatch', 'submission'] as const) {
          if (v !== 'submission' && !hasTs) continue;
          const pairs = got[v].map((x, i) => x / got.off[i]);
          line(`${tag}_${v}`, median(got[v]), 'tok/s', what[v]);
          line(`${tag}_${v}_overhead`, (1 - median(pairs)) * 100, '%', `median of ${rounds} paired rounds (goal <= 3); pairs ${Math.min(...pairs).toFixed(3)}..${Math.max(...pairs).toFixed(3)}`);
        }
        // The model's own GEMV while decoding: weight bytes it reads / its GPU time.
        // (`sink` holds passes of the every-dispatch runner: none is split, each has its own `ms`)
        const gemvMs = sink.flatMap((t) => t.kernels.flatMap((k, i) => (k === 'gemv' ? [t.ms[i]] : [])));
        const ref = (globalThis as { refGBs?: number }).refGBs;
        if (gemvMs.length && ref) {
          const passes = sink.length;
          const bytesPerStep = decodeWeightFloats(c) * 4;
          const gemvS = gemvMs.reduce((s, ms) => s + ms, 0) / 1000;
          const allS = sink.reduce((s, t) => s + t.totalMs, 0) / 1000;
          const gbs = (bytesPerStep * passes) / gemvS / 1e9;
          line(`${tag}_gemv_bandwidth_fraction`, gbs / ref, 'ratio', `${gbs.toFixed(1)} GB/s of weights in the model's GEMV dispatches; GEMV is ${((100 * gemvS) / allS).toFixed(0)} % of kernel time`);
        }
        if (sink.length) line(`${tag}_kernel_time_per_step`, (sink.reduce((s, t) => s + t.totalMs, 0) / sink.length) * 1000, 'us', 'sum of dispatch times, each in a pass of its own; 1e6 / (tok/s) × batch is the wall time per step');
        for (const [k, x] of runners.entries()) for (const q of seqs[k]) x.freeSequence(q);
      }
    } finally {
      for (const x of runners) await x.dispose();
    }
  }
}

await main();
