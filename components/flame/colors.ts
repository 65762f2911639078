// Colours for flame graph frames. Pure functions, no DOM: FlameGraph.tsx picks
// one per frame and the unit tests check the mapping.

/** FNV-1a: stable across runs and browsers, so a module keeps its colour in every screenshot. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * One colour per module key (see moduleOf): frames of a package share a hue,
 * and the lightness stays high enough for the black labels to be readable.
 * Frames without a module (root, `[unknown]`) use their own name as the key.
 */
export function frameColor(module: string, name: string): string {
  const h = hash(module || name);
  const hue = h % 360;
  const sat = 45 + ((h >>> 9) % 25);
  const light = 62 + ((h >>> 17) % 12);
  return `hsl(${hue} ${sat}% ${light}%)`;
}

/** Frames that do not match an active search. */
export const DIMMED = 'hsl(220 10% 88%)';

/**
 * Diff colour from each side's share of its own root (runs differ in length,
 * so raw values are not comparable): red when the frame takes a larger share
 * after than before, blue when smaller, grey when about the same. Intensity
 * follows the relative change, capped at ±100 %.
 */
export function diffColor(beforeShare: number, afterShare: number): string {
  const base = Math.max(beforeShare, afterShare);
  if (base <= 0) return 'hsl(0 0% 85%)';
  const rel = (afterShare - beforeShare) / base; // −1 … 1
  if (Math.abs(rel) < 0.02) return 'hsl(0 0% 85%)';
  const k = Math.min(1, Math.abs(rel));
  const light = Math.round(88 - 40 * k);
  return rel > 0 ? `hsl(0 75% ${light}%)` : `hsl(215 75% ${light}%)`;
}
