import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { pausePrometheus, startApp, type AppHandle } from '../helpers/app';
import { launchChromium, openPage } from '../helpers/browser';
import { HISTOGRAM, SERVICE, startInstrumentedService, type InstrumentedService } from '../helpers/instrumented-service';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres';
import { until } from '../helpers/until';

// Explore and incident links end to end in Chromium, against the default start
// (`npm start`: embedded Prometheus, span and profile stores), with a small
// instrumented Node service — not the sandbox — as the traffic: official
// OpenTelemetry SDK traces, @pyroscope/nodejs CPU profiles with span ids, a
// prom-client histogram with exemplars that the embedded Prometheus scrapes
// (the service is a LOAD_TARGETS entry). The user's move: a slow heatmap cell
// → its traces → a span → that span's own CPU; then slow vs fast; then links
// (from Explore and a run page) opened in a fresh browser, frozen links after
// the stores are emptied and Prometheus is stopped, and a revoked link's 410. Postgres is a test one
// (DATABASE_URL) only so that the test can empty the stores.

const TOP_FUNCTIONS_READY = /Top functions · \d+ of \d+/;
const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const FAST = 80;
const SLOW = 10;

let db: TestPostgres;
let app: AppHandle;
let svc: InstrumentedService;
let browser: Browser;
let page: Page;
let explorePath: string;
let exploreLink: string;
let runLink: string;
const figures: string[] = [];

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// biome-ignore lint/suspicious/noExplicitAny: JSON answers read field by field
async function api(p: string, init?: RequestInit): Promise<{ status: number; body: any; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(`${app.url}${p}`, { ...init, signal: AbortSignal.timeout(30_000) });
  const text = await r.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {}
  return { status: r.status, body, ms: performance.now() - t0 };
}

before(async () => {
  db = await startTestPostgres({ migrate: false });
  const port = await freePort();
  app = await startApp({ env: { DATABASE_URL: db.url, LOAD_TARGETS: `${SERVICE}=http://127.0.0.1:${port}|semconv`, PYROSCOPE_FLUSH_INTERVAL_MS: '3000' } });
  svc = await startInstrumentedService({ appUrl: app.url, port });
  // The embedded Prometheus scrapes the service (every 5 s) before any request, so rate() sees every one.
  await until('Prometheus to scrape the service', async () => (await api(`/api/prometheus/query?query=${encodeURIComponent(`up{job="load-target-${SERVICE}"}`)}`)).body?.samples?.[0]?.value === 1, 60_000);
  await new Promise((r) => setTimeout(r, 6000));
  await svc.load({ fast: FAST, slow: SLOW, gapMs: 120 });
  const now = Date.now();
  const q = encodeURIComponent(`{ resource.service.name = "${SERVICE}" && kind = server }`);
  await until('the spans', async () => (await api(`/api/traces/search?q=${q}&from=${now - 600_000}&to=${now + 60_000}&limit=500`)).body?.traces?.length === FAST + SLOW, 60_000);
  await until('the profiles', async () => (await api(`/api/profiles/label-values?name=service_name&from=${now - 600_000}&to=${now + 60_000}`)).body?.values?.includes(SERVICE), 60_000);
  // Two more scrapes after the last request, and the final profile push.
  await new Promise((r) => setTimeout(r, 11_000));
  browser = await launchChromium();
  page = await openPage(browser, 30_000);
  mkdirSync(RESULTS, { recursive: true });
});

after(async () => {
  if (figures.length) console.log(`\nExplore figures:\n${figures.join('\n')}`);
  await browser?.close();
  await svc?.stop().catch(() => {});
  await app?.stop();
  await db?.stop();
});

