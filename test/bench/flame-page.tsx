// Entry of the standalone flame graph page (public/bench/flame.html), bundled
// by esbuild (test/helpers/flame-page.ts). It loads a flame model JSON file
// named in the URL and draws it with our component (impl=ours, canvas) or with
// d3-flame-graph through the SVG renderer of our export (impl=svg), and leaves
// its timings to window.__flame (test/bench/flame-measure.ts) for the driver
// (test/bench/flame.bench.ts), the e2e tests, or a person.
//
//   flame.html?model=<URL of a FlameModel JSON>&impl=ours|svg[&layout=beside][&zoom=a;b][&search=text][&unit=samples][&theme=dark][&table=0]

import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { FlameGraph, type FlameView } from '../../components/flame/FlameGraph';
import { flamePalette } from '../../components/flame/colors';
import { FrameStyles } from '../../components/flame/draw';
import { drawSvg } from '../../components/flame/svg';
import { indexModel, nodeCount, type FlameModel } from '../../lib/model/flame';
import { Clock, clickAt, fetchModelFile, typeInto, zoomTarget, type BenchState } from './flame-measure';

const params = new URLSearchParams(location.search);
const impl = params.get('impl') === 'svg' ? 'svg' : 'ours';
const state: BenchState = { impl, status: 'loading' };
window.__flame = state;
const meta = document.getElementById('meta')!;
const app = document.getElementById('app')!;
if (params.get('theme') === 'dark') document.documentElement.classList.add('dark');

/** Our component, with zoom, search, function and view kept in this page's URL through its callbacks. */
function App({ model }: { model: FlameModel }) {
  const [zoomPath, setZoomPath] = useState<string[]>(params.get('zoom')?.split(';').filter(Boolean) ?? []);
  const [search, setSearch] = useState(params.get('search') ?? '');
  const [fn, setFn] = useState<string | null>(params.get('fn'));
  const [view, setView] = useState<FlameView>(params.get('view') === 'sandwich' ? 'sandwich' : 'graph');
  const sync = (k: string, v: string | null) => {
    const u = new URL(location.href);
    if (v) u.searchParams.set(k, v);
    else u.searchParams.delete(k);
    history.replaceState(null, '', u);
  };
  return (
    <FlameGraph
      flame={model}
      unit={params.get('unit') ?? 'nanoseconds'}
      layout={params.get('layout') === 'beside' ? 'beside' : 'below'}
      zoomPath={zoomPath}
      onZoomPathChange={(p) => {
        setZoomPath(p);
        sync('zoom', p.join(';'));
      }}
      search={search}
      onSearchChange={(s) => {
        setSearch(s);
        sync('search', s);
      }}
      selectedFunction={fn}
      onSelectedFunctionChange={(f) => {
        setFn(f);
        sync('fn', f);
      }}
      topFunctionsLimit={params.get('table') === '0' ? 0 : 50}
      view={view}
      onViewChange={(v) => {
        setView(v);
        sync('view', v === 'graph' ? null : v);
      }}
    />
  );
}

function runOurs(model: FlameModel, clock: Clock) {
  const canvas = () => app.querySelector<HTMLCanvasElement>('[data-testid=flame-graph] canvas')!;
  state.frames = () => Number(canvas()?.dataset.frames ?? 0);
  state.render = async () => {
    clock.start();
    const t0 = performance.now();
    createRoot(app).render(<App model={model} />);
    const first = await clock.firstDrawPaint(t0);
    const stable = await clock.stablePaint();
    return { firstPaintMs: first - t0, stableMs: stable - t0 };
  };
  const target = zoomTarget(model);
  state.zoom = async () => {
    const c = canvas();
    // Rows are 18 px; the target frame's middle.
    const x = ((target.from + target.to) / 2) * c.clientWidth;
    const t0 = performance.now();
    clickAt(c, x, target.level * 18 + 9);
    await clock.firstDrawPaint(t0);
    return (await clock.stablePaint()) - t0;
  };
  state.search = async (term: string) => {
    const input = app.querySelector<HTMLInputElement>('input[type=search]')!;
    const t0 = performance.now();
    typeInto(input, term);
    await clock.firstDrawPaint(t0);
    return (await clock.stablePaint()) - t0;
  };
}

function runSvg(model: FlameModel, clock: Clock) {
  const ix = indexModel(model);
  const styles = new FrameStyles(model, flamePalette('light'));
  const host = document.createElement('div');
  app.append(host);
  const width = Math.floor(app.clientWidth);
  state.frames = () => host.querySelectorAll('g').length;
  // A zoom redraws the zoomed view (what the export does for a zoomed graph).
  const draw = async (chain: number[]) => {
    clock.start();
    host.replaceChildren();
    const t0 = performance.now();
    await drawSvg(host, styles, ix, chain, width, 'nanoseconds');
    const first = await clock.firstActivityPaint(t0);
    return { firstPaintMs: first - t0, stableMs: (await clock.stablePaint()) - t0 };
  };
  state.render = () => draw([0]);
  const target = zoomTarget(model);
  state.zoom = async () => (await draw(chainTo(ix, target.node))).stableMs;
}

/** The root, node i's ancestors and i. */
function chainTo(ix: ReturnType<typeof indexModel>, i: number): number[] {
  const out: number[] = [];
  for (let j = i; j >= 0; j = ix.parent[j]) out.push(j);
  return out.reverse();
}

async function main() {
  const t0 = performance.now();
  const { url, text } = await fetchModelFile(params);
  const model = JSON.parse(text) as FlameModel;
  state.modelUnchanged = () => JSON.stringify(model) === JSON.stringify(JSON.parse(text));
  state.parseMs = performance.now() - t0;
  if (model.right && impl === 'svg') throw new Error('impl=svg draws a single profile, not a diff');
  state.nodes = nodeCount(model);
  meta.textContent = `${impl === 'svg' ? 'd3-flame-graph (SVG export renderer)' : 'Trisight FlameGraph'} · ${state.nodes.toLocaleString('en-US')} nodes · ${url}`;
  const clock = new Clock(app);
  if (impl === 'svg') runSvg(model, clock);
  else runOurs(model, clock);
  state.status = 'ready';
  // Opened by a person (no driver): draw at once.
  if (params.get('auto') !== '0') await state.render!();
}

main().catch((e: unknown) => {
  state.status = 'error';
  state.error = e instanceof Error ? e.message : String(e);
  meta.textContent = `error: ${state.error}`;
});
