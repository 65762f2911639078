import type { DiffFlameTree, FlameTree } from './types';

// Pure operations on flame trees: merge, diff, prune, search, top functions,
// module keys. Nothing here touches the DOM or mutates its inputs.
//
// Big profiles (100k+ frames) are walked many times (every keystroke in the
// search box, every zoom), so the work is done on a flat pre-order index built
// once (`indexTree`), the way Grafana's flame graph precomputes a level model:
// node i's subtree is the contiguous range [i, i + size[i]), which turns
// "skip this subtree" into `i += size[i]` and avoids recursion on deep stacks.

/** A flat, pre-order view of a FlameTree. Node 0 is the root. */
export interface FlameIndex {
  count: number;
  /** interned frame names; `nameId[i]` points here */
  names: string[];
  nameId: Int32Array;
  self: Float64Array;
  total: Float64Array;
  parent: Int32Array;
  depth: Int32Array;
  /** number of nodes in i's subtree, i included */
  size: Int32Array;
}

/** How to read a tree's nodes, so one walk serves FlameTree and DiffFlameTree. */
export interface TreeAccess<T> {
  name(n: T): string;
  self(n: T): number;
  total(n: T): number;
  children(n: T): readonly T[];
}

export const flameAccess: TreeAccess<FlameTree> = {
  name: (n) => n.name,
  self: (n) => n.self,
  total: (n) => n.total,
  children: (n) => n.children,
};

/** A diff drawn with widths of before + after, as Pyroscope draws diffs. */
export const diffAccess: TreeAccess<DiffFlameTree> = {
  name: (n) => n.name,
  self: (n) => n.left.self + n.right.self,
  total: (n) => n.left.total + n.right.total,
  children: (n) => n.children,
};

function buildIndex<T>(root: T, get: TreeAccess<T>): FlameIndex {
  // One pass into typed arrays that double when full (counting first would walk
  // the tree twice: the walk, not the copying, is what costs on 300k frames).
  let cap = 1024;
  let nameId = new Int32Array(cap);
  let self = new Float64Array(cap);
  let total = new Float64Array(cap);
  let parent = new Int32Array(cap);
  let depth = new Int32Array(cap);
  const names: string[] = [];
  const ids = new Map<string, number>();
  // Explicit stacks of node and parent index; children pushed in reverse keep input order.
  const nodes: T[] = [root];
  const parents: number[] = [-1];
  let i = 0;
  while (nodes.length) {
    const n = nodes.pop()!;
    const p = parents.pop()!;
    if (i === cap) {
      cap *= 2;
      nameId = grow(nameId, cap);
      self = grow(self, cap);
      total = grow(total, cap);
      parent = grow(parent, cap);
      depth = grow(depth, cap);
    }
    const name = get.name(n);
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      ids.set(name, id);
      names.push(name);
    }
    nameId[i] = id;
    self[i] = get.self(n);
    total[i] = get.total(n);
    parent[i] = p;
    depth[i] = p < 0 ? 0 : depth[p] + 1;
    const ch = get.children(n);
    for (let k = ch.length - 1; k >= 0; k--) {
      nodes.push(ch[k]);
      parents.push(i);
    }
    i++;
  }
  // Pre-order: every parent precedes its descendants, so a reverse sweep sums sizes.
  const size = new Int32Array(i).fill(1);
  for (let j = i - 1; j > 0; j--) size[parent[j]] += size[j];
  return {
    count: i,
    names,
    nameId: nameId.slice(0, i),
    self: self.slice(0, i),
    total: total.slice(0, i),
    parent: parent.slice(0, i),
    depth: depth.slice(0, i),
    size,
  };
}

function grow<A extends Int32Array | Float64Array>(a: A, cap: number): A {
  const b = (a instanceof Int32Array ? new Int32Array(cap) : new Float64Array(cap)) as A;
  b.set(a);
  return b;
}

/** Index a tree once; every other operation below runs on the index. */
export function indexTree(tree: FlameTree): FlameIndex {
  return buildIndex(tree, flameAccess);
}

