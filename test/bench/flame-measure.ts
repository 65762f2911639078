// Page-side timing shared by the flame bench's pages (ours, the d3-flame-graph
// SVG renderer, Grafana's @grafana/flamegraph), so every renderer is measured
// by the same clock and the same rules:
//
// - a "paint" is the moment after the browser has painted a frame: a task
//   queued from requestAnimationFrame runs right after that frame;
// - "activity" is any DOM change under the page's root and any canvas redraw
//   (clearRect on a canvas with a width); the bench wraps clearRect to see a
//   canvas library's draws, an instrument of this page only;
// - first paint = the paint after the first draw with a width; stable = the
//   paint after the last activity, once nothing has changed for QUIET_MS.

/** What a bench page leaves in window.__flame for the driver (test/bench/flame.bench.ts). */
export interface BenchState {
  impl: string;
  status: 'loading' | 'ready' | 'error';
  error?: string;
  nodes?: number;
  /** fetch + JSON.parse of the model file (every renderer pays it alike; not counted) */
  parseMs?: number;
  /** starts rendering; resolves once stable */
  render?: () => Promise<{ firstPaintMs: number; stableMs: number }>;
  /** zooms into the widest grandchild of the root (as a user's click would); ms to the stable paint */
  zoom?: () => Promise<number>;
  /** types a search term; ms from when the search applies to the stable paint */
  search?: (term: string) => Promise<number>;
  /** frames or DOM nodes the renderer drew (for the log) */
  frames?: () => number;
  /** true while the model the page loaded still serialises to the file's text (nothing mutated it) */
  modelUnchanged?: () => boolean;
}

declare global {
  interface Window {
    __flame: BenchState;
  }
}

export const QUIET_MS = 400;

export class Clock {
  /** last DOM change or canvas redraw */
  lastActivity = 0;
  /** every DOM change and canvas redraw */
  readonly activity: number[] = [];
  /** canvas redraws with a width */
  readonly draws: number[] = [];
  private readonly paints: number[] = [];
  private looping = false;

  constructor(root: Element) {
    new MutationObserver(() => {
      this.lastActivity = performance.now();
      this.activity.push(this.lastActivity);
    }).observe(root, { subtree: true, childList: true, attributes: true, characterData: true });
    const proto = CanvasRenderingContext2D.prototype;
    const clearRect = proto.clearRect;
    const clock = this;
    proto.clearRect = function (this: CanvasRenderingContext2D, ...args: Parameters<CanvasRenderingContext2D['clearRect']>) {
      if (this.canvas.width > 0 && root.contains(this.canvas)) {
        const t = performance.now();
        clock.draws.push(t);
        clock.activity.push(t);
        clock.lastActivity = t;
      }
      return clearRect.apply(this, args);
    };
  }

  /** Records paint times until stop(). */
  start(): void {
    if (this.looping) return;
    this.looping = true;
    const loop = () =>
      requestAnimationFrame(() =>
        setTimeout(() => {
          this.paints.push(performance.now());
          if (this.looping) loop();
        }, 0),
      );
    loop();
  }

  stop(): void {
    this.looping = false;
  }

  private async paintAfter(t: number): Promise<number> {
    for (;;) {
      const p = this.paints.find((x) => x > t);
      if (p !== undefined) return p;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** The paint after the first canvas draw after `t0` (bounded wait). */
  async firstDrawPaint(t0: number, timeoutMs = 60_000): Promise<number> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const d = this.draws.find((x) => x >= t0);
      if (d !== undefined) return this.paintAfter(d);
      if (performance.now() > end) throw new Error('no canvas draw');
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** The paint after the first activity after `t0` (an SVG renderer changes the DOM instead of drawing). */
  async firstActivityPaint(t0: number): Promise<number> {
    const a = this.activity.find((x) => x >= t0);
    return this.paintAfter(a ?? t0);
  }

  /** The paint after the last activity, once quiet for QUIET_MS. */
  async stablePaint(timeoutMs = 60_000): Promise<number> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      if (performance.now() - this.lastActivity >= QUIET_MS || performance.now() > end) return this.paintAfter(this.lastActivity);
    }
  }
}

/** Clicks at a point of an element (CSS px from its top-left), as a mouse would. */
export function clickAt(el: Element, x: number, y: number): void {
  const r = el.getBoundingClientRect();
  const init = { bubbles: true, cancelable: true, clientX: r.left + x, clientY: r.top + y, button: 0 };
  el.dispatchEvent(new MouseEvent('mousedown', init));
  el.dispatchEvent(new MouseEvent('mouseup', init));
  el.dispatchEvent(new MouseEvent('click', init));
}

/** Types into a React-controlled input (the native setter, then an input event). */
export function typeInto(input: HTMLInputElement, text: string): void {
  const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  set.call(input, text);
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

/** Level, value and pre-order of a model file, as both pages read it. */
/** The page's model file (`?model=<url>`) as text, with its URL; both pages time fetch and parse from before this call. */
export async function fetchModelFile(params: URLSearchParams): Promise<{ url: string; text: string }> {
  const url = params.get('model');
  if (!url) throw new Error('give the model file as ?model=<url of a FlameModel JSON>');
  const res = await fetch(url);
  if (!res.ok) throw new Error(`model ${url}: HTTP ${res.status}`);
  return { url, text: await res.text() };
}

export interface ModelFile {
  names: string[];
  name: number[];
  level: number[];
  value: number[];
  self: number[];
}

/**
 * The zoom target: the widest child of the widest child of the root, with its
 * x range as a fraction of the root (children in file order, as both draw them).
 */
export function zoomTarget(m: ModelFile): { node: number; level: number; from: number; to: number } {
  let node = 0;
  let from = 0;
  for (let level = 1; level <= 2; level++) {
    let best = -1;
    let bestFrom = 0;
    let x = from;
    for (let i = node + 1; i < m.level.length && m.level[i] >= level; i++) {
      if (m.level[i] !== level) continue;
      if (best < 0 || m.value[i] > m.value[best]) {
        best = i;
        bestFrom = x;
      }
      x += m.value[i];
    }
    if (best < 0) break;
    node = best;
    from = bestFrom;
  }
  const total = m.value[0];
  return { node, level: m.level[node], from: from / total, to: (from + m.value[node]) / total };
}
