import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { FlamePanel, SpanProfilePanel } from '../../lib/runs/panels';
import { appJsonOk, startApp, type AppHandle } from '../helpers/app';
import { launchChromium, openPage } from '../helpers/browser';
import { frameNames } from '../helpers/flame-models';
import { until } from '../helpers/until';

// A run served by the sandbox's WebGPU backend (SwiftShader on CI), as a user
// sees it: the run page's flame panel switches CPU | GPU | Memory, names the
// backend and adapter that served the run, and a request's decode span opens
// its own GPU profile (the batched steps it shared).

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const REQUESTS = 6;

let app: AppHandle;
let browser: Browser;
let page: Page;

before(async () => {
  app = await startApp({ env: { SANDBOX_BACKEND: 'webgpu', PYROSCOPE_FLUSH_INTERVAL_MS: '3000', EMBEDDED_PROMETHEUS: 'off' } });
  browser = await launchChromium();
  page = await openPage(browser, 30_000);
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const api = <T>(p: string) => appJsonOk<T>(app, p);


const names = (f: FlamePanel['flame'] | SpanProfilePanel['flame']) => new Set(f ? frameNames(f) : []);

test('a WebGPU run page: CPU | GPU | Memory flame graphs, the adapter that served, and a decode span’s own GPU profile', { timeout: 300_000 }, async () => {
  // 2-byte prompts (3 tokens with BOS) keep prefill on the GEMV path, cheap on SwiftShader.
  await page.goto(`${app.url}/sandbox?requests=${REQUESTS}&concurrency=3&p0=100&maxTokens=4&prompt=fixed&promptTokens=2&seed=5`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForURL(/\/sandbox\/runs\/[0-9a-f-]{36}$/);
  const runId = new URL(page.url()).pathname.split('/').pop()!;
  await page.getByTestId('run-side-by-side').waitFor({ timeout: 180_000 });
  await page.waitForFunction((n) => document.querySelector<HTMLElement>('[data-testid="latency-histogram"]')?.dataset.total === String(n), REQUESTS, { timeout: 60_000 });

  // The GPU graph: prefill and decode-step frames over the kernels, once the profiles have arrived.
  const gpu = await until(
    'a GPU profile with kernel frames',
    async () => {
      const r = await api<FlamePanel>(`/api/runs/${runId}/flame?kind=gpu`);
      const n = names(r.flame);
      return n.has('decode step') && n.has('prefill') && n.has('gemv') && n.has('attention') ? r : null;
    },
    60_000,
  );
  assert.deepEqual(gpu.kinds, ['cpu', 'gpu', 'memory']);
  assert.equal(gpu.profileType?.sampleType, 'gpu_time');
  assert.equal(gpu.served?.backend, 'webgpu');
  assert.match(gpu.served?.gpuAdapter ?? '', /\S/);
  assert.equal(typeof gpu.served?.fallbackAdapter, 'boolean');
  assert.equal(gpu.served?.gpuTiming, 'timestamp-query');

  const flame = page.getByTestId('run-flame');
  await flame.getByRole('tab', { name: 'GPU' }).click();
  await page.waitForURL((u) => u.searchParams.get('flame') === 'gpu');
  await flame.getByTestId('flame-graph').locator('canvas[data-frames]').first().waitFor();
  assert.match((await flame.locator('header').textContent()) ?? '', /GPU flame graph/);
  const servedText = (await flame.getByTestId('run-served-by').textContent()) ?? '';
  assert.ok(servedText.startsWith(`Served by the WebGPU backend on ${gpu.served!.gpuAdapter}`), servedText);
  if (gpu.served!.fallbackAdapter) assert.match(servedText, /a fallback adapter: software, not a GPU/);
  assert.equal(gpu.served?.gpuKernelSampleEvery, 128);
  assert.equal(
    await flame.getByTestId('run-gpu-timing').textContent(),
    'GPU time of every forward pass, from timestamp queries; the split across kernels as measured per dispatch on 1 pass in 128 (and the first of each shape).',
  );

  // Memory: the heap profile of the same window.
  const memory = await api<FlamePanel>(`/api/runs/${runId}/flame?kind=memory`);
  assert.equal(memory.profileType?.sampleType, 'inuse_space');
  assert.ok(names(memory.flame).has('(external)'));

  // A decode span's GPU profile: the batched steps it took part in, nothing of the prefill.
  const latency = page.getByTestId('run-latency');
  await latency.getByText('Buckets as a table').click();
  const rows = latency.getByTestId('histogram-bucket-row');
  const counts = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.querySelectorAll('td')[0]?.textContent)));
  await rows.nth(counts.indexOf(Math.max(...counts))).getByTestId('histogram-bucket-button').click();
  await page.getByTestId('bucket-trace-row').first().getByRole('button').click();
  const waterfall = page.getByTestId('run-trace').getByTestId('trace-waterfall');
  await waterfall.waitFor();
  await waterfall.locator('button[data-span-button]', { hasText: /decode$/ }).first().click();
  await page.waitForURL((u) => u.searchParams.has('span'));
  const u = new URL(page.url());
  const span = await until(
    'the decode span’s GPU profile',
    async () => {
      const r = await api<SpanProfilePanel>(`/api/runs/${runId}/span-profile?trace=${u.searchParams.get('trace')}&span=${u.searchParams.get('span')}&kind=gpu`);
      return r.flame ? r : null;
    },
    30_000,
  );
  assert.ok(span.batchSpanIds.length >= 1);
  const spanFrames = names(span.flame);
  assert.ok(spanFrames.has('decode step') && spanFrames.has('gemv'));
  assert.ok(!spanFrames.has('prefill'), 'a decode span holds no prefill work');
  const spanPanel = page.getByTestId('run-span-profile');
  await spanPanel.getByTestId('flame-graph').locator('canvas[data-frames]').first().waitFor();
  assert.match((await spanPanel.locator('header').textContent()) ?? '', /Span GPU profile.*GPU time is shared/s);

  await until('the profiles to settle', async () => !/may still arrive/.test((await flame.locator('header').textContent()) ?? ''), 30_000, 500);
  mkdirSync(RESULTS, { recursive: true });
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(RESULTS, 'webgpu-run-gpu.png'), fullPage: true });
  await page.getByTestId('run-side-by-side').screenshot({ path: path.join(RESULTS, 'webgpu-run-side-by-side.png') });
  await flame.getByRole('tab', { name: 'Memory' }).click();
  await page.waitForURL((x) => x.searchParams.get('flame') === 'memory');
  await flame.getByTestId('flame-graph').locator('canvas[data-frames]').first().waitFor();
  await flame.screenshot({ path: path.join(RESULTS, 'webgpu-run-memory-panel.png') });
  await flame.getByRole('tab', { name: 'CPU' }).click();
  await page.waitForURL((x) => !x.searchParams.has('flame'));
  await flame.getByTestId('flame-graph').locator('canvas[data-frames]').first().waitFor();
  await flame.screenshot({ path: path.join(RESULTS, 'webgpu-run-cpu-panel.png') });
});
