import { mulberry32 } from '../../lib/random';
import { NameTable, childrenOf, indexModel, modelFromStacks, nodeCount, type FlameModel } from '../../lib/model/flame';

// Flame models for tests and the benchmark: from folded stacks (the
// `a;b;c 10` lines Brendan Gregg's flamegraph.pl reads), and seeded,
// realistic-looking random ones.

/** The small profile the model tests share; total 100: main(10) → a(20) → [b(5), a(15) → a(5)], c(40); gc(5). */
export const SAMPLE_STACKS = `
main 10
main;a 20
main;a;b 5
main;a;a 15
main;a;a;a 5
main;c 40
gc 5`;

/** A before/after pair the diff tests share (one path in both, one gone, one new) and the diff's dump. */
export const SAMPLE_DIFF = {
  before: 'main;a 2\nmain;old 3\nmain 1',
  after: 'main;a 5\nmain;new 1\nmain 2',
  dump: ['total 6/0 | 8/0', '  main 6/1 | 8/2', '    a 2/2 | 5/5', '    new 0/0 | 1/1', '    old 3/3 | 0/0'],
};

/** `main;a;b 5` per line (frames root first, then the value); `after` values make a diff. */
export function folded(text: string, after?: string): FlameModel {
  const table = new NameTable();
  const stacks: number[][] = [];
  const values: number[] = [];
  const rightValues: number[] = [];
  const read = (t: string, right: boolean) => {
    for (const line of t.trim().split('\n')) {
      const m = /^(.*?)\s*(\d+(?:\.\d+)?)$/.exec(line.trim());
      if (!m) throw new Error(`not a folded line: ${line}`);
      stacks.push(m[1] === '' ? [] : m[1].split(';').map((n) => table.id(n)));
      values.push(right ? 0 : Number(m[2]));
      rightValues.push(right ? Number(m[2]) : 0);
    }
  };
  read(text, false);
  if (after !== undefined) read(after, true);
  return modelFromStacks({ names: table.names, stacks, values, rightValues: after !== undefined ? rightValues : undefined });
}

/** A readable dump: one `level name value/self` per node, indented. */
export function dump(m: FlameModel): string[] {
  const out: string[] = [];
  for (let i = 0; i < nodeCount(m); i++) {
    const r = m.right ? ` | ${m.right.value[i]}/${m.right.self[i]}` : '';
    out.push(`${'  '.repeat(m.level[i])}${m.names[m.name[i]]} ${m.value[i]}/${m.self[i]}${r}`);
  }
  return out;
}

export const rng = mulberry32;

/**
 * Exactly `nodes` frames (root included), the same model for the same seed.
 * Stacks are walks of a call graph in which each function has a few favourite
 * callees (so stacks share prefixes, as in real profiles), with heavy-tailed
 * sample weights; frame names mix the styles the app meets (TS files, Go
 * packages, Node internals).
 */
