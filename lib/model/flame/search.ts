// Search and the top-functions table over a flat flame model. Both read every
// node (narrow frames included) but test each distinct name once: names repeat
// a lot, so a 300k-node profile has a few tens of thousands of them.
import { widthOf, type FlameIndex, type FlameModel } from './model';

/** Case-insensitive substring match on frame names; plain text, so user input is never a regex. */
export function nameMatcher(term: string): (name: string) => boolean {
  const t = term.trim().toLowerCase();
  return (name) => t !== '' && name.toLowerCase().includes(t);
}

/** Per name id: 1 when the name matches. */
export function matchNames(m: FlameModel, match: (name: string) => boolean): Uint8Array {
  const hit = new Uint8Array(m.names.length);
  for (let k = 0; k < m.names.length; k++) hit[k] = match(m.names[k]) ? 1 : 0;
  return hit;
}

export interface FlameSearch {
  /** per name id: 1 when the name matches */
  nameMatch: Uint8Array;
  /** frames whose name matches (every occurrence) */
  matchedFrames: number;
  /** width of matching frames (both sides of a diff), a frame under a matching frame counted once */
  matchedTotal: number;
  /** matchedTotal as a percentage of the root's */
  percent: number;
}

export function searchModel(m: FlameModel, ix: FlameIndex, match: (name: string) => boolean): FlameSearch {
  const nameMatch = matchNames(m, match);
  let matchedFrames = 0;
  let matchedTotal = 0;
  let skipUntil = 0;
  for (let i = 0; i < ix.count; i++) {
    if (!nameMatch[m.name[i]]) continue;
    matchedFrames++;
    // A match inside a matching subtree (recursion) is already in its ancestor's total.
    if (i < skipUntil) continue;
    matchedTotal += widthOf(m, i);
    skipUntil = i + ix.size[i];
  }
  const root = ix.count ? widthOf(m, 0) : 0;
  return { nameMatch, matchedFrames, matchedTotal, percent: root > 0 ? (100 * matchedTotal) / root : 0 };
}

export interface TopFunction {
  name: string;
  self: number;
  /** time with this function on the stack; a recursive function is counted once per stack */
  total: number;
  /** number of frames with this name */
  frames: number;
}

/**
 * Self and total per function name over the whole model, ordered by self, then
 * total, then name. `side` picks a diff's values ('left' = before, the default).
 */
export function topFunctions(m: FlameModel, ix: FlameIndex, side: 'left' | 'right' = 'left'): TopFunction[] {
  const values = side === 'right' && m.right ? m.right : m;
  // Names may repeat in a wire-built table: count per distinct name.
  const key = new Int32Array(m.names.length);
  const keyOf = new Map<string, number>();
  const names: string[] = [];
  m.names.forEach((n, k) => {
    let id = keyOf.get(n);
    if (id === undefined) {
      id = names.push(n) - 1;
      keyOf.set(n, id);
    }
    key[k] = id;
  });
  const n = names.length;
  const self = new Float64Array(n);
  const total = new Float64Array(n);
  const frames = new Int32Array(n);
  // The end of the outermost open subtree of each name: frames of that name
  // before it are recursion and must not add their total again.
  const onStackUntil = new Int32Array(n);
  for (let i = 0; i < ix.count; i++) {
    const k = key[m.name[i]];
    self[k] += values.self[i];
    frames[k]++;
    if (i >= onStackUntil[k]) {
      total[k] += values.value[i];
      onStackUntil[k] = i + ix.size[i];
    }
  }
  const out: TopFunction[] = [];
  for (let k = 0; k < n; k++) if (frames[k]) out.push({ name: names[k], self: self[k], total: total[k], frames: frames[k] });
  return out.sort((a, b) => b.self - a.self || b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
