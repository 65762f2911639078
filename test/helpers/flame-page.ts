import { build } from 'esbuild';
import { copyFileSync, createReadStream, mkdirSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

// Builds and serves the standalone flame graph page (public/bench/flame.html +
// test/bench/flame-page.tsx), shared by the benchmark and the e2e XSS test.

const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** Gitignored (.trisight/); rebuilt on every run so the page never goes stale. */
export const FLAME_PAGE_DIR = path.join(ROOT, '.trisight', 'bench', 'flame');


/** Bundles the page script (React production build) and copies the HTML beside it. */
export async function buildFlamePage(outDir = FLAME_PAGE_DIR): Promise<string> {
  mkdirSync(path.join(outDir, 'trees'), { recursive: true });
  await build({
    entryPoints: [path.join(ROOT, 'test', 'bench', 'flame-page.tsx')],
    outfile: path.join(outDir, 'flame.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: process.env.FLAME_PAGE_MINIFY !== "0",
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    tsconfig: path.join(ROOT, 'tsconfig.json'),
    logLevel: 'error',
  });
  copyFileSync(path.join(ROOT, 'public', 'bench', 'flame.html'), path.join(outDir, 'flame.html'));
  return outDir;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
};

/** Serves one directory read-only on 127.0.0.1 (free port). */
export async function serveDir(dir: string): Promise<{ url: string; stop(): Promise<void> }> {
  const root = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = path.resolve(root, `.${rel}`);
    let ok = file.startsWith(root + path.sep);
    try {
      ok = ok && statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
