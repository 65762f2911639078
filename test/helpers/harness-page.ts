import { readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import tailwindcss from '@tailwindcss/postcss';
import { build } from 'esbuild';
import postcss from 'postcss';

// A component harness page for e2e tests that need no running app: a browser
// entry (React, the app's components) bundled with esbuild, styled with the
// app's own Tailwind stylesheet, served by the test's own 127.0.0.1 server.
//
//   const harness = await buildHarnessPage(path.join(import.meta.dirname, 'x', 'harness.tsx'), { title: 'x' });
//   http.createServer((req, res) => sendHarnessPage(harness, req, res));

const ROOT = path.resolve(import.meta.dirname, '..', '..');

export interface HarnessPage {
  js: Uint8Array;
  css: string;
  html: string;
}

/** Bundles `entry`; `data` (JSON) is put in window.__harness before the entry runs. */
export async function buildHarnessPage(entry: string, opts: { title: string; data?: unknown }): Promise<HarnessPage> {
  const js = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    jsx: 'automatic',
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const globals = path.join(ROOT, 'app', 'globals.css');
  const css = await postcss([tailwindcss({ base: ROOT })]).process(readFileSync(globals, 'utf8'), { from: globals });
  const data = opts.data === undefined ? '' : `<script>window.__harness = ${JSON.stringify(opts.data).replace(/</g, '\\u003c')};</script>`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${opts.title}</title><link rel="stylesheet" href="/app.css"></head>
<body class="bg-bg text-fg font-sans"><div id="root"></div>${data}<script type="module" src="/app.js"></script></body></html>`;
  return { js: js.outputFiles[0].contents, css: css.css, html };
}

/** Answers /app.js, /app.css, and the page for any other path. */
export function sendHarnessPage(page: HarnessPage, req: http.IncomingMessage, res: http.ServerResponse): void {
  const pathname = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  if (pathname === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(page.js);
  else if (pathname === '/app.css') res.writeHead(200, { 'content-type': 'text/css' }).end(page.css);
  else res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page.html);
}
