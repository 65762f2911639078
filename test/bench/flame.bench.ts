// Flame graph benchmark in headless Chromium: our <FlameGraph> (canvas)
// against Grafana's @grafana/flamegraph 13.0.1 (canvas) on the same seeded
// models, in the same browser, in the same run, alternating run by run so
// both meet the same machine load. d3-flame-graph, the SVG renderer of our
// "Download SVG", is measured once per size for reference. Prints
// `name value unit` lines, ratios and a Markdown table (the README's); never
// fails on speed.
//
//   npm run bench -- flame                       # the benchmark (~5 minutes on 2 cores)
//   FLAME_BENCH_SIZES=10000,100000 FLAME_BENCH_RUNS=3 npm run bench -- flame
//   npx tsx test/bench/flame.bench.ts --serve    # build and serve the pages, print their URLs
//
// Grafana's package is installed for the bench only, outside the app's
// dependencies: test/bench/grafana-flamegraph holds the lockfile and the two
// shims it needs; they are copied into a temporary folder and installed there
// with `npm ci --legacy-peer-deps` from the npm registry (no install scripts).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { FLAME_PAGE_DIR, buildFlamePage, serveDir } from '../helpers/flame-page';
import { randomModel } from '../helpers/flame-models';

const SIZES = (process.env.FLAME_BENCH_SIZES ?? '10000,100000,300000').split(',').map(Number);
const RUNS = Number(process.env.FLAME_BENCH_RUNS ?? 5);
const WIDTH = 1200;
const PAGE_TIMEOUT_MS = 120_000;
const SEARCH_TERM = 'fn1';
const RECIPE = path.resolve(import.meta.dirname, 'grafana-flamegraph');

type Impl = 'ours' | 'grafana' | 'svg';
/** panel: each as it shows a profile, graph and its table (Grafana: header, top table, graph); graph: the graph alone */
type Setup = 'panel' | 'graph';
const SETUPS: Setup[] = ['panel', 'graph'];
const SETUP_TEXT: Record<Setup, string> = {
  panel: 'graph with its table (Grafana: header, top table and graph, vertical)',
  graph: 'graph alone (ours without the table; Grafana showFlameGraphOnly: no header, search or zoom menu)',
};
interface Run {
  firstPaintMs: number;
  stableMs: number;
  zoomMs: number;
  searchMs: number;
  /** memory after the stable paint minus before rendering (JS heap + DOM + array buffers, after GC both times), MB */
  heapMB: number;
  frames: number;
}

/** Installs the recipe in a temporary folder keyed by its lockfile; returns the folder, or why not. */
function grafanaInstall(): { dir: string } | { error: string } {
  const lock = readFileSync(path.join(RECIPE, 'package-lock.json'));
  const dir = path.join(os.tmpdir(), `trisight-grafana-flamegraph-${createHash('sha256').update(lock).digest('hex').slice(0, 12)}`);
  if (existsSync(path.join(dir, 'node_modules', '@grafana', 'flamegraph', 'package.json'))) return { dir };
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(RECIPE)) if (/\.(json|js)$/.test(f)) copyFileSync(path.join(RECIPE, f), path.join(dir, f));
  console.log(`# installing @grafana/flamegraph 13.0.1 for the bench in ${dir} (npm ci --legacy-peer-deps)`);
  const r = spawnSync('npm', ['ci', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) return { error: `npm ci failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' / ')}` };
  return { dir };
}

/**
 * Bundles test/bench/grafana-flamegraph/page.tsx against the temporary install:
 * the page and its timing module are copied there first, so that React 18 and
 * Grafana's packages resolve from the install (with their browser builds),
 * never from the app's React 19.
 */
