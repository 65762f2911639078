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
 * (`pruneView`), rebuilt from a flat index on every zoom so detail returns as you zoom in.
 * Search and the table run on the flat index of the full tree. Its transitions are
 * replaced by immediate changes while it draws (`drawDirect`): `transitionDuration(0)`
 * alone still leaves new rects growing for 250 ms and a timer per element.
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
  childrenOf,
  filterToFunction,
  findPath,
  indexDiff,
  indexTree,
  isDiffTree,
  moduleOf,
  nameMatcher,
  pathOf,
  pruneView,
  searchIndex,
  topFunctionsIndexed,
  type DiffIndex,
  type FlameIndex,
  type FlameSearch,
  type FlameViewNode,
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
  /** frames in the full tree */
  nodes: number;
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

interface Model {
  ix: FlameIndex;
  diff: DiffIndex | null;
  /** module colour per name id, filled as frames are first drawn */
  colors: (string | undefined)[];
}

function buildModel(tree: FlameTree | DiffFlameTree): Model {
  if (isDiffTree(tree)) {
    const diff = indexDiff(tree);
    return { ix: diff.index, diff, colors: [] };
  }
  const ix = indexTree(tree);
  return { ix, diff: null, colors: [] };
}

function colorOf(m: Model, i: number): string {
  if (m.diff) {
    const { left, right } = m.diff;
    const share = (v: Float64Array) => (v[0] > 0 ? v[i] / v[0] : 0);
    return diffColor(share(left.total), share(right.total));
  }
  const k = m.ix.nameId[i];
  let c = m.colors[k];
  if (c === undefined) {
    const name = m.ix.names[k];
    c = m.colors[k] = frameColor(moduleOf(name), name);
  }
  return c;
}

interface DrawnFrame {
  rect: SVGRectElement;
  i: number;
}

