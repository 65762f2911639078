'use client';

/**
 * <FlameGraph>: a CPU (or any pprof sample type) flame graph drawn by d3-flame-graph 5,
 * with search, click-to-zoom, a text-only tooltip, colour by module, a top-functions
 * table that filters the graph, and a diff mode.
 *
 * Props
 * - `tree`: a FlameTree (lib/model/types), or a DiffFlameTree for "compare with run…"
 *   (frames coloured red when their share grew, blue when it shrank; the tooltip gives
 *   before / after / change). The tree is never mutated.
 * - `unit`: the profile's sample unit ('nanoseconds' by default, 'samples', 'bytes', …),
 *   used to format values in the tooltip and the table.
 * - `zoomPath` + `onZoomPathChange(path)`: the zoomed frame as the names of the frames from
 *   below the root down to it (`[]` = whole profile). Pass both to keep the zoom in the URL;
 *   leave `zoomPath` undefined to let the component keep it. A path that no longer exists
 *   zooms to its deepest existing frame.
 * - `search` + `onSearchChange(text)`: the search box (case-insensitive substring, over every
 *   frame of the full tree, narrow ones included), same controlled / uncontrolled pattern.
 * - `selectedFunction` + `onSelectedFunctionChange(name | null)`: the function picked in the
 *   top-functions table. The graph then shows only the stacks through it (a FlameTree; a diff
 *   only outlines it) and outlines its frames. Same pattern.
 * - `topFunctionsLimit`: rows in the table (default 50). `maxHeight`: px before the graph
 *   scrolls (default 600). `layout`: the table 'beside' the graph (default) or 'below' it.
 *   `className` for the outer element.
 * - `onRender(info)`: called after every draw with what was drawn and how long it took
 *   (the benchmark page and tests wait on it).
 *
 * Keyboard: the search box, buttons and table rows are in the tab order; with the graph
 * focused, ↑ zooms out, ↓ zooms into the widest child, ← / → move to the neighbouring
 * frame, Esc resets.
 *
 * Why it is fast on 100k+ frame profiles: d3-flame-graph builds five DOM nodes per frame,
 * so it only ever gets the frames at least one pixel wide under the zoomed frame
 * (`flameView`, which walks only those frames and their children), rebuilt on every zoom
 * so detail returns as you zoom in. Search and the top-functions table run on a flat
 * index of the full tree (narrow frames included), built right after the first paint.
 * The library's transitions and per-frame listeners are swapped out while it draws
 * (`drawDirect`): `transitionDuration(0)` alone still leaves new rects growing for 250 ms
 * and a timer per element. Zoom paths name frames by name, so in a tree with duplicate
 * sibling names (not merged) the first one is used.
 *
 * Frame names come from telemetry and are untrusted: they reach the DOM only as text
 * (textContent / React text). d3-flame-graph writes labels with `.text()` and its default
 * tooltip is replaced here; nothing uses `.html()`.
 */

import flamegraph, { type FlameGraphChart, type FlameHierarchyNode, type FlameTooltip } from 'd3-flame-graph';
import { select, selection, type Selection } from 'd3-selection';
import {
  memo,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type MouseEvent as ReactMouseEvent,
} from 'react';
import {
  diffAccess,
  filterToFunction,
  flameAccess,
  flameView,
  indexDiff,
  indexTree,
  isDiffTree,
  moduleOf,
  nameMatcher,
  resolvePath,
  searchIndex,
  topFunctionsIndexed,
  type DiffIndex,
  type FlameIndex,
  type FlameSearch,
  type FlameViewNode,
  type TreeAccess,
} from '@/lib/model/flame';
import type { DiffFlameTree, FlameTree } from '@/lib/model/types';
import { DIMMED, diffColor, frameColor } from './colors';
import { formatPercent, formatValue } from './format';
import { TopFunctions, type TopRow } from './TopFunctions';
import styles from './FlameGraph.module.css';

export interface FlameRenderInfo {
  /** what caused the draw */
  kind: 'mount' | 'zoom' | 'data' | 'resize';
  /** frames handed to d3-flame-graph after pruning */
  frames: number;
  /** drawing width, px */
  width: number;
  /** time spent pruning and drawing, ms */
  ms: number;
}

export interface FlameGraphProps {
  tree: FlameTree | DiffFlameTree;
  unit?: string;
  zoomPath?: string[];
  onZoomPathChange?: (path: string[]) => void;
  search?: string;
  onSearchChange?: (search: string) => void;
  selectedFunction?: string | null;
  onSelectedFunctionChange?: (name: string | null) => void;
  topFunctionsLimit?: number;
  maxHeight?: number;
  layout?: 'beside' | 'below';
  className?: string;
  onRender?: (info: FlameRenderInfo) => void;
}

