import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage } from '../helpers/browser';
import { appJson, startApp, type AppHandle } from '../helpers/app';
import type { FlamePanel, LatencyPanel, TracesPanel } from '../../lib/runs/panels';
import { frameNames } from '../helpers/flame-models';
import { until } from '../helpers/until';

// The heart of the product in embedded mode, as a user gets it from `npm start`:
// fire 30 requests from the /sandbox form in Chromium, then on the run page see
// the latency histogram next to the CPU flame graph of the same window, and drill
// from a bucket to a trace to that span's own CPU profile. Every request is P0, so
// every request is traced and the server histogram's count is exact.

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const REQUESTS = 30;
/** A frame of the sandbox's own kernels, as the Node profiler names it: `./workers/sandbox/kernels/cpu/matmul.ts:gemv:1`. */
const KERNEL = /workers\/sandbox\/kernels\/cpu\/[\w-]+\.ts:(\w+)/;

let app: AppHandle;
let browser: Browser;
let page: Page;
let runId: string;

before(async () => {
  // Profiles pushed every 3 s instead of 15 s keep the test short; the app reads the same variable to say so.
  // Without the embedded Prometheus: this run checks the span-derived fallback (metrics from stored spans).
  app = await startApp({ env: { PYROSCOPE_FLUSH_INTERVAL_MS: '3000', EMBEDDED_PROMETHEUS: 'off' } });
  browser = await launchChromium();
  page = await openPage(browser, 20_000);
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const api = <T>(p: string) => appJson<T>(app, p);


test('a 30-request run: histogram sums to 30, the flame graph shows kernel frames, and a bucket drills down to a span profile', { timeout: 240_000 }, async () => {
  // Fire the load from the form; its fields come from the URL (a configured load is a link).
  await page.goto(`${app.url}/sandbox?requests=${REQUESTS}&concurrency=4&p0=100&maxTokens=8&prompt=fixed&promptTokens=24&seed=7`);
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForURL(/\/sandbox\/runs\/[0-9a-f-]{36}$/);
  runId = new URL(page.url()).pathname.split('/').pop()!;

  const side = page.getByTestId('run-side-by-side');
  await side.waitFor({ timeout: 120_000 });
  assert.match((await page.getByTestId('run-window').textContent()) ?? '', /^Window \d{4}-\d\d-\d\d \d\d:\d\d:\d\d → \d\d:\d\d:\d\d UTC/);

  // Left: the server histogram counts every request once spans have arrived.
  const latency = page.getByTestId('run-latency');
  await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="latency-histogram"]')?.dataset.total === '30', null, { timeout: 30_000 });
  assert.match((await latency.locator('header').textContent()) ?? '', /embedded \(spans\)/);
  await latency.getByText('Buckets as a table').click();
  const rows = latency.getByTestId('histogram-bucket-row');
  const serverCounts = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.querySelectorAll('td')[0]?.textContent)));
  assert.equal(serverCounts.reduce((a, b) => a + b, 0), REQUESTS, `bucket table: ${serverCounts}`);
  const viaApi = await api<LatencyPanel>(`/api/runs/${runId}/latency?metric=e2e`);
  assert.equal(viaApi.status, 200);
  assert.equal(viaApi.body.histogram!.buckets.reduce((a, b) => a + Number(b.count), 0), REQUESTS);
  assert.equal(viaApi.body.clientLatenciesMs.length, REQUESTS);
  // The TTFT tab reads the request spans' TTFT attribute: one per request too.
  const ttft = await api<LatencyPanel>(`/api/runs/${runId}/latency?metric=ttft`);
  assert.equal(ttft.body.histogram!.buckets.reduce((a, b) => a + Number(b.count), 0), REQUESTS);

  // Right: the CPU flame graph of the same window; profiles arrive every 3 s, so poll (bounded).
  const flame = await until(
    'a CPU profile with a kernel frame',
    async () => {
      const r = await api<FlamePanel>(`/api/runs/${runId}/flame`);
      const names = r.body.flame ? [...frameNames(r.body.flame)] : [];
      const kernel = names.map((n) => KERNEL.exec(n)?.[1]).find(Boolean);
      return kernel ? { panel: r.body, kernel } : null;
    },
    60_000,
  );
  assert.equal(flame.panel.source, 'embedded');
  const flamePanel = page.getByTestId('run-flame');
  await flamePanel.getByTestId('flame-graph').locator('canvas[data-frames]').waitFor({ timeout: 30_000 });
  const term = flame.kernel;
  await flamePanel.getByLabel('Search functions').fill(term);
  await page.waitForURL((u) => u.searchParams.get('q') === term);
  await until('the search to match', async () => /matched · [1-9]\d* frames?/.test((await flamePanel.getByTestId('flame-search-status').textContent()) ?? ''), 10_000, 250);

  // Drill down: the fullest bucket → its traces → a trace's waterfall → the prefill span's own profile.
  const fullest = serverCounts.indexOf(Math.max(...serverCounts));
  await rows.nth(fullest).getByTestId('histogram-bucket-button').click();
  await page.waitForURL((u) => u.searchParams.has('bucket'));
  const traceRows = page.getByTestId('bucket-trace-row');
  await traceRows.first().waitFor();
  assert.ok((await traceRows.count()) >= 1);
  await traceRows.first().getByRole('button').click();
  await page.waitForURL((u) => u.searchParams.has('trace'));
  const waterfall = page.getByTestId('run-trace').getByTestId('trace-waterfall');
  await waterfall.waitFor();
  // Prefill runs on the request's own span id (decode steps run batched, under decode_batch spans).
  await waterfall.locator('button[data-span-button]', { hasText: /prefill$/ }).first().click();
  await page.waitForURL((u) => u.searchParams.has('span'));
  const spanProfile = page.getByTestId('run-span-profile');
  await spanProfile.getByTestId('flame-graph').locator('canvas[data-frames]').waitFor({ timeout: 30_000 });
  assert.match((await spanProfile.locator('header').textContent()) ?? '', /Span CPU profile.*embedded/s);

  // Once the run's data has settled, the panels stop polling and say so no longer.
  await until('the panels to settle', async () => !/data may still be arriving/.test((await latency.locator('header').textContent()) ?? ''), 20_000, 500);
  await until('the profiles to settle', async () => !/may still arrive/.test((await flamePanel.locator('header').textContent()) ?? ''), 20_000, 500);
  mkdirSync(RESULTS, { recursive: true });
  // From the top, so the sticky header is where a user sees it.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(RESULTS, 'side-by-side.png'), fullPage: true });

  // A reload (or a shared link) restores the whole view from the URL.
  const before = new URL(page.url()).searchParams;
  await page.reload();
  await page.getByTestId('run-span-profile').getByTestId('flame-graph').locator('canvas[data-frames]').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('run-flame').getByLabel('Search functions').inputValue(), term);
  assert.equal(await page.getByTestId('bucket-trace-table').getAttribute('data-bucket'), before.get('bucket'));
  assert.equal(await page.getByTestId('run-trace').locator(`[data-span-id="${before.get('span')}"]`).getAttribute('data-selected'), 'true');
  assert.equal(await page.getByTestId('bucket-trace-row').locator('button[aria-pressed="true"]').textContent(), before.get('trace'));

  // Compare with run…: a second, smaller run (after the first, so their windows do not overlap) → a diff flame graph.
  const second = await fetch(`${app.url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target: 'sandbox', requests: 6, concurrency: 2, promptLength: { mode: 'fixed', tokens: 96 }, maxTokens: 4, temperature: 0, p0Fraction: 1, seed: 3, maxDurationS: 60 }),
  });
  assert.equal(second.status, 201);
  const secondId = ((await second.json()) as { id: string }).id;
  await until('the second run to finish', async () => (await api<{ finishedAt: string | null }>(`/api/runs/${secondId}`)).body.finishedAt, 60_000);
  await page.reload();
  const compare = page.getByTestId('run-flame').getByLabel('Compare with', { exact: true });
  await until('the second run in the compare list', async () => (await compare.locator(`option[value="${secondId}"]`).count()) === 1, 20_000, 500);
  await compare.selectOption(secondId);
  await page.waitForURL((u) => u.searchParams.get('compare') === secondId);
  await page.getByTestId('run-flame').getByText('larger share after').waitFor();
  await page.getByTestId('run-flame').getByTestId('flame-graph').locator('canvas[data-frames]').waitFor();
  // This run is the earlier one: it is "before" although the comparison was chosen from its page.
  assert.match((await page.getByTestId('run-flame').locator('header').textContent()) ?? '', /CPU flame graph \(diff\).*before: this run \(.*after: run [0-9a-f]{8}/s);
});

test('the panel API: a bad bucket is a 400 naming it; unknown runs and traces are 404', async () => {
  assert.ok(runId, 'needs the run of the first test');
  const bad = await api<{ error: { message: string; issues: { path: string }[] } }>(`/api/runs/${runId}/traces?metric=e2e&bucket=fast`);
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.error.issues.map((i) => i.path), ['bucket']);
  assert.match(bad.body.error.message, /^bucket: /);
  const badMetric = await api<{ error: { issues: { path: string }[] } }>(`/api/runs/${runId}/latency?metric=p99`);
  assert.equal(badMetric.status, 400);
  assert.deepEqual(badMetric.body.error.issues.map((i) => i.path), ['metric']);
  assert.equal((await api(`/api/runs/00000000-0000-4000-8000-000000000000/traces?bucket=0-1`)).status, 404);
  assert.equal((await api(`/api/traces/${'0'.repeat(31)}1`)).status, 404);
  // A good bucket answers with its rows and says where they came from.
  const ok = await api<TracesPanel>(`/api/runs/${runId}/traces?metric=e2e&bucket=0-inf`);
  assert.equal(ok.status, 200);
  assert.equal(ok.body.source, 'embedded');
  assert.equal(ok.body.traces.length, REQUESTS);
  assert.equal(ok.body.method, 'trace search');
  // TTFT is not a span duration: the run's own requests by their client-measured TTFT, joined with their stored traces.
  const ttft = await api<TracesPanel>(`/api/runs/${runId}/traces?metric=ttft&bucket=0-inf`);
  assert.equal(ttft.body.method, 'client-side values');
  // A request that streamed no chunk with text (a few bytes need not form a character) has no client-side TTFT.
  const withTtft = (await api<LatencyPanel>(`/api/runs/${runId}/latency?metric=ttft`)).body.clientLatenciesMs.length;
  assert.ok(withTtft >= 1);
  assert.equal(ttft.body.traces.length, withTtft);
  assert.ok(ttft.body.traces.every((t) => t.stored && t.priority === 'P0' && t.clientMs !== null && t.durationMs !== null));
  const sorted = ttft.body.traces.map((t) => t.clientMs!);
  assert.deepEqual(sorted, [...sorted].sort((a, b) => b - a), 'slowest first');
  // A span that is not in the trace is a 404 too.
  assert.equal((await api(`/api/runs/${runId}/span-profile?trace=${ok.body.traces[0].traceId}&span=${'0'.repeat(15)}1`)).status, 404);
  assert.equal((await api(`/api/runs/${runId}/span-profile?trace=${ok.body.traces[0].traceId}&span=zz`)).status, 400);
});
