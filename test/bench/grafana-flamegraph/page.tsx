// Grafana's flame graph (@grafana/flamegraph 13.0.1, canvas) on the same model
// files as our page, timed by the same clock (../flame-measure.ts). Bundled by
// test/bench/flame.bench.ts against the temporary install of this folder's
// lockfile (React 18 and @grafana/* resolve from there, never from the app).
//
// The model's names table goes in as an enum label field, as Grafana's
// Pyroscope data source sends it, so neither side converts labels. Grafana is
// drawn as its panel shows a profile: header, top table and flame graph
// stacked (`vertical`), as ours shows its table below the graph; its zoom is
// the "Focus block" of the menu a click opens. With `only=1` it is drawn as
// showFlameGraphOnly: the canvas alone (no header, so no search, and no menu,
// so no zoom): the lightest Grafana there is, for first paint and memory.

import { FieldType, createDataFrame, createTheme } from '@grafana/data';
import { FlameGraph } from '@grafana/flamegraph';
import { createRoot } from 'react-dom/client';
import { Clock, clickAt, fetchModelFile, typeInto, zoomTarget, type BenchState, type ModelFile } from '../flame-measure';

const params = new URLSearchParams(location.search);
const state: BenchState = { impl: 'grafana', status: 'loading' };
window.__flame = state;
const meta = document.getElementById('meta')!;
const app = document.getElementById('app')!;

/** Grafana's rows: 22 px per level (constants.ts, at device pixel ratio 1). */
const PIXELS_PER_LEVEL = 22;
/** Grafana debounces its search box by this much (FlameGraphHeader's useSearchInput). */
const SEARCH_DEBOUNCE_MS = 250;

// When the debounced search fires: the clock starts there, not at the keystroke.
let debounceFired = 0;
const realSetTimeout = window.setTimeout.bind(window);
window.setTimeout = ((fn: TimerHandler, ms?: number, ...args: unknown[]) =>
  realSetTimeout(
    typeof fn === 'function' && ms === SEARCH_DEBOUNCE_MS
      ? (...a: unknown[]) => {
          debounceFired = performance.now();
          return (fn as (...x: unknown[]) => unknown)(...a);
        }
      : fn,
    ms,
    ...args,
  )) as typeof window.setTimeout;

async function main() {
  const t0 = performance.now();
  const { url, text } = await fetchModelFile(params);
  const model = JSON.parse(text) as ModelFile;
  state.parseMs = performance.now() - t0;
  state.nodes = model.level.length;
  meta.textContent = `Grafana @grafana/flamegraph 13.0.1 · ${state.nodes.toLocaleString('en-US')} nodes · ${url}`;
  const frame = createDataFrame({
    name: 'response',
    meta: { preferredVisualisationType: 'flamegraph' },
    fields: [
      { name: 'level', type: FieldType.number, values: model.level },
      { name: 'value', type: FieldType.number, values: model.value, config: { unit: 'ns' } },
      { name: 'self', type: FieldType.number, values: model.self, config: { unit: 'ns' } },
      { name: 'label', type: FieldType.enum, values: model.name, config: { type: { enum: { text: model.names } } } },
    ],
  });
  const theme = createTheme({ colors: { mode: 'light' } });
  const only = params.get('only') === '1';
  const clock = new Clock(app);
  const canvas = () => app.querySelector<HTMLCanvasElement>('canvas[data-testid="flameGraph"]')!;
  state.frames = () => (canvas() ? 1 : 0);
  state.render = async () => {
    clock.start();
    const r0 = performance.now();
    createRoot(app).render(<FlameGraph data={frame} getTheme={() => theme} vertical showFlameGraphOnly={only} />);
    const first = await clock.firstDrawPaint(r0);
    const stable = await clock.stablePaint();
    return { firstPaintMs: first - r0, stableMs: stable - r0 };
  };
  const target = zoomTarget(model);
  if (!only) state.zoom = async () => {
    const c = canvas();
    const x = ((target.from + target.to) / 2) * c.clientWidth;
    // A click opens Grafana's context menu; its "Focus block" zooms.
    clickAt(c, x, target.level * PIXELS_PER_LEVEL + PIXELS_PER_LEVEL / 2);
    let focus: HTMLElement | undefined;
    for (let k = 0; k < 400 && !focus; k++) {
      await new Promise((r) => realSetTimeout(r, 5));
      focus = [...document.querySelectorAll<HTMLElement>('[role=menuitem], button')].find((b) => b.textContent?.trim() === 'Focus block');
    }
    if (!focus) throw new Error('no "Focus block" in the context menu');
    await clock.stablePaint();
    const z0 = performance.now();
    focus.click();
    await clock.firstDrawPaint(z0);
    return (await clock.stablePaint()) - z0;
  };
  if (!only) state.search = async (term: string) => {
    const input = app.querySelector<HTMLInputElement>('input[placeholder="Search..."]')!;
    debounceFired = 0;
    const k0 = performance.now();
    typeInto(input, term);
    await clock.firstDrawPaint(k0 + SEARCH_DEBOUNCE_MS);
    const stable = await clock.stablePaint();
    if (!debounceFired) throw new Error('the search debounce did not fire');
    return stable - debounceFired;
  };
  state.status = 'ready';
  if (params.get('auto') !== '0') await state.render();
}

main().catch((e: unknown) => {
  state.status = 'error';
  state.error = e instanceof Error ? e.message : String(e);
  meta.textContent = `error: ${state.error}`;
});
