'use client';

// The sandwich view of one function, as Pyroscope and Grafana draw it: its
// callers above it (root at the bottom, each caller a row further up) and its
// callees below it, both over every place the function occurs. Each pane zooms
// on its own (click a frame, keys as in the flame graph).
import { useCallback, useMemo, useState, type KeyboardEvent } from 'react';
import { indexModel, nameMatcher, resolvePath, sandwich, searchModel, type FlameIndex, type FlameModel } from '@/lib/model/flame';
import type { FlamePalette } from './colors';
import { FrameStyles } from './draw';
import { FlameCanvas, type FlameRenderInfo, type FrameHit } from './FlameCanvas';
import { clickedPath, keyedPath } from './zoom';
import styles from './FlameGraph.module.css';

function Pane(props: {
  model: FlameModel;
  title: string;
  inverted: boolean;
  palette: FlamePalette;
  search: string;
  maxHeight: number;
  testId: string;
  onHover: (hit: FrameHit | null, model: FlameModel) => void;
  onRender?: (info: FlameRenderInfo) => void;
}) {
  const { model } = props;
  const ix = useMemo(() => indexModel(model), [model]);
  const [path, setPath] = useState<string[]>([]);
  const chain = useMemo(() => resolvePath(model, ix, path), [model, ix, path]);
  const frameStyles = useMemo(() => new FrameStyles(model, props.palette), [model, props.palette]);
  const found = useMemo(() => (props.search.trim() ? searchModel(model, ix, nameMatcher(props.search)) : null), [model, ix, props.search]);
  const onHover = props.onHover;
  const hover = useCallback((hit: FrameHit | null) => onHover(hit, model), [onHover, model]);
  const onKeyDown = (e: KeyboardEvent) => {
    // In the callers pane "up" on screen is one caller further out: swap the arrows.
    const key = props.inverted && (e.key === 'ArrowUp' || e.key === 'ArrowDown') ? (e.key === 'ArrowUp' ? 'ArrowDown' : 'ArrowUp') : e.key;
    const next = keyedPath(model, ix, chain, key);
    if (next === undefined) return;
    e.preventDefault();
    if (next) setPath(next);
  };
  return (
    <section className={styles.pane} aria-label={props.title}>
      <h3 className={styles.paneTitle}>{props.title}</h3>
      <FlameCanvas
        model={model}
        ix={ix}
        chain={chain}
        styles={frameStyles}
        nameMatch={found?.nameMatch ?? null}
        selected={null}
        inverted={props.inverted}
        maxHeight={props.maxHeight}
        ariaLabel={`${props.title}. Arrow keys zoom as in the flame graph; Escape resets.`}
        testId={props.testId}
        onFrameClick={(hit) => setPath(clickedPath(model, ix, hit))}
        onHover={hover}
        onKeyDown={onKeyDown}
        onRender={props.onRender}
      />
    </section>
  );
}

export function Sandwich(props: {
  flame: FlameModel;
  ix: FlameIndex;
  /** the function, as its frames are named */
  name: string;
  palette: FlamePalette;
  search: string;
  maxHeight: number;
  onHover: (hit: FrameHit | null, model: FlameModel) => void;
  onRender?: (info: FlameRenderInfo) => void;
}) {
  const s = useMemo(() => sandwich(props.flame, props.name, props.ix), [props.flame, props.name, props.ix]);
  if (!s) return <p className={styles.empty}>No frame in this profile is named {props.name}.</p>;
  const half = Math.max(120, Math.floor(props.maxHeight / 2));
  return (
    <div className={styles.sandwich} data-testid="flame-sandwich">
      <Pane key={`callers:${props.name}`} model={s.callers} title="Callers" inverted palette={props.palette} search={props.search} maxHeight={half} testId="flame-callers" onHover={props.onHover} onRender={props.onRender} />
      <Pane key={`callees:${props.name}`} model={s.callees} title="Callees" inverted={false} palette={props.palette} search={props.search} maxHeight={half} testId="flame-callees" onHover={props.onHover} onRender={props.onRender} />
    </div>
  );
}