async function buildGrafanaPage(install: string, outDir: string): Promise<void> {
  mkdirSync(path.join(install, 'page'), { recursive: true });
  copyFileSync(path.join(RECIPE, 'page.tsx'), path.join(install, 'page', 'page.tsx'));
  copyFileSync(path.join(import.meta.dirname, 'flame-measure.ts'), path.join(install, 'flame-measure.ts'));
  await build({
    entryPoints: [path.join(install, 'page', 'page.tsx')],
    absWorkingDir: install,
    outfile: path.join(outDir, 'grafana.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    jsx: 'automatic',
    loader: { '.svg': 'text', '.woff2': 'file', '.woff': 'file', '.ttf': 'file' },
    define: { 'process.env.NODE_ENV': '"production"' },
    // The recipe's two shims (see its README).
    alias: {
      '@grafana/assistant': path.join(install, 'assistant-stub.js'),
      'react-custom-scrollbars-2': path.join(install, 'scrollbars-shim.js'),
    },
    logLevel: 'error',
  });
  const html = readFileSync(path.join(outDir, 'flame.html'), 'utf8')
    .replace('<link rel="stylesheet" href="flame.css" />', '')
    .replace('<script type="module" src="flame.js"></script>', '<script src="grafana.js"></script>');
  writeFileSync(path.join(outDir, 'grafana.html'), html);
}

async function measure(browser: Browser, url: string, impl: Impl): Promise<Run> {
  const ctx = await browser.newContext({ viewport: { width: WIDTH, height: 900 } });
  try {
    const page = await ctx.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT_MS);
    await page.goto(url);
    await page.waitForFunction(() => window.__flame?.status !== 'loading', null, { timeout: PAGE_TIMEOUT_MS, polling: 100 });
    const err = await page.evaluate(() => window.__flame.error ?? null);
    if (err) throw new Error(`${impl} page: ${err}`);
    const cdp = await ctx.newCDPSession(page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      // The JS heap, Blink's own heap (DOM nodes) and array buffers (typed arrays live there).
      const h = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; embedderHeapUsedSize?: number; backingStorageSize?: number };
      return (h.usedSize + (h.embedderHeapUsedSize ?? 0) + (h.backingStorageSize ?? 0)) / 2 ** 20;
    };
    const before = await heap();
    const r = await withTimeout(page.evaluate(() => window.__flame.render!()), `${impl} render`);
    const after = await heap();
    const frames = await page.evaluate(() => window.__flame.frames?.() ?? 0);
    // A configuration without a zoom or a search (Grafana's showFlameGraphOnly) has no figure for it.
    const zoomMs = await withTimeout(page.evaluate(() => window.__flame.zoom?.() ?? NaN), `${impl} zoom`);
    const searchMs = await withTimeout(page.evaluate((t) => window.__flame.search?.(t) ?? NaN, SEARCH_TERM), `${impl} search`);
    return { ...r, zoomMs, searchMs, heapMB: after - before, frames };
  } finally {
    await ctx.close();
  }
}

