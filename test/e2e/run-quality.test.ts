import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ExploreQualityAnswer } from '../../lib/explore/quality';
import { exploreHref } from '../../lib/explore/url-state';
import type { QualityPanel } from '../../lib/runs/panels';
import { axisExtent, signalAxis, type QualityPoint } from '../../lib/runs/quality';
import { SANDBOX_SERVICE } from '../../lib/runs/views';
import { launchChromium, openPage } from '../helpers/browser';
import { appJson, startApp, type AppHandle } from '../helpers/app';
import { startOpenAiSseServer, type OpenAiSseServer } from '../helpers/openai-sse-server';
import { until } from '../helpers/until';

// The run page's quality panel as a user gets it from `npm start`: a run mixing
// natural text, a repeated word and random bytes fired from the form, the
// entropy tab separating the kinds, a scatter point opening that request's
// trace (in the URL, so a reload keeps it), the keyboard's way through the tabs
// and the table, and the empty state of a target that records no signals.

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const REQUESTS = 24;
/** The scatter's plot-area insets, as components/quality/QualitySignalView sets them (outerBoundsMode 'none': exact). */
const GRID = { left: 56, right: 28, top: 32, bottom: 40 };

let app: AppHandle;
let plain: OpenAiSseServer;
let browser: Browser;
let page: Page;
let runId: string;
/** the mixed run's window, from its own answer */
let runWindow: { from: number; to: number };

before(async () => {
  // A second target that speaks OpenAI but records no quality attributes (and sends no spans here).
  plain = await startOpenAiSseServer({ model: 'plain-model', tokenDelayMs: 1 });
  app = await startApp({ env: { EMBEDDED_PROMETHEUS: 'off', LOAD_TARGETS: `plain=${plain.url}|vllm` } });
  browser = await launchChromium();
  page = await openPage(browser, 20_000);
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await plain?.stop();
});

const api = <T>(p: string) => appJson<T>(app, p);

/** The point farthest (in pixels) from every other, so a click on it cannot land on a neighbour; and where it is on the page. */
async function isolatedPoint(points: readonly QualityPoint[]): Promise<{ point: QualityPoint; x: number; y: number }> {
  const box = (await page.getByTestId('quality-scatter').boundingBox())!;
  const xr = signalAxis(
    'entropy',
    points.map((p) => p.value),
  );
  const yr = axisExtent(
    points.map((p) => p.e2eMs),
    true,
  );
  const w = box.width - GRID.left - GRID.right;
  const h = box.height - GRID.top - GRID.bottom;
  const at = points.map((p) => ({
    point: p,
    x: box.x + GRID.left + ((p.value - xr.min) / (xr.max - xr.min)) * w,
    y: box.y + GRID.top + (1 - (p.e2eMs - yr.min) / (yr.max - yr.min)) * h,
  }));
  const gap = (a: (typeof at)[number]) => Math.min(...at.filter((b) => b !== a).map((b) => Math.hypot(a.x - b.x, a.y - b.y)));
  return at.reduce((best, a) => (gap(a) > gap(best) ? a : best));
}