export function randomModel(nodes: number, seed = 1): FlameModel {
  const r = rng(seed);
  const fnCount = Math.max(200, Math.floor(nodes / 8));
  const modules = Math.max(20, Math.floor(fnCount / 40));
  const names: string[] = ['total'];
  for (let k = 0; k < fnCount; k++) {
    const mod = Math.floor(r() * modules);
    const style = r();
    names.push(
      style < 0.6
        ? `./src/mod${mod}/file${mod % 7}.ts:fn${k}:${1 + (k % 400)}`
        : style < 0.9
          ? `github.com/acme/pkg${mod}.Func${k}`
          : `node:internal/mod${mod}:fn${k}:${1 + (k % 90)}`,
    );
  }
  const callees = names.map(() => {
    const n = 2 + Math.floor(r() * 6);
    return Array.from({ length: n }, () => 1 + Math.floor(r() * fnCount));
  });
  const entries = Array.from({ length: 12 }, () => 1 + Math.floor(r() * fnCount));
  // A trie in flat arrays (children keyed by name id), then pre-order by insertion.
  const kids: Map<number, number>[] = [new Map()];
  const nameOf: number[] = [0];
  const self: number[] = [0];
  let count = 1;
  while (count < nodes) {
    const depth = 4 + Math.floor(r() ** 2 * 60);
    // Heavy-tailed weight: a few hot stacks, many cold ones.
    const weight = Math.max(1, Math.floor(1e7 / (1 + r() * 999) ** 1.2)) * 10;
    let at = 0;
    let fn = entries[Math.floor(r() ** 2 * entries.length)];
    for (let d = 0; d < depth && count < nodes; d++) {
      let child = kids[at].get(fn);
      if (child === undefined) {
        child = count++;
        kids[at].set(fn, child);
        kids.push(new Map());
        nameOf.push(fn);
        self.push(0);
      }
      at = child;
      const list = callees[fn];
      // Mostly a favourite callee (squared: skewed to the first), sometimes anything.
      fn = r() < 0.9 ? list[Math.floor(r() ** 2 * list.length)] : 1 + Math.floor(r() * fnCount);
    }
    self[at] += weight;
  }
  const m: FlameModel = { names, name: [], level: [], value: [], self: [] };
  const order: number[] = [];
  const stack: [number, number][] = [[0, 0]];
  while (stack.length) {
    const [n, level] = stack.pop()!;
    order.push(n);
    m.name.push(nameOf[n]);
    m.level.push(level);
    m.self.push(self[n]);
    m.value.push(0);
    const ch = [...kids[n].values()];
    for (let k = ch.length - 1; k >= 0; k--) stack.push([ch[k], level + 1]);
  }
  // Totals bottom-up: a reverse pre-order sweep adds each node into its parent.
  const parentAt: number[] = [];
  const parent = new Int32Array(order.length).fill(-1);
  for (let i = 0; i < order.length; i++) {
    if (m.level[i] > 0) parent[i] = parentAt[m.level[i] - 1];
    parentAt[m.level[i]] = i;
  }
  for (let i = order.length - 1; i >= 0; i--) {
    m.value[i] += m.self[i];
    if (parent[i] >= 0) m.value[parent[i]] += m.value[i];
  }
  return m;
}

/** Pyroscope's own invariant, on every node (both sides of a diff): total = self + the children's totals. Returns the node count. */
export function checkSums(m: FlameModel): number {
  const ix = indexModel(m);
  const sides = m.right ? [m, m.right] : [m];
  for (let i = 0; i < ix.count; i++) {
    for (const s of sides) {
      const kids = childrenOf(ix, i).reduce((a, j) => a + s.value[j], 0);
      if (s.self[i] + kids !== s.value[i]) throw new Error(`sums at node ${i} (${m.names[m.name[i]]}): ${s.self[i]} + ${kids} ≠ ${s.value[i]}`);
    }
  }
  return ix.count;
}

/** [name, total] of node i's children, left to right. */
export function childTotals(m: FlameModel, i = 0): [string, number][] {
  return childrenOf(indexModel(m), i).map((j) => [m.names[m.name[j]], m.value[j]]);
}

/** Every distinct frame name the model's nodes use. */
export function frameNames(m: FlameModel): Set<string> {
  return new Set(m.name.map((k) => m.names[k]));
}

/** Self per frame path (`/a/b`), for comparing models built two ways regardless of sibling order. */
export function selfByPath(m: FlameModel): Map<string, number> {
  const out = new Map<string, number>();
  const path: string[] = [];
  for (let i = 0; i < nodeCount(m); i++) {
    path.length = m.level[i];
    if (m.level[i] > 0) path[m.level[i] - 1] = m.names[m.name[i]];
    const key = path.map((p) => `/${p}`).join('');
    if (m.self[i]) out.set(key, (out.get(key) ?? 0) + m.self[i]);
  }
  return out;
}