test('a slow heatmap cell → its traces → a span → that span’s own CPU profile', { timeout: 180_000 }, async () => {
  const t0 = performance.now();
  explorePath = `/explore?from=now-15m&to=now&svc=${SERVICE}&pmode=heatmap&hsel=${encodeURIComponent(`${HISTOGRAM}{job="load-target-${SERVICE}"}`)}`;
  await page.goto(`${app.url}${explorePath}`);
  const metrics = page.getByTestId('explore-metrics');
  const heat = metrics.getByTestId('latency-heatmap');
  await heat.waitFor();
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid="explore-metrics"] [data-testid="latency-heatmap"]')?.dataset.total) > 0);
  figures.push(`explore page load to a drawn Prometheus heatmap: ${Math.round(performance.now() - t0)} ms`);
  assert.match((await metrics.locator('header').textContent()) ?? '', /Prometheus/);
  assert.match((await metrics.textContent()) ?? '', /Series used: sum by \(le\) \(rate\(http_server_request_duration_seconds_bucket\{job="load-target-shop"\}/);

  // The slowest cells are buttons: take one in the slow band (the service's slow requests take ~180 ms).
  await metrics.getByText('Slowest cells').click();
  const cells = metrics.getByTestId('heatmap-cell-button');
  const texts = await cells.allTextContents();
  const slowIndex = texts.findIndex((t) => /· 100 ms–250 ms ·/.test(t));
  assert.ok(slowIndex >= 0, `a slow cell among ${texts.join(' | ')}`);
  await cells.nth(slowIndex).click();
  assert.match(page.url(), /pcell=\d+-\d+%3A0\.1-0\.25/);

  // Its traces: every one is a slow request (the TraceQL band search over the cell's time).
  const cellTraces = page.getByTestId('cell-traces');
  await cellTraces.getByTestId('trace-row').first().waitFor();
  assert.match((await cellTraces.textContent()) ?? '', /duration > 100ms && duration <= 250ms/);
  const rowDurations = await cellTraces.getByTestId('trace-row').evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[5]?.textContent ?? ''));
  assert.ok(rowDurations.length > 0 && rowDurations.every((d) => Number.parseFloat(d) > 100 && Number.parseFloat(d) <= 250 && d.endsWith(' ms')), rowDurations.join(', '));

  // Open one: the waterfall, then its CPU-bound child span.
  await cellTraces.getByTestId('trace-row').first().getByRole('button').click();
  const trace = page.getByTestId('explore-trace');
  await trace.getByText('compute price').first().click();
  const spanProfile = page.getByTestId('explore-span-profile');
  // The table is filled once its index is built ("Top functions · 9 of 9", not "· indexing…").
  await spanProfile.getByText(TOP_FUNCTIONS_READY).waitFor({ timeout: 60_000 });
  const top = (await spanProfile.textContent()) ?? '';
  assert.match(top, /slowPath/);
  assert.doesNotMatch(top, /fastPath/, 'the span’s own profile has only its samples');
  assert.match(page.url(), /trace=[0-9a-f]{32}&span=[0-9a-f]{16}/);
  await page.screenshot({ path: path.join(RESULTS, 'explore-span-profile.png'), fullPage: true });
});

test('compare slow with fast: the slowest requests’ CPU against the fastest ones’', { timeout: 120_000 }, async () => {
  await page.getByTestId('compare-slow-fast').click();
  const profiles = page.getByTestId('explore-profiles');
  await profiles.getByTestId('slow-fast-requests').waitFor({ timeout: 60_000 });
  assert.match(page.url(), /cmp=slowfast/);
  const sides = (await profiles.getByTestId('slow-fast-requests').textContent()) ?? '';
  assert.match(sides, /Slowest/);
  const slowMs = await profiles.getByTestId('slow-fast-requests').locator('div').first().getByRole('button').allTextContents();
  assert.equal(slowMs.length, SLOW);
  // ~180 ms of CPU each; more when the shared machine is busy, never near the fast ones' ~4 ms.
  assert.ok(slowMs.every((t) => Number.parseFloat(t) >= 150 && t.endsWith(' ms')), slowMs.join(', '));
  assert.match((await profiles.locator('header').textContent()) ?? '', /CPU profile \(diff\)/);
  assert.match((await profiles.textContent()) ?? '', /slowPath/);
  await page.screenshot({ path: path.join(RESULTS, 'explore.png'), fullPage: true });

  // Query latency as the browser sees it, per route (server and network; the machine is shared).
  const now = Date.now();
  const range = `from=${now - 900_000}&to=${now}`;
  const q = encodeURIComponent(`{ resource.service.name = "${SERVICE}" && kind = server }`);
  for (const [name, p] of [
    ['Prometheus heatmap', `/api/prometheus/heatmap?selector=${encodeURIComponent(HISTOGRAM)}&${range}&width=1200`],
    ['TraceQL search', `/api/traces/search?q=${q}&${range}&limit=100&spss=1`],
    ['trace heatmap', `/api/traces/heatmap?q=${q}&${range}&width=1200`],
    ['RED figures', `/api/traces/red?q=${q}&${range}&width=1200`],
    ['flame graph', `/api/profiles/flame?selector=${encodeURIComponent(`{service_name="${SERVICE}"}`)}&${range}`],
    ['slow vs fast', `/api/profiles/slow-vs-fast?q=${q}&${range}&n=10`],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await api(p);
      assert.equal(r.status, 200, `${name}: ${JSON.stringify(r.body).slice(0, 300)}`);
      times.push(r.ms);
    }
    figures.push(`${name}: median ${Math.round(times.sort((a, b) => a - b)[1])} ms of 3`);
  }
});

