import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openPage } from '../helpers/browser';
import { appJson, startApp, type AppHandle } from '../helpers/app';
import type { LatencyPanel, QualityPanel } from '../../lib/runs/panels';
import { until } from '../helpers/until';

// The run page as `npm start` serves it by default, with its embedded Prometheus
// scraping the sandbox: a run fired from the form by typing and clicking, then
// every number on the page checked against what was sent. The form refuses a
// prompt that cannot fit the model before any request goes out; a run whose
// every request failed says so; an unknown run is a 404 at once.

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const REQUESTS = 24;

let app: AppHandle;
let browser: Browser;
let page: Page;
const notFound: string[] = [];

before(async () => {
  app = await startApp({ env: { PYROSCOPE_FLUSH_INTERVAL_MS: '3000' } });
  browser = await launchChromium();
  page = await openPage(browser, 20_000);
  // Every page load is watched for missing files (a favicon, a chunk).
  page.on('response', (r) => {
    if (r.status() === 404 && !/\/sandbox\/runs\/0{8}-/.test(r.url())) notFound.push(r.url());
  });
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const api = <T>(p: string, init?: RequestInit) => appJson<T>(app, p, init);


const runCount = async () => (await api<{ runs: unknown[] }>('/api/runs')).body.runs.length;

test('the form refuses a prompt longer than the model takes, in words, before any request is sent', async () => {
  await page.goto(`${app.url}/sandbox`);
  const form = page.getByTestId('load-form');
  // The target's context comes from its own /v1/models.
  await form.getByText(/trisight-tiny: 256-token context/).waitFor();
  await form.getByLabel('Fixed').check();
  await form.getByLabel('Tokens', { exact: true }).fill('512');
  const before = await runCount();
  await form.getByRole('button', { name: 'Run', exact: true }).click();
  const msg = (await form.getByRole('alert').first().textContent()) ?? '';
  assert.match(msg, /A 512-token prompt leaves no room for output in the model's context of 256 tokens/);
  assert.doesNotMatch(msg, /promptLength|maxTokens|\{/, 'no field paths, no JSON');
  assert.equal(new URL(page.url()).pathname, '/sandbox');
  // The server refuses it too, for any client.
  const r = await api<{ error: { issues: { path: string }[] } }>('/api/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target: 'sandbox', requests: 5, concurrency: 1, promptLength: { mode: 'fixed', tokens: 512 }, maxTokens: 32, temperature: 0, p0Fraction: 1 }),
  });
  assert.equal(r.status, 400);
  assert.deepEqual(r.body.error.issues.map((i) => i.path), ['promptLength.tokens']);
  assert.equal(await runCount(), before, 'no run was recorded');
});

test('a run fired from the form: the server count equals the requests sent, each server time is within its client time, and every trace starts at the client', { timeout: 300_000 }, async () => {
  const form = page.getByTestId('load-form');
  await form.getByLabel('Requests').fill(String(REQUESTS));
  await form.getByLabel('Concurrency').fill('4');
  await form.getByLabel('Max tokens').fill('8');
  await form.getByLabel('P0 share (%)').fill('100');
  await form.getByLabel('Tokens', { exact: true }).fill('24');
  await form.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForURL(/\/sandbox\/runs\/[0-9a-f-]{36}$/);
  const runId = new URL(page.url()).pathname.split('/').pop()!;

  await page.getByTestId('run-side-by-side').waitFor({ timeout: 120_000 });
  const latency = page.getByTestId('run-latency');
  // The embedded Prometheus's counters, between the scrapes around the run: exact.
  await page.waitForFunction(
    (n) => {
      const h = document.querySelector<HTMLElement>('[data-testid="latency-histogram"]');
      return h?.dataset.total === String(n) && h.dataset.countKind === 'exact';
    },
    REQUESTS,
    { timeout: 90_000 },
  ).catch(async (e) => {
    // Say what the page showed instead, so a failure names its cause.
    const h = await page.getByTestId('latency-histogram').evaluate((el: HTMLElement) => ({ ...el.dataset })).catch(() => null);
    const said = app.log().split('\n').filter((l) => /load run|prometheus|sandbox.*(error|warn)/i.test(l)).slice(-20).join('\n');
    throw new Error(`${(e as Error).message}\nhistogram: ${JSON.stringify(h)}\npanel: ${await latency.textContent()}\nlog:\n${said}`);
  });
  assert.match((await latency.locator('header').textContent()) ?? '', /Prometheus/);
  assert.match((await latency.getByTestId('latency-count-check').textContent()) ?? '', new RegExp(`counted exactly the ${REQUESTS} requests this run measured`));
  assert.match((await latency.getByTestId('latency-summary-server').textContent()) ?? '', /interpolated within their buckets \(p50 in /);
  assert.match((await latency.getByTestId('latency-summary-client').textContent()) ?? '', new RegExp(`Client: ${REQUESTS} requests .*exact`));
  const panel = await api<LatencyPanel>(`/api/runs/${runId}/latency?metric=e2e`);
  assert.equal(panel.body.counts?.total, REQUESTS);
  assert.ok(panel.body.histogram!.buckets.every((b) => Number.isInteger(Number(b.count))));

  // Hovering a column: the tooltip opens beside the pointer, below the legend and the percentile labels.
  const chart = latency.locator('[data-testid="latency-histogram"] [role="img"]');
  const box = (await chart.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 70);
  const tip = await until(
    'the tooltip',
    () =>
      chart.evaluate((el) => {
        const t = [...el.querySelectorAll<HTMLElement>('div')].find((d) => d.style.zIndex === '9999999' && d.style.display !== 'none' && d.textContent?.includes('server:'));
        return t ? t.getBoundingClientRect().top - el.getBoundingClientRect().top : null;
      }),
    10_000,
    200,
  );
  assert.ok(tip >= 60, `tooltip top ${tip} px from the chart's top: over the legend`);
  await page.mouse.move(0, 0);

  // The fullest bucket's traces: every one lists the server's time within the client's.
  await latency.getByText('Buckets as a table').click();
  const rows = latency.getByTestId('histogram-bucket-row');
  const counts = await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.querySelectorAll('td')[0]?.textContent)));
  assert.equal(counts.reduce((a, b) => a + b, 0), REQUESTS);
  await rows.nth(counts.indexOf(Math.max(...counts))).getByTestId('histogram-bucket-button').click();
  const traceRows = page.getByTestId('bucket-trace-row');
  // The list asks again while the run's last spans may still be arriving.
  await until(
    'every request in the bucket listed with its trace',
    async () => /stored traces? in this bucket, (all listed, slowest first|listed)\. Every request the histogram holds here was traced\./.test((await page.getByTestId('bucket-trace-count').textContent()) ?? ''),
    60_000,
  );
  const pairs = await traceRows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(1, 3).map((td) => Number(td.textContent))));
  assert.equal(pairs.length, Math.max(...counts));
  for (const [server, client] of pairs) assert.ok(server <= client, `server ${server} ms > client ${client} ms`);
  const servers = pairs.map((p) => p[0]);
  assert.deepEqual(servers, [...servers].sort((a, b) => b - a), 'slowest first');

  // A trace starts at the load generator's client span; nothing is an orphan.
  await traceRows.first().getByRole('button').click();
  const waterfall = page.getByTestId('run-trace').getByTestId('trace-waterfall');
  await waterfall.waitFor();
  const names = await waterfall.locator('button[data-span-button]').allTextContents();
  assert.match(names[0], /^trisight-loadgen text_completion trisight-tiny$/);
  assert.match(names[1], /^trisight-sandbox text_completion trisight-tiny$/);
  assert.ok(!(await waterfall.textContent())?.includes('(parent missing)'));
  await waterfall.locator('button[data-span-button]', { hasText: /prefill$/ }).click();
  await page.waitForURL((u) => u.searchParams.has('span'));
  // The selected span is drawn in the selection colour (as painted), not in error red.
  // (No named functions inside evaluate: tsx would wrap them in a helper the page lacks.)
  const paint = await waterfall.locator('[data-selected] [data-bar]').evaluate((bar) => {
    const probe = document.createElement('div');
    document.body.append(probe);
    const out: Record<string, string> = { bar: getComputedStyle(bar).backgroundColor };
    for (const [k, v] of [['selected', '--chart-selected'], ['danger', '--danger']]) {
      probe.style.backgroundColor = `var(${v})`;
      out[k] = getComputedStyle(probe).backgroundColor;
    }
    probe.remove();
    return out;
  });
  assert.equal(paint.bar, paint.selected);
  assert.notEqual(paint.bar, paint.danger);

  // Light and dark, once the profiles have settled.
  await until('the profiles to settle', async () => !/may still arrive/.test((await page.getByTestId('run-flame').locator('header').textContent()) ?? ''), 30_000);
  mkdirSync(RESULTS, { recursive: true });
  // The whole page as the README shows it (bucket table folded again).
  await latency.getByText('Buckets as a table').click();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(RESULTS, 'run-page-full.png'), fullPage: true });
  await page.getByTestId('run-side-by-side').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, 'run-page-light.png'), fullPage: false });
  await page.getByTestId('theme-toggle').click();
  await page.waitForFunction(() => document.documentElement.classList.contains('dark'));
  await page.screenshot({ path: path.join(RESULTS, 'run-page-dark.png'), fullPage: false });
  await page.getByTestId('run-trace').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, 'run-page-dark-drilldown.png'), fullPage: false });
  await page.getByTestId('theme-toggle').click();

  // The quality panel's KV tab: a bar per transformer block, each block's prefix-cache hits over its
  // lookups between the scrapes that bracket the run (the latency histogram's exact scrapes above):
  // every block looked up each request's whole prompt, as the sandbox reported it to the client.
  await page.goto(`${app.url}/sandbox/runs/${runId}?quality=kv_reuse`);
  const kv = page.getByTestId('run-quality').getByTestId('quality-prefix-cache');
  await kv.waitFor({ timeout: 30_000 });
  assert.match((await kv.textContent()) ?? '', /sum by \(block\) \(increase\(sandbox_kv_cache_block_hits_tokens_total\[\d+s\]\)\)/);
  const bars = kv.getByTestId('quality-block-hit-rates');
  await bars
    .locator('canvas')
    .waitFor()
    .catch(async (e) => {
      throw new Error(`${(e as Error).message}\nKV box: ${await kv.textContent()}`);
    });
  const cache = (await api<QualityPanel>(`/api/runs/${runId}/quality`)).body.prefixCache;
  const run = (await api<{ samples: { promptTokens: number[] } }>(`/api/runs/${runId}?samples=1`)).body;
  const promptTokens = run.samples.promptTokens.reduce((a, b) => a + b, 0);
  assert.ok(cache?.blocks, JSON.stringify(cache));
  assert.equal(cache.blocks.by, 'block');
  assert.deepEqual(
    cache.blocks.rates.map((b) => [b.block, b.lookups]),
    ['0', '1', '2', '3'].map((b) => [b, promptTokens]),
    `the tiny model's 4 blocks each looked up the run's ${promptTokens} prompt tokens`,
  );
  for (const b of cache.blocks.rates) assert.ok(Number.isInteger(b.hits) && b.hits >= 0 && b.hits <= b.lookups && b.hitRate === b.hits / b.lookups, JSON.stringify(b));
  // The same numbers as text: the chart's label and the table (folded; opened from the keyboard).
  const label = (await bars.locator('[role="img"]').getAttribute('aria-label')) ?? '';
  for (const b of cache.blocks.rates) assert.ok(label.includes(`block ${b.block}: ${(b.hitRate * 100).toFixed(1)} % of ${b.lookups.toLocaleString('en-US')}`), label);
  const summary = bars.getByText('Hit rate per block as a table');
  await summary.focus();
  await page.keyboard.press('Enter');
  const cells = await bars.getByTestId('quality-block-row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)));
  assert.deepEqual(
    cells,
    cache.blocks.rates.map((b) => [b.block, `${(b.hitRate * 100).toFixed(1)} %`, b.hits.toLocaleString('en-US'), b.lookups.toLocaleString('en-US')]),
  );
  await kv.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, 'run-page-kv-blocks.png'), fullPage: false });
  await page.getByTestId('theme-toggle').click();
  await page.waitForFunction(() => document.documentElement.classList.contains('dark'));
  await page.screenshot({ path: path.join(RESULTS, 'run-page-kv-blocks-dark.png'), fullPage: false });
  await page.getByTestId('theme-toggle').click();
  assert.deepEqual(notFound, [], 'no missing files (favicon included)');
});

