import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { buildHarnessPage, sendHarnessPage } from '../helpers/harness-page';
import { until } from '../helpers/until';
import { WITHHELD } from '../../lib/redaction/sensitivity';

// The shared chart components in real Chromium, outside the app: the harness
// (components/harness.tsx) is bundled with esbuild, styled with the app's own
// Tailwind stylesheet, and served from 127.0.0.1 with data this test chooses.
// Canvas clicks, tooltips, keyboard use and text-only rendering of telemetry
// are checked where they actually happen: in the browser.

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RESULTS = path.join(ROOT, 'test-results');
const XSS = '<img src=x onerror=alert(1)>';
const T0 = 1_763_791_200_000_000_000n;

const bucket = (lower: number, upper: number | 'Infinity', count: number) => ({ lower, upper, count });
const DATA = {
  series: {
    e2e: {
      labels: { model: 'tiny' },
      buckets: [bucket(0, 0.05, 4), bucket(0.05, 0.1, 9), bucket(0.1, 0.25, 12), bucket(0.25, 0.5, 3), bucket(0.5, 1, 1), bucket(1, 'Infinity', 1)],
      count: 30,
      sum: 4.2,
      exemplars: [
        { labels: { trace_id: 'a'.repeat(32) }, value: 0.07, timestamp: 1 },
        { labels: { trace_id: XSS }, value: 0.3, timestamp: 2 },
      ],
    },
    ttft: {
      labels: {},
      buckets: [bucket(0, 0.01, 20), bucket(0.01, 0.05, 10), bucket(0.05, 'Infinity', 0)],
      count: 30,
      sum: 0.4,
    },
  },
  client: Array.from({ length: 30 }, (_, i) => 20 + i * 15),
  trace: {
    traceId: 'f'.repeat(32),
    spans: [
      ['1', undefined, 0, 120, 'POST /v1/chat/completions'],
      ['2', '1', 5, 20, 'queue'],
      ['3', '1', 20, 110, 'generate'],
      ['4', '3', 20, 45, 'prefill'],
      ['5', '3', 45, 110, XSS],
    ].map(([id, parent, s, e, name]) => ({
      traceId: 'f'.repeat(32),
      spanId: String(id).padStart(16, '0'),
      parentSpanId: parent ? String(parent).padStart(16, '0') : undefined,
      service: 'sandbox',
      name,
      kind: 'internal',
      startTimeUnixNano: String(T0 + BigInt(Number(s)) * 1_000_000n),
      endTimeUnixNano: String(T0 + BigInt(Number(e)) * 1_000_000n),
      status: name === XSS ? 'error' : 'unset',
      statusMessage: name === XSS ? XSS : undefined,
      attributes: { 'gen_ai.request.model': 'tiny', 'gen_ai.usage.output_tokens': 32, evil: XSS, ...(name === 'prefill' ? { 'user.email': WITHHELD } : {}) },
      resourceAttributes: { 'service.name': 'sandbox' },
      events: name === 'queue' ? [{ name: 'dequeued', timeUnixNano: String(T0 + 19_000_000n), attributes: { priority: 'P1' } }] : [],
      links: [],
    })),
  },
  // A block label is telemetry too: the hostile one must stay text.
  blocks: {
    by: 'block',
    unit: 'tokens',
    hitsMetric: 'sandbox_kv_cache_block_hits_tokens_total',
    lookupsMetric: 'sandbox_kv_cache_block_lookups_tokens_total',
    scrapes: { before: 1, after: 2 },
    rates: [
      { block: '0', lookups: 1200, hits: 1104, hitRate: 0.92 },
      { block: '1', lookups: 1200, hits: 1104, hitRate: 0.92 },
      { block: '2', lookups: 1200, hits: 0, hitRate: 0 },
      { block: XSS, lookups: 1200, hits: 492, hitRate: 0.41 },
    ],
  },
};

let server: http.Server;
let baseUrl: string;
let browser: Browser;

