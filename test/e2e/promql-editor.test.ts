import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { buildHarnessPage, sendHarnessPage } from '../helpers/harness-page';
import { startPrometheus, type PrometheusHandle } from '../helpers/prometheus';

// The shared PromQL editor (components/editors/PromQLEditor.tsx) in Chromium:
// metric names complete from a real Prometheus through the app's own
// /api/promql/* route handlers (served here in-process, PROMETHEUS_URL from the
// server's environment), problems show inline with their position, and
// Ctrl+Enter submits.

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RESULTS = path.join(ROOT, 'test-results');
const METRIC = 'trisight_editor_test_requests_total';

let exporter: http.Server;
let prom: PrometheusHandle;
let server: http.Server;
let baseUrl: string;
let browser: Browser;

async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

before(async () => {
  exporter = http.createServer((_req, res) =>
    res
      .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
      .end(`# HELP ${METRIC} Requests the editor test made up.\n# TYPE ${METRIC} counter\n${METRIC}{code="200"} 7\n${METRIC}{code="500"} 1\n`),
  );
  prom = await startPrometheus({ scrapeTargets: [await listen(exporter)], scrapeInterval: '1s' });
  // Before any route module reads config().
  process.env.PROMETHEUS_URL = prom.url;
  const routes = {
    labels: await import('../../app/api/promql/labels/route'),
    values: await import('../../app/api/promql/label/[name]/values/route'),
    series: await import('../../app/api/promql/series/route'),
    metadata: await import('../../app/api/promql/metadata/route'),
  };
  const harness = await buildHarnessPage(path.join(import.meta.dirname, 'promql', 'editor-harness.tsx'), { title: 'editor' });
  server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = async (): Promise<Response | undefined> => {
      const request = new Request(url, { method: req.method });
      if (url.pathname === '/api/promql/labels') return routes.labels.GET(request);
      if (url.pathname === '/api/promql/series') return routes.series.GET(request);
      if (url.pathname === '/api/promql/metadata') return routes.metadata.GET(request);
      const m = /^\/api\/promql\/label\/([^/]+)\/values$/.exec(url.pathname);
      if (m) return routes.values.GET(request, { params: Promise.resolve({ name: decodeURIComponent(m[1]) }) });
      return undefined;
    };
    const r = await route();
    if (r) res.writeHead(r.status, { 'content-type': 'application/json' }).end(Buffer.from(await r.arrayBuffer()));
    else sendHarnessPage(harness, req, res);
  });
  baseUrl = `http://${await listen(server)}`;
  browser = await launchChromium();
  // Prometheus has scraped the exporter once its metric name is listed.
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = (await (await fetch(`${prom.url}/api/v1/label/__name__/values`)).json()) as { data: string[] };
    if (r.data.includes(METRIC)) break;
    if (Date.now() > deadline) throw new Error('Prometheus never scraped the test exporter');
    await new Promise((r) => setTimeout(r, 250));
  }
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await prom?.stop();
  exporter?.closeAllConnections();
  await new Promise((r) => exporter?.close(r));
});

