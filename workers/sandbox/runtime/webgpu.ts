// The WebGPU backend in Node: dawn.node (the npm `webgpu` package) as the
// adapter, the WGSL sources read from disk. The runner itself
// (webgpu-runner.ts) works on any GPUDevice, a browser's too.

import { create, globals } from 'webgpu';
import type { Weights } from '../model/weights';
import { KERNELS, type KernelName, loadWgsl } from '../kernels/index';
import { WebGpuRunner, type WebGpuRunnerOptions } from './webgpu-runner';

export { describeAdapter, openDevice, WebGpuRunner, type AdapterDescription, type GpuTimingChoice } from './webgpu-runner';

// dawn.node aborts the process if the object returned by create() is
// garbage-collected while a device made from it is alive, so there is one per
// process, held here for good.
let nodeGpu: GPU | undefined;

export function getNodeGpu(): GPU {
  if (!nodeGpu) {
    for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) Object.assign(globalThis, { [k]: v });
    nodeGpu = create(['disable-dawn-features=timestamp_quantization']);
  }
  return nodeGpu;
}

/**
 * The adapter dawn.node offers, or null. Without a GPU that is SwiftShader,
 * which needs LD_LIBRARY_PATH=/usr/lib/chromium and VK_ICD_FILENAMES pointing
 * at its ICD JSON; without them requestAdapter() returns null.
 */
export async function requestNodeAdapter(): Promise<GPUAdapter | null> {
  return getNodeGpu().requestAdapter({ powerPreference: 'high-performance' });
}

export function loadAllWgsl(): Record<KernelName, string> {
  return Object.fromEntries(KERNELS.map((k) => [k, loadWgsl(k)])) as Record<KernelName, string>;
}

/** The WebGPU runner on dawn.node's adapter (or the one given). */
export async function createWebGpuRunner(weights: Weights, preset: string, adapter?: GPUAdapter | null, opts: WebGpuRunnerOptions = {}): Promise<WebGpuRunner> {
  const a = adapter ?? (await requestNodeAdapter());
  if (!a) throw new Error('WebGPU: no adapter (without a GPU, set LD_LIBRARY_PATH=/usr/lib/chromium and VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json for SwiftShader)');
  return WebGpuRunner.open(a, weights, preset, loadAllWgsl(), opts);
}