test('a mixed-prompt run: entropy separates the kinds, a scatter point opens its trace, and the view survives a reload', { timeout: 300_000 }, async () => {
  await page.goto(
    `${app.url}/sandbox?requests=${REQUESTS}&concurrency=4&p0=100&maxTokens=20&prompt=range&promptMin=32&promptMax=64&mixNatural=40&mixRepeated=30&mixRandom=30&seed=9`,
  );
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await page.waitForURL(/\/sandbox\/runs\/[0-9a-f-]{36}$/);
  runId = new URL(page.url()).pathname.split('/').pop()!;

  const panel = page.getByTestId('run-quality');
  await panel.waitFor({ timeout: 120_000 });
  // Every request traced (P0): the panel reads all of them once their spans are stored.
  const q = await until(
    'every request span stored',
    async () => {
      const r = await api<QualityPanel>(`/api/runs/${runId}/quality`);
      return r.body.requests?.stored === REQUESTS && !r.body.pending ? r.body : null;
    },
    90_000,
  );
  runWindow = q.window;
  await until('the panel to show every request', async () => (await panel.locator('header').textContent())?.includes(`${REQUESTS} of the run's ${REQUESTS} successful requests traced`), 30_000);
  assert.match((await panel.locator('header').textContent()) ?? '', /embedded/);

  // Entropy tab (the default): the medians by prompt kind are ordered repeated < natural < random.
  assert.equal(await panel.getByRole('tab', { name: 'Prompt entropy' }).getAttribute('aria-selected'), 'true');
  const byKind = (await panel.getByTestId('quality-by-kind').textContent()) ?? '';
  const median = (kind: string) => Number(new RegExp(`${kind} ([\\d.]+) bits`).exec(byKind)?.[1]);
  assert.ok(median('repeated word') < median('natural text') && median('natural text') < median('random bytes'), byKind);
  assert.match((await panel.getByTestId('quality-correlation').textContent()) ?? '', /Spearman ρ = -?\d\.\d\d with E2E latency|too few distinct values/);
  await panel.getByTestId('quality-scatter').locator('canvas').waitFor();
  await panel.getByTestId('quality-distribution').locator('canvas').waitFor();

  // Click a point on the canvas: that request's trace opens in the drill-down, and the URL says which.
  const entropy = q.signals.find((s) => s.signal === 'entropy')!;
  // Mouse coordinates are the viewport's: bring the chart into it first.
  await panel.getByTestId('quality-scatter').scrollIntoViewIfNeeded();
  const target = await isolatedPoint(entropy.points);
  await page.mouse.click(target.x, target.y);
  await page.waitForURL((u) => u.searchParams.get('trace') === target.point.traceId, { timeout: 10_000 });
  const waterfall = page.getByTestId('run-trace').getByTestId('trace-waterfall');
  await waterfall.waitFor();
  assert.match((await page.getByTestId('run-trace').locator('header').textContent()) ?? '', new RegExp(target.point.traceId));
  assert.ok((await waterfall.locator('button[data-span-button]').count()) >= 2, 'the request and its children');

  mkdirSync(RESULTS, { recursive: true });
  await panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, 'run-quality-light.png'), fullPage: false });

  // Keyboard: the tabs move with the arrow keys and are kept in the URL.
  await panel.getByRole('tab', { name: 'Prompt entropy' }).focus();
  await page.keyboard.press('ArrowRight');
  await page.waitForURL((u) => u.searchParams.get('quality') === 'perplexity');
  // The URL changes first; the page renders from it a moment later.
  await panel.locator('[data-testid="quality-tabpanel"][data-signal="perplexity"]').waitFor();
  await page.keyboard.press('End');
  await page.waitForURL((u) => u.searchParams.get('quality') === 'kv_reuse');

  // A reload restores the tab and the open trace.
  await page.reload();
  await page.getByTestId('run-trace').getByTestId('trace-waterfall').waitFor({ timeout: 30_000 });
  assert.equal(await page.getByTestId('run-quality').getByRole('tab', { name: 'KV-cache reuse' }).getAttribute('aria-selected'), 'true');
  assert.equal(new URL(page.url()).searchParams.get('trace'), target.point.traceId);
  await page.getByTestId('run-quality').getByTestId('quality-scatter').locator('canvas').waitFor();
  // No Prometheus here (EMBEDDED_PROMETHEUS=off): the per-block bars say why they are missing.
  assert.equal(
    await page.getByTestId('run-quality').getByTestId('quality-block-note').textContent(),
    "No Prometheus is configured (PROMETHEUS_URL), so the server's per-block counters cannot be read.",
  );
  assert.equal(await page.getByTestId('run-quality').getByTestId('quality-block-hit-rates').count(), 0);
  await page.getByTestId('run-quality').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, 'run-quality-kv.png'), fullPage: false });

  // The table is the keyboard's way to a trace: focus a row's button, Enter opens it.
  await page.getByTestId('run-quality').getByRole('tab', { name: 'KV-cache reuse' }).focus();
  await page.keyboard.press('Home');
  await page.waitForURL((u) => u.searchParams.get('quality') === null);
  // Wait for the entropy tab to render: its table sorts the rows anew, and a button focused in
  // the previous tab's table loses focus when React moves it (the Enter below then goes nowhere).
  await page.getByTestId('run-quality').locator('[data-testid="quality-tabpanel"][data-signal="entropy"]').waitFor();
  const table = page.getByTestId('run-quality').getByTestId('quality-table');
  await table.locator('summary').focus();
  await page.keyboard.press('Enter');
  const other = table.getByTestId('quality-row').locator('button[aria-pressed="false"]').first();
  const otherId = (await other.textContent())!;
  await other.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('trace') === otherId);
  // The trace view names the id in its header and, once drawn, in its waterfall: either shows it opened.
  await page.getByTestId('run-trace').getByText(otherId).first().waitFor();

  // A bucket's trace list sorts by a quality signal, kept in the URL.
  await page.goto(`${app.url}/sandbox/runs/${runId}?bucket=0-inf&tsort=entropy`);
  const list = page.getByTestId('run-bucket-traces');
  await list.getByTestId('bucket-trace-row').first().waitFor({ timeout: 30_000 });
  assert.equal(await list.getByTestId('bucket-trace-sort').inputValue(), 'entropy');
  assert.match((await list.locator('thead').textContent()) ?? '', /Prompt entropy/);
  const shown = await list.getByTestId('bucket-trace-row').evaluateAll((trs) => trs.map((tr) => Number.parseFloat(tr.querySelectorAll('td')[4]?.textContent ?? '')));
  assert.equal(shown.length, REQUESTS, 'every request of the bucket 0 – ∞');
  assert.deepEqual(shown, [...shown].sort((a, b) => b - a), `highest entropy first: ${shown.join(', ')}`);
  await list.getByTestId('bucket-trace-sort').selectOption('perplexity');
  await page.waitForURL((u) => u.searchParams.get('tsort') === 'perplexity');
  await list.locator('thead', { hasText: 'Output perplexity' }).waitFor();

  await page.getByTestId('theme-toggle').click();
  await page.waitForFunction(() => document.documentElement.classList.contains('dark'));
  await page.getByTestId('run-quality').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, 'run-quality-dark.png'), fullPage: false });
  await page.getByTestId('theme-toggle').click();
});

