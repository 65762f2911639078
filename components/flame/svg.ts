// The flame graph as SVG, drawn by d3-flame-graph through its own API: the
// "Download SVG" of the toolbar (a picture of the current view to attach to
// an incident: zoomable, its text searchable, a <title> per frame). The same
// layout the canvas draws is handed over as a small tree of the frames on
// screen, so the SVG matches the canvas frame for frame, collapsed marks
// included. d3-flame-graph animates through d3 transitions even at duration
// 0, so drawing resolves once they have run (they are left alone, not patched).
import type { Selection } from 'd3-selection';
import { ANCESTOR, COLLAPSED, layoutFlame, type FlameIndex } from '@/lib/model/flame';
import { CELL, frameValue, type FrameStyles } from './draw';
import { formatPercent, formatValue } from './format';

interface SvgFrame {
  name: string;
  value: number;
  fill: string;
  title: string;
  /** d3-flame-graph draws `fade` frames at reduced opacity (the zoomed frame's callers) */
  fade?: boolean;
  children: SvgFrame[];
}

/** The frames on screen for a zoom, nested as d3-flame-graph takes them. */
function svgTree(styles: FrameStyles, ix: FlameIndex, chain: readonly number[], width: number, unit: string): SvgFrame | null {
  const model = styles.model;
  const layout = layoutFlame(model, ix, chain, width);
  if (!layout.count) return null;
  const root = model.value[0] + (model.right?.value[0] ?? 0);
  const lastAt: SvgFrame[] = [];
  let top: SvgFrame | null = null;
  for (let f = 0; f < layout.count; f++) {
    const i = layout.node[f];
    const kind = layout.kind[f];
    const v = frameValue(model, layout, f);
    const pct = formatPercent(root > 0 ? (100 * v) / root : 0);
    const node: SvgFrame =
      kind === COLLAPSED
        ? { name: '', value: v, fill: styles.palette.collapsed, title: `${layout.runLength[f]} frames too narrow to draw (${formatValue(v, unit)}, ${pct})`, children: [] }
        : {
            name: styles.label(model.name[i]),
            value: v,
            fill: styles.color(i),
            title: `${model.names[model.name[i]]} (${formatValue(v, unit)}, ${pct})`,
            children: [],
          };
    if (kind === ANCESTOR) node.fade = true;
    const r = layout.row[f];
    // Pre-order: a frame's parent is the last frame seen one row up.
    if (f === 0) top = node;
    else lastAt[r - 1]?.children.push(node);
    lastAt[r] = node;
  }
  return top;
}

/** Inline styles of the exported file (the library's stylesheet is not part of an SVG document). */
const EXPORT_CSS = `
.d3-flame-graph rect { stroke: #fff; stroke-width: 0.5; }
.d3-flame-graph .fade { opacity: 0.55; }
.d3-flame-graph-label { white-space: nowrap; text-overflow: ellipsis; overflow: hidden; font: 11px ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; margin: 0 4px; line-height: ${CELL}px; color: #111; }
`;

/**
 * Draws the current view into `host` with d3-flame-graph and resolves when its
 * transitions have finished (labels and widths are then in the DOM).
 */
export async function drawSvg(host: HTMLElement, styles: FrameStyles, ix: FlameIndex, chain: readonly number[], width: number, unit: string): Promise<SVGSVGElement | null> {
  const tree = svgTree(styles, ix, chain, width, unit);
  if (!tree) return null;
  const [{ default: flamegraph }, { select }] = await Promise.all([import('d3-flame-graph'), import('d3-selection')]);
  const chart = flamegraph<SvgFrame>()
    .width(width)
    .cellHeight(CELL)
    .transitionDuration(0)
    .inverted(true)
    .sort(false)
    .getValue((d) => d.value)
    .setColorMapper((d) => d.data.fill)
    .setLabelHandler((d) => d.data.title);
  (select(host) as Selection).datum(tree).call(chart);
  await transitionsDone(host);
  return host.querySelector('svg');
}

/** d3 runs transitions on animation frames; wait until no element has one pending (bounded). */
async function transitionsDone(host: HTMLElement): Promise<void> {
  const deadline = performance.now() + 5_000;
  for (;;) {
    await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
    let pending = false;
    for (const el of host.querySelectorAll('g, rect, div')) {
      if ((el as Element & { __transition?: unknown }).__transition) {
        pending = true;
        break;
      }
    }
    if (!pending || performance.now() > deadline) return;
  }
}

/** The current view as a standalone SVG document (text). */
export async function flameSvgText(styles: FrameStyles, ix: FlameIndex, chain: readonly number[], width: number, unit: string): Promise<string | null> {
  const host = document.createElement('div');
  // Off screen but laid out, so the browser treats it like the page's own drawing.
  host.style.cssText = 'position:fixed;left:-100000px;top:0;visibility:hidden';
  document.body.append(host);
  try {
    const svg = await drawSvg(host, styles, ix, chain, width, unit);
    if (!svg) return null;
    svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
    const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
    style.textContent = EXPORT_CSS;
    svg.prepend(style);
    return new XMLSerializer().serializeToString(svg);
  } finally {
    host.remove();
  }
}