test('a run whose every request failed says so on every panel, in words', { timeout: 120_000 }, async () => {
  const r = await api<{ id: string }>('/api/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ target: 'sandbox', requests: 4, concurrency: 2, promptLength: { mode: 'fixed', tokens: 16 }, maxTokens: 4, temperature: 0, p0Fraction: 1, model: 'no-such-model' }),
  });
  assert.equal(r.status, 201);
  await until('the run to end', async () => (await api<{ finishedAt: string | null }>(`/api/runs/${r.body.id}`)).body.finishedAt, 60_000);
  await page.goto(`${app.url}/sandbox/runs/${r.body.id}`);
  const banner = (await page.getByTestId('run-error').textContent()) ?? '';
  assert.match(banner, /All 4 requests failed; first: HTTP 404: model: "no-such-model" does not exist/);
  assert.doesNotMatch(banner, /\{"/, 'no raw JSON');
  const latency = page.getByTestId('run-latency');
  await latency.getByText(/Every request of this run failed \(4 of 4\)/).waitFor();
  assert.doesNotMatch((await latency.textContent()) ?? '', /P0 share/);
});

test('an unknown run id is a 404 page at once; so is any unknown path', async () => {
  const res = await page.goto(`${app.url}/sandbox/runs/00000000-0000-4000-8000-000000000000`);
  assert.equal(res?.status(), 404);
  await page.getByTestId('run-not-found').getByText('No such load run').waitFor({ timeout: 2_000 });
  assert.equal(await page.getByText('Loading').count(), 0);
  const bad = await page.goto(`${app.url}/sandbox/runs/not-a-run`);
  assert.equal(bad?.status(), 404);
  const other = await page.goto(`${app.url}/no/such/page`);
  assert.equal(other?.status(), 404);
  await page.getByTestId('not-found').waitFor({ timeout: 2_000 });
  // The favicon is served.
  const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
  assert.ok(icon);
  assert.equal((await fetch(new URL(icon, app.url)).then((x) => x.status)), 200);
});