test('Explore over the run’s window: the sandbox’s request spans per signal, a scatter point opens its trace in the trace view', { timeout: 120_000 }, async () => {
  assert.ok(runWindow, 'the mixed run ran');
  const range = { from: runWindow.from - 5_000, to: runWindow.to + 5_000 };
  const q = await api<ExploreQualityAnswer>(`/api/traces/quality?svc=${SANDBOX_SERVICE}&from=${Math.floor(range.from)}&to=${Math.ceil(range.to)}`);
  assert.equal(q.status, 200);
  assert.equal(q.body.requests.withSignals, REQUESTS, 'every request of the run, read from its span');
  await page.goto(`${app.url}${exploreHref(range, SANDBOX_SERVICE)}`);
  const panel = page.getByTestId('explore-quality');
  await until('the panel to count the spans', async () => (await panel.locator('header').textContent())?.includes(`${REQUESTS} of ${REQUESTS} request spans of ${SANDBOX_SERVICE}`), 30_000);
  assert.equal(await panel.getByRole('tab', { name: 'Prompt entropy' }).getAttribute('aria-selected'), 'true');
  const scatter = panel.getByTestId('quality-scatter');
  await scatter.locator('canvas').waitFor();
  await scatter.scrollIntoViewIfNeeded();
  const target = await isolatedPoint(q.body.signals.find((s) => s.signal === 'entropy')!.points);
  await page.mouse.click(target.x, target.y);
  await page.waitForURL((u) => u.searchParams.get('trace') === target.point.traceId, { timeout: 10_000 });
  await page.getByTestId('explore-trace').getByTestId('trace-waterfall').waitFor({ timeout: 30_000 });
  await panel.scrollIntoViewIfNeeded();
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS, 'explore-quality.png'), fullPage: false });

  // The tab is in the URL too.
  await panel.getByRole('tab', { name: 'Output perplexity' }).click();
  await page.waitForURL((u) => u.searchParams.get('qsig') === 'perplexity');

  // A service whose spans carry none (here: none at all in the range): the empty state says what to do.
  await page.goto(`${app.url}${exploreHref(range, 'plain')}`);
  const empty = page.getByTestId('explore-quality').getByTestId('quality-empty');
  await until('the empty state', async () => /No request \(server\) span of "plain"/.test((await empty.textContent()) ?? ''), 30_000);
  await page.getByTestId('explore-quality').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, 'explore-quality-empty.png'), fullPage: false });
});

test('a target that records no quality signals: the panel says why and what to do', { timeout: 120_000 }, async () => {
  const r = await fetch(`${app.url}/api/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app.url },
    body: JSON.stringify({ target: 'plain', requests: 4, concurrency: 2, promptLength: { mode: 'fixed', tokens: 32 }, maxTokens: 4, temperature: 0, p0Fraction: 1, seed: 3, maxDurationS: 60 }),
  });
  assert.equal(r.status, 201, await r.clone().text());
  const id = ((await r.json()) as { id: string }).id;
  await until('the run to finish', async () => (await api<{ finishedAt: string | null }>(`/api/runs/${id}`)).body.finishedAt, 60_000);
  await page.goto(`${app.url}/sandbox/runs/${id}`);
  const empty = page.getByTestId('run-quality').getByTestId('quality-empty');
  await until('the settled empty state', async () => /are not in this trace store/.test((await empty.textContent()) ?? ''), 30_000);
  assert.match((await empty.textContent()) ?? '', /The request spans of "plain" are not in this trace store \(embedded\).*The bundled sandbox records them/);
  // The server's own prefix-cache counters do not need its spans: named under the empty state.
  const cache = page.getByTestId('run-quality').getByTestId('quality-prefix-cache');
  assert.match((await cache.textContent()) ?? '', /vLLM counts prefix-cache lookups and hits \(tokens\).*increase\(vllm:prefix_cache_hits_total(\{model_name="plain-model"\})?\[\d+s\]\)/);
  await page.getByTestId('run-quality').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(RESULTS, 'run-quality-empty.png'), fullPage: false });
});
