import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startApp, type AppHandle } from '../helpers/app';
import { userCli } from '../helpers/users';

// Built-in sign-in in Chromium: the sign-in page, an editor firing a run from
// the form (the page sends the CSRF token itself), a viewer who is shown no Run
// button and whose request the API refuses. Every page is watched for CSP
// violations: the nonce-based policy must not break Next.js, the charts or the
// flame graph.

const RESULTS = path.resolve(import.meta.dirname, '..', '..', 'test-results');
let app: AppHandle;
let browser: Browser;
const violations: string[] = [];

before(async () => {
  // Metrics from stored spans: the histogram then counts exactly the run's requests.
  app = await startApp({ env: { AUTH_MODE: 'builtin', EMBEDDED_PROMETHEUS: 'off' } });
  userCli(app.dataDir, ['add', 'ed', '--role', 'editor'], 'editor password 1\n');
  userCli(app.dataDir, ['add', 'vi', '--role', 'viewer'], 'viewer password 1\n');
  userCli(app.dataDir, ['add', 'ada', '--role', 'admin'], 'admin password 1\n');
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await app?.stop();
});

async function context(): Promise<BrowserContext> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  // Both ways a browser reports a blocked script, style or connection.
  await ctx.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`));
  });
  ctx.on('console', (m) => {
    if (/Content Security Policy|CSP violation|Refused to (execute|load|apply|connect)/i.test(m.text())) violations.push(`${m.page()?.url()}: ${m.text()}`);
  });
  return ctx;
}

async function signInAs(page: Page, name: string, password: string, to = '/sandbox') {
  await page.goto(`${app.url}${to}`);
  await page.waitForURL((u) => u.pathname === '/signin');
  assert.equal(new URL(page.url()).searchParams.get('next'), to);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname + u.search === to);
}

test('sign-in: a wrong password says so; the right one lands on the page asked for', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  try {
    await page.goto(`${app.url}/status`);
    await page.waitForURL((u) => u.pathname === '/signin');
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: path.join(RESULTS, 'signin.png') });
    await page.getByLabel('Name').fill('ed');
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.locator('form [role=alert]').textContent(), 'wrong name or password');
    await page.getByLabel('Password').fill('editor password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === '/status');
    assert.match((await page.getByTestId('user-menu').textContent()) ?? '', /ed · editor/);
  } finally {
    await ctx.close();
  }
});

test('an editor fires a run from the form; the run page\'s charts and flame graph render under the CSP', { timeout: 240_000 }, async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  try {
    await signInAs(page, 'ed', 'editor password 1', '/sandbox?requests=6&concurrency=2&p0=100&maxTokens=4&prompt=fixed&promptTokens=16&seed=3');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/sandbox\/runs\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-testid="latency-histogram"]')?.dataset.total === '6', null, { timeout: 120_000 });
    await page.getByTestId('run-flame').getByTestId('flame-graph').locator('canvas[data-frames]').waitFor({ timeout: 90_000 });
    const run = await page.evaluate(async (u) => (await fetch(u)).json(), `/api/runs/${id}`);
    assert.equal(run.createdBy, 'ed');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(RESULTS, 'run-signed-in.png'), fullPage: true });
    for (const p of ['/explore', '/slos', '/incidents', '/status']) {
      await page.goto(`${app.url}${p}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
    }
  } finally {
    await ctx.close();
  }
  assert.deepEqual(violations, []);
});

test('a viewer sees no Run button (but why), and the API refuses the run anyway', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  try {
    await signInAs(page, 'vi', 'viewer password 1');
    await page.getByTestId('load-form').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Run', exact: true }).count(), 0);
    assert.match((await page.getByTestId('run-needs-editor').textContent()) ?? '', /firing load needs the editor role/);
    await page.screenshot({ path: path.join(RESULTS, 'viewer-sandbox.png') });
    // What the page would send, CSRF token included: still refused for the role.
    const res = await page.evaluate(async () => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('trisight_csrf='))?.split('=')[1] ?? '';
      const r = await fetch('/api/runs', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ target: 'sandbox' }) });
      return { status: r.status, body: await r.json() };
    });
    assert.equal(res.status, 403);
    assert.match(res.body.error.message, /needs the editor role; vi is a viewer/);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/signin');
  } finally {
    await ctx.close();
  }
  assert.deepEqual(violations, []);
});

test('an admin adds a user on the Users page and gives them a role; the new user signs in with it', async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  page.setDefaultTimeout(20_000);
  try {
    await signInAs(page, 'ada', 'admin password 1', '/admin/users');
    const add = page.getByTestId('add-user');
    await add.getByLabel('Name (login)').fill('newbie');
    await add.getByLabel('Role').selectOption('editor');
    await add.getByLabel('Password (≥ 10 characters)').fill('short');
    await add.getByRole('button', { name: 'Add user' }).click();
    assert.match((await add.getByRole('alert').textContent()) ?? '', /at least 10 characters/);
    await add.getByLabel('Password (≥ 10 characters)').fill('newbie password');
    await add.getByRole('button', { name: 'Add user' }).click();
    const row = page.getByTestId('user-newbie');
    await row.waitFor();
    assert.equal(await row.getByLabel('Role of newbie').inputValue(), 'editor');
    await page.screenshot({ path: path.join(RESULTS, 'users-page.png'), fullPage: true });
    const other = await (await context()).newPage();
    await signInAs(other, 'newbie', 'newbie password');
    assert.match((await other.getByTestId('user-menu').textContent()) ?? '', /newbie · editor/);
    await other.context().close();
  } finally {
    await ctx.close();
  }
  assert.deepEqual(violations, []);
});
