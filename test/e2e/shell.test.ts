import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startApp, type AppHandle } from '../helpers/app';

// The app as a user gets it from `npm start`, driven in Debian's Chromium:
// navigation, the time-range picker writing the URL, the theme toggle, and the
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

test('the time-range picker writes relative and absolute ranges to the URL and keeps them across pages', async () => {
  const page = await newPage();
  try {
    await page.goto(`${app.url}/explore`);
    const trigger = page.getByTestId('time-range-trigger');
    assert.match((await trigger.textContent()) ?? '', /Last 1 hour/);

    await trigger.click();
    await page.getByRole('dialog', { name: 'Choose time range' }).getByRole('button', { name: 'Last 15 minutes' }).click();
    await page.waitForURL((u) => u.searchParams.get('from') === 'now-15m' && u.searchParams.get('to') === 'now');
    assert.match((await trigger.textContent()) ?? '', /Last 15 minutes/);

    // An invalid custom range is refused with the reason; the URL is unchanged.
    await trigger.click();
    const dialog = page.getByRole('dialog', { name: 'Choose time range' });
    await dialog.getByLabel('From').fill('yesterday');
    await dialog.getByRole('button', { name: 'Apply range' }).click();
    assert.match((await dialog.getByRole('alert').textContent()) ?? '', /from: not a time: "yesterday"/);
    assert.equal(new URL(page.url()).searchParams.get('from'), 'now-15m');

    // An absolute range goes to the URL as unix milliseconds.
    await dialog.getByLabel('From').fill('2026-11-22T05:00:00Z');
    await dialog.getByLabel('To').fill('2026-11-22T05:30:00Z');
    await dialog.getByRole('button', { name: 'Apply range' }).click();
    const from = String(Date.UTC(2026, 10, 22, 5, 0));
    const to = String(Date.UTC(2026, 10, 22, 5, 30));
    await page.waitForURL((u) => u.searchParams.get('from') === from && u.searchParams.get('to') === to);
    assert.match((await trigger.textContent()) ?? '', /Time range: 2026-11-22 05:00:00 → 05:30:00 UTC$/);

    // Navigation carries the range; a hand-written link is read back.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SLOs' }).click();
    await page.waitForURL((u) => u.pathname === '/slos' && u.searchParams.get('from') === from);
    await page.goto(`${app.url}/incidents?from=now-6h&to=now`);
    assert.match((await page.getByTestId('time-range-trigger').textContent()) ?? '', /Last 6 hours/);
    // Back goes to the previous range.
    await page.goto(`${app.url}/incidents?from=now-24h&to=now`);
    await page.goBack();
    assert.match((await page.getByTestId('time-range-trigger').textContent()) ?? '', /Last 6 hours/);
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
