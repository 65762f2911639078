// Draws a flame layout (lib/model/flame/layout) on a 2D canvas: one filled
// rectangle per frame, grey marks for runs of narrow frames, labels clipped
// by character count. Labels are canvas text, so a frame name from telemetry
// can never become markup here.
import { ANCESTOR, COLLAPSED, frameParts, moduleOf, widthOf, type FlameLayout, type FlameModel } from '@/lib/model/flame';
import { diffColor, frameColor, type FlamePalette } from './colors';

export const CELL = 18;
/** Frames at least this wide (px) get a label. */
export const LABEL_MIN_PX = 24;
export const LABEL_FONT = '11px ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, monospace';

/** Per-model caches: a colour and a label per frame name (names repeat across thousands of frames). */
export class FrameStyles {
  private readonly colors: (string | undefined)[];
  private readonly labels: (string | undefined)[];
  private readonly rootLeft: number;
  private readonly rootRight: number;
  constructor(
    readonly model: FlameModel,
    readonly palette: FlamePalette,
  ) {
    this.colors = new Array(model.names.length);
    this.labels = new Array(model.names.length);
    this.rootLeft = model.value[0] ?? 0;
    this.rootRight = model.right?.value[0] ?? 0;
  }
  /** Fill of node i: by module, or in a diff by how its share changed. */
  color(i: number): string {
    const m = this.model;
    if (m.right) {
      const share = (v: number, of: number) => (of > 0 ? v / of : 0);
      return diffColor(share(m.value[i], this.rootLeft), share(m.right.value[i], this.rootRight));
    }
    const k = m.name[i];
    let c = this.colors[k];
    if (c === undefined) {
      const name = m.names[k];
      c = this.colors[k] = frameColor(moduleOf(name), name, this.palette.theme);
    }
    return c;
  }
  /** The frame's label: function first, then where it lives. */
  label(nameId: number): string {
    let l = this.labels[nameId];
    if (l === undefined) l = this.labels[nameId] = frameParts(this.model.names[nameId]).label;
    return l;
  }
}

export interface DrawOptions {
  layout: FlameLayout;
  styles: FrameStyles;
  /** CSS px */
  width: number;
  /** root at the bottom (a sandwich's callers) */
  inverted?: boolean;
  /** per name id: 1 = matches the search; null when not searching */
  nameMatch: Uint8Array | null;
  /** per name id: 1 = the selected function (outlined) */
  selected: Uint8Array | null;
}

/** Sizes the canvas for the layout (device pixels) and draws it; returns the CSS height. */
export function drawFlame(canvas: HTMLCanvasElement, o: DrawOptions): number {
  const { layout, styles, width } = o;
  const model = styles.model;
  const palette = styles.palette;
  const dpr = typeof window === 'undefined' ? 1 : window.devicePixelRatio || 1;
  const height = layout.rows * CELL;
  const pw = Math.max(1, Math.round(width * dpr));
  const ph = Math.max(1, Math.round(height * dpr));
  // Assigning the size clears the canvas; skip it when nothing changed.
  if (canvas.width !== pw || canvas.height !== ph) {
    canvas.width = pw;
    canvas.height = ph;
  }
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const ctx = canvas.getContext('2d');
  if (!ctx) return height;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = LABEL_FONT;
  ctx.textBaseline = 'middle';
  const charWidth = ctx.measureText('M').width || 7;
  const rowY = (r: number) => (o.inverted ? (layout.rows - 1 - r) * CELL : r * CELL);
  for (let f = 0; f < layout.count; f++) {
    const i = layout.node[f];
    const kind = layout.kind[f];
    const x = layout.x[f];
    const w = layout.width[f];
    const y = rowY(layout.row[f]);
    const nameId = model.name[i];
    let fill: string;
    if (kind === COLLAPSED) fill = palette.collapsed;
    else if (o.nameMatch && !o.nameMatch[nameId]) fill = palette.dimmed;
    else fill = styles.color(i);
    ctx.globalAlpha = kind === ANCESTOR ? palette.fadeAlpha : 1;
    ctx.fillStyle = fill;
    // A 1 px gap between wide frames keeps neighbours apart; narrow ones stay solid.
    ctx.fillRect(x, y, w > 3 ? w - 1 : Math.max(w, 0.5), CELL - 1);
    if (kind === COLLAPSED) continue;
    if (o.selected?.[nameId]) {
      ctx.strokeStyle = palette.outline;
      ctx.lineWidth = 1.5;
      ctx.strokeRect(x + 0.75, y + 0.75, Math.max(0, w - 2.5), CELL - 2.5);
    }
    if (w < LABEL_MIN_PX) continue;
    const max = Math.floor((w - 8) / charWidth);
    if (max < 2) continue;
    const label = styles.label(nameId);
    ctx.fillStyle = palette.label;
    ctx.fillText(label.length <= max ? label : `${label.slice(0, max - 1)}…`, x + 4, y + CELL / 2);
  }
  ctx.globalAlpha = 1;
  return height;
}

/** The frame under a point of the canvas (CSS px), or -1. */
export function rowAtY(layout: FlameLayout, y: number, inverted = false): number {
  const r = Math.floor(y / CELL);
  return inverted ? layout.rows - 1 - r : r;
}

/** Model value a layout frame stands for (a collapsed mark: all its frames). */
export function frameValue(model: FlameModel, layout: FlameLayout, f: number): number {
  return layout.kind[f] === COLLAPSED ? layout.runValue[f] : widthOf(model, layout.node[f]);
}
