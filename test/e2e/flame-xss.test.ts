import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { parseFlameGraphResponse } from '../../lib/datasources/pyroscope/parse';
import {
  COLLAPSED,
  FRAME,
  diffModels,
  focusOn,
  indexModel,
  layoutFlame,
  modelFromStacks,
  nameOf,
  resolvePath,
  topFunctions,
  type FlameModel,
} from '../../lib/model/flame';
import { launchChromium } from '../helpers/browser';
import { buildFlamePage, serveDir } from '../helpers/flame-page';
import { fixtureJson } from '../helpers/fixtures';
import { folded } from '../helpers/flame-models';

// The flame graph component in Chromium, on the standalone page
// (public/bench/flame.html): untrusted frame names stay text (canvas labels,
// tooltip, table, breadcrumbs, the SVG export), and a real Pyroscope response
// renders, zooms, searches, focuses on a function and shows its sandwich.
// Frames are found on the canvas through the same layout the component draws.

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
const EVIL = '<img src=x onerror=alert(1)>';
const EVIL2 = '"><script>window.__xss=1</script><b>bold</b>';
const CELL = 18;

let browser: Browser;
let server: { url: string; stop(): Promise<void> };
let fixture: FlameModel;
// Built from stacks, not folded text: EVIL2 holds a ';'.
const evil = modelFromStacks({
  names: ['main', EVIL, EVIL2, `${EVIL} narrow`],
  stacks: [[0], [0, 1], [0, 2], [3]],
  values: [100, 500, 300, 100],
});