type Chart = FlameGraphChart<FlameViewNode>;
type HNode = FlameHierarchyNode<FlameViewNode>;

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

  // The full tree: the table and the tooltip's percentages always refer to it.
  const full = useMemo(() => buildModel(tree), [tree]);
  // What is drawn: the stacks through the selected function, or everything.
  const shown = useMemo(() => {
    if (!selected || isDiffTree(tree)) return full;
    const f = filterToFunction(tree, selected);
    return f ? buildModel(f) : full;
  }, [full, tree, selected]);
  const { ix } = shown;
  const zoomIdx = useMemo(() => findPath(ix, zoomPath), [ix, zoomPath]);
  const found = useMemo<FlameSearch | null>(
    () => (search.trim() ? searchIndex(ix, nameMatcher(search)) : null),
    [ix, search],
  );

  const hostRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<Chart | null>(null);
  const drawnRef = useRef<DrawnFrame[]>([]);
  const lastDraw = useRef<{ model: Model | null; width: number; zoomIdx: number }>({ model: null, width: 0, zoomIdx: -1 });
  const [width, setWidth] = useState(0);
  const [visibleMatches, setVisibleMatches] = useState(0);
  const tipRef = useRef<((t: TipState | null) => void) | null>(null);

  // Colours and outlines only: cheap, so it runs on every search keystroke.
  const paint = useCallback(() => {
    let matches = 0;
    for (const f of drawnRef.current) {
      const k = shown.ix.nameId[f.i];
      let fill = colorOf(shown, f.i);
      if (found) {
        if (found.nameMatch[k]) matches++;
        else fill = DIMMED;
      }
      f.rect.setAttribute('fill', fill);
      // Inline style: the library's stylesheet sets `stroke` and would win over an attribute.
      const isSel = selected !== null && shown.ix.names[k] === selected;
      f.rect.style.stroke = isSel ? '#111' : '';
      f.rect.style.strokeWidth = isSel ? '1.5' : '';
    }
    setVisibleMatches(matches);
  }, [shown, found, selected]);

  useLayoutEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const t0 = performance.now();
    const w = Math.max(100, Math.floor(width || host.clientWidth || 1200));
    let chart = chartRef.current;
    if (!(shown.ix.total[0] > 0)) {
      // Nothing to draw (d3's partition would divide by zero); the message below says so.
      chart?.destroy();
      chartRef.current = null;
      lastDraw.current = { model: null, width: 0, zoomIdx: -1 };
      drawnRef.current = [];
      onRender?.({ kind: chart ? 'data' : 'mount', frames: 0, nodes: shown.ix.count, width: w, ms: performance.now() - t0 });
      return;
    }
    const last = lastDraw.current;
    // The first ResizeObserver report repeats the width measured here: nothing to redraw.
    if (chart && last.model === shown && last.width === w && last.zoomIdx === zoomIdx) return;
    const kind: FlameRenderInfo['kind'] = !chart
      ? 'mount'
      : last.model !== shown
        ? 'data'
        : last.width !== w
          ? 'resize'
          : 'zoom';
    const view = pruneView(shown.ix, zoomIdx, 1 / w, true);
    if (!chart) {
      chart = flamegraph<FlameViewNode>()
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
    lastDraw.current = { model: shown, width: w, zoomIdx };

    const svg = host.querySelector('svg');
    const drawn: DrawnFrame[] = [];
    if (svg) {
      for (const g of svg.querySelectorAll('g')) {
        const d = (g as SVGGElement & { __data__?: HNode }).__data__;
        const rect = g.firstElementChild;
        if (!d || !(rect instanceof SVGRectElement)) continue;
        drawn.push({ rect, i: d.data.i });
        // The library hides narrow labels with display:none on the inner <div> only; a
        // shown <foreignObject> still costs a layout box each, the bulk of the paint time.
        const fo = rect.nextElementSibling as SVGElement | null;
        if (fo) fo.style.display = (d.x1 - d.x0) * w < LABEL_MIN_PX ? 'none' : '';
      }
    }
    drawnRef.current = drawn;
    paint();
    onRender?.({ kind, frames: drawn.length, nodes: shown.ix.count, width: w, ms: performance.now() - t0 });
    // `paint` and `onRender` change with search / selection; a redraw is not needed for those.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [shown, zoomIdx, width]);

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
      lastDraw.current = { model: null, width: 0, zoomIdx: -1 };
    };
  }, []);

  const zoomTo = useCallback((i: number) => setZoomPath(pathOf(ix, i)), [ix, setZoomPath]);

  const onClick = (e: ReactMouseEvent) => {
    const d = frameDatum(e.target);
    if (d) zoomTo(d.data.i);
  };
  const onMouseMove = (e: ReactMouseEvent) => {
    const d = frameDatum(e.target);
    tipRef.current?.(d ? { x: e.clientX, y: e.clientY, i: d.data.i } : null);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const parent = ix.parent[zoomIdx];
    let next = -1;
    if (e.key === 'ArrowUp') next = parent;
    else if (e.key === 'ArrowDown') {
      const kids = childrenOf(ix, zoomIdx);
      next = kids.reduce((best, c) => (best < 0 || ix.total[c] > ix.total[best] ? c : best), -1);
    } else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
      if (parent >= 0) {
        const sib = childrenOf(ix, parent);
        next = sib[sib.indexOf(zoomIdx) + (e.key === 'ArrowLeft' ? -1 : 1)] ?? -1;
      }
    } else if (e.key === 'Escape') next = 0;
    else return;
    e.preventDefault();
    if (next >= 0) zoomTo(next);
  };

  const crumbs = useMemo(() => {
    const out: number[] = [];
    for (let j = zoomIdx; j >= 0; j = ix.parent[j]) out.push(j);
    return out.reverse();
  }, [ix, zoomIdx]);

  const rows = useMemo<TopRow[]>(() => {
    // The root ("total") is not a function: leave it out unless the name also occurs below it.
    const notRoot = (f: { name: string; frames: number }) => !(f.name === full.ix.names[full.ix.nameId[0]] && f.frames === 1);
    if (!full.diff) return topFunctionsIndexed(full.ix).filter(notRoot);
    const { left, right } = full.diff;
    const before = new Map(topFunctionsIndexed(full.ix, left).map((f) => [f.name, f]));
    return topFunctionsIndexed(full.ix, right).filter(notRoot).map((f) => {
      const b = before.get(f.name);
      const change =
        (right.total[0] > 0 ? f.total / right.total[0] : 0) - (left.total[0] > 0 ? (b?.total ?? 0) / left.total[0] : 0);
      return { name: f.name, self: f.self, total: f.total, change: 100 * change };
    });
  }, [full]);

  // Stable, so the memoised table does not re-render on zoom or hover.
  const onSelectFunction = useCallback((name: string) => setSelected(name === selected ? null : name), [selected, setSelected]);

  const empty = !(full.ix.total[0] > 0);
  const hiddenMatches = found ? found.matchedFrames - visibleMatches : 0;
  // Table percentages: of the "after" profile in a diff, of the whole profile otherwise.
  const tableRoot = full.diff ? full.diff.right.total[0] : full.ix.total[0];

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
        <button type="button" className={styles.button} onClick={() => setZoomPath([])} disabled={zoomIdx === 0}>
          Reset zoom
        </button>
        {selected !== null && (
          <button type="button" className={styles.button} onClick={() => setSelected(null)}>
            Show all stacks
          </button>
        )}
        <span className={styles.status} role="status" data-testid="flame-search-status">
          {found
            ? `${formatPercent((100 * found.matchedTotal) / (full.ix.total[0] || 1))} matched · ${found.matchedFrames} frame${found.matchedFrames === 1 ? '' : 's'}` +
              (hiddenMatches > 0 ? ` (${hiddenMatches} too narrow to draw here: zoom in)` : '')
            : selected !== null
              ? `Stacks through ${selected}`
              : ''}
        </span>
      </div>
      <nav className={styles.crumbs} aria-label="Zoomed frame" aria-live="polite">
        {crumbs.map((j, k) => (
          <span key={j}>
            {k > 0 && <span aria-hidden="true"> › </span>}
            {k === crumbs.length - 1 ? (
              <strong>{ix.names[ix.nameId[j]]}</strong>
            ) : (
              <button type="button" className={styles.crumb} onClick={() => zoomTo(j)}>
                {ix.names[ix.nameId[j]]}
              </button>
            )}
          </span>
        ))}
      </nav>
      {full.diff && (
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
          diff={full.diff !== null}
        />
      </div>
      <Tooltip register={tipRef} model={shown} full={full} unit={unit} />
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
function silentTooltip(): FlameTooltip<FlameViewNode> {
  const tip = Object.assign(() => {}, { show: () => tip, hide: () => tip });
  return tip;
}

interface TipState {
  x: number;
  y: number;
  i: number;
}

/** Text-only tooltip with its own state, so hovering does not re-render the table. */
const Tooltip = memo(function Tooltip(props: {
  register: { current: ((t: TipState | null) => void) | null };
  model: Model;
  full: Model;
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
  const { ix, diff } = props.model;
  const i = tip.i;
  if (i >= ix.count) return null;
  const name = ix.names[ix.nameId[i]];
  const module = moduleOf(name);
  const fmt = (v: number) => formatValue(v, props.unit);
  const pct = (v: number, of: number) => formatPercent(of > 0 ? (100 * v) / of : 0);
  const root = props.full.ix.total[0];
  let lines: string[];
  if (diff) {
    const { left, right } = diff;
    const b = left.total[i] / (left.total[0] || 1);
    const a = right.total[i] / (right.total[0] || 1);
    const rel = b > 0 ? `${a >= b ? '+' : ''}${formatPercent((100 * (a - b)) / b)}` : 'new';
    lines = [
      `Before: total ${fmt(left.total[i])} (${pct(left.total[i], left.total[0])}), self ${fmt(left.self[i])}`,
      `After: total ${fmt(right.total[i])} (${pct(right.total[i], right.total[0])}), self ${fmt(right.self[i])}`,
      `Change: ${a >= b ? '+' : ''}${(100 * (a - b)).toFixed(2)} pp of total (${rel})`,
    ];
  } else {
    lines = [
      `Total: ${fmt(ix.total[i])} (${pct(ix.total[i], root)})`,
      `Self: ${fmt(ix.self[i])} (${pct(ix.self[i], root)})`,
    ];
  }
  // Keep the box on screen: flip to the left / above near the viewport edges.
  const vw = typeof window === 'undefined' ? 1e9 : window.innerWidth;
  const vh = typeof window === 'undefined' ? 1e9 : window.innerHeight;
  const style = {
    left: tip.x + 360 > vw ? Math.max(4, tip.x - 360) : tip.x + 12,
    top: tip.y + 120 > vh ? Math.max(4, tip.y - 100) : tip.y + 14,
  };
  return (
    <div className={styles.tooltip} style={style} role="tooltip" data-testid="flame-tooltip">
      <div className={styles.tipName}>{name}</div>
      {module && <div className={styles.tipModule}>{module}</div>}
      {lines.map((l) => (
        <div key={l}>{l}</div>
      ))}
    </div>
  );
});
