// The sandbox's WGSL kernels as they are on disk, for a browser run to
// compile with navigator.gpu: the very sources the sandbox's Node backend
// and the Chromium kernel tests compile.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KERNELS, type KernelName } from '@/workers/sandbox/kernels/names';

export async function readKernelSources(): Promise<Record<KernelName, string>> {
  // `next start` runs in the repository root; the folder is read at run time, not traced by the bundler.
  const dir = path.join(/*turbopackIgnore: true*/ process.cwd(), 'workers', 'sandbox', 'kernels');
  const sources = await Promise.all(KERNELS.map((k) => readFile(path.join(/*turbopackIgnore: true*/ dir, `${k}.wgsl`), 'utf8')));
  return Object.fromEntries(KERNELS.map((k, i) => [k, sources[i]])) as Record<KernelName, string>;
}
