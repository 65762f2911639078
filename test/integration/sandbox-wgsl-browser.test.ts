// The sandbox's WGSL modules must run unchanged in a browser's navigator.gpu,
// not only in dawn.node: Chromium (SwiftShader WebGPU) fetches the .wgsl files
// as they are on disk, compiles all of them, and runs kernels whose results
// are compared with their CPU twins.

import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { attention } from '../../workers/sandbox/kernels/cpu/attention';
import { matmul } from '../../workers/sandbox/kernels/cpu/matmul';
import { KERNELS } from '../../workers/sandbox/kernels/names';
import { gemvGroups } from '../../workers/sandbox/runtime/gpu';
import { Rng } from '../../workers/sandbox/model/rng';
import { launchChromium } from '../helpers/browser';
import { serveDir } from '../helpers/flame-page';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const DIR = path.join(ROOT, '.trisight', 'test', 'wgsl-browser');
/** f32 on the GPU vs the CPU twin, relative to the largest output. */
const TOLERANCE = 1e-5;

let browser: Browser;
let page: Page;
let server: { url: string; stop(): Promise<void> };

before(async () => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  for (const k of KERNELS) copyFileSync(path.join(ROOT, 'workers', 'sandbox', 'kernels', `${k}.wgsl`), path.join(DIR, `${k}.wgsl`));
  await build({
    entryPoints: [path.join(ROOT, 'test', 'helpers', 'wgsl-page.ts')],
    outfile: path.join(DIR, 'wgsl.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'error',
  });
  writeFileSync(path.join(DIR, 'index.html'), '<!doctype html><meta charset="utf-8"><title>wgsl</title><script type="module" src="./wgsl.js"></script>');
  server = await serveDir(DIR);
  browser = await launchChromium(['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader']);
  page = await browser.newPage();
  await page.goto(`${server.url}/index.html`); // http://127.0.0.1 is a secure context, which navigator.gpu requires
  await page.waitForFunction(() => 'wgsl' in globalThis);
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

type Spec = { kernel: string; inputs: { type: 'f32' | 'u32'; data: number[] }[]; outIndex: number; params: number[]; groups: number[] };
/** What the test page puts on globalThis (test/helpers/wgsl-page.ts). */
type WgslPage = { wgsl: { compileAll(): Promise<{ kernels: number; adapter: string; fallback: boolean }>; run(s: Spec): Promise<number[]> } };
const inBrowser = {
  compileAll: () => page.evaluate(() => (globalThis as unknown as WgslPage).wgsl.compileAll()),
  run: (spec: Spec) => page.evaluate((s) => (globalThis as unknown as WgslPage).wgsl.run(s), spec),
};

function rand(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);
}

function relErr(got: number[], want: Float32Array): number {
  let m = 0;
  let mag = 1e-30;
  for (let i = 0; i < want.length; i++) {
    m = Math.max(m, Math.abs(got[i] - want[i]));
    mag = Math.max(mag, Math.abs(want[i]));
  }
  return m / mag;
}

const f32 = (a: Float32Array) => ({ type: 'f32' as const, data: Array.from(a) });

test('every sandbox .wgsl module compiles into a compute pipeline in Chromium', async () => {
  const r = await inBrowser.compileAll();
  assert.equal(r.kernels, KERNELS.length);
  assert.match(r.adapter, /\S/);
});

test('the tiled matmul and the decode GEMV give the CPU twin’s results in Chromium', async () => {
  const rng = new Rng(21);
  const inDim = 96;
  const outDim = 70;
  const w = rand(rng, outDim * inDim);
  for (const [kernel, rows] of [['gemv', 3], ['matmul', 9]] as const) {
    const x = rand(rng, rows * inDim);
    const want = new Float32Array(rows * outDim);
    matmul(want, x, rows, w, 0, inDim, outDim);
    const groups = kernel === 'gemv' ? [gemvGroups(outDim, 32)] : [Math.ceil(outDim / 64), 1]; // the page compiles gemv with TPR 32
    const got = await inBrowser.run({ kernel, inputs: [f32(w), f32(x), f32(new Float32Array(want.length))], outIndex: 2, params: [rows, inDim, outDim, 0], groups });
    assert.ok(relErr(got, want) < TOLERANCE, `${kernel}: ${relErr(got, want)}`);
  }
});

test('attention over a KV cache gives the CPU twin’s result in Chromium', async () => {
  const rng = new Rng(22);
  const shape = { nHeads: 2, nKvHeads: 1, headDim: 8 };
  const kvDim = 8;
  const maxSeq = 16;
  const dim = 16;
  const qkvDim = dim + 2 * kvDim;
  const pos = 11;
  const qkv = rand(rng, qkvDim, 4);
  const kv = rand(rng, 2 * maxSeq * kvDim, 4);
  const want = new Float32Array(dim);
  attention(want, 0, qkv, 0, kv, 0, maxSeq * kvDim, pos + 1, shape, new Float32Array(maxSeq));
  const got = await inBrowser.run({
    kernel: 'attention',
    inputs: [{ type: 'u32', data: [0, pos, 0, 0] }, f32(qkv), f32(kv), f32(new Float32Array(dim))],
    outIndex: 3,
    params: [1, 2, 1, 8, qkvDim, kvDim, 0, maxSeq * kvDim, 2 * maxSeq * kvDim, dim],
    groups: [2, 1],
  });
  assert.ok(relErr(got, want) < TOLERANCE, `attention: ${relErr(got, want)}`);
});