async function share(p: Page, freeze: boolean, title: string): Promise<string> {
  await p.getByTestId('share-button').click();
  await p.getByTestId('share-title').fill(title);
  if (!freeze) await p.getByTestId('share-freeze').uncheck();
  await p.getByTestId('share-create').click();
  const url = await p.getByTestId('share-url').inputValue({ timeout: 60_000 });
  assert.match(url, /\/i\/[a-km-np-z2-9]{26}$/);
  return url;
}

test('a frozen link from Explore opens in a fresh browser on the same view, and still does with the stores emptied and Prometheus stopped', { timeout: 180_000 }, async () => {
  // The view: the slow cell, its trace and span, and slow vs fast.
  const before = {
    cell: (await page.getByTestId('cell-traces').textContent()) ?? '',
    span: (await page.getByTestId('explore-span-profile').locator('header').textContent()) ?? '',
    slowFast: (await page.getByTestId('slow-fast-requests').textContent()) ?? '',
  };
  exploreLink = await share(page, true, 'Checkout p99: slow requests spend their CPU in slowPath');

  const fresh = await browser.newContext({ colorScheme: 'light', viewport: { width: 1440, height: 1000 } });
  const other = await fresh.newPage();
  await other.goto(exploreLink);
  await other.waitForURL(/\/i\/[a-z0-9]{26}\/view\?/);
  await other.getByTestId('incident-link').waitFor();
  assert.equal(await other.getByTestId('incident-link').getAttribute('data-state'), 'frozen');
  await other.getByTestId('slow-fast-requests').waitFor({ timeout: 60_000 });
  await other.getByTestId('explore-span-profile').getByText(TOP_FUNCTIONS_READY).waitFor();
  assert.equal((await other.getByTestId('cell-traces').textContent()) ?? '', before.cell);
  assert.equal((await other.getByTestId('explore-span-profile').locator('header').textContent()) ?? '', before.span);
  assert.equal((await other.getByTestId('slow-fast-requests').textContent()) ?? '', before.slowFast);

  // Empty the trace and profile stores, stop the service and Prometheus: the frozen link shows the same picture.
  svc.stop();
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('TRUNCATE embedded_span, embedded_profile, embedded_profile_stack');
  await c.end();
  const live = await api(`/api/traces/search?q=${encodeURIComponent('{}')}&from=${Date.now() - 3_600_000}&to=${Date.now()}`);
  assert.equal(live.body.traces.length, 0, 'the store is empty');
  const resume = pausePrometheus(app);
  try {
    const stopped = await fetch(`${app.url}/api/prometheus/query?query=up`, { signal: AbortSignal.timeout(3000) }).then(
      (r) => `answered ${r.status}`,
      () => 'no answer',
    );
    assert.equal(stopped, 'no answer', 'Prometheus is stopped');

    const again = await openPage(browser, 30_000);
    const t0 = performance.now();
    await again.goto(exploreLink);
    await again.getByTestId('slow-fast-requests').waitFor({ timeout: 60_000 });
    await again.getByTestId('explore-span-profile').getByText(TOP_FUNCTIONS_READY).waitFor();
    figures.push(`frozen link, stores emptied and Prometheus stopped: open to the slow-vs-fast diff drawn: ${Math.round(performance.now() - t0)} ms`);
    // The Prometheus heatmap's cell and its traces, the span profile and slow vs fast: as shared.
    assert.equal((await again.getByTestId('cell-traces').textContent()) ?? '', before.cell);
    assert.equal((await again.getByTestId('explore-span-profile').locator('header').textContent()) ?? '', before.span);
    assert.equal((await again.getByTestId('slow-fast-requests').textContent()) ?? '', before.slowFast);
    assert.match((await again.getByTestId('link-data-state').textContent()) ?? '', /^frozen .* answers/);
    await again.screenshot({ path: path.join(RESULTS, 'frozen-link.png'), fullPage: true });
  } finally {
    resume();
  }
  await fresh.close();
});

