'use client';

/**
 * <FlameGraph>: a CPU (or any pprof sample type) flame graph of the flat flame
 * model (lib/model/flame), drawn on a canvas, with search, click-to-zoom, a
 * text-only tooltip, colour by module, a top-functions table that focuses the
 * graph on one function, a sandwich view (that function's callers and callees),
 * an SVG download (drawn by d3-flame-graph) and a diff mode.
 *
 * Props
 * - `flame`: a FlameModel as the profile source produced it; with `right` it is
 *   a diff ("compare with run…": frames red when their share grew, blue when it
 *   shrank; the tooltip gives before / after / change). Never mutated.
 * - `unit`: the profile's sample unit ('nanoseconds' by default, 'samples', 'bytes', …).
 * - `zoomPath` + `onZoomPathChange(path)`: the zoomed frame as the names of the
 *   frames from below the root down to it (`[]` = whole profile). Pass both to keep
 *   the zoom in the URL; leave `zoomPath` undefined to let the component keep it.
 *   A path that no longer exists zooms to its deepest existing frame.
 * - `search` + `onSearchChange(text)`: the search box (case-insensitive substring,
 *   over every frame, narrow ones included), same controlled / uncontrolled pattern.
 * - `selectedFunction` + `onSelectedFunctionChange(name | null)`: the function
 *   picked in the top-functions table. The graph then shows only the stacks
 *   through it and outlines its frames. Same pattern.
 * - `view` + `onViewChange('graph' | 'sandwich')`: the sandwich view shows the
 *   selected function's callers (above it) and callees (below). Same pattern.
 * - `topFunctionsLimit`: rows in the table (default 50; 0: no table). `maxHeight`: px before the
 *   graph scrolls (default 600). `layout`: the table 'beside' the graph (default)
 *   or 'below' it. `className` for the outer element.
 * - `onRender(info)`: called after every draw with what was drawn and how long it took
 *   (the benchmark page and tests wait on it).
 *
 * Keyboard: the search box, buttons and table rows are in the tab order; with the graph
 * focused, ↑ zooms out, ↓ zooms into the widest child, ← / → move to the neighbouring
 * frame, Esc resets.
 *
 * Frame names come from telemetry and are untrusted: they reach the DOM only as text
 * (React text, canvas fillText, d3's .text() in the SVG export).
 */

import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import {
  focusOn,
  grandTotal,
  indexModel,
  isDiff,
  matchNames,
  nameMatcher,
  nameOf,
  resolvePath,
  searchModel,
  topFunctions,
  type FlameIndex,
  type FlameModel,
} from '@/lib/model/flame';
import { useTheme } from '@/components/ui/theme';
import { flamePalette } from './colors';
import { FrameStyles } from './draw';
import { FlameCanvas, type FlameRenderInfo, type FrameHit } from './FlameCanvas';
import { formatPercent } from './format';
import { Sandwich } from './Sandwich';
import { flameSvgText } from './svg';
import { Breadcrumbs, Toolbar } from './Toolbar';
import { Tooltip, type TipTarget } from './Tooltip';
import { TopFunctions, type TopRow } from './TopFunctions';
import { useControllable } from './useControllable';
import { clickedPath, keyedPath } from './zoom';
import styles from './FlameGraph.module.css';

export type { FlameRenderInfo } from './FlameCanvas';
export type FlameView = 'graph' | 'sandwich';

export interface FlameGraphProps {
  flame: FlameModel;
  unit?: string;
  zoomPath?: string[];
  onZoomPathChange?: (path: string[]) => void;
  search?: string;
  onSearchChange?: (search: string) => void;
  selectedFunction?: string | null;
  onSelectedFunctionChange?: (name: string | null) => void;
  view?: FlameView;
  onViewChange?: (view: FlameView) => void;
  topFunctionsLimit?: number;
  maxHeight?: number;
  layout?: 'beside' | 'below';
  className?: string;
  onRender?: (info: FlameRenderInfo) => void;
}

const GRAPH_LABEL =
  'Flame graph. Arrow up: zoom out; arrow down: zoom into the widest child; arrow left and right: neighbouring frame; Escape: reset. The table lists every function.';

