// Building the flat model: from stacks (the embedded store, pprof), and
// capping it at `maxNodes` the way Pyroscope's querier does. Pure.
import { ROOT_NAME, indexModel, nodeCount, widthOf, type FlameModel } from './model';

/** Interns frame names into ids, in first-seen order. */
export class NameTable {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  constructor(first: readonly string[] = []) {
    for (const n of first) this.id(n);
  }
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.push(name) - 1;
      this.ids.set(name, id);
    }
    return id;
  }
}

export interface StackInput {
  /** frame names; `stacks` refer to them by index */
  names: readonly string[];
  /** per stack: name ids from the root-most frame to the leaf */
  stacks: readonly ArrayLike<number>[];
  /** per stack: its samples (the leaf's self) */
  values: ArrayLike<number>;
  /** per stack, for a diff: the comparison side's samples */
  rightValues?: ArrayLike<number>;
}

/**
 * The model of weighted stacks. Stacks are sorted by frame name, so a frame's
 * children come in name order (as Pyroscope orders them) and equal paths,
 * across stacks or repeated, become one node. One pass over the sorted stacks
 * emits the pre-order directly: no tree of objects is built.
 */
export function modelFromStacks(input: StackInput): FlameModel {
  const { stacks, values, rightValues } = input;
  const table = new NameTable([ROOT_NAME]);
  // Ids of the input's names in the output table (the root's name comes first).
  const remap = input.names.map((n) => table.id(n));
  const rank = rankOf(table.names);
  const order: number[] = [];
  for (let s = 0; s < stacks.length; s++) if (values[s] || rightValues?.[s]) order.push(s);
  order.sort((a, b) => {
    const x = stacks[a];
    const y = stacks[b];
    const n = Math.min(x.length, y.length);
    for (let k = 0; k < n; k++) {
      const d = rank[remap[x[k]]] - rank[remap[y[k]]];
      if (d) return d;
    }
    return x.length - y.length;
  });
  const m: FlameModel = { names: table.names, name: [0], level: [0], value: [0], self: [0] };
  const right = rightValues ? { value: [0], self: [0] } : undefined;
  if (right) m.right = right;
  // path[d] = node index at depth d of the previous stack.
  const path = [0];
  let prev: ArrayLike<number> = [];
  for (const s of order) {
    const st = stacks[s];
    let k = 0;
    const common = Math.min(prev.length, st.length);
    while (k < common && prev[k] === st[k]) k++;
    path.length = k + 1;
    for (let d = k; d < st.length; d++) {
      path.push(m.level.length);
      m.name.push(remap[st[d]]);
      m.level.push(d + 1);
      m.value.push(0);
      m.self.push(0);
      if (right) {
        right.value.push(0);
        right.self.push(0);
      }
    }
    const v = values[s] || 0;
    const r = rightValues?.[s] || 0;
    for (const i of path) {
      m.value[i] += v;
      if (right) right.value[i] += r;
    }
    const leaf = path[path.length - 1];
    m.self[leaf] += v;
    if (right) right.self[leaf] += r;
    prev = st;
  }
  return m;
}

/** rank[id] = position of names[id] in sorted order. */
function rankOf(names: readonly string[]): Int32Array {
  const ids = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  const rank = new Int32Array(names.length);
  ids.forEach((id, r) => {
    rank[id] = r;
  });
  return rank;
}

/** The name Pyroscope gives the node that stands for a parent's cut children. */
export const OTHER_NAME = 'other';

/**
 * At most `maxNodes` nodes below the root, as Pyroscope's querier truncates a
 * flame graph: the nodes with the largest totals stay; what is cut under a
 * parent becomes one "other" child holding its total as self, so every total
 * still adds up and the kept frames' self is untouched. Ties at the bar are
 * admitted left to right until the budget is spent. Returns the model itself
 * when it is small enough.
 */
export function capNodes(m: FlameModel, maxNodes: number): FlameModel {
  const n = nodeCount(m);
  if (!(maxNodes >= 1) || n - 1 <= maxNodes) return m;
  const widths = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) widths[i - 1] = widthOf(m, i);
  widths.sort();
  const bar = widths[widths.length - maxNodes];
  const ix = indexModel(m);
  const table = new NameTable(m.names);
  const other = table.id(OTHER_NAME);
  const out: FlameModel = { names: table.names, name: [], level: [], value: [], self: [] };
  const right = m.right ? { value: [] as number[], self: [] as number[] } : undefined;
  if (right) out.right = right;
  const push = (name: number, level: number, v: number, s: number, rv: number, rs: number) => {
    out.name.push(name);
    out.level.push(level);
    out.value.push(v);
    out.self.push(s);
    if (right) {
      right.value.push(rv);
      right.self.push(rs);
    }
  };
  // Open kept nodes (by level) with what was cut below each so far.
  const open: { level: number; cut: number; cutRight: number }[] = [];
  const close = (downTo: number) => {
    while (open.length && open[open.length - 1].level >= downTo) {
      const o = open.pop()!;
      if (o.cut || o.cutRight) push(other, o.level + 1, o.cut, o.cut, o.cutRight, o.cutRight);
    }
  };
  let budget = maxNodes;
  for (let i = 0; i < n; ) {
    const level = m.level[i];
    close(level);
    if (i > 0 && !(widthOf(m, i) >= bar && widthOf(m, i) > 0 && budget > 0)) {
      const parent = open[open.length - 1];
      parent.cut += m.value[i];
      if (m.right) parent.cutRight += m.right.value[i];
      i += ix.size[i];
      continue;
    }
    if (i > 0) budget--;
    push(m.name[i], level, m.value[i], m.self[i], m.right?.value[i] ?? 0, m.right?.self[i] ?? 0);
    open.push({ level, cut: 0, cutRight: 0 });
    i++;
  }
  close(0);
  return compactNames(out);
}

/** Drops names no node refers to (a capped model keeps a fraction of them). */
export function compactNames(m: FlameModel): FlameModel {
  const map = new Int32Array(m.names.length).fill(-1);
  const names: string[] = [];
  const name = m.name.map((k) => {
    if (map[k] < 0) map[k] = names.push(m.names[k]) - 1;
    return map[k];
  });
  return { ...m, names, name };
}