before(async () => {
  // Infinity and bigints do not survive JSON; the harness revives them.
  const harness = await buildHarnessPage(path.join(import.meta.dirname, 'components', 'harness.tsx'), { title: 'harness', data: DATA });
  server = http.createServer((req, res) => sendHarnessPage(harness, req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

async function open(): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(baseUrl);
  await page.locator('[data-testid="latency-histogram"] canvas').first().waitFor();
  return { page, errors, dialogs };
}

const events = (page: Page) => page.evaluate(() => window.__events as { type: string; [k: string]: unknown }[]);

/** Centre of bucket `i`'s column on the chart (grid insets as set in LatencyHistogram). */
async function columnPoint(page: Page, i: number, n: number) {
  const box = (await page.locator('[data-testid="latency-histogram"] [role="img"]').boundingBox())!;
  const left = 48;
  const right = 16;
  return { x: box.x + left + ((box.width - left - right) * (i + 0.5)) / n, y: box.y + box.height / 2 };
}

test('clicking a bucket column on the canvas reports its bounds and highlights it', async () => {
  const { page, errors } = await open();
  try {
    const p = await columnPoint(page, 2, 6);
    await page.mouse.click(p.x, p.y);
    await page.waitForFunction(() => window.__events.length > 0);
    assert.deepEqual(await events(page), [{ type: 'bucket', lower: 0.1, upper: '0.25' }]);
    const pressed = page.locator('[data-testid="histogram-bucket-button"][aria-pressed="true"]');
    assert.equal(await pressed.count(), 1);
    assert.match((await page.locator('[data-testid="histogram-bucket-row"]').nth(2).textContent()) ?? '', /100 ms – 250 ms/);
    // The +Inf bucket is clickable too and reports Infinity.
    const last = await columnPoint(page, 5, 6);
    await page.mouse.click(last.x, last.y);
    await page.waitForFunction(() => window.__events.length > 1);
    assert.deepEqual((await events(page))[1], { type: 'bucket', lower: 1, upper: 'Infinity' });
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('the tooltip shows exemplar trace ids as text, never as HTML', async () => {
  const { page, errors, dialogs } = await open();
  try {
    const p = await columnPoint(page, 3, 6); // 250–500 ms holds the hostile exemplar
    await page.mouse.move(p.x, p.y);
    const tip = page.locator('[data-testid="latency-histogram"] div').filter({ hasText: 'exemplars: 1' }).last();
    await tip.waitFor();
    const text = await tip.innerText();
    assert.match(text, /250 ms – 500 ms/);
    assert.ok(text.includes(XSS), `tooltip shows the label literally: ${text}`);
    assert.equal(await page.locator('img').count(), 0, 'no <img> was created from telemetry');
    await page.waitForTimeout(300);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('keyboard: bucket buttons in the table and the metric tabs work without a mouse', async () => {
  const { page } = await open();
  try {
    assert.match((await page.getByTestId('latency-summary').textContent()) ?? '', /^Server: 30 requests; p50 ≈ 125 ms .*p99 above 1 s, the last bound\)\.Client: 30 requests measured by the load generator/);
    await page.getByText('Buckets as a table').click();
    await page.getByRole('button', { name: 'Traces in 50 ms – 100 ms' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.__events.length > 0);
    assert.deepEqual(await events(page), [{ type: 'bucket', lower: 0.05, upper: '0.1' }]);

    await page.getByRole('tab', { name: 'End-to-end' }).focus();
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.getByRole('tab', { name: 'TTFT' }).getAttribute('aria-selected'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'TTFT');
    await page.waitForFunction(() => document.querySelector('[data-testid="latency-summary"]')?.textContent?.startsWith('Server: 30 requests; p50 ≈ 7.5 ms'));
  } finally {
    await page.context().close();
  }
});

test('tables: named by their caption, header and row cells by role, an empty table says what to do, the row holding keyboard focus is marked', async () => {
  const { page, errors, dialogs } = await open();
  const table = page.getByRole('table', { name: 'Harness runs' });
  assert.deepEqual(await table.getByRole('columnheader').allTextContents(), ['Target', 'Req/s', 'Open']);
  assert.deepEqual(await table.getByRole('rowheader').allTextContents(), ['sandbox', XSS]);
  assert.deepEqual(await table.getByTestId('harness-rps').allTextContents(), ['2.50', '0.25']);
  assert.equal(await table.locator('[data-testid="harness-row"][data-run="r2"]').count(), 1);
  // The actions column's header is for screen readers only: present, not shown.
  assert.equal(await table.getByRole('columnheader', { name: 'Open' }).locator('.sr-only').count(), 1);
  const empty = page.getByRole('table', { name: 'Harness empty' });
  assert.equal(await empty.getByRole('cell').textContent(), 'Nothing yet: fire a load first.');
  assert.equal(await empty.getByRole('cell').getAttribute('colspan'), '2');
  // Tab to the second row's button: that row (only) takes the highlight, and Enter acts.
  const row = table.locator('[data-run="r2"]');
  const before = await row.evaluate((e) => getComputedStyle(e).backgroundColor);
  await table.getByRole('button', { name: 'open r2' }).focus();
  await page.keyboard.press('Enter');
  assert.notEqual(await row.evaluate((e) => getComputedStyle(e).backgroundColor), before);
  assert.equal(await table.locator('[data-run="r1"]').evaluate((e) => getComputedStyle(e).backgroundColor), before);
  assert.deepEqual((await events(page)).filter((e) => e.type === 'row'), [{ type: 'row', id: 'r2' }]);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await page.context().close();
});

test('waterfall: select a span by click and keyboard, read its attributes as text, collapse a subtree', async () => {
  const { page, errors, dialogs } = await open();
  try {
    const wf = page.getByTestId('trace-waterfall');
    const names = await wf.locator('button[data-span-button]').allInnerTexts();
    assert.deepEqual(
      names.map((n) => n.replace(/\s+/g, ' ').trim()),
      ['sandbox POST /v1/chat/completions', 'sandbox queue', 'sandbox generate', 'sandbox prefill', `sandbox ${XSS}`],
    );
    await wf.locator('button[data-span-button]', { hasText: 'generate' }).click();
    assert.deepEqual(await events(page), [{ type: 'span', spanId: '0000000000000003' }]);
    assert.equal(await wf.locator('[data-span-id="0000000000000003"]').getAttribute('data-selected'), 'true');

    // Arrow keys walk the spans; Enter selects.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.deepEqual((await events(page))[1], { type: 'span', spanId: '0000000000000004' });

    // Details: attributes and the hostile status message appear as literal text.
    await page.getByRole('button', { name: `Show attributes and events of ${XSS}` }).click();
    const details = wf.getByTestId('span-details');
    const text = await details.innerText();
    assert.ok(text.includes(`error: ${XSS}`));
    assert.match(text, /gen_ai\.usage\.output_tokens\s+32/);
    assert.equal(await page.locator('img').count(), 0);

    await page.getByRole('button', { name: 'Show attributes and events of queue' }).click();
    assert.match(await wf.getByTestId('span-details').first().innerText(), /\+19\.0 ms\s+dequeued/);

    await page.getByRole('button', { name: 'Collapse 2 child spans of generate' }).click();
    assert.equal(await wf.locator('button[data-span-button]').count(), 3);
    await page.getByRole('button', { name: 'Expand 2 child spans of generate' }).click();
    assert.equal(await wf.locator('button[data-span-button]').count(), 5);

    mkdirSync(RESULTS, { recursive: true });
    const p = await columnPoint(page, 2, 6);
    await page.mouse.click(p.x, p.y);
    await page.screenshot({ path: path.join(RESULTS, 'components.png') });
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('KV-cache hit rate per block: bars on a 0–100 % axis, the lookups under each, a table and a label with the same numbers, hostile labels as text, light and dark', async () => {
  const { page, errors, dialogs } = await open();
  try {
    const bars = page.getByTestId('quality-block-hit-rates');
    await bars.locator('canvas').waitFor();
    const label = (await bars.locator('[role="img"]').getAttribute('aria-label')) ?? '';
    assert.ok(label.includes('block 0: 92.0 % of 1,200; block 1: 92.0 % of 1,200; block 2: 0.0 % of 1,200'), label);
    assert.ok(label.includes(`block ${XSS}: 41.0 % of 1,200`), label);
    // Hovering block 2's column: the tooltip names it and its counts.
    const box = (await bars.locator('[role="img"]').boundingBox())!;
    const plot = { left: 48, right: 12 };
    const w = box.width - plot.left - plot.right;
    await page.mouse.move(box.x + plot.left + w * (3.5 / 4), box.y + box.height / 2);
    const tip = await until(
      'the tooltip',
      () => bars.evaluate((el) => [...el.querySelectorAll<HTMLElement>('div')].find((d) => d.style.zIndex === '9999999' && d.style.display !== 'none' && d.textContent?.includes('hit rate'))?.textContent ?? null),
      10_000,
      200,
    );
    assert.equal(tip, `block ${XSS}: 41.0 % hit rate492 of 1,200 tokens looked up`);
    await page.mouse.move(0, 0);
    // The table, opened from the keyboard.
    await bars.locator('summary').focus();
    await page.keyboard.press('Enter');
    const rows = await bars.getByTestId('quality-block-row').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent)));
    assert.deepEqual(rows, [
      ['0', '92.0 %', '1,104', '1,200'],
      ['1', '92.0 %', '1,104', '1,200'],
      ['2', '0.0 %', '0', '1,200'],
      [XSS, '41.0 %', '492', '1,200'],
    ]);
    assert.equal(await page.locator('img').count(), 0);
    mkdirSync(RESULTS, { recursive: true });
    const panel = page.locator('section', { has: bars });
    await panel.screenshot({ path: path.join(RESULTS, 'kv-block-bars-light.png') });
    await page.evaluate(() => document.documentElement.classList.add('dark'));
    await page.waitForTimeout(300);
    await panel.screenshot({ path: path.join(RESULTS, 'kv-block-bars-dark.png') });
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});

test('waterfall: a value withheld from non-admins reads as a notice, not as data', async () => {
  const { page, errors } = await open();
  try {
    const wf = page.getByTestId('trace-waterfall');
    await page.getByRole('button', { name: 'Show attributes and events of prefill' }).click();
    const details = wf.getByTestId('span-details');
    const notice = details.getByText('withheld (admins only)');
    assert.equal(await notice.count(), 1);
    assert.match((await notice.getAttribute('title')) ?? '', /only admins see the value/);
    assert.ok(!(await details.innerText()).includes(WITHHELD), 'the placeholder string itself is not shown');
    mkdirSync(RESULTS, { recursive: true });
    await details.screenshot({ path: path.join(RESULTS, 'span-withheld.png') });
    assert.deepEqual(errors, []);
  } finally {
    await page.context().close();
  }
});
