// How tests and benchmarks run Debian's Chromium: never a downloaded browser, and
// with the background-networking flags, since this machine reaches no outside host.
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/**
 * A page in a fresh context at the size the dashboard e2e tests look at
 * (1440×1000, light scheme unless `options` say otherwise); waits fail after `timeoutMs`.
 */
export async function openPage(browser: Browser, timeoutMs: number, options: BrowserContextOptions = {}): Promise<Page> {
  const ctx = await browser.newContext({ colorScheme: 'light', viewport: { width: 1440, height: 1000 }, ...options });
  const page = await ctx.newPage();
  page.setDefaultTimeout(timeoutMs);
  return page;
}