test('a link from a run page opens the same run view in a fresh browser; the run page opens Explore on its window and service', { timeout: 300_000 }, async () => {
  const created = await api('/api/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url },
    body: JSON.stringify({ target: 'sandbox', requests: 6, concurrency: 2, promptLength: { mode: 'fixed', tokens: 16 }, maxTokens: 6, temperature: 0, p0Fraction: 1, seed: 3 }),
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const id = created.body.id as string;
  await until('the run to end', async () => (await api(`/api/runs/${id}`)).body?.finishedAt, 180_000, 2000);
  await page.goto(`${app.url}/sandbox/runs/${id}?tab=e2e`);
  const latency = page.getByTestId('run-latency');
  // From the embedded Prometheus: increase() over the run's window, so the count is about 6, not exactly.
  await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid="latency-histogram"]')?.dataset.total) > 0, null, { timeout: 90_000 });
  await page.waitForFunction(() => !document.querySelector('[data-testid="run-latency"]')?.textContent?.includes('may still be arriving'), null, { timeout: 90_000 });
  const beforeTotal = await latency.getByTestId('latency-histogram').getAttribute('data-total');
  runLink = await share(page, false, 'A small sandbox run');

  const fresh = await openPage(browser, 30_000);
  await fresh.goto(runLink);
  await fresh.getByTestId('incident-link').waitFor();
  assert.equal(await fresh.getByTestId('incident-link').getAttribute('data-state'), 'live');
  await fresh.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-testid="latency-histogram"]')?.dataset.total) > 0, null, { timeout: 60_000 });
  assert.equal(await fresh.getByTestId('run-latency').getByTestId('latency-histogram').getAttribute('data-total'), beforeTotal);
  assert.match((await fresh.getByTestId('run-progress').textContent()) ?? '', /sandbox/);

  // From the run page to Explore on the run's window and the sandbox's service: its requests' traces.
  await page.getByTestId('run-explore').click();
  await page.waitForURL(/\/explore\?/);
  const opened = new URL(page.url()).searchParams;
  assert.equal(opened.get('svc'), 'trisight-sandbox');
  const run = (await api(`/api/runs/${id}`)).body;
  assert.ok(Number(opened.get('from')) <= Date.parse(run.startedAt) && Number(opened.get('to')) >= Date.parse(run.finishedAt), "the run's window");
  assert.equal(await page.getByTestId('trace-service').inputValue(), 'trisight-sandbox');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="trace-row"]').length >= 6, null, { timeout: 60_000 });
  // (Its traces start at the load generator's client spans; the query matched their sandbox server spans.)
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="red-requests"]')?.textContent) >= 6, null, { timeout: 60_000 });
  // No PromQL query yet is not a problem to show.
  assert.doesNotMatch((await page.getByTestId('promql-editor-problem').textContent()) ?? '', /empty/);
  await page.screenshot({ path: path.join(RESULTS, 'explore-from-run.png') });
});

test('revoking a link from /incidents makes it answer 410 with a page saying so', { timeout: 60_000 }, async () => {
  await page.goto(`${app.url}/incidents`);
  const rows = page.getByTestId('incident-row');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2);
  const slug = exploreLink.split('/').pop()!;
  const row = rows.filter({ has: page.locator(`a[href="/i/${slug}"]`) });
  assert.equal(await row.getAttribute('data-state'), 'frozen');
  page.once('dialog', (d) => void d.accept());
  await row.getByTestId('incident-revoke').click();
  await page.waitForFunction((s) => document.querySelector(`a[href="/i/${s}"]`)?.closest('tr')?.getAttribute('data-state') === 'revoked', slug);
  await page.screenshot({ path: path.join(RESULTS, 'incidents.png') });
  const gone = await fetch(exploreLink, { redirect: 'manual' });
  assert.equal(gone.status, 410);
  const html = await gone.text();
  assert.match(html, /This link was revoked/);
  assert.match(html, /revoked by local/);
  const data = await api(`/api/i/${slug}/data?r=${encodeURIComponent('/api/traces/search?q=%7B%7D')}`);
  assert.equal(data.status, 410);
  // The run link is untouched.
  assert.equal((await fetch(runLink, { redirect: 'manual' })).status, 303);
  // What a person opening the revoked link sees.
  const shown = await page.goto(exploreLink);
  assert.equal(shown?.status(), 410);
  await page.getByRole('heading', { name: 'This link was revoked' }).waitFor();
  await page.screenshot({ path: path.join(RESULTS, 'link-revoked.png') });
});
