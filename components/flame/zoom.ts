// Zoom targets from clicks and keys, on the flat model. Pure.
import { COLLAPSED, childrenOf, pathOf, widthOf, type FlameIndex, type FlameModel } from '@/lib/model/flame';
import type { FrameHit } from './FlameCanvas';

/**
 * The zoom path a click asks for: the clicked frame; for a collapsed mark its
 * widest frame (zooming there brings the run's frames into view).
 */
export function clickedPath(m: FlameModel, ix: FlameIndex, hit: FrameHit): string[] {
  const { layout, frame } = hit;
  let target = layout.node[frame];
  if (layout.kind[frame] === COLLAPSED) {
    let best = target;
    for (let k = 0, j = target; k < layout.runLength[frame]; k++, j += ix.size[j]) if (widthOf(m, j) > widthOf(m, best)) best = j;
    target = best;
  }
  return pathOf(m, ix, target);
}

/**
 * Keyboard zoom on a focused graph: ↑ zooms out, ↓ into the widest child,
 * ← / → to the neighbouring frame, Esc resets. Null when the key is not ours
 * (or there is nowhere to go).
 */
export function keyedPath(m: FlameModel, ix: FlameIndex, chain: readonly number[], key: string): string[] | null | undefined {
  const path = chain.slice(1).map((i) => m.names[m.name[i]]);
  const zoomed = chain[chain.length - 1];
  switch (key) {
    case 'ArrowUp':
      return path.length ? path.slice(0, -1) : null;
    case 'ArrowDown': {
      const kids = childrenOf(ix, zoomed);
      if (!kids.length) return null;
      return pathOf(m, ix, kids.reduce((a, b) => (widthOf(m, b) > widthOf(m, a) ? b : a)));
    }
    case 'ArrowLeft':
    case 'ArrowRight': {
      if (chain.length < 2) return null;
      const sib = childrenOf(ix, chain[chain.length - 2]);
      const n = sib[sib.indexOf(zoomed) + (key === 'ArrowLeft' ? -1 : 1)];
      return n === undefined ? null : pathOf(m, ix, n);
    }
    case 'Escape':
      return [];
    default:
      return undefined;
  }
}