const CELL = 18;
/** d3-flame-graph shows labels on frames at least this wide (px). */
const LABEL_MIN_PX = 35;

/** Controlled when `value` is given, internal state otherwise; `onChange` fires either way. */
function useControllable<T>(value: T | undefined, onChange: ((v: T) => void) | undefined, initial: T) {
  const [inner, setInner] = useState<T>(initial);
  const controlled = value !== undefined;
  const current = controlled ? value : inner;
  const set = useCallback(
    (v: T) => {
      if (!controlled) setInner(v);
      onChange?.(v);
    },
    [controlled, onChange],
  );
  return [current, set] as const;
}

type Node = FlameTree | DiffFlameTree;
type View = FlameViewNode<Node>;
type Chart = FlameGraphChart<View>;
type HNode = FlameHierarchyNode<View>;

/** The whole tree indexed, for search and the table; built once per tree, after the first paint. */
interface Indexed {
  tree: Node;
  ix: FlameIndex;
  diff: DiffIndex | null;
}

function buildIndexed(tree: Node): Indexed {
  if (isDiffTree(tree)) {
    const diff = indexDiff(tree);
    return { tree, ix: diff.index, diff };
  }
  return { tree, ix: indexTree(tree), diff: null };
}

interface DrawnFrame {
  rect: SVGRectElement;
  node: View;
}

/** The hierarchy node d3 bound to a frame's <g> (d3 keeps it in `__data__`). */
function frameDatum(target: EventTarget | null): HNode | undefined {
  const g = target instanceof Element ? target.closest('g') : null;
  return (g as (Element & { __data__?: HNode }) | null)?.__data__;
}

