import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startApp, type AppHandle } from '../helpers/app';

// The app as a user gets it from `npm start`, driven in Debian's Chromium:
// navigation, the time-range picker's absence where it acts on nothing, the theme toggle, and the
// Status page reporting embedded Postgres as healthy.

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');

let app: AppHandle;
let browser: Browser;

before(async () => {
  app = await startApp();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

async function newPage(opts: { colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
  const ctx = await browser.newContext({ colorScheme: opts.colorScheme ?? 'light', viewport: { width: 1280, height: 860 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

test('/ redirects to the Sandbox and the navigation reaches every section', async () => {
  const page = await newPage();
  try {
    await page.goto(`${app.url}/`);
    assert.equal(new URL(page.url()).pathname, '/sandbox');
    const nav = page.getByRole('navigation', { name: 'Main' });
    const links = nav.getByRole('link');
    assert.deepEqual(await links.allTextContents(), ['Sandbox', 'Explore', 'SLOs', 'Incidents', 'Status']);
    for (const [name, pathname] of [
      ['Explore', '/explore'],
      ['SLOs', '/slos'],
      ['Incidents', '/incidents'],
      ['Status', '/status'],
    ] as const) {
      await nav.getByRole('link', { name }).click();
      await page.waitForURL((u) => u.pathname === pathname);
      assert.equal(await nav.getByRole('link', { name }).getAttribute('aria-current'), 'page');
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), name);
    }
    // Empty states point at the next step instead of showing made-up data.
    await page.goto(`${app.url}/explore`);
    await page.getByRole('link', { name: 'Run a load from Sandbox' }).click();
    await page.waitForURL((u) => u.pathname === '/sandbox');
  } finally {
    await page.context().close();
  }
});

test('keyboard: the first Tab reaches the skip link, which moves focus to the content', async () => {
  const page = await newPage();
  try {
    await page.goto(`${app.url}/explore`);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#main');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
  } finally {
    await page.context().close();
  }
});

test('the global time-range picker is shown only where it changes something: no page reads it yet', async () => {
  // lib/time-range PAGES_WITH_TIME_RANGE lists the pages whose panels read the range; the
  // run page has its own window. A picker that changes nothing would mislead.
  const page = await newPage();
  try {
    for (const p of ['/sandbox', '/explore', '/slos', '/incidents', '/status']) {
      await page.goto(`${app.url}${p}?from=now-6h&to=now`);
      await page.getByRole('navigation', { name: 'Main' }).waitFor();
      assert.equal(await page.getByTestId('time-range-trigger').count(), 0, `no time-range picker on ${p}`);
    }
    // A range in the URL still travels with the navigation, for the pages that will read it.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SLOs' }).click();
    await page.waitForURL((u) => u.pathname === '/slos' && u.searchParams.get('from') === 'now-6h');
  } finally {
    await page.context().close();
  }
});

test('theme: follows the OS first, the toggle switches and persists across reloads', async () => {
  const page = await newPage({ colorScheme: 'dark' });
  try {
    await page.goto(`${app.url}/slos`);
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains('dark'));
    const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await isDark(), true, 'prefers-color-scheme: dark is respected');
    const darkBg = await bg();

    await page.getByTestId('theme-toggle').click();
    assert.equal(await isDark(), false);
    assert.notEqual(await bg(), darkBg, 'the page colours change with the theme');
    assert.equal(await page.evaluate(() => localStorage.getItem('trisight-theme')), 'light');

    await page.reload();
    assert.equal(await isDark(), false, 'the stored choice beats the OS preference');
    await page.getByTestId('theme-toggle').click();
    await page.reload();
    assert.equal(await isDark(), true);
    assert.equal(await bg(), darkBg);
    // The dark theme, for a person to look at.
    await page.goto(`${app.url}/status`);
    await page.getByTestId('health-postgres').waitFor();
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'status-dark.png') });
  } finally {
    await page.context().close();
  }
});

test('Status page: Postgres embedded and healthy, every component reported; screenshot saved', async () => {
  const health = (await (await fetch(`${app.url}/api/health`)).json()) as { components: { name: string; state: string; version?: string }[] };
  const pgHealth = health.components.find((c) => c.name === 'postgres');
  assert.equal(pgHealth?.state, 'embedded');
  assert.match(pgHealth?.version ?? '', /^\d+\.\d+/);

  const page = await newPage();
  try {
    await page.goto(`${app.url}/status`);
    const card = page.getByTestId('health-postgres');
    await card.waitFor();
    assert.equal(await card.getAttribute('data-state'), 'embedded');
    const text = (await card.textContent()) ?? '';
    assert.match(text, /Embedded · healthy/);
    assert.match(text, new RegExp(`Version${pgHealth!.version!.replace('.', '\\.')}`));
    assert.ok(!text.includes('trisight-embedded'), 'the database password is not shown');
    for (const name of ['prometheus', 'tempo', 'pyroscope']) {
      assert.equal(await page.getByTestId(`health-${name}`).getAttribute('data-state'), 'embedded', name);
    }
    // The sandbox card is there with whatever state it is in (its own tests cover it).
    await page.getByTestId('health-sandbox').waitFor();
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'status.png'), fullPage: true });
  } finally {
    await page.context().close();
  }
});
