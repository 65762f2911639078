import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { FlamePanel } from '../../lib/runs/panels';
import { appJsonOk, startApp, type AppHandle } from '../helpers/app';
import { signIn, userCli } from '../helpers/users';
import { launchChromium, openPage } from '../helpers/browser';
import { frameNames } from '../helpers/flame-models';
import { until } from '../helpers/until';

// "Run in this browser" in Chromium with SwiftShader's WebGPU: the page runs
// the sandbox's kernels and weights on navigator.gpu with the form's load
// parameters, sends its spans and GPU profile to the app, and the run appears
// in the history and on a run page like a server run. Without WebGPU the
// button says why. The app runs as `npm start` does (embedded Prometheus on),
// so the run page's histogram of a browser run must come from its spans.

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const REQUESTS = 4;
/** SwiftShader's WebGPU in headless Chromium, as the WGSL browser test launches it. */
const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader', '--use-webgpu-adapter=swiftshader'];

let app: AppHandle;
let browser: Browser;

before(async () => {
  app = await startApp();
  browser = await launchChromium(WEBGPU_FLAGS);
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const api = <T>(p: string) => appJsonOk<T>(app, p);


test('a run in this browser (SwiftShader WebGPU) appears in the history and on a run page with its histogram and GPU profile', { timeout: 300_000 }, async () => {
  const page = await openPage(browser, 30_000);
  // 2-byte prompts (3 tokens with BOS) keep prefill on the GEMV path, cheap on SwiftShader
  await page.goto(`${app.url}/sandbox?requests=${REQUESTS}&concurrency=2&p0=100&maxTokens=4&prompt=fixed&promptTokens=2&seed=3`);
  const panel = page.getByTestId('browser-run');
  const start = panel.getByTestId('browser-run-start');
  await until('the button to find WebGPU', async () => start.isEnabled(), 30_000);
  await start.click();
  await panel.getByTestId('browser-run-progress').waitFor();
  await page.waitForURL(/\/sandbox\/runs\/[0-9a-f-]{36}$/, { timeout: 240_000 });
  const runId = new URL(page.url()).pathname.split('/').pop()!;

  const run = await api<{ target: string; status: string; done: number; failed: number; model: string }>(`/api/runs/${runId}`);
  assert.equal(run.target, 'browser');
  assert.equal(run.status, 'succeeded');
  assert.equal(run.done, REQUESTS);
  assert.equal(run.model, 'trisight-tiny');

  // the histogram counts every request, from the spans the page sent to /v1/traces
  await page.getByTestId('run-side-by-side').waitFor();
  await page.waitForFunction((n) => document.querySelector<HTMLElement>('[data-testid="latency-histogram"]')?.dataset.total === String(n), REQUESTS, { timeout: 60_000 });
  assert.match((await page.getByTestId('run-latency').locator('header').textContent()) ?? '', /embedded \(spans\)/);

  // the GPU profile the page pushed to /ingest: its kernels, under the browser's service
  const gpu = await until(
    'the browser run’s GPU profile',
    async () => {
      const r = await api<FlamePanel>(`/api/runs/${runId}/flame?kind=gpu`);
      const n = r.flame ? frameNames(r.flame) : new Set<string>();
      return n.has('decode step') && n.has('gemv') && n.has('prefill') ? r : null;
    },
    60_000,
  );
  assert.equal(gpu.served?.backend, 'webgpu');
  assert.match(gpu.served?.gpuAdapter ?? '', /\S/);
  const flame = page.getByTestId('run-flame');
  await flame.getByRole('tab', { name: 'GPU' }).click();
  await flame.getByTestId('flame-graph').locator('canvas[data-frames]').first().waitFor();
  assert.match((await flame.getByTestId('run-served-by').textContent()) ?? '', /^Served by the WebGPU backend on /);

  // and it is in the run history, under the browser target
  await page.goto(`${app.url}/sandbox`);
  await page.getByText(runId.slice(0, 8)).first().waitFor({ timeout: 30_000 }).catch(() => undefined);
  const runs = await api<{ runs: { id: string; target: string }[] }>('/api/runs');
  assert.equal(runs.runs.find((r) => r.id === runId)?.target, 'browser');

  await page.goto(`${app.url}/sandbox/runs/${runId}?flame=gpu`);
  await page.getByTestId('run-flame').getByTestId('flame-graph').locator('canvas[data-frames]').first().waitFor();
  mkdirSync(RESULTS, { recursive: true });
  await page.getByTestId('run-side-by-side').screenshot({ path: path.join(RESULTS, 'browser-run.png') });
});

test('with sign-in and INGEST_TOKEN (as off loopback): an editor’s browser run gets its spans and GPU profile in on the session', { timeout: 300_000 }, async () => {
  const token = 'browser-run-e2e-ingest-token-0123456789';
  const secured = await startApp({ env: { AUTH_MODE: 'builtin', INGEST_TOKEN: token, EMBEDDED_PROMETHEUS: 'off' } });
  try {
    userCli(secured.dataDir, ['add', 'ed', '--role', 'editor'], 'editor password 1\n');
    const session = await signIn(secured.url, 'ed', 'editor password 1');
    const get = async <T>(p: string) => {
      const r = await fetch(`${secured.url}${p}`, { headers: { cookie: session.cookie }, signal: AbortSignal.timeout(15_000) });
      assert.equal(r.status, 200, p);
      return (await r.json()) as T;
    };
    const page = await openPage(browser, 30_000);
    const host = new URL(secured.url).hostname;
    await page.context().addCookies(session.cookie.split('; ').map((c) => ({ name: c.slice(0, c.indexOf('=')), value: c.slice(c.indexOf('=') + 1), domain: host, path: '/' })));
    await page.goto(`${secured.url}/sandbox?requests=2&concurrency=2&p0=100&maxTokens=3&prompt=fixed&promptTokens=2&seed=4`);
    const start = page.getByTestId('browser-run').getByTestId('browser-run-start');
    await until('the button to find WebGPU', async () => start.isEnabled(), 30_000);
    await start.click();
    // A refused push keeps the page on the form, naming what was not delivered: fail on that at once.
    const undelivered = page.getByTestId('browser-run').getByTestId('browser-run-undelivered');
    // (both waits settle either way, so the one that loses leaves no rejection behind)
    const first = await Promise.race([
      page.waitForURL(/\/sandbox\/runs\/[0-9a-f-]{36}$/, { timeout: 240_000 }).then(() => 'opened', () => 'timed out'),
      undelivered.waitFor({ timeout: 240_000 }).then(() => 'refused', () => 'timed out'),
    ]);
    if (first === 'refused') assert.fail(`the app refused the run's telemetry: ${await undelivered.textContent()}`);
    assert.equal(first, 'opened', 'the run page did not open in 240 s');
    const runId = new URL(page.url()).pathname.split('/').pop()!;
    assert.equal((await get<{ status: string }>(`/api/runs/${runId}`)).status, 'succeeded');
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="latency-histogram"]')?.dataset.total === '2', undefined, { timeout: 60_000 });
    await until(
      'the GPU profile pushed on the session',
      async () => {
        const r = await get<FlamePanel>(`/api/runs/${runId}/flame?kind=gpu`);
        return r.flame && frameNames(r.flame).has('gemv') ? r : null;
      },
      60_000,
    );
  } finally {
    await secured.stop();
  }
});

test('without WebGPU the button says why', async () => {
  const plain = await launchChromium();
  try {
    const page = await plain.newPage();
    await page.goto(`${app.url}/sandbox`);
    const why = page.getByTestId('browser-run').getByTestId('browser-run-unavailable');
    await why.waitFor({ timeout: 30_000 });
    assert.match((await why.textContent()) ?? '', /WebGPU/);
    assert.equal(await page.getByTestId('browser-run-start').isDisabled(), true);
    await page.getByTestId('browser-run').screenshot({ path: path.join(RESULTS, 'browser-run-unavailable.png') });
  } finally {
    await plain.close();
  }
});