export function FlameGraph(props: FlameGraphProps) {
  const { tree, unit = 'nanoseconds', topFunctionsLimit = 50, maxHeight = 600, onRender } = props;
  const [zoomPath, setZoomPath] = useControllable<string[]>(props.zoomPath, props.onZoomPathChange, []);
  const [search, setSearch] = useControllable<string>(props.search, props.onSearchChange, '');
  const [selected, setSelected] = useControllable<string | null>(
    props.selectedFunction,
    props.onSelectedFunctionChange,
    null,
  );

  const isDiff = isDiffTree(tree);
  const access = (isDiff ? diffAccess : flameAccess) as TreeAccess<Node>;
  const rootTotal = access.total(tree);
  // What is drawn: the stacks through the selected function, or everything.
  const shown = useMemo<Node>(
    () => (selected !== null && !isDiffTree(tree) ? (filterToFunction(tree, selected) ?? tree) : tree),
    [tree, selected],
  );
  const chain = useMemo(() => resolvePath(shown, zoomPath, access), [shown, zoomPath, access]);
  const zoomed = chain[chain.length - 1];
  const path = useMemo(() => chain.slice(1).map((n) => access.name(n)), [chain, access]);

  // Search and the table need every frame; the drawing does not. Index after the
  // first paint so a 300k-frame profile shows up without waiting for it.
  const [indexed, setIndexed] = useState<Indexed | null>(null);
  const index = indexed?.tree === tree ? indexed : null;
  useEffect(() => {
    if (indexed?.tree === tree) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // rAF runs just before the next paint; a task queued from it runs just after.
    const raf = requestAnimationFrame(() => {
      timer = setTimeout(() => setIndexed(buildIndexed(tree)), 0);
    });
    return () => {
      cancelAnimationFrame(raf);
      clearTimeout(timer);
    };
  }, [tree, indexed]);

  const searching = search.trim() !== '';
  const matcher = useMemo(() => nameMatcher(search), [search]);
  const found = useMemo<FlameSearch | null>(
    () => (index && searching ? searchIndex(index.ix, matcher) : null),
    [index, searching, matcher],
  );

  const hostRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<Chart | null>(null);
  const drawnRef = useRef<DrawnFrame[]>([]);
  const colorsRef = useRef(new Map<string, string>());
  const lastDraw = useRef<{ shown: Node | null; zoomed: Node | null; width: number }>({ shown: null, zoomed: null, width: 0 });
  const [width, setWidth] = useState(0);
  const [visibleMatches, setVisibleMatches] = useState(0);
  const tipRef = useRef<((t: TipState | null) => void) | null>(null);

  // Colours and outlines only: cheap, so it runs on every search keystroke.
  const paint = useCallback(() => {
    const colors = colorsRef.current;
    const diffRoot = isDiffTree(tree) ? tree : null;
    let matches = 0;
    for (const { rect, node } of drawnRef.current) {
      let fill: string;
      if (diffRoot) {
        const d = node.src as DiffFlameTree;
        const share = (v: number, of: number) => (of > 0 ? v / of : 0);
        fill = diffColor(share(d.left.total, diffRoot.left.total), share(d.right.total, diffRoot.right.total));
      } else {
        fill = colors.get(node.name) ?? '';
        if (!fill) colors.set(node.name, (fill = frameColor(moduleOf(node.name), node.name)));
      }
      if (searching) {
        if (matcher(node.name)) matches++;
        else fill = DIMMED;
      }
      rect.setAttribute('fill', fill);
      // Inline style: the library's stylesheet sets `stroke` and would win over an attribute.
      const isSel = selected !== null && node.name === selected;
      rect.style.stroke = isSel ? '#111' : '';
      rect.style.strokeWidth = isSel ? '1.5' : '';
    }
    setVisibleMatches(matches);
  }, [tree, searching, matcher, selected]);

  useLayoutEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const t0 = performance.now();
    const w = Math.max(100, Math.floor(width || host.clientWidth || 1200));
    let chart = chartRef.current;
    if (!(access.total(shown) > 0)) {
      // Nothing to draw (d3's partition would divide by zero); the message below says so.
      chart?.destroy();
      chartRef.current = null;
      lastDraw.current = { shown: null, zoomed: null, width: 0 };
      drawnRef.current = [];
      onRender?.({ kind: chart ? 'data' : 'mount', frames: 0, width: w, ms: performance.now() - t0 });
      return;
    }
    const last = lastDraw.current;
    // The first ResizeObserver report repeats the width measured here: nothing to redraw.
    if (chart && last.shown === shown && last.zoomed === zoomed && last.width === w) return;
    const kind: FlameRenderInfo['kind'] = !chart
      ? 'mount'
      : last.shown !== shown
        ? 'data'
        : last.width !== w
          ? 'resize'
          : 'zoom';
    const view = flameView(chain, 1 / w, access);
    if (!chart) {
      chart = flamegraph<View>()
        .width(w)
        .cellHeight(CELL)
        .transitionDuration(0)
        .inverted(true)
        .resetHeightOnZoom(true)
        .getValue((d) => d.total)
        // A tooltip object suppresses the library's per-frame <title>; ours is drawn by React.
        .tooltip(silentTooltip());
      chartRef.current = chart;
      const c = chart;
      drawDirect(() => select(host).datum(view).call(c));
    } else {
      const c = chart.width(w);
      drawDirect(() => c.update(view));
    }
    lastDraw.current = { shown, zoomed, width: w };

    const svg = host.querySelector('svg');
    const drawn: DrawnFrame[] = [];
    if (svg) {
      for (const g of svg.querySelectorAll('g')) {
        const d = (g as SVGGElement & { __data__?: HNode }).__data__;
        const rect = g.firstElementChild;
        if (!d || !(rect instanceof SVGRectElement)) continue;
        drawn.push({ rect, node: d.data });
        // The library hides narrow labels with display:none on the inner <div> only; a
        // shown <foreignObject> still costs the browser a layout box per frame.
        const fo = rect.nextElementSibling as SVGElement | null;
        if (fo) fo.style.display = (d.x1 - d.x0) * w < LABEL_MIN_PX ? 'none' : '';
      }
    }
    drawnRef.current = drawn;
    paint();
    onRender?.({ kind, frames: drawn.length, width: w, ms: performance.now() - t0 });
    // `paint` and `onRender` change with search / selection; a redraw is not needed for those.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown, zoomed, width]);

  useLayoutEffect(paint, [paint]);

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const ro = new ResizeObserver(() => {
      const w = Math.floor(host.clientWidth);
      setWidth((old) => (Math.abs(old - w) >= 1 ? w : old));
    });
    ro.observe(host);
    return () => {
      ro.disconnect();
      chartRef.current?.destroy();
      chartRef.current = null;
      lastDraw.current = { shown: null, zoomed: null, width: 0 };
    };
  }, []);

  const onClick = (e: ReactMouseEvent) => {
    const d = frameDatum(e.target);
    if (!d) return;
    // The drawn tree mirrors the real one along this path, so its names are the zoom path.
    const names: string[] = [];
    for (let h: HNode | null = d; h?.parent; h = h.parent) names.push(h.data.name);
    setZoomPath(names.reverse());
  };
  const onMouseMove = (e: ReactMouseEvent) => {
    const d = frameDatum(e.target);
    tipRef.current?.(d ? { x: e.clientX, y: e.clientY, node: d.data.src } : null);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    let next: string[] | null = null;
    if (e.key === 'ArrowUp') next = path.length ? path.slice(0, -1) : null;
    else if (e.key === 'ArrowDown') {
      const kids = access.children(zoomed);
      if (kids.length) next = [...path, access.name(kids.reduce((a, b) => (access.total(b) > access.total(a) ? b : a)))];
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      if (chain.length > 1) {
        const sib = access.children(chain[chain.length - 2]);
        const n = sib[sib.indexOf(zoomed) + (e.key === 'ArrowLeft' ? -1 : 1)];
        if (n) next = [...path.slice(0, -1), access.name(n)];
      }
    } else if (e.key === 'Escape') next = [];
    else return;
    e.preventDefault();
    if (next) setZoomPath(next);
  };

  const rows = useMemo<TopRow[] | null>(() => {
    if (!index) return null;
    const { ix, diff } = index;
    // The root ("total") is not a function: leave it out unless the name also occurs below it.
    const notRoot = (f: { name: string; frames: number }) => !(f.name === ix.names[ix.nameId[0]] && f.frames === 1);
    if (!diff) return topFunctionsIndexed(ix).filter(notRoot);
    const { left, right } = diff;
    const before = new Map(topFunctionsIndexed(ix, left).map((f) => [f.name, f]));
    return topFunctionsIndexed(ix, right)
      .filter(notRoot)
      .map((f) => {
        const b = before.get(f.name);
        const change =
          (right.total[0] > 0 ? f.total / right.total[0] : 0) - (left.total[0] > 0 ? (b?.total ?? 0) / left.total[0] : 0);
        return { name: f.name, self: f.self, total: f.total, change: 100 * change };
      });
  }, [index]);

  // Stable, so the memoised table does not re-render on zoom or hover.
  const onSelectFunction = useCallback((name: string) => setSelected(name === selected ? null : name), [selected, setSelected]);

  const empty = !(rootTotal > 0);
  const hiddenMatches = found ? found.matchedFrames - visibleMatches : 0;
  // Table percentages: of the "after" profile in a diff, of the whole profile otherwise.
  const tableRoot = isDiffTree(tree) ? tree.right.total : rootTotal;

  return (
    <div className={`${styles.flame} ${props.className ?? ''}`}>
      <div className={styles.toolbar} role="toolbar" aria-label="Flame graph controls">
        <input
          type="search"
          className={styles.search}
          placeholder="Search functions"
          aria-label="Search functions"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <button type="button" className={styles.button} onClick={() => setZoomPath([])} disabled={chain.length === 1}>
          Reset zoom
        </button>
        {selected !== null && (
          <button type="button" className={styles.button} onClick={() => setSelected(null)}>
            Show all stacks
          </button>
        )}
        <span className={styles.status} role="status" data-testid="flame-search-status">
          {found
            ? `${formatPercent((100 * found.matchedTotal) / (index!.ix.total[0] || 1))} matched · ${found.matchedFrames} frame${found.matchedFrames === 1 ? '' : 's'}` +
              (hiddenMatches > 0 ? ` (${hiddenMatches} not drawn here: zoom in)` : '')
            : searching
              ? 'Searching…'
              : selected !== null
                ? `Stacks through ${selected}`
                : ''}
        </span>
      </div>
      <nav className={styles.crumbs} aria-label="Zoomed frame" aria-live="polite">
        {chain.map((n, k) => (
          <span key={k}>
            {k > 0 && <span aria-hidden="true"> › </span>}
            {k === chain.length - 1 ? (
              <strong>{access.name(n)}</strong>
            ) : (
              <button type="button" className={styles.crumb} onClick={() => setZoomPath(path.slice(0, k))}>
                {access.name(n)}
              </button>
            )}
          </span>
        ))}
      </nav>
      {isDiff && (
        <p className={styles.legend}>
          <span className={styles.swatch} style={{ background: diffColor(0.5, 1) }} /> larger share after
          <span className={styles.swatch} style={{ background: diffColor(1, 0.5) }} /> smaller share after
          <span className={styles.swatch} style={{ background: diffColor(1, 1) }} /> about the same · widths: before + after
        </p>
      )}
      <div className={`${styles.body} ${props.layout === 'below' ? styles.below : ''}`}>
        {empty && <p className={styles.empty}>No samples in this profile for the selected window.</p>}
        <div
          ref={hostRef}
          className={styles.graph}
          style={{ maxHeight, display: empty ? 'none' : undefined }}
          tabIndex={0}
          role="group"
          aria-label="Flame graph. Arrow up: zoom out; arrow down: zoom into the widest child; arrow left and right: neighbouring frame; Escape: reset."
          data-testid="flame-graph"
          onClick={onClick}
          onMouseMove={onMouseMove}
          onMouseLeave={() => tipRef.current?.(null)}
          onKeyDown={onKeyDown}
        />
        <TopFunctions
          rows={rows}
          unit={unit}
          rootTotal={tableRoot}
          limit={topFunctionsLimit}
          search={search}
          selected={selected}
          onSelect={onSelectFunction}
          diff={isDiff}
        />
      </div>
      <Tooltip register={tipRef} root={tree} unit={unit} />
    </div>
  );
}