/** evaluate() has no time limit of its own. */
function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${PAGE_TIMEOUT_MS} ms`)), PAGE_TIMEOUT_MS).unref())]);
}

const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const fmt = (v: number, unit: string) => (unit === 'x' ? Number(v.toPrecision(3)) : Number(v.toFixed(1)));
const line = (name: string, value: number, unit: string) => console.log(`${name} ${fmt(value, unit)} ${unit}`);

const FIGURES: [keyof Run, string, string][] = [
  ['firstPaintMs', 'first_paint', 'ms'],
  ['stableMs', 'stable_paint', 'ms'],
  ['zoomMs', 'zoom', 'ms'],
  ['searchMs', 'search', 'ms'],
  ['heapMB', 'memory', 'MB'],
];

async function main() {
  const started = Date.now();
  const dir = await buildFlamePage();
  const install = grafanaInstall();
  if ('dir' in install) await buildGrafanaPage(install.dir, dir);
  else console.log(`# Grafana reference unavailable (${install.error}); ours is measured alone`);
  const server = await serveDir(dir);
  try {
    if (process.argv.includes('--serve')) {
      writeFileSync(path.join(dir, 'trees', '100000.json'), JSON.stringify(randomModel(100_000, 100_000)));
      console.log(`${server.url}/flame.html?model=trees/100000.json&impl=ours   (impl=svg: d3-flame-graph)`);
      if ('dir' in install) console.log(`${server.url}/grafana.html?model=trees/100000.json`);
      await new Promise<void>((r) => process.once('SIGINT', () => r()));
      return;
    }
    const browser = await launchChromium();
    const tables: Record<Setup, string[]> = { panel: [], graph: [] };
    try {
      for (const n of SIZES) {
        const file = `trees/${n}.json`;
        writeFileSync(path.join(dir, file), JSON.stringify(randomModel(n, n)));
        const url = (impl: Impl, setup: Setup) =>
          impl === 'grafana'
            ? `${server.url}/grafana.html?model=${file}&auto=0${setup === 'graph' ? '&only=1' : ''}`
            : `${server.url}/flame.html?model=${file}&impl=${impl}&auto=0${setup === 'graph' ? '&table=0' : ''}`;
        const tag = `flame_${n / 1000}k`;
        for (const setup of SETUPS) {
          const runs: Record<'ours' | 'grafana', Run[]> = { ours: [], grafana: [] };
          const impls: ('ours' | 'grafana')[] = 'dir' in install ? ['ours', 'grafana'] : ['ours'];
          // Alternate, so a busy moment of the shared machine hits both alike.
          for (let k = 0; k < RUNS; k++) for (const impl of k % 2 ? [...impls].reverse() : impls) runs[impl].push(await measure(browser, url(impl, setup), impl));
          console.log(`# ${n} nodes, ${SETUP_TEXT[setup]}, median of ${RUNS}; ours drew ${runs.ours[0].frames} frames (collapsed marks count one)`);
          for (const impl of impls) {
            const r = runs[impl];
            const list = (f: (x: Run) => number) => r.map((x) => f(x).toFixed(0)).join(' ');
            console.log(`# ${impl}: first paint ${list((x) => x.firstPaintMs)} ms; stable ${list((x) => x.stableMs)} ms; zoom ${list((x) => x.zoomMs)} ms; search ${list((x) => x.searchMs)} ms; heap ${list((x) => x.heapMB)} MB`);
          }
          const row: string[] = [];
          for (const [key, name, unit] of FIGURES) {
            const ours = median(runs.ours.map((r) => r[key]));
            const g = median(runs.grafana.map((r) => r[key]));
            line(`${tag}_${setup}_ours_${name}`, ours, unit);
            if (!Number.isFinite(g)) {
              row.push(`${fmt(ours, unit)} / –`);
              continue;
            }
            line(`${tag}_${setup}_grafana_${name}`, g, unit);
            line(`${tag}_${setup}_${name}_ours_vs_grafana`, ours / g, 'x');
            row.push(`${fmt(ours, unit)} / ${fmt(g, unit)} (${fmt(ours / g, 'x')}×)`);
          }
          tables[setup].push(`| ${n.toLocaleString('en-US')} | ${row.join(' | ')} |`);
        }
        const svg = await measure(browser, url('svg', 'graph'), 'svg');
        line(`${tag}_d3_svg_first_paint`, svg.firstPaintMs, 'ms');
        line(`${tag}_d3_svg_stable_paint`, svg.stableMs, 'ms');
        line(`${tag}_d3_svg_zoom`, svg.zoomMs, 'ms');
        line(`${tag}_d3_svg_memory`, svg.heapMB, 'MB');
        line(`${tag}_d3_svg_dom_frames`, svg.frames, 'frames');
      }
    } finally {
      await browser.close();
    }
    for (const setup of SETUPS) {
      console.log(`\n# README table, ${SETUP_TEXT[setup]}: ours / Grafana (ours ÷ Grafana), median of ${RUNS}, width ${WIDTH}`);
      console.log('| nodes | first paint, ms | stable paint, ms | zoom, ms | search keystroke, ms | memory, MB |');
      console.log('|---|---|---|---|---|---|');
      for (const r of tables[setup]) console.log(r);
    }
    console.log(`# flame bench took ${((Date.now() - started) / 1000).toFixed(0)} s (pages in ${FLAME_PAGE_DIR})`);
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
