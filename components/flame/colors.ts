// Colours for flame graph frames, per theme. Pure functions, no DOM: the
// canvas renderer and the SVG export pick one per frame, unit tests check the mapping.

export type FlameTheme = 'light' | 'dark';

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
 * One colour per module key (see moduleOf): frames of a package share a hue.
 * Labels are dark on both themes (as in Grafana's flame graph), so frames stay
 * light enough to read them; on the dark theme they are a little deeper so
 * the graph does not glare against the dark page.
 * Frames without a module (root, `[unknown]`) use their own name as the key.
 */
export function frameColor(module: string, name: string, theme: FlameTheme = 'light'): string {
  const h = hash(module || name);
  const hue = h % 360;
  const sat = 45 + ((h >>> 9) % 25);
  const light = (theme === 'dark' ? 54 : 62) + ((h >>> 17) % 12);
  return `hsl(${hue} ${sat}% ${light}%)`;
}

/** Everything the renderer needs besides frame colours. */
export interface FlamePalette {
  theme: FlameTheme;
  /** frames that do not match an active search */
  dimmed: string;
  /** runs of frames too narrow to draw one by one */
  collapsed: string;
  /** label text on frames */
  label: string;
  /** outline of the selected function's frames */
  outline: string;
  /** the zoomed frame's callers are drawn at this opacity */
  fadeAlpha: number;
}

export function flamePalette(theme: FlameTheme): FlamePalette {
  return theme === 'dark'
    ? { theme, dimmed: 'hsl(220 8% 30%)', collapsed: 'hsl(220 6% 42%)', label: '#111', outline: '#f5f5f5', fadeAlpha: 0.55 }
    : { theme, dimmed: 'hsl(220 10% 88%)', collapsed: 'hsl(220 6% 72%)', label: '#111', outline: '#111', fadeAlpha: 0.55 };
}

/** Frames that do not match an active search (light theme; see flamePalette). */
export const DIMMED = flamePalette('light').dimmed;

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