/**
 * Runs d3-flame-graph's drawing with two parts of d3-selection swapped out:
 * - `transition()` applies attr / style / text at once. The library always goes
 *   through transitions: with `transitionDuration(0)` its updates still wait a
 *   frame, new rects grow for d3's default 250 ms, labels appear late, and the
 *   timer scheduled per element costs more than the drawing itself.
 * - `on()` does nothing. The library re-binds click / mouseover / mouseout on every
 *   frame at every draw (its click zooms the unpruned way); this component handles
 *   those events once, on the host element.
 * The prototype is restored before returning (drawing is synchronous), so other d3
 * users never see the swap.
 */
function drawDirect(draw: () => void): void {
  const proto = selection.prototype;
  const saved = { transition: proto.transition, on: proto.on };
  proto.transition = function (this: Selection) {
    const sel = this;
    const t = {
      duration: () => t,
      delay: () => t,
      ease: () => t,
      attr: (name: string, value: unknown) => (sel.attr(name, value), t),
      style: (name: string, value: unknown) => (sel.style(name, value), t),
      text: (value: unknown) => (sel.text(value), t),
    };
    return t;
  };
  proto.on = function (this: Selection) {
    return this;
  };
  try {
    draw();
  } finally {
    proto.transition = saved.transition;
    proto.on = saved.on;
  }
}

