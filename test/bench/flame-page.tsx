// Entry of the standalone flame graph page (public/bench/flame.html), bundled
// by esbuild (test/helpers/flame-page.ts). It loads a FlameTree JSON file named
// in the URL and draws it with our component (impl=ours) or with d3-flame-graph
// on the whole, unpruned tree (impl=raw), and leaves timings in window.__flame
// so a driver (test/bench/flame.bench.ts) or a person can read them.
//
// Timings are taken from "tree in memory" to "the frame after the browser
// painted it" (requestAnimationFrame, then a task): fetching and JSON.parse
// are reported apart (parseMs) because every renderer pays them alike.

import flamegraph from 'd3-flame-graph';
import { select } from 'd3-selection';
import { useState } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { FlameGraph, type FlameRenderInfo } from '../../components/flame/FlameGraph';
import { childrenOf, indexDiff, indexTree, isDiffTree, type FlameIndex } from '../../lib/model/flame';
import type { DiffFlameTree, FlameTree } from '../../lib/model/types';

interface BenchState {
  impl: string;
  status: 'loading' | 'ready' | 'error';
  error?: string;
  nodes?: number;
  parseMs?: number;
  /** ours: complete picture; raw: first frame after the synchronous draw (rects may still be growing) */
  firstPaintMs?: number;
  /** raw only: until the library's 250 ms enter animation has finished */
  settledMs?: number;
  frames?: number;
  /** frames drawn at first paint */
  firstFrames?: number;
  /** transitions still pending right after our first paint (should be 0) */
  pendingTransitions?: number;
  /** ours: until search and the table are ready (the full index is built after the first paint) */
  indexedMs?: number;
  zoomMs?: number;
  zoomSettledMs?: number;
  searchMs?: number;
  /** true while the tree the page loaded still serialises to the file's text (nothing mutated it) */
  treeUnchanged?: () => boolean;
  zoom?: () => Promise<number>;
  search?: (term: string) => Promise<number>;
}

declare global {
  interface Window {
    __flame: BenchState;
  }
}

const params = new URLSearchParams(location.search);
const impl = params.get('impl') === 'raw' ? 'raw' : 'ours';
const state: BenchState = (window.__flame = { impl, status: 'loading' });
const meta = document.getElementById('meta')!;
const app = document.getElementById('app')!;

/** Resolves after the next frame has been painted. */
const afterPaint = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));

type WithTransition = Element & { __transition?: unknown; __data__?: { data: unknown } };
const pending = (els: Iterable<Element>) => {
  let n = 0;
  for (const e of els) if ((e as WithTransition).__transition) n++;
  return n;
};

/** Waits until sampled rects have no d3 transition left (the raw library animates new rects). */
async function settled(root: Element): Promise<void> {
  const all = root.querySelectorAll('rect');
  const step = Math.max(1, Math.floor(all.length / 400));
  const sample: Element[] = [];
  for (let i = 0; i < all.length; i += step) sample.push(all[i]);
  while (pending(sample)) await new Promise((r) => requestAnimationFrame(r));
  await afterPaint();
}

/** The frame the zoom measurement clicks: the widest child of the widest child of the root. */
function zoomTarget<T extends { children: T[] }>(tree: T, ix: FlameIndex): { node: T; index: number } {
  let node = tree;
  let index = 0;
  for (let level = 0; level < 2; level++) {
    const kids = childrenOf(ix, index);
    if (!kids.length) break;
    const best = kids.reduce((a, b) => (ix.total[b] > ix.total[a] ? b : a));
    node = node.children[kids.indexOf(best)];
    index = best;
  }
  return { node, index };
}

function clickFrame(root: Element, pick: (datum: unknown) => boolean): void {
  for (const g of root.querySelectorAll('g')) {
    const d = (g as WithTransition).__data__;
    if (d && pick(d.data)) {
      g.querySelector('rect')!.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      return;
    }
  }
  throw new Error('zoom target is not drawn');
}