before(async () => {
  const dir = await buildFlamePage();
  const write = (name: string, m: FlameModel) => writeFileSync(path.join(dir, 'trees', name), JSON.stringify(m));
  write('evil.json', evil);
  fixture = parseFlameGraphResponse(fixtureJson('pyroscope/select-merge-stacktraces.flamegraph.json')).flame;
  write('pyroscope-fixture.json', fixture);
  // Before: work 25 % of 1000; after: work 60 % of 2000 (+35 pp), idle the rest.
  write('diff.json', diffModels(folded('work 250\nidle 750'), folded('work 1200\nidle 800')));
  write('empty.json', folded(' 0'));
  // 400 tiny frames under one parent next to one big frame: a collapsed mark.
  write('narrow.json', folded(`big 100000\n${Array.from({ length: 400 }, (_, k) => `many;tiny${k} 1`).join('\n')}`));
  server = await serveDir(dir);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function open(query: string): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.url}/flame.html?${query}`);
  await page.waitForFunction(() => window.__flame?.status !== 'loading');
  assert.equal(await page.evaluate(() => window.__flame.error ?? null), null);
  await page.locator('[data-testid=flame-graph] canvas[data-frames]').first().waitFor();
  return page;
}

/** Where a frame is drawn on the graph's canvas: the first drawn frame named `name` in the layout of `zoom`. */
async function frameBox(page: Page, model: FlameModel, name: string, zoom: string[] = [], testId = 'flame-graph') {
  const canvas = page.getByTestId(testId).locator('canvas');
  const width = await canvas.evaluate((c) => (c as HTMLCanvasElement).clientWidth);
  const ix = indexModel(model);
  const l = layoutFlame(model, ix, resolvePath(model, ix, zoom), width);
  for (let f = 0; f < l.count; f++) {
    if (l.kind[f] !== FRAME || nameOf(model, l.node[f]) !== name) continue;
    return { canvas, x: l.x[f] + l.width[f] / 2, y: l.row[f] * CELL + CELL / 2, width: l.width[f], frames: l.count };
  }
  throw new Error(`${name} is not drawn`);
}

test('a frame named <img src=x onerror=alert(1)> renders as text everywhere, the SVG download included', async () => {
  const page = await open('model=trees/evil.json&impl=ours&layout=beside');
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  try {
    // Hover: the tooltip carries the name as text.
    const box = await frameBox(page, evil, EVIL);
    await box.canvas.hover({ position: { x: box.x, y: box.y } });
    const tip = page.getByTestId('flame-tooltip');
    await tip.waitFor();
    assert.ok((await tip.textContent())!.startsWith(EVIL));
    assert.equal(await tip.locator('img').count(), 0);

    // Table rows and the search status.
    const table = page.getByTestId('flame-top-functions');
    assert.equal(await table.getByRole('button', { name: EVIL, exact: true }).count(), 1);
    await page.getByLabel('Search functions').fill('<img');
    await page.waitForFunction(() => document.querySelector('[data-testid=flame-search-status]')?.textContent?.includes('matched'));
    // 500 + 100 of 1000, the narrow frame included although it is drawn without a label
    assert.match((await page.getByTestId('flame-search-status').textContent())!, /^60\.0 % matched · 2 frames/);
    await page.getByLabel('Search functions').fill('');

    // Zoom into it: the breadcrumb shows the name as text.
    await box.canvas.click({ position: { x: box.x, y: box.y } });
    await page.waitForFunction((n) => new URL(location.href).searchParams.get('zoom')?.endsWith(n), EVIL);
    assert.equal(await page.getByRole('navigation', { name: 'Zoomed frame' }).locator('strong').textContent(), EVIL);

    // The SVG download (d3-flame-graph): labels and titles are text nodes, no element came out of a name.
    await page.getByTestId('flame-graph').focus();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !new URL(location.href).searchParams.get('zoom'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download SVG' }).click()]);
    const svg = readFileSync((await download.path())!, 'utf8');
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        img: doc.getElementsByTagName('img').length,
        script: doc.getElementsByTagName('script').length,
        b: doc.getElementsByTagName('b').length,
        labels: [...doc.querySelectorAll('.d3-flame-graph-label')].map((d) => d.textContent),
        titles: [...doc.querySelectorAll('title')].map((t) => t.textContent),
      };
    }, svg);
    assert.equal(parsed.error, null);
    assert.deepEqual([parsed.img, parsed.script, parsed.b], [0, 0, 0]);
    assert.ok(parsed.labels.includes(EVIL), `labels: ${JSON.stringify(parsed.labels)}`);
    assert.ok(parsed.labels.includes(EVIL2));
    assert.ok(parsed.titles.some((t) => t?.startsWith(`${EVIL} (`)));

    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script:not([src])').count(), 0);
    assert.equal(await page.locator('b').count(), 0);
    await page.waitForTimeout(300); // an onerror handler would have fired by now
    assert.deepEqual(dialogs, []);
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? null), null);
  } finally {
    await page.context().close();
  }
});

test('a real Pyroscope flame graph renders, zooms on click, searches every frame, focuses on a function and shows its sandwich', async () => {
  const page = await open('model=trees/pyroscope-fixture.json&impl=ours&layout=beside');
  try {
    const graph = page.getByTestId('flame-graph');
    const frames = Number(await graph.locator('canvas').getAttribute('data-frames'));
    assert.ok(frames > 100, `frames drawn: ${frames}`);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'flame-pyroscope-fixture.png'), fullPage: true });

    // Click a frame: it becomes the zoomed frame, named in the breadcrumb and the URL, and fills the width.
    const serve = 'net/http.(*conn).serve';
    const box = await frameBox(page, fixture, serve);
    await box.canvas.click({ position: { x: box.x, y: box.y } });
    await page.waitForFunction((n) => new URL(location.href).searchParams.get('zoom')?.endsWith(n), serve);
    const crumbs = page.getByRole('navigation', { name: 'Zoomed frame' });
    assert.equal(await crumbs.locator('strong').textContent(), serve);
    const zoom = new URL(page.url()).searchParams.get('zoom')!.split(';');
    const zoomed = await frameBox(page, fixture, serve, zoom);
    assert.ok(Math.abs(zoomed.width - (await box.canvas.evaluate((c) => (c as HTMLCanvasElement).clientWidth))) < 1);
    await box.canvas.hover({ position: { x: 3, y: zoomed.y } });
    assert.equal(await page.getByTestId('flame-tooltip').locator('div').first().textContent(), serve);
    await page.screenshot({ path: path.join(RESULTS, 'flame-pyroscope-fixture-zoomed.png'), fullPage: true });

    // Keyboard: focus the graph, Escape resets the zoom.
    await graph.focus();
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !new URL(location.href).searchParams.get('zoom'));

    // Search counts every frame, the ones too narrow to draw included.
    await page.getByLabel('Search functions').fill('runtime.');
    await page.waitForFunction(() => /matched/.test(document.querySelector('[data-testid=flame-search-status]')?.textContent ?? ''));
    assert.match((await page.getByTestId('flame-search-status').textContent())!, /^\d+(\.\d+)? % matched · \d+ frames/);
    assert.equal(new URL(page.url()).searchParams.get('search'), 'runtime.');
    await page.getByLabel('Search functions').fill('');

    // Table: sorted by self (the root is not a row); the Total header re-sorts it.
    const table = page.getByTestId('flame-top-functions');
    const top = topFunctions(fixture, indexModel(fixture)).filter((f) => f.name !== 'total');
    const firstRow = () => table.locator('tbody tr').first().getByRole('button').textContent();
    assert.equal(await firstRow(), top[0].name);
    await table.getByRole('button', { name: 'Total' }).click();
    assert.equal(await table.locator('th[aria-sort=descending]').textContent(), 'Total ▼');
    const byTotal = [...top].sort((a, b) => b.total - a.total);
    assert.equal(await firstRow(), byTotal[0].name);
    assert.notEqual(byTotal[0].name, top[0].name);
    await table.getByRole('button', { name: 'Self' }).click();
    assert.equal(await firstRow(), top[0].name);

    // Table: click a function, the graph keeps only the stacks through it.
    const fn = 'runtime.mallocgc';
    const row = table.getByRole('button', { name: fn, exact: true });
    await row.click();
    assert.equal(await row.getAttribute('aria-pressed'), 'true');
    await page.waitForFunction((f) => document.querySelector('[data-testid=flame-search-status]')?.textContent === `Stacks through ${f}`, fn);
    const focused = focusOn(fixture, fn)!;
    const width = await graph.locator('canvas').evaluate((c) => (c as HTMLCanvasElement).clientWidth);
    const focusedLayout = layoutFlame(focused, indexModel(focused), [0], width);
    await page.waitForFunction((n) => document.querySelector('[data-testid=flame-graph] canvas')?.getAttribute('data-frames') === String(n), focusedLayout.count);
    assert.ok(focusedLayout.count < frames);
    await page.screenshot({ path: path.join(RESULTS, 'flame-pyroscope-fixture-focused.png'), fullPage: true });

    // Sandwich: the function's callers above it, its callees below, each rooted at it.
    await page.getByRole('button', { name: 'Sandwich', exact: true }).click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get('view') === 'sandwich');
    await page.waitForFunction((f) => document.querySelector('[data-testid=flame-search-status]')?.textContent === `Callers and callees of ${f}`, fn);
    const callers = page.getByTestId('flame-callers').locator('canvas[data-frames]');
    const callees = page.getByTestId('flame-callees').locator('canvas[data-frames]');
    await callers.waitFor();
    await callees.waitFor();
    // The callers pane is drawn upside down: the function is its bottom row.
    const callerRows = Number(await callers.getAttribute('data-rows'));
    assert.ok(callerRows > 1);
    await callers.hover({ position: { x: 5, y: (callerRows - 1) * CELL + CELL / 2 } });
    assert.equal(await page.getByTestId('flame-tooltip').locator('div').first().textContent(), fn);
    await callees.hover({ position: { x: 5, y: CELL / 2 } });
    assert.equal(await page.getByTestId('flame-tooltip').locator('div').first().textContent(), fn);
    await page.screenshot({ path: path.join(RESULTS, 'flame-sandwich.png'), fullPage: true });
    await page.getByRole('button', { name: 'Show all stacks' }).click();
    await page.waitForFunction(() => !new URL(location.href).searchParams.get('view') && !new URL(location.href).searchParams.get('fn'));
    // Nothing mutated the model the page loaded.
    assert.equal(await page.evaluate(() => window.__flame.modelUnchanged!()), true);
  } finally {
    await page.context().close();
  }
});

test('frames too narrow to draw are one grey mark that says what it holds', async () => {
  const page = await open('model=trees/narrow.json&impl=ours&unit=samples');
  try {
    const model = folded(`big 100000\n${Array.from({ length: 400 }, (_, k) => `many;tiny${k} 1`).join('\n')}`);
    const canvas = page.getByTestId('flame-graph').locator('canvas');
    const width = await canvas.evaluate((c) => (c as HTMLCanvasElement).clientWidth);
    const l = layoutFlame(model, indexModel(model), [0], width);
    const mark = l.kind.indexOf(COLLAPSED);
    assert.ok(mark >= 0 && l.runLength[mark] === 400);
    await canvas.hover({ position: { x: l.x[mark] + l.width[mark] / 2, y: l.row[mark] * CELL + CELL / 2 } });
    const tip = (await page.getByTestId('flame-tooltip').textContent())!;
    assert.match(tip, /^400 frames too narrow to draw here/);
    assert.match(tip, /Together: 400 samples/);
    // "many" keeps no self of its own: its children are drawn, collapsed, not folded into it.
    const many = await frameBox(page, model, 'many');
    await canvas.hover({ position: { x: many.x, y: many.y } });
    assert.match((await page.getByTestId('flame-tooltip').textContent())!, /Self: 0 samples/);
    // The narrow frames are still found by search.
    await page.getByLabel('Search functions').fill('tiny');
    await page.waitForFunction(() => /· 400 frames/.test(document.querySelector('[data-testid=flame-search-status]')?.textContent ?? ''));
  } finally {
    await page.context().close();
  }
});

test('a diff flame graph colours gain and loss and puts the numbers in the tooltip', async () => {
  const page = await open('model=trees/diff.json&impl=ours&layout=beside&unit=samples');
  try {
    const diff = diffModels(folded('work 250\nidle 750'), folded('work 1200\nidle 800'));
    const pixel = async (name: string) => {
      const b = await frameBox(page, diff, name);
      return b.canvas.evaluate((c, p) => {
        const canvas = c as HTMLCanvasElement;
        const k = canvas.width / canvas.clientWidth;
        return [...canvas.getContext('2d')!.getImageData(Math.round(p.x * k), Math.round(p.y * k), 1, 1).data.slice(0, 3)];
      }, { x: b.x, y: b.y });
    };
    // work grew from 25 % to 60 %: red; idle shrank from 75 % to 40 %: blue
    const [wr, , wb] = await pixel('work');
    const [ir, , ib] = await pixel('idle');
    assert.ok(wr > wb + 40, `work is red: ${wr},${wb}`);
    assert.ok(ib > ir + 40, `idle is blue: ${ir},${ib}`);
    const work = await frameBox(page, diff, 'work');
    await work.canvas.hover({ position: { x: work.x, y: work.y } });
    const tip = (await page.getByTestId('flame-tooltip').textContent())!;
    assert.match(tip, /Before: total 250 samples \(25\.0 %\)/);
    assert.match(tip, /After: total 1,200 samples \(60\.0 %\)/);
    assert.match(tip, /Change: \+35\.00 pp of total \(\+140\.0 %\)/);
    await page.screenshot({ path: path.join(RESULTS, 'flame-diff.png') });
  } finally {
    await page.context().close();
  }
});

test('the flame graph follows the dark theme: deeper frames, and the page theme for the rest', async () => {
  const framePixel = async (page: Page) => {
    const b = await frameBox(page, fixture, 'net/http.(*conn).serve');
    return b.canvas.evaluate((c, p) => {
      const canvas = c as HTMLCanvasElement;
      const k = canvas.width / canvas.clientWidth;
      return [...canvas.getContext('2d')!.getImageData(Math.round(p.x * k), Math.round(p.y * k) + 4, 1, 1).data.slice(0, 3)];
    }, { x: b.x, y: b.y });
  };
  const light = await open('model=trees/pyroscope-fixture.json&impl=ours');
  const dark = await open('model=trees/pyroscope-fixture.json&impl=ours&theme=dark');
  try {
    const sum = (c: number[]) => c[0] + c[1] + c[2];
    const [l, d] = [await framePixel(light), await framePixel(dark)];
    assert.ok(sum(d) < sum(l) - 30, `dark frame ${d} vs light ${l}`);
    await dark.screenshot({ path: path.join(RESULTS, 'flame-dark.png'), fullPage: true });
  } finally {
    await light.context().close();
    await dark.context().close();
  }
});

test('an empty profile says so instead of drawing', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  try {
    await page.goto(`${server.url}/flame.html?model=trees/empty.json&impl=ours`);
    await page.getByText('No samples in this profile for the selected window.').waitFor();
    assert.equal(await page.getByTestId('flame-graph').count(), 0);
  } finally {
    await ctx.close();
  }
});