/** Stands in for the library's tooltip (which would add a <title> per frame); does nothing. */
function silentTooltip(): FlameTooltip<View> {
  const tip = Object.assign(() => {}, { show: () => tip, hide: () => tip });
  return tip;
}

interface TipState {
  x: number;
  y: number;
  node: Node;
}

/** Text-only tooltip with its own state, so hovering does not re-render the table. */
const Tooltip = memo(function Tooltip(props: {
  register: { current: ((t: TipState | null) => void) | null };
  root: Node;
  unit: string;
}) {
  const [tip, setTip] = useState<TipState | null>(null);
  useEffect(() => {
    props.register.current = setTip;
    return () => {
      props.register.current = null;
    };
  }, [props.register]);
  if (!tip) return null;
  const { node, x, y } = tip;
  const module = moduleOf(node.name);
  const fmt = (v: number) => formatValue(v, props.unit);
  const pct = (v: number, of: number) => formatPercent(of > 0 ? (100 * v) / of : 0);
  let lines: string[];
  if (isDiffTree(node) && isDiffTree(props.root)) {
    const { left, right } = node;
    const L = props.root.left.total;
    const R = props.root.right.total;
    const b = L > 0 ? left.total / L : 0;
    const a = R > 0 ? right.total / R : 0;
    const rel = b > 0 ? `${a >= b ? '+' : ''}${formatPercent((100 * (a - b)) / b)}` : 'new';
    lines = [
      `Before: total ${fmt(left.total)} (${pct(left.total, L)}), self ${fmt(left.self)}`,
      `After: total ${fmt(right.total)} (${pct(right.total, R)}), self ${fmt(right.self)}`,
      `Change: ${a >= b ? '+' : ''}${(100 * (a - b)).toFixed(2)} pp of total (${rel})`,
    ];
  } else if (!isDiffTree(node) && !isDiffTree(props.root)) {
    const root = props.root.total;
    lines = [`Total: ${fmt(node.total)} (${pct(node.total, root)})`, `Self: ${fmt(node.self)} (${pct(node.self, root)})`];
  } else return null;
  // Keep the box on screen: flip to the left / above near the viewport edges.
  const style = {
    left: x + 360 > window.innerWidth ? Math.max(4, x - 360) : x + 12,
    top: y + 120 > window.innerHeight ? Math.max(4, y - 100) : y + 14,
  };
  return (
    <div className={styles.tooltip} style={style} role="tooltip" data-testid="flame-tooltip">
      <div className={styles.tipName}>{node.name}</div>
      {module && <div className={styles.tipModule}>{module}</div>}
      {lines.map((l) => (
        <div key={l}>{l}</div>
      ))}
    </div>
  );
});
