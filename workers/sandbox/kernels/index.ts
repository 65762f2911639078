// Loads the WGSL modules. They are plain files so a browser can fetch the
// very same sources for navigator.gpu; in Node they are read from disk here.

import { readFileSync } from 'node:fs';
import type { KernelName } from './names';

export { KERNELS, type KernelName } from './names';

export function loadWgsl(name: KernelName): string {
  return readFileSync(new URL(`./${name}.wgsl`, import.meta.url), 'utf8');
}
