// Pure operations on flat flame models: merge, diff, focus (the stacks
// through one function) and sandwich (its callers and callees). Inputs are
// never modified; each returns a new model in the same shape.
import { NameTable, compactNames, modelFromStacks } from './build';
import { indexModel, isDiff, nodeCount, type FlameIndex, type FlameModel } from './model';

/** Every node with own samples as a stack (name ids below the root, on one shared table), on one side of a diff. */
function collectStacks(m: FlameModel, table: NameTable, into: { stacks: number[][]; values: number[]; rightValues: number[] }, asRight: boolean): void {
  const remap = m.names.map((n) => table.id(n));
  const path: number[] = [];
  for (let i = 0; i < nodeCount(m); i++) {
    const l = m.level[i];
    if (l > 0) path[l - 1] = remap[m.name[i]];
    const v = m.self[i];
    if (!v) continue;
    into.stacks.push(path.slice(0, l));
    into.values.push(asRight ? 0 : v);
    into.rightValues.push(asRight ? v : 0);
  }
}

/** Sums models path by path (root names aside); duplicate siblings in an input become one node. */
export function mergeModels(models: readonly FlameModel[]): FlameModel {
  const table = new NameTable();
  const acc = { stacks: [] as number[][], values: [] as number[], rightValues: [] as number[] };
  for (const m of models) collectStacks(m, table, acc, false);
  return modelFromStacks({ names: table.names, stacks: acc.stacks, values: acc.values });
}

/**
 * Aligns two profiles by name path into one diff model: `value` / `self` from
 * `before`, `right` from `after`; a path present on one side only has zeros on
 * the other.
 */
export function diffModels(before: FlameModel, after: FlameModel): FlameModel {
  const table = new NameTable();
  const acc = { stacks: [] as number[][], values: [] as number[], rightValues: [] as number[] };
  collectStacks(before, table, acc, false);
  collectStacks(after, table, acc, true);
  return modelFromStacks({ names: table.names, stacks: acc.stacks, values: acc.values, rightValues: acc.rightValues });
}

/** Ids of the names equal to `name` (a wire-built table may repeat a name). */
function idsOf(m: FlameModel, name: string): Uint8Array {
  const hit = new Uint8Array(m.names.length);
  for (let k = 0; k < m.names.length; k++) if (m.names[k] === name) hit[k] = 1;
  return hit;
}

/** Nodes named `name` that are not inside another such node (recursion counted once). */
function outermost(m: FlameModel, ix: FlameIndex, name: string): number[] {
  const hit = idsOf(m, name);
  const out: number[] = [];
  for (let i = 0; i < ix.count; ) {
    if (hit[m.name[i]]) {
      out.push(i);
      i += ix.size[i];
    } else i++;
  }
  return out;
}

/**
 * Only the stacks that pass through a frame named `name`: such frames keep
 * their whole subtree; their callers keep only the part that leads to them
 * (total shrinks to that, self 0). Null when no frame has that name.
 */
export function focusOn(m: FlameModel, name: string, ix: FlameIndex = indexModel(m)): FlameModel | null {
  const tops = outermost(m, ix, name);
  if (!tops.length) return null;
  const n = ix.count;
  // inside[i]: i lies in a matching subtree (kept as is).
  const inside = new Uint8Array(n);
  for (const t of tops) inside.fill(1, t, t + ix.size[t]);
  // Callers' totals: the sum of the outermost matches below them.
  const acc = new Float64Array(n);
  const accR = new Float64Array(n);
  const keep = new Uint8Array(n);
  for (const t of tops) {
    for (let p = ix.parent[t]; p >= 0; p = ix.parent[p]) {
      acc[p] += m.value[t];
      if (m.right) accR[p] += m.right.value[t];
      keep[p] = 1;
    }
  }
  const out: FlameModel = { names: m.names, name: [], level: [], value: [], self: [] };
  const right = m.right ? { value: [] as number[], self: [] as number[] } : undefined;
  if (right) out.right = right;
  for (let i = 0; i < n; i++) {
    if (!inside[i] && !keep[i]) continue;
    out.name.push(m.name[i]);
    out.level.push(m.level[i]);
    out.value.push(inside[i] ? m.value[i] : acc[i]);
    out.self.push(inside[i] ? m.self[i] : 0);
    if (right && m.right) {
      right.value.push(inside[i] ? m.right.value[i] : accR[i]);
      right.self.push(inside[i] ? m.right.self[i] : 0);
    }
  }
  return out;
}

export interface Sandwich {
  /** who calls the function: rooted at it, each caller one level further out (drawn upwards) */
  callers: FlameModel;
  /** what the function calls: all its frames merged, rooted at it */
  callees: FlameModel;
}

/**
 * The sandwich view of one function, as Pyroscope and Grafana draw it: its
 * callers and its callees, each rooted at the function, over every place it
 * occurs. A recursive function counts once per stack (its outermost frame).
 * Null when no frame has that name.
 */
export function sandwich(m: FlameModel, name: string, ix: FlameIndex = indexModel(m)): Sandwich | null {
  const tops = outermost(m, ix, name);
  if (!tops.length) return null;
  const diff = isDiff(m);
  // Callees: every sample under an occurrence, as its path below the occurrence.
  const callees = { stacks: [] as number[][], values: [] as number[], rightValues: [] as number[] };
  // Callers: one stack per occurrence, its callers innermost first, weighted by the occurrence's total.
  const callers = { stacks: [] as number[][], values: [] as number[], rightValues: [] as number[] };
  for (const t of tops) {
    const base = m.level[t];
    const path: number[] = [];
    const end = t + ix.size[t];
    for (let i = t; i < end; i++) {
      const d = m.level[i] - base;
      if (d > 0) path[d - 1] = m.name[i];
      const l = m.self[i];
      const r = m.right?.self[i] ?? 0;
      if (!l && !r) continue;
      callees.stacks.push(path.slice(0, d));
      callees.values.push(l);
      callees.rightValues.push(r);
    }
    const up: number[] = [];
    for (let p = ix.parent[t]; p > 0; p = ix.parent[p]) up.push(m.name[p]);
    callers.stacks.push(up);
    callers.values.push(m.value[t]);
    callers.rightValues.push(m.right?.value[t] ?? 0);
  }
  const build = (s: typeof callees) => {
    const model = modelFromStacks({ names: m.names, stacks: s.stacks, values: s.values, rightValues: diff ? s.rightValues : undefined });
    return renameRoot(model, name);
  };
  return { callers: build(callers), callees: build(callees) };
}

/** The same model with its root called `name`. */
function renameRoot(m: FlameModel, name: string): FlameModel {
  const names = [...m.names];
  const id = names.indexOf(name);
  const rootId = id >= 0 ? id : names.push(name) - 1;
  const ids = [...m.name];
  ids[0] = rootId;
  return compactNames({ ...m, names, name: ids });
}