/** The harness in a fresh context; page errors are collected. */
async function openHarness() {
  const ctx = await browser.newContext({ viewport: { width: 900, height: 500 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(baseUrl);
  return { ctx, page, errors };
}

test('metric names complete from Prometheus, problems show with their position, Ctrl+Enter submits', { timeout: 90_000 }, async () => {
  const { ctx, page, errors } = await openHarness();
  const input = page.getByRole('textbox', { name: 'Query' });
  await input.click();

  // Completion of a metric name only Prometheus knows, with its type and help from /api/v1/metadata.
  await page.keyboard.type('sum(rate(trisight_editor_te');
  const option = page.locator('.cm-tooltip-autocomplete li', { hasText: METRIC });
  await option.waitFor();
  assert.match((await option.textContent()) ?? '', /counter/);
  // Accept it with the keyboard once it is the selected option. CodeMirror ignores
  // Enter for `interactionDelay` (75 ms) after the list opens or updates, and a
  // newline goes in instead: so let the list stand for twice that before pressing
  // Enter, and if a late update still turned it into a newline, take it back, ask
  // again with Ctrl+Space, and accept once more.
  for (let attempt = 1; ; attempt++) {
    await page.locator('.cm-tooltip-autocomplete li[aria-selected="true"]', { hasText: METRIC }).waitFor();
    await page.waitForTimeout(150);
    await page.keyboard.press('Enter');
    const accepted = await page
      .waitForFunction((m) => window.__editorEvents.at(-1)?.value.includes(m), METRIC, { timeout: 2_000 })
      .then(() => true)
      .catch(() => false);
    if (accepted) break;
    assert.ok(attempt < 3, `the completion was not accepted: ${await page.evaluate(() => window.__editorEvents.at(-1)?.value)}`);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+Space');
  }
  await page.keyboard.type('[{{.window}}]');
  // The editor closed both brackets as they were typed; take one away: an unclosed
  // bracket is named under the editor with its line and column.
  await page.waitForFunction(() => window.__editorEvents.at(-1)?.value.endsWith('}}]))'));
  await page.keyboard.press('End');
  await page.keyboard.press('Backspace');
  const problem = page.getByTestId('editor-problem');
  await page.waitForFunction(() => window.__editorEvents.at(-1)?.value.endsWith('}}])'));
  const text = await page.evaluate(() => window.__editorEvents.at(-1)!.value);
  assert.equal(text, `sum(rate(${METRIC}[{{.window}}])`);
  assert.match((await problem.textContent()) ?? '', new RegExp(`^line 1, column ${text.length + 1}: unexpected end of query`));
  assert.equal(await input.getAttribute('aria-describedby'), await problem.getAttribute('id'));
  // The inline lint underline appears on the same spot.
  await page.locator('.cm-lintRange-error, .cm-lintPoint-error').first().waitFor({ state: 'attached' });
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: path.join(RESULTS, 'promql-editor-problem.png') });

  await page.keyboard.type(')');
  await page.waitForFunction(() => document.querySelector('[data-testid="editor-problem"]')?.textContent === '');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => window.__editorEvents.some((e) => e.type === 'submit'));
  const submitted = await page.evaluate(() => window.__editorEvents.find((e) => e.type === 'submit')!.value);
  assert.equal(submitted, `sum(rate(${METRIC}[{{.window}}]))`);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('TraceQL editor: a syntax error is named under it, a value set from outside replaces the text, Ctrl+Enter submits', { timeout: 60_000 }, async () => {
  const { ctx, page, errors } = await openHarness();
  const input = page.getByRole('textbox', { name: 'TraceQL' });
  assert.ok(await page.locator('[data-testid="traceql"] .cm-placeholder').isVisible(), 'the placeholder shows while empty');
  await input.click();
  await page.keyboard.type('{ span.http.status_code = ');
  const problem = page.locator(`[id="${await input.getAttribute('aria-describedby')}"]`);
  await page.waitForFunction((id) => /TraceQL syntax error/.test(document.getElementById(id!)?.textContent ?? ''), await input.getAttribute('aria-describedby'));
  assert.equal(await problem.getAttribute('role'), 'alert');
  await page.keyboard.type('500 }');
  await page.waitForFunction((id) => document.getElementById(id!)?.textContent === '', await input.getAttribute('aria-describedby'));
  // Emptied again: no error (the panel runs its default query), the placeholder is back.
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Backspace');
  await page.waitForTimeout(400); // past the linter's 300 ms delay
  assert.equal(await problem.textContent(), '');
  assert.ok(await page.locator('[data-testid="traceql"] .cm-placeholder').isVisible());
  await page.keyboard.type('{ span.http.status_code = 500 }');
  await page.keyboard.press('Control+Enter');
  await page.waitForFunction(() => window.__editorEvents.some((e) => e.type === 'tq-submit'));
  assert.equal(await page.evaluate(() => window.__editorEvents.find((e) => e.type === 'tq-submit')!.value), '{ span.http.status_code = 500 }');
  // A value set by the page (a link, a preset) replaces what was typed.
  await page.getByRole('button', { name: 'Slow spans' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid="traceql"] .cm-content')?.textContent === '{ duration > 2s }');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('completion routes: Prometheus envelope, bad input refused with 400, no Prometheus configured says how to get one', async () => {
  const values = await fetch(`${baseUrl}/api/promql/label/__name__/values`);
  assert.equal(values.status, 200);
  const body = (await values.json()) as { status: string; data: string[] };
  assert.equal(body.status, 'success');
  assert.ok(body.data.includes(METRIC));
  const series = (await (await fetch(`${baseUrl}/api/promql/series?match[]=${METRIC}`)).json()) as { data: { code: string }[] };
  assert.deepEqual(series.data.map((s) => s.code).sort(), ['200', '500']);
  const bad = await fetch(`${baseUrl}/api/promql/label/${encodeURIComponent('not a label')}/values`);
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { errorType: string }).errorType, 'bad_data');
  const noMatch = await fetch(`${baseUrl}/api/promql/series`);
  assert.equal(noMatch.status, 400);
  const badTime = await fetch(`${baseUrl}/api/promql/labels?start=yesterday`);
  assert.equal(badTime.status, 400);
  assert.match(((await badTime.json()) as { error: string }).error, /not a time: "yesterday"/);
});
