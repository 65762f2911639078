// Loads the WGSL modules. They are plain files so a browser can fetch the
// very same sources for navigator.gpu; in Node they are read from disk here.

import { readFileSync } from 'node:fs';

export const KERNELS = ['embedding', 'rmsnorm', 'gemv', 'matmul', 'rope', 'kv_store', 'attention', 'swiglu', 'residual'] as const;
export type KernelName = (typeof KERNELS)[number];

export function loadWgsl(name: KernelName): string {
  return readFileSync(new URL(`./${name}.wgsl`, import.meta.url), 'utf8');
}
