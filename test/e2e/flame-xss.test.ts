import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseFlameGraphResponse } from '../../lib/datasources/pyroscope/parse';
import { diffTrees, topFunctions } from '../../lib/model/flame';
import type { FlameTree } from '../../lib/model/types';
import { launchChromium } from '../helpers/browser';
import { buildFlamePage, serveDir } from '../helpers/flame-page';
import { fixtureJson } from '../helpers/fixtures';

// The flame graph component in Chromium, on the standalone page
// (public/bench/flame.html): untrusted frame names stay text, and a real
// Pyroscope response renders, searches, zooms and filters.

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const EVIL = '<img src=x onerror=alert(1)>';
const EVIL2 = '"><script>window.__xss=1</script><b>bold</b>';

let browser: Browser;
let server: { url: string; stop(): Promise<void> };
let dir: string;
let fixture: FlameTree;

before(async () => {
  dir = await buildFlamePage();
  const evil: FlameTree = {
    name: 'total',
    self: 0,
    total: 1000,
    children: [
      { name: 'main', self: 100, total: 900, children: [
        { name: EVIL, self: 500, total: 500, children: [] },
        { name: EVIL2, self: 300, total: 300, children: [] },
      ] },
      // narrow: no label, still searchable and in the table
      { name: `${EVIL} narrow`, self: 100, total: 100, children: [] },
    ],
  };
  writeFileSync(path.join(dir, 'trees', 'evil.json'), JSON.stringify(evil));
  fixture = parseFlameGraphResponse(fixtureJson('pyroscope/select-merge-stacktraces.flamegraph.json')).tree;
  writeFileSync(path.join(dir, 'trees', 'pyroscope-fixture.json'), JSON.stringify(fixture));
  // Before: work 25 % of 1000; after: work 60 % of 2000 (+35 pp), idle the rest.
  const leaf = (name: string, v: number): FlameTree => ({ name, self: v, total: v, children: [] });
  const before = { name: 'total', self: 0, total: 1000, children: [leaf('work', 250), leaf('idle', 750)] };
  const after = { name: 'total', self: 0, total: 2000, children: [leaf('work', 1200), leaf('idle', 800)] };
  writeFileSync(path.join(dir, 'trees', 'diff.json'), JSON.stringify(diffTrees(before, after)));
  writeFileSync(path.join(dir, 'trees', 'empty.json'), JSON.stringify({ name: 'total', self: 0, total: 0, children: [] }));
  server = await serveDir(dir);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(query: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.url}/flame.html?${query}`);
  await page.waitForFunction(() => window.__flame?.status !== 'loading');
  assert.equal(await page.evaluate(() => window.__flame.error ?? null), null);
  return page;
}

test('a frame named <img src=x onerror=alert(1)> renders as text everywhere', async () => {
  const page = await open('tree=trees/evil.json&impl=ours&layout=beside');
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  try {
    const graph = page.getByTestId('flame-graph');
    // Labels: the text is the name, character for character; no element was parsed out of it.
    const labels = await graph.locator('.d3-flame-graph-label').allTextContents();
    assert.ok(labels.includes(EVIL), `labels: ${JSON.stringify(labels)}`);
    assert.ok(labels.includes(EVIL2));
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script:not([src])').count(), 0);
    assert.equal(await page.locator('b').count(), 0);

    // Tooltip on hover: text only.
    await graph.locator('g[name="<img src=x onerror=alert(1)>"] rect').first().hover();
    const tip = page.getByTestId('flame-tooltip');
    await tip.waitFor();
    assert.ok((await tip.textContent())!.startsWith(EVIL));
    assert.equal(await tip.locator('img').count(), 0);

    // Table rows and the search status.
    const table = page.getByTestId('flame-top-functions');
    assert.equal(await table.getByRole('button', { name: EVIL, exact: true }).count(), 1);
    await page.getByLabel('Search functions').fill('<img');
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-search-status]')?.textContent?.includes('matched'));
    // 500 + 100 of 1000, the narrow frame included although it is not drawn with a label
    assert.match((await page.getByTestId('flame-search-status').textContent())!, /^60\.0 % matched · 2 frames/);
    assert.equal(await page.locator('img').count(), 0);

    await page.waitForTimeout(300); // an onerror handler would have fired by now
    assert.deepEqual(dialogs, []);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? null), null);
  } finally {
    await page.context().close();
  }
});

test('a real Pyroscope flame graph renders, zooms on click, searches the full tree and filters from the table', async () => {
  const page = await open('tree=trees/pyroscope-fixture.json&impl=ours&layout=beside');
  try {
    const graph = page.getByTestId('flame-graph');
    const frames = await page.evaluate(() => window.__flame.frames!);
    assert.ok(frames > 100, `frames drawn: ${frames}`);
    assert.equal(await page.evaluate(() => window.__flame.pendingTransitions), 0);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'flame-pyroscope-fixture.png'), fullPage: true });

    // Click a frame: it becomes the zoomed frame, named in the breadcrumb and the URL.
    const target = graph.locator('g[name="net/http.(*conn).serve"] rect').first();
    await target.click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('zoom')?.endsWith('net/http.(*conn).serve'));
    const crumbs = page.getByRole('navigation', { name: 'Zoomed frame' });
    assert.equal(await crumbs.locator('strong').textContent(), 'net/http.(*conn).serve');
    const zoomedWidth = Number(await graph.locator('g[name="net/http.(*conn).serve"]:not(.fade) rect').first().getAttribute('width'));
    const svgWidth = Number(await graph.locator('svg').getAttribute('width'));
    assert.ok(Math.abs(zoomedWidth - svgWidth) < 1, `zoomed frame ${zoomedWidth}px of ${svgWidth}px`);
    await page.screenshot({ path: path.join(RESULTS, 'flame-pyroscope-fixture-zoomed.png'), fullPage: true });

    // Keyboard: focus the graph, Escape resets the zoom.
    await graph.focus();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !new URL(location.href).searchParams.get('zoom'));

    // Search counts frames the pruned drawing leaves out.
    await page.getByLabel('Search functions').fill('runtime.');
    await page.waitForFunction(() => /matched/.test(document.querySelector('[data-testid=flame-search-status]')?.textContent ?? ''));
    const status = (await page.getByTestId('flame-search-status').textContent())!;
    assert.match(status, /^\d+(\.\d+)? % matched · \d+ frames/);
    assert.equal(new URL(page.url()).searchParams.get('search'), 'runtime.');
    await page.getByLabel('Search functions').fill('');

    // Table: sorted by self (the root is not a row); the Total header re-sorts it.
    const table = page.getByTestId('flame-top-functions');
    const top = topFunctions(fixture).filter((f) => f.name !== 'total');
    const firstRow = () => table.locator('tbody tr').first().getByRole('button').textContent();
    assert.equal(await firstRow(), top[0].name);
    await table.getByRole('button', { name: 'Total' }).click();
    assert.equal(await table.locator('th[aria-sort=descending]').textContent(), 'Total ▼');
    const byTotal = [...top].sort((a, b) => b.total - a.total);
    assert.equal(await firstRow(), byTotal[0].name);
    assert.notEqual(byTotal[0].name, top[0].name);
    await table.getByRole('button', { name: 'Self' }).click();
    assert.equal(await firstRow(), top[0].name);

    // Table: click a function, the graph keeps only stacks through it.
    const row = page.getByTestId('flame-top-functions').getByRole('button', { name: 'runtime.mallocgc', exact: true });
    await row.click();
    assert.equal(await row.getAttribute('aria-pressed'), 'true');
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-search-status]')?.textContent === 'Stacks through runtime.mallocgc');
    const names = await graph.locator('g').evaluateAll((gs) => gs.map((g) => g.getAttribute('name')));
    assert.ok(names.includes('runtime.mallocgc'));
    assert.ok(!names.includes('runtime.gcBgMarkWorker'), 'a stack that does not pass through mallocgc is gone');
    await page.screenshot({ path: path.join(RESULTS, 'flame-pyroscope-fixture-filtered.png'), fullPage: true });
    // d3-flame-graph mutates what it is given; the component never hands it the caller's tree.
    assert.equal(await page.evaluate(() => window.__flame.treeUnchanged!()), true);
  } finally {
    await page.context().close();
  }
});

test('a diff flame graph colours gain and loss and puts the numbers in the tooltip', async () => {
  const page = await open('tree=trees/diff.json&impl=ours&layout=beside&unit=samples');
  try {
    const graph = page.getByTestId('flame-graph');
    const fill = (name: string) => graph.locator(`g[name="${name}"] rect`).first().getAttribute('fill');
    // work grew from 25 % to 60 %: red; idle shrank from 75 % to 40 %: blue
    assert.match((await fill('work'))!, /^hsl\(0 /);
    assert.match((await fill('idle'))!, /^hsl\(215 /);
    await graph.locator('g[name="work"] rect').first().hover();
    const tip = (await page.getByTestId('flame-tooltip').textContent())!;
    assert.match(tip, /Before: total 250 samples \(25\.0 %\)/);
    assert.match(tip, /After: total 1,200 samples \(60\.0 %\)/);
    assert.match(tip, /Change: \+35\.00 pp of total \(\+140\.0 %\)/);
    await page.screenshot({ path: path.join(RESULTS, 'flame-diff.png') });
  } finally {
    await page.context().close();
  }
});

test('an empty profile says so instead of drawing', async () => {
  const page = await open('tree=trees/empty.json&impl=ours');
  try {
    assert.equal(await page.getByText('No samples in this profile for the selected window.').count(), 1);
    assert.equal(await page.getByTestId('flame-graph').locator('svg').count(), 0);
  } finally {
    await page.context().close();
  }
});
