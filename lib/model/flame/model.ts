// The one flame graph model, from the profile source to the screen: flat
// arrays in pre-order (a nested set), as Grafana's flame graph data frame
// carries a profile (`level`, `value`, `self`, `label`) and as Pyroscope's
// flame graph response does by level. Node 0 is the root ("total"); a node's
// subtree is the run of nodes after it with a larger level. Plain arrays, so
// a route handler sends it as JSON as is and the browser uses what it parses.

export interface FlameModel {
  /** distinct frame names; `name[i]` points here */
  names: string[];
  /** per node, pre-order: index into `names` */
  name: number[];
  /** per node: depth, the root at 0 */
  level: number[];
  /** per node: total (own samples plus the subtree's), in the profile's unit */
  value: number[];
  /** per node: own samples */
  self: number[];
  /**
   * A diff: `value` / `self` are then the baseline ("before") and these the
   * comparison ("after"), node for node. Frames are drawn as wide as both
   * together, as Pyroscope and Grafana draw diffs.
   */
  right?: { value: number[]; self: number[] };
}

export const ROOT_NAME = 'total';

/** A model with the root alone. */
export function emptyModel(diff = false): FlameModel {
  const m: FlameModel = { names: [ROOT_NAME], name: [0], level: [0], value: [0], self: [0] };
  if (diff) m.right = { value: [0], self: [0] };
  return m;
}

export const nodeCount = (m: FlameModel): number => m.level.length;

export const isDiff = (m: FlameModel): m is FlameModel & { right: { value: number[]; self: number[] } } => m.right !== undefined;

/** How wide node i is drawn: its total, or before + after in a diff. */
export function widthOf(m: FlameModel, i: number): number {
  return m.right ? m.value[i] + m.right.value[i] : m.value[i];
}

/** The whole profile's value (both sides of a diff). */
export const grandTotal = (m: FlameModel): number => (nodeCount(m) ? widthOf(m, 0) : 0);

/** Frame name of node i. */
export const nameOf = (m: FlameModel, i: number): string => m.names[m.name[i]];

/** Structure derived once per model: subtree sizes and parents. */
export interface FlameIndex {
  count: number;
  /** nodes in i's subtree, i included: the subtree is [i, i + size[i]) */
  size: Int32Array;
  parent: Int32Array;
}

export function indexModel(m: FlameModel): FlameIndex {
  const n = nodeCount(m);
  const size = new Int32Array(n).fill(1);
  const parent = new Int32Array(n).fill(-1);
  // The last node seen at each level is the parent of the next node one level deeper.
  const lastAt: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = m.level[i];
    if (l > 0) parent[i] = lastAt[l - 1];
    lastAt[l] = i;
  }
  for (let i = n - 1; i > 0; i--) size[parent[i]] += size[i];
  return { count: n, size, parent };
}

/** Child indices of node i, left to right. */
export function childrenOf(ix: FlameIndex, i: number): number[] {
  const out: number[] = [];
  const end = i + ix.size[i];
  for (let j = i + 1; j < end; j += ix.size[j]) out.push(j);
  return out;
}

/** Node i's frame names from below the root down to i (a zoom path). */
export function pathOf(m: FlameModel, ix: FlameIndex, i: number): string[] {
  const out: string[] = [];
  for (let j = i; j > 0; j = ix.parent[j]) out.push(nameOf(m, j));
  return out.reverse();
}

/**
 * The nodes a zoom path names, root first. Stops at the deepest node that still
 * matches, so a stale URL zooms as close as it can. Among same-named siblings
 * (an unmerged source) the first wins.
 */
export function resolvePath(m: FlameModel, ix: FlameIndex, path: readonly string[]): number[] {
  const chain = [0];
  let at = 0;
  for (const name of path) {
    let next = -1;
    const end = at + ix.size[at];
    for (let j = at + 1; j < end; j += ix.size[j]) {
      if (nameOf(m, j) === name) {
        next = j;
        break;
      }
    }
    if (next < 0) break;
    chain.push(next);
    at = next;
  }
  return chain;
}

/** The largest self value (Pyroscope's maxSelf). */
export function maxSelf(m: FlameModel): number {
  let max = 0;
  for (let i = 0; i < m.self.length; i++) {
    const s = m.right ? m.self[i] + m.right.self[i] : m.self[i];
    if (s > max) max = s;
  }
  return max;
}

/**
 * Checks what the model promises (used on models that crossed a process
 * boundary in tests and on wire-built ones): parallel arrays, root first,
 * levels that step down by at most one, names in range, totals ≥ self.
 * Returns the first problem, or null.
 */
export function modelProblem(m: FlameModel): string | null {
  const n = m.level.length;
  if (n === 0) return 'no root';
  const arrays: [string, unknown[]][] = [['name', m.name], ['value', m.value], ['self', m.self]];
  if (m.right) arrays.push(['right.value', m.right.value], ['right.self', m.right.self]);
  for (const [k, a] of arrays) if (a.length !== n) return `${k} has ${a.length} entries for ${n} nodes`;
  if (m.level[0] !== 0) return 'node 0 is not at level 0';
  for (let i = 1; i < n; i++) {
    if (m.level[i] < 1 || m.level[i] > m.level[i - 1] + 1) return `node ${i} jumps from level ${m.level[i - 1]} to ${m.level[i]}`;
  }
  for (let i = 0; i < n; i++) {
    if (!(m.name[i] >= 0 && m.name[i] < m.names.length)) return `node ${i} names ${m.name[i]} of ${m.names.length}`;
    if (!(m.value[i] >= m.self[i])) return `node ${i}: total ${m.value[i]} < self ${m.self[i]}`;
  }
  return null;
}