/** Child indices of node i, in input order. */
export function childrenOf(ix: FlameIndex, i: number): number[] {
  const out: number[] = [];
  const end = i + ix.size[i];
  for (let j = i + 1; j < end; j += ix.size[j]) out.push(j);
  return out;
}

// ---------------------------------------------------------------- merge / diff

/** Adds `source` into `target`, summing same-named children; `kids` indexes target children by name. */
function mergeInto(target: FlameTree, source: FlameTree, kids: WeakMap<FlameTree, Map<string, FlameTree>>): void {
  target.self += source.self;
  target.total += source.total;
  let byName = kids.get(target);
  if (!byName) kids.set(target, (byName = new Map()));
  for (const c of source.children) {
    let t = byName.get(c.name);
    if (!t) {
      t = { name: c.name, self: 0, total: 0, children: [] };
      target.children.push(t);
      byName.set(c.name, t);
    }
    mergeInto(t, c, kids);
  }
}

/**
 * Sum trees path by path: nodes with the same name path (root excluded, roots
 * are merged whatever their names) add their self and total. Also collapses
 * duplicate siblings inside one tree. Inputs are left untouched.
 */
export function mergeTrees(trees: readonly FlameTree[], rootName = trees[0]?.name ?? 'total'): FlameTree {
  const out: FlameTree = { name: rootName, self: 0, total: 0, children: [] };
  const kids = new WeakMap<FlameTree, Map<string, FlameTree>>();
  for (const t of trees) mergeInto(out, t, kids);
  return out;
}

/**
 * Align two trees by name path. A path present on one side only has zeros on
 * the other. Both sides are merged first so duplicate siblings cannot split a path.
 */
export function diffTrees(left: FlameTree, right: FlameTree): DiffFlameTree {
  const l = mergeTrees([left]);
  const r = mergeTrees([right]);
  const zero: FlameTree = { name: '', self: 0, total: 0, children: [] };
  const walk = (a: FlameTree, b: FlameTree, name: string): DiffFlameTree => {
    // After merging, names are unique among siblings on each side.
    const bByName = new Map(b.children.map((c) => [c.name, c]));
    const aNames = new Set(a.children.map((c) => c.name));
    return {
      name,
      left: { self: a.self, total: a.total },
      right: { self: b.self, total: b.total },
      children: [
        ...a.children.map((c) => walk(c, bByName.get(c.name) ?? zero, c.name)),
        ...b.children.filter((c) => !aNames.has(c.name)).map((c) => walk(zero, c, c.name)),
      ],
    };
  };
  return walk(l, r, right.name || left.name);
}

/** Per-node left and right values of a diff, in the same pre-order as `index`. */
export interface DiffIndex {
  /** structure, names and widths (left + right, as Pyroscope draws diffs) */
  index: FlameIndex;
  left: { self: Float64Array; total: Float64Array };
  right: { self: Float64Array; total: Float64Array };
}

export function indexDiff(tree: DiffFlameTree): DiffIndex {
  const index = buildIndex(tree, diffAccess);
  const side = (pick: (n: DiffFlameTree) => { self: number; total: number }) => {
    const s = buildIndex<DiffFlameTree>(tree, {
      name: (n) => n.name,
      self: (n) => pick(n).self,
      total: (n) => pick(n).total,
      children: (n) => n.children,
    });
    return { self: s.self, total: s.total };
  };
  return { index, left: side((n) => n.left), right: side((n) => n.right) };
}

export function isDiffTree(t: FlameTree | DiffFlameTree): t is DiffFlameTree {
  return 'left' in t && 'right' in t;
}

// ---------------------------------------------------------------------- prune

/** A node of a pruned view; `src` is the tree node it stands for (its real self / total). */
export interface FlameViewNode<T = FlameTree> {
  name: string;
  /** what the drawing shows as self: own time plus the pruned children */
  self: number;
  total: number;
  children: FlameViewNode<T>[];
  src: T;
  /** an ancestor of the zoomed frame, drawn full width and faded */
  fade?: boolean;
}

/**
 * The nodes a zoom path names, root first. Stops at the deepest node that still
 * matches, so a stale URL zooms as close as it can. With duplicate sibling names
 * (an unmerged tree) the first one wins.
 */