async function runOurs(tree: FlameTree | DiffFlameTree) {
  let waiting: ((info: FlameRenderInfo) => void) | null = null;
  const nextRender = () => new Promise<FlameRenderInfo>((r) => (waiting = r));
  let setSearchOuter: (s: string) => void = () => {};
  const initialZoom = params.get('zoom')?.split(';').filter(Boolean) ?? [];

  // Keeps zoom and search in this page's URL through the component's state hooks.
  function App() {
    const [zoomPath, setZoomPath] = useState<string[]>(initialZoom);
    const [search, setSearch] = useState(params.get('search') ?? '');
    setSearchOuter = setSearch;
    const sync = (zoom: string[], s: string) => {
      const u = new URL(location.href);
      if (zoom.length) u.searchParams.set('zoom', zoom.join(';'));
      else u.searchParams.delete('zoom');
      if (s) u.searchParams.set('search', s);
      else u.searchParams.delete('search');
      history.replaceState(null, '', u);
    };
    return (
      <FlameGraph
        tree={tree}
        unit={params.get('unit') ?? 'nanoseconds'}
        layout={params.get('layout') === 'beside' ? 'beside' : 'below'}
        zoomPath={zoomPath}
        onZoomPathChange={(p) => {
          setZoomPath(p);
          sync(p, search);
        }}
        search={search}
        onSearchChange={(s) => {
          setSearch(s);
          sync(zoomPath, s);
        }}
        onRender={(info) => {
          state.frames = info.frames;
          waiting?.(info);
        }}
      />
    );
  }

  const t0 = performance.now();
  const first = nextRender();
  createRoot(app).render(<App />);
  await first;
  await afterPaint();
  state.firstPaintMs = performance.now() - t0;
  state.firstFrames = state.frames;
  state.pendingTransitions = pending(app.querySelectorAll('g,rect,div'));
  // Zoom and search are measured once the page is idle again, as a user would meet them.
  while (app.querySelector('[aria-busy=true]')) await new Promise((r) => setTimeout(r, 5));
  state.indexedMs = performance.now() - t0;

  const target = isDiffTree(tree) ? zoomTarget(tree, indexDiff(tree).index) : zoomTarget(tree, indexTree(tree));
  state.zoom = async () => {
    const t = performance.now();
    const drawn = nextRender();
    clickFrame(app, (d) => (d as { src: unknown }).src === target.node);
    await drawn;
    await afterPaint();
    state.zoomMs = performance.now() - t;
    return state.zoomMs;
  };
  state.search = async (term: string) => {
    const t = performance.now();
    // Search repaints colours only (no redraw): commit at once, then wait for the paint.
    flushSync(() => setSearchOuter(term));
    await afterPaint();
    state.searchMs = performance.now() - t;
    return state.searchMs;
  };
}

async function runRaw(tree: FlameTree) {
  const host = document.createElement('div');
  app.append(host);
  const width = Math.floor(app.clientWidth);
  const chart = flamegraph<FlameTree>()
    .width(width)
    .cellHeight(18)
    .transitionDuration(0)
    .inverted(true)
    .getValue((d) => d.total);
  const t0 = performance.now();
  select(host).datum(tree).call(chart);
  await afterPaint();
  state.firstPaintMs = performance.now() - t0;
  await settled(host);
  state.settledMs = performance.now() - t0;
  state.frames = state.firstFrames = host.querySelectorAll('g').length;

  const target = zoomTarget(tree, indexTree(tree));
  state.zoom = async () => {
    const t = performance.now();
    clickFrame(host, (d) => d === target.node);
    await afterPaint();
    state.zoomMs = performance.now() - t;
    await settled(host);
    state.zoomSettledMs = performance.now() - t;
    return state.zoomSettledMs;
  };
}

async function main() {
  const url = params.get('tree');
  if (!url) throw new Error('give the tree file as ?tree=<url of a FlameTree JSON>');
  const t0 = performance.now();
  const res = await fetch(url);
  if (!res.ok) throw new Error(`tree ${url}: HTTP ${res.status}`);
  // A FlameTree, or a DiffFlameTree (impl=ours only: the raw library has no such input).
  const text = await res.text();
  const tree = JSON.parse(text) as FlameTree | DiffFlameTree;
  state.treeUnchanged = () => JSON.stringify(tree) === JSON.stringify(JSON.parse(text));
  state.parseMs = performance.now() - t0;
  const diff = isDiffTree(tree);
  if (diff && impl === 'raw') throw new Error('impl=raw takes a FlameTree, not a diff');
  state.nodes = (diff ? indexDiff(tree).index : indexTree(tree)).count;
  meta.textContent = `${impl === 'raw' ? 'd3-flame-graph, unpruned' : 'Trisight FlameGraph'} · ${state.nodes.toLocaleString('en-US')} nodes · ${url}`;
  await (diff || impl !== 'raw' ? runOurs(tree) : runRaw(tree));
  state.status = 'ready';
}

main().catch((e: unknown) => {
  state.status = 'error';
  state.error = e instanceof Error ? e.message : String(e);
  meta.textContent = `error: ${state.error}`;
});
