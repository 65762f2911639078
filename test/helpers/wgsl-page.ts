// Browser entry for the WGSL-in-Chromium test: fetches the sandbox's .wgsl
// files exactly as they are on disk, compiles them with navigator.gpu through
// the same GpuContext the Node backend uses, and runs single dispatches on
// request. Bundled by esbuild in test/integration/sandbox-wgsl-browser.test.ts.

import { KERNELS, type KernelName } from '../../workers/sandbox/kernels/names';
import { GpuContext } from '../../workers/sandbox/runtime/gpu';

interface RunSpec {
  kernel: KernelName;
  /** binding 1.. contents: 'f32' or 'u32' arrays as plain number arrays */
  inputs: { type: 'f32' | 'u32'; data: number[] }[];
  outIndex: number;
  params: number[];
  groups: [number, number?, number?];
}

let ctx: Promise<{ ctx: GpuContext; adapter: GPUAdapterInfo }> | undefined;

async function open() {
  const adapter = await navigator.gpu.requestAdapter();
  if (!adapter) throw new Error('navigator.gpu has no adapter');
  const device = await adapter.requestDevice();
  const sources = Object.fromEntries(
    await Promise.all(KERNELS.map(async (k) => [k, await (await fetch(`./${k}.wgsl`)).text()] as const)),
  ) as Record<KernelName, string>;
  // the GEMV as a hardware adapter runs it (a warp per row, with barriers)
  return { ctx: await GpuContext.create(device, sources, { gemv: { TPR: 32 } }), adapter: adapter.info };
}

async function compileAll(): Promise<{ kernels: number; adapter: string; fallback: boolean }> {
  ctx ??= open();
  const { adapter } = await ctx;
  return { kernels: KERNELS.length, adapter: `${adapter.vendor} ${adapter.architecture}`, fallback: Boolean(adapter.isFallbackAdapter) };
}

async function run(spec: RunSpec): Promise<number[]> {
  ctx ??= open();
  const { ctx: c } = await ctx;
  c.device.pushErrorScope('validation');
  const bufs = spec.inputs.map((i) => c.upload(i.type === 'f32' ? Float32Array.from(i.data) : Uint32Array.from(i.data)));
  c.submit(c.encode([{ kernel: spec.kernel, buffers: bufs, params: spec.params, groups: spec.groups }]));
  const out = new Float32Array(await c.read(bufs[spec.outIndex], spec.inputs[spec.outIndex].data.length * 4));
  const err = await c.device.popErrorScope();
  if (err) throw new Error(err.message);
  bufs.forEach((b) => { b.destroy(); });
  c.dropBindGroups();
  return Array.from(out);
}

Object.assign(globalThis, { wgsl: { compileAll, run } });