/** Table rows: per function, self and total (and in a diff, the change of its share). */
function tableRows(m: FlameModel, ix: FlameIndex): TopRow[] {
  // The root ("total") is not a function: leave it out unless the name also occurs below it.
  const root = nameOf(m, 0);
  const notRoot = (f: { name: string; frames: number }) => !(f.name === root && f.frames === 1);
  if (!m.right) return topFunctions(m, ix).filter(notRoot);
  const before = new Map(topFunctions(m, ix, 'left').map((f) => [f.name, f]));
  const L = m.value[0];
  const R = m.right.value[0];
  return topFunctions(m, ix, 'right')
    .filter(notRoot)
    .map((f) => {
      const change = (R > 0 ? f.total / R : 0) - (L > 0 ? (before.get(f.name)?.total ?? 0) / L : 0);
      return { name: f.name, self: f.self, total: f.total, change: 100 * change };
    });
}

export function FlameGraph(props: FlameGraphProps) {
  const { flame, unit = 'nanoseconds', topFunctionsLimit = 50, maxHeight = 600, onRender } = props;
  const [zoomPath, setZoomPath] = useControllable<string[]>(props.zoomPath, props.onZoomPathChange, []);
  const [search, setSearch] = useControllable<string>(props.search, props.onSearchChange, '');
  const [selected, setSelected] = useControllable<string | null>(props.selectedFunction, props.onSelectedFunctionChange, null);
  const [view, setView] = useControllable<FlameView>(props.view, props.onViewChange, 'graph');
  const { theme } = useTheme();
  const palette = useMemo(() => flamePalette(theme), [theme]);

  const ix = useMemo(() => indexModel(flame), [flame]);
  // What the graph view draws: the stacks through the selected function, or everything.
  const focused = useMemo(() => (selected !== null ? focusOn(flame, selected, ix) : null), [flame, ix, selected]);
  const shown = focused ?? flame;
  const shownIx = useMemo(() => (shown === flame ? ix : indexModel(shown)), [shown, flame, ix]);
  const chain = useMemo(() => resolvePath(shown, shownIx, zoomPath), [shown, shownIx, zoomPath]);
  const frameStyles = useMemo(() => new FrameStyles(shown, palette), [shown, palette]);

  const searching = search.trim() !== '';
  const found = useMemo(() => (searching ? searchModel(shown, shownIx, nameMatcher(search)) : null), [shown, shownIx, searching, search]);
  const selectedIds = useMemo(() => (selected === null ? null : matchNames(shown, (n) => n === selected)), [shown, selected]);

  // The table needs every frame; the drawing does not. Count after the first
  // paint so a 300k-frame profile shows up without waiting for it.
  const [table, setTable] = useState<{ flame: FlameModel; rows: TopRow[] } | null>(null);
  const rows = table?.flame === flame ? table.rows : null;
  const withTable = topFunctionsLimit > 0;
  useEffect(() => {
    if (!withTable || table?.flame === flame) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // rAF runs just before the next paint; a task queued from it runs just after.
    const raf = requestAnimationFrame(() => {
      timer = setTimeout(() => setTable({ flame, rows: tableRows(flame, ix) }), 0);
    });
    return () => {
      cancelAnimationFrame(raf);
      clearTimeout(timer);
    };
  }, [flame, ix, table, withTable]);

  const tipRef = useRef<((t: TipTarget | null) => void) | null>(null);
  const onHover = useCallback((hit: FrameHit | null, model: FlameModel) => tipRef.current?.(hit ? { hit, model } : null), []);
  const onGraphHover = useCallback((hit: FrameHit | null) => onHover(hit, shown), [onHover, shown]);
  const onFrameClick = useCallback((hit: FrameHit) => setZoomPath(clickedPath(shown, shownIx, hit)), [shown, shownIx, setZoomPath]);
  const onKeyDown = (e: KeyboardEvent) => {
    const next = keyedPath(shown, shownIx, chain, e.key);
    if (next === undefined) return;
    e.preventDefault();
    if (next) setZoomPath(next);
  };

  // Stable, so the memoised table does not re-render on zoom or hover.
  const onSelectFunction = useCallback((name: string) => setSelected(name === selected ? null : name), [selected, setSelected]);
  const zoomedName = chain.length > 1 ? nameOf(shown, chain[chain.length - 1]) : null;
  const sandwichFor = selected ?? zoomedName;
  const onView = (v: FlameView) => {
    if (v === 'sandwich' && selected === null && zoomedName !== null) setSelected(zoomedName);
    setView(v);
  };
  const showAll = () => {
    setSelected(null);
    if (view === 'sandwich') setView('graph');
  };

  const empty = !(grandTotal(flame) > 0);
  const sandwiching = view === 'sandwich' && selected !== null;
  // The width last drawn, so the SVG matches what is on screen.
  const drawnWidth = useRef(1200);
  const onGraphRender = useCallback(
    (info: FlameRenderInfo) => {
      drawnWidth.current = info.width;
      onRender?.(info);
    },
    [onRender],
  );
  const download = async () => {
    const svg = await flameSvgText(frameStyles, shownIx, chain, drawnWidth.current, unit);
    if (!svg) return;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    a.download = 'flame-graph.svg';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  };

  const status = found
    ? `${formatPercent(found.percent)} matched · ${found.matchedFrames} frame${found.matchedFrames === 1 ? '' : 's'}`
    : selected !== null
      ? focused
        ? `${sandwiching ? 'Callers and callees of' : 'Stacks through'} ${selected}`
        : `No frame is named ${selected} in this profile`
      : '';

  return (
    <div className={`${styles.flame} ${props.className ?? ''}`}>
      <Toolbar
        search={search}
        onSearch={setSearch}
        canReset={chain.length > 1 && !sandwiching}
        onReset={() => setZoomPath([])}
        selected={selected}
        onShowAll={showAll}
        view={view}
        sandwichFor={sandwichFor}
        onView={onView}
        onDownload={empty || sandwiching ? null : () => void download()}
        status={status}
      />
      {!sandwiching && <Breadcrumbs names={chain.map((i) => nameOf(shown, i))} onPick={(k) => setZoomPath(zoomPath.slice(0, k))} />}
      {isDiff(flame) && <DiffLegend />}
      <div className={`${styles.body} ${props.layout === 'below' ? styles.below : ''}`}>
        {empty ? (
          <p className={styles.empty}>No samples in this profile for the selected window.</p>
        ) : sandwiching ? (
          <Sandwich flame={flame} ix={ix} name={selected!} palette={palette} search={search} maxHeight={maxHeight} onHover={onHover} onRender={onRender} />
        ) : view === 'sandwich' ? (
          <p className={styles.empty}>Pick a function in the table (or zoom into a frame) to see its callers and callees.</p>
        ) : (
          <FlameCanvas
            model={shown}
            ix={shownIx}
            chain={chain}
            styles={frameStyles}
            nameMatch={found?.nameMatch ?? null}
            selected={selectedIds}
            maxHeight={maxHeight}
            ariaLabel={GRAPH_LABEL}
            testId="flame-graph"
            onFrameClick={onFrameClick}
            onHover={onGraphHover}
            onKeyDown={onKeyDown}
            onRender={onGraphRender}
          />
        )}
        {withTable && (
          <TopFunctions
          rows={rows}
          unit={unit}
          rootTotal={isDiff(flame) ? flame.right.value[0] : grandTotal(flame)}
          limit={topFunctionsLimit}
          search={search}
          selected={selected}
          onSelect={onSelectFunction}
          diff={isDiff(flame)}
          />
        )}
      </div>
      <Tooltip register={tipRef} unit={unit} />
    </div>
  );
}

const DiffLegend = memo(function DiffLegend() {
  return (
    <p className={styles.legend}>
      <span className={styles.swatch} style={{ background: 'hsl(0 75% 58%)' }} /> larger share after
      <span className={styles.swatch} style={{ background: 'hsl(215 75% 58%)' }} /> smaller share after
      <span className={styles.swatch} style={{ background: 'hsl(0 0% 85%)' }} /> about the same · widths: before + after
    </p>
  );
});