export function resolvePath<T>(root: T, path: readonly string[], get: TreeAccess<T>): T[] {
  const chain = [root];
  let at = root;
  for (const name of path) {
    const next = get.children(at).find((c) => get.name(c) === name);
    if (next === undefined) break;
    chain.push(next);
    at = next;
  }
  return chain;
}

/**
 * What to draw for a zoom: the subtree under the last node of `chain` without
 * frames narrower than `minFraction` of that node's total, their time folded
 * into their parent's self. The callers (the rest of `chain`) come first as a
 * single-child chain marked `fade`. Only drawn nodes and their direct children
 * are visited, so a 300k-node tree costs about as much as what fits on screen.
 */
export function flameView<T>(chain: readonly T[], minFraction: number, get: TreeAccess<T>): FlameViewNode<T> {
  const zoomed = chain[chain.length - 1];
  const threshold = get.total(zoomed) * minFraction;
  const make = (n: T): FlameViewNode<T> => ({ name: get.name(n), self: 0, total: get.total(n), children: [], src: n });
  const top = make(zoomed);
  // Iterative: real stacks can be thousands of frames deep.
  const stack = [top];
  while (stack.length) {
    const v = stack.pop()!;
    let kept = 0;
    for (const c of get.children(v.src)) {
      const t = get.total(c);
      if (t < threshold) continue;
      const cv = make(c);
      v.children.push(cv);
      kept += t;
      stack.push(cv);
    }
    // Self = total minus what is still drawn below, so widths add up.
    v.self = Math.max(0, v.total - kept);
  }
  let node = top;
  for (let k = chain.length - 2; k >= 0; k--) {
    const a = make(chain[k]);
    a.fade = true;
    a.children = [node];
    a.self = Math.max(0, a.total - node.total);
    node = a;
  }
  return node;
}

function stripView<T>(v: FlameViewNode<T>): FlameTree {
  return { name: v.name, self: v.self, total: v.total, children: v.children.map(stripView) };
}

/**
 * Drop frames narrower than `minFraction` of the root's total, folding them
 * into their parent's self time. Used to keep only what can be drawn (one pixel
 * = 1 / width). A new tree; the input is not modified.
 */
export function pruneBelowFraction(tree: FlameTree, minFraction: number): FlameTree {
  return stripView(flameView([tree], minFraction, flameAccess));
}

// --------------------------------------------------------------------- search

export interface FlameSearch {
  /** per name id: 1 when the name matches */
  nameMatch: Uint8Array;
  /** frames whose name matches (every occurrence) */
  matchedFrames: number;
  /** value of matching frames, a frame under a matching frame counted once */
  matchedTotal: number;
  /** matchedTotal as a percentage of the root's total */
  percent: number;
}

/** Case-insensitive substring match on frame names; plain text, so user input is never a regex. */
export function nameMatcher(term: string): (name: string) => boolean {
  const t = term.trim().toLowerCase();
  return (name) => t !== '' && name.toLowerCase().includes(t);
}

/** Search every frame of the full tree (not the pruned view: narrow frames count too). */
export function searchIndex(ix: FlameIndex, match: (name: string) => boolean): FlameSearch {
  const nameMatch = new Uint8Array(ix.names.length);
  // Names repeat a lot: test each distinct name once, then look frames up by id.
  for (let k = 0; k < ix.names.length; k++) nameMatch[k] = match(ix.names[k]) ? 1 : 0;
  let matchedFrames = 0;
  let matchedTotal = 0;
  let skipUntil = 0;
  for (let i = 0; i < ix.count; i++) {
    if (!nameMatch[ix.nameId[i]]) continue;
    matchedFrames++;
    // A match inside a matching subtree (recursion) is already in its ancestor's total.
    if (i < skipUntil) continue;
    matchedTotal += ix.total[i];
    skipUntil = i + ix.size[i];
  }
  const root = ix.count ? ix.total[0] : 0;
  return { nameMatch, matchedFrames, matchedTotal, percent: root > 0 ? (100 * matchedTotal) / root : 0 };
}

