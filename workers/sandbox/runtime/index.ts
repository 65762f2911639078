// Picks and builds a compute backend. 'auto' uses WebGPU only on a hardware
// adapter: on a software adapter (SwiftShader, isFallbackAdapter) the
// TypeScript CPU backend is several times faster.

import { PRESETS, isPresetName, type PresetName } from '../model/config';
import { generateWeights } from '../model/weights';
import { CpuRunner } from './cpu';
import type { ModelRunner } from './types';

export type BackendChoice = 'auto' | 'cpu' | 'webgpu';

export interface RunnerOptions {
  backend: BackendChoice;
  preset: PresetName | string;
  /** weight seed; same seed → same model on every backend */
  seed: number;
  /** CPU backend only: 2 adds a helper thread for the matrix products (see cpu.ts) */
  threads?: 1 | 2;
  /** WebGPU only: how GPU time is measured (default auto: timestamp queries where the adapter has them) */
  gpuTiming?: 'auto' | 'submission' | 'off';
  /** WebGPU with timestamp queries: one forward pass in this many is timed per dispatch (default 128) */
  gpuKernelSampleEvery?: number;
}

export async function createRunner(opts: RunnerOptions): Promise<ModelRunner> {
  if (!isPresetName(opts.preset)) throw new Error(`unknown preset ${JSON.stringify(opts.preset)}; expected one of ${Object.keys(PRESETS).join(', ')}`);
  const preset: PresetName = opts.preset;
  const weights = generateWeights(PRESETS[preset], opts.seed, { shared: opts.threads === 2 });
  if (opts.backend === 'webgpu' || opts.backend === 'auto') {
    // loaded on demand so a CPU-only process never loads dawn.node
    const gpu = await import('./webgpu');
    const adapter = await gpu.requestNodeAdapter();
    if (opts.backend === 'webgpu') return gpu.createWebGpuRunner(weights, preset, adapter, { timing: opts.gpuTiming, kernelSampleEvery: opts.gpuKernelSampleEvery });
    if (adapter && !gpu.describeAdapter(adapter).isFallbackAdapter) return gpu.createWebGpuRunner(weights, preset, adapter, { timing: opts.gpuTiming, kernelSampleEvery: opts.gpuKernelSampleEvery });
  } else if (opts.backend !== 'cpu') {
    throw new Error(`unknown backend ${JSON.stringify(opts.backend)}; expected auto, cpu or webgpu`);
  }
  return CpuRunner.create(weights, preset, { threads: opts.threads });
}
