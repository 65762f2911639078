// Where each frame goes on screen for a zoom: the pixels, not the drawing
// (components/flame draws this on a canvas, and d3-flame-graph draws it as SVG
// for the export). Pure.
//
// Frames narrower than a pixel are not dropped or folded into their parent's
// self (that would change what "self" means on screen): runs of such sibling
// frames become one grey "collapsed" mark as wide as they are together, as
// Grafana's flame graph mutes narrow frames. Their subtrees are skipped, so
// the cost follows what fits on screen, not the profile's size.
import { widthOf, type FlameIndex, type FlameModel } from './model';

export const FRAME = 0;
/** a caller of the zoomed frame, drawn full width and faded */
export const ANCESTOR = 1;
/** sibling frames too narrow to draw one by one */
export const COLLAPSED = 2;

export interface FlameLayout {
  count: number;
  /** model node (for a collapsed mark: its first frame) */
  node: Int32Array;
  kind: Uint8Array;
  /** px from the left edge, and width in px */
  x: Float64Array;
  width: Float64Array;
  /** 0 = the root's row */
  row: Int32Array;
  /** collapsed marks: how many frames they stand for, and their value together */
  runLength: Int32Array;
  runValue: Float64Array;
  rows: number;
  /** per row, frames left to right: `rowOrder[rowStart[r] … rowStart[r + 1])` */
  rowStart: Int32Array;
  rowOrder: Int32Array;
}

export interface LayoutOptions {
  /** frames at least this wide are drawn on their own (px) */
  minFramePx?: number;
  /** collapsed marks narrower than this are not drawn (px) */
  hidePx?: number;
}

/**
 * Lays out the subtree of the last node of `chain` (the zoomed frame) across
 * `widthPx`, with the rest of `chain` (its callers) as full-width rows above.
 */
export function layoutFlame(m: FlameModel, ix: FlameIndex, chain: readonly number[], widthPx: number, opts: LayoutOptions = {}): FlameLayout {
  const minPx = opts.minFramePx ?? 1;
  const hidePx = opts.hidePx ?? 0.5;
  const z = chain[chain.length - 1];
  const total = widthOf(m, z);
  const scale = total > 0 ? widthPx / total : 0;
  let cap = 256;
  let node = new Int32Array(cap);
  let kind = new Uint8Array(cap);
  let x = new Float64Array(cap);
  let width = new Float64Array(cap);
  let row = new Int32Array(cap);
  let runLength = new Int32Array(cap);
  let runValue = new Float64Array(cap);
  let count = 0;
  const emit = (n: number, k: number, px: number, w: number, r: number, value: number) => {
    if (count === cap) {
      cap *= 2;
      node = grow(node, cap);
      kind = grow(kind, cap);
      x = grow(x, cap);
      width = grow(width, cap);
      row = grow(row, cap);
      runLength = grow(runLength, cap);
      runValue = grow(runValue, cap);
    }
    node[count] = n;
    kind[count] = k;
    x[count] = px;
    width[count] = w;
    row[count] = r;
    runLength[count] = 1;
    runValue[count] = value;
    count++;
  };
  for (let k = 0; k < chain.length - 1; k++) emit(chain[k], ANCESTOR, 0, widthPx, m.level[chain[k]], widthOf(m, chain[k]));
  if (total > 0) {
    // cursor[l]: where the next frame on level l starts (pre-order visits each level left to right).
    const cursor: number[] = [];
    const base = m.level[z];
    cursor[base] = 0;
    const end = z + ix.size[z];
    for (let i = z; i < end; ) {
      const l = m.level[i];
      const v = widthOf(m, i);
      const px = cursor[l];
      const w = v * scale;
      cursor[l] = px + w;
      if (w < minPx && i !== z) {
        const last = count - 1;
        // Extend the previous mark when it is a sibling run ending here.
        if (last >= 0 && kind[last] === COLLAPSED && row[last] === l && ix.parent[node[last]] === ix.parent[i]) {
          width[last] += w;
          runLength[last]++;
          runValue[last] += v;
        } else if (v > 0) emit(i, COLLAPSED, px, w, l, v);
        i += ix.size[i];
        continue;
      }
      if (v <= 0) {
        i += ix.size[i];
        continue;
      }
      emit(i, FRAME, px, w, l, v);
      cursor[l + 1] = px;
      i++;
    }
  }
  // Drop marks that stayed invisible, then index rows for hit testing.
  let kept = 0;
  let rows = 0;
  for (let f = 0; f < count; f++) {
    if (kind[f] === COLLAPSED && width[f] < hidePx) continue;
    node[kept] = node[f];
    kind[kept] = kind[f];
    x[kept] = x[f];
    width[kept] = width[f];
    row[kept] = row[f];
    runLength[kept] = runLength[f];
    runValue[kept] = runValue[f];
    if (row[f] + 1 > rows) rows = row[f] + 1;
    kept++;
  }
  const rowStart = new Int32Array(rows + 1);
  for (let f = 0; f < kept; f++) rowStart[row[f] + 1]++;
  for (let r = 0; r < rows; r++) rowStart[r + 1] += rowStart[r];
  const fill = rowStart.slice(0, rows);
  const rowOrder = new Int32Array(kept);
  // Frames were emitted left to right within each row, so this keeps rows sorted by x.
  for (let f = 0; f < kept; f++) rowOrder[fill[row[f]]++] = f;
  return {
    count: kept,
    node: node.subarray(0, kept),
    kind: kind.subarray(0, kept),
    x: x.subarray(0, kept),
    width: width.subarray(0, kept),
    row: row.subarray(0, kept),
    runLength: runLength.subarray(0, kept),
    runValue: runValue.subarray(0, kept),
    rows,
    rowStart,
    rowOrder,
  };
}

function grow<A extends Int32Array | Float64Array | Uint8Array>(a: A, cap: number): A {
  const b = new (a.constructor as new (n: number) => A)(cap);
  b.set(a);
  return b;
}

/** The frame drawn at (px, row), or -1. Marks narrower than a pixel still answer across one pixel. */
export function frameAt(layout: FlameLayout, px: number, row: number): number {
  if (row < 0 || row >= layout.rows) return -1;
  let lo = layout.rowStart[row];
  let hi = layout.rowStart[row + 1] - 1;
  // Last frame in the row starting at or before px.
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = layout.rowOrder[mid];
    if (layout.x[f] <= px) {
      found = f;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return -1;
  return px < layout.x[found] + Math.max(1, layout.width[found]) ? found : -1;
}