/** Search a tree by name substring (case-insensitive). */
export function searchTree(tree: FlameTree, term: string): FlameSearch {
  return searchIndex(indexTree(tree), nameMatcher(term));
}

// -------------------------------------------------------------- top functions

export interface TopFunction {
  name: string;
  self: number;
  /** time with this function on the stack; a recursive function is counted once per stack */
  total: number;
  /** number of frames with this name */
  frames: number;
}

/** Self and total per function name over the whole tree, ordered by self, then total, then name. */
export function topFunctionsIndexed(ix: FlameIndex, values: { self: Float64Array; total: Float64Array } = ix): TopFunction[] {
  const n = ix.names.length;
  const self = new Float64Array(n);
  const total = new Float64Array(n);
  const frames = new Int32Array(n);
  // onStack[k] = end of the outermost open subtree of name k: frames of k
  // before it are recursion and must not add their total again.
  const onStackUntil = new Int32Array(n);
  for (let i = 0; i < ix.count; i++) {
    const k = ix.nameId[i];
    self[k] += values.self[i];
    frames[k]++;
    if (i >= onStackUntil[k]) {
      total[k] += values.total[i];
      onStackUntil[k] = i + ix.size[i];
    }
  }
  const out: TopFunction[] = [];
  for (let k = 0; k < n; k++) out.push({ name: ix.names[k], self: self[k], total: total[k], frames: frames[k] });
  return out.sort((a, b) => b.self - a.self || b.total - a.total || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function topFunctions(tree: FlameTree): TopFunction[] {
  return topFunctionsIndexed(indexTree(tree));
}

// ------------------------------------------------------------ focus filtering

/**
 * Only the stacks that pass through a frame named `name`: matching frames keep
 * their whole subtree, their callers keep only the part leading to a match
 * (their total shrinks to that, self 0). Null when no frame matches.
 */
export function filterToFunction(tree: FlameTree, name: string): FlameTree | null {
  const walk = (n: FlameTree): FlameTree | null => {
    if (n.name === name) return stripCopy(n);
    const children: FlameTree[] = [];
    let total = 0;
    for (const c of n.children) {
      const f = walk(c);
      if (f) {
        children.push(f);
        total += f.total;
      }
    }
    return children.length ? { name: n.name, self: 0, total, children } : null;
  };
  return walk(tree);
}

function stripCopy(n: FlameTree): FlameTree {
  return { name: n.name, self: n.self, total: n.total, children: n.children.map(stripCopy) };
}

// -------------------------------------------------------------------- modules

const SOURCE_FILE = /([\w@.$~+-]+(?:\/[\w@.$~+-]+)*\.(?:[cm]?[jt]sx?|py|go|rs|rb|java|kt|cs|c|cc|cpp|cxx|h|hpp|wgsl|php|swift))(?=$|[:(\s)#])/;

/**
 * A module / package key for colouring frames, read from the frame name:
 * - `node:internal/streams/readable` → `node:internal`, `node:fs` → `node:fs`
 * - a source file (`workers/sandbox/kernels/matmul.ts:matmul`, `fn (file:///app/x.js:3:1)`)
 *   → the npm package when under node_modules, else the file name
 * - Go / dotted names (`runtime.mallocgc`, `net/http.(*conn).serve`,
 *   `github.com/x/y.F`) → the import path before the first dot after the last slash
 * - `std::vec::Vec::push` → `std`
 * - anything else (`total`, `[unknown]`) → '' (no module).
 */
export function moduleOf(name: string): string {
  const s = name.trim();
  const node = /^node:([\w-]+)/.exec(s);
  if (node) return `node:${node[1]}`;
  const file = SOURCE_FILE.exec(s);
  if (file) {
    const path = file[1];
    const nm = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    if (nm) return nm[1];
    return path.slice(path.lastIndexOf('/') + 1);
  }
  const cpp = /^([A-Za-z_]\w*)::/.exec(s);
  if (cpp) return cpp[1];
  const slash = s.lastIndexOf('/', s.search(/[(\s]|$/));
  const dot = s.indexOf('.', slash + 1);
  if (dot > 0 && !/\s/.test(s.slice(0, dot))) return s.slice(0, dot);
  return '';
}
