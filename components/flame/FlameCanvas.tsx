'use client';

// One flame graph pane on a canvas: lays out the zoomed part of the model for
// the pane's width (lib/model/flame/layout) and draws it (./draw). Re-lays out
// on zoom, data and resize; repaints only on search and selection. Hover and
// click are mapped back to frames through the layout, so no DOM node exists
// per frame (the cost of a 300k-node profile is what fits on screen).
import { useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent as ReactMouseEvent } from 'react';
import { frameAt, layoutFlame, type FlameIndex, type FlameLayout, type FlameModel } from '@/lib/model/flame';
import { CELL, drawFlame, rowAtY, type FrameStyles } from './draw';
import styles from './FlameGraph.module.css';

export interface FlameRenderInfo {
  /** what caused the draw */
  kind: 'mount' | 'zoom' | 'data' | 'resize' | 'repaint';
  /** frames drawn (collapsed marks count one each) */
  frames: number;
  /** drawing width, px */
  width: number;
  /** time spent laying out and drawing, ms */
  ms: number;
}

/** A frame of the current layout, as the hover and click handlers report it. */
export interface FrameHit {
  layout: FlameLayout;
  /** index into the layout */
  frame: number;
  clientX: number;
  clientY: number;
}

export interface FlameCanvasProps {
  model: FlameModel;
  ix: FlameIndex;
  /** the zoomed node's ancestors, root first, ending with the zoomed node */
  chain: readonly number[];
  styles: FrameStyles;
  nameMatch: Uint8Array | null;
  selected: Uint8Array | null;
  inverted?: boolean;
  maxHeight: number;
  ariaLabel: string;
  testId?: string;
  onFrameClick: (hit: FrameHit) => void;
  onHover: (hit: FrameHit | null) => void;
  onKeyDown?: (e: KeyboardEvent) => void;
  onRender?: (info: FlameRenderInfo) => void;
}

export function FlameCanvas(props: FlameCanvasProps) {
  const { model, ix, chain, inverted = false } = props;
  const hostRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);

  // The first width is read before the first paint; later ones come from a ResizeObserver.
  useLayoutEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    setWidth(Math.max(100, Math.floor(host.clientWidth || 1200)));
    const ro = new ResizeObserver(() => {
      const w = Math.max(100, Math.floor(host.clientWidth));
      setWidth((old) => (Math.abs(old - w) >= 1 ? w : old));
    });
    ro.observe(host);
    return () => ro.disconnect();
  }, []);

  const zoomed = chain[chain.length - 1];
  const layout = useMemo(() => (width > 0 ? layoutFlame(model, ix, chain, width) : null), [model, ix, chain, width]);

  // What changed since the last draw, for onRender.
  const last = useRef<{ model: FlameModel | null; zoomed: number; width: number }>({ model: null, zoomed: -1, width: 0 });
  const layoutRef = useRef<FlameLayout | null>(null);
  const onRender = useRef(props.onRender);
  onRender.current = props.onRender;
  useLayoutEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !layout) return;
    const t0 = performance.now();
    drawFlame(canvas, { layout, styles: props.styles, width, inverted, nameMatch: props.nameMatch, selected: props.selected });
    layoutRef.current = layout;
    const l = last.current;
    const kind: FlameRenderInfo['kind'] = !l.model ? 'mount' : l.model !== model ? 'data' : l.width !== width ? 'resize' : l.zoomed !== zoomed ? 'zoom' : 'repaint';
    last.current = { model, zoomed, width };
    // Root at the bottom: start scrolled down to it.
    if (inverted && kind !== 'repaint' && hostRef.current) hostRef.current.scrollTop = hostRef.current.scrollHeight;
    canvas.dataset.frames = String(layout.count);
    canvas.dataset.rows = String(layout.rows);
    onRender.current?.({ kind, frames: layout.count, width, ms: performance.now() - t0 });
  }, [layout, props.styles, props.nameMatch, props.selected, inverted, width, model, zoomed]);

  const hitAt = (e: ReactMouseEvent): FrameHit | null => {
    const canvas = canvasRef.current;
    const l = layoutRef.current;
    if (!canvas || !l) return null;
    const r = canvas.getBoundingClientRect();
    const f = frameAt(l, e.clientX - r.left, rowAtY(l, e.clientY - r.top, inverted));
    return f < 0 ? null : { layout: l, frame: f, clientX: e.clientX, clientY: e.clientY };
  };

  return (
    <div
      ref={hostRef}
      className={styles.graph}
      style={{ maxHeight: props.maxHeight }}
      // biome-ignore lint/a11y/noNoninteractiveTabindex: a keyboard-driven widget (arrow keys zoom), so it takes focus
      tabIndex={0}
      role="application"
      aria-roledescription="flame graph"
      aria-label={props.ariaLabel}
      data-testid={props.testId}
      onKeyDown={props.onKeyDown}
    >
      <canvas
        ref={canvasRef}
        className={styles.canvas}
        style={{ height: (layout?.rows ?? 1) * CELL }}
        onClick={(e) => {
          const hit = hitAt(e);
          if (hit) props.onFrameClick(hit);
        }}
        onMouseMove={(e) => {
          const hit = hitAt(e);
          e.currentTarget.style.cursor = hit ? 'pointer' : '';
          props.onHover(hit);
        }}
        onMouseLeave={() => props.onHover(null)}
      />
    </div>
  );
}
