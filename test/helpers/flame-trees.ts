import { mulberry32 } from '../../lib/random';
import type { FlameTree } from '../../lib/model/types';

// Seeded, realistic-looking flame trees for the benchmark: stacks are walks of
// a call graph in which each function has a few favourite callees (so stacks
// share prefixes, as in real profiles), with heavy-tailed sample weights.

export const rng = mulberry32;

interface Trie {
  name: string;
  self: number;
  total: number;
  children: Trie[];
  byName: Map<string, Trie>;
}

/** Exactly `nodes` frames (root included), same tree for the same seed. */
export function randomTree(nodes: number, seed = 1): FlameTree {
  const r = rng(seed);
  const fnCount = Math.max(200, Math.floor(nodes / 8));
  const modules = Math.max(20, Math.floor(fnCount / 40));
  const names: string[] = [];
  for (let k = 0; k < fnCount; k++) {
    const m = Math.floor(r() * modules);
    // Mix of frame name styles the app meets: TS files, Go packages, Node internals.
    const style = r();
    names.push(
      style < 0.6
        ? `src/mod${m}/file${m % 7}.ts:fn${k}`
        : style < 0.9
          ? `github.com/acme/pkg${m}.Func${k}`
          : `node:internal/mod${m}:fn${k}`,
    );
  }
  const callees = names.map(() => {
    const n = 2 + Math.floor(r() * 6);
    return Array.from({ length: n }, () => Math.floor(r() * fnCount));
  });
  const entries = Array.from({ length: 12 }, () => Math.floor(r() * fnCount));

  const root: Trie = { name: 'total', self: 0, total: 0, children: [], byName: new Map() };
  let count = 1;
  while (count < nodes) {
    const depth = 4 + Math.floor(r() ** 2 * 60);
    // Heavy-tailed weight: a few hot stacks, many cold ones.
    const weight = Math.max(1, Math.floor(1e7 / (1 + r() * 999) ** 1.2)) * 10;
    let node = root;
    let fn = entries[Math.floor(r() ** 2 * entries.length)];
    for (let d = 0; d < depth && count < nodes; d++) {
      const name = names[fn];
      let child = node.byName.get(name);
      if (!child) {
        child = { name, self: 0, total: 0, children: [], byName: new Map() };
        node.byName.set(name, child);
        node.children.push(child);
        count++;
      }
      node = child;
      const list = callees[fn];
      // Mostly a favourite callee (squared: skewed to the first), sometimes anything.
      fn = r() < 0.9 ? list[Math.floor(r() ** 2 * list.length)] : Math.floor(r() * fnCount);
    }
    node.self += weight;
  }
  // Totals bottom-up, iteratively (stacks can be deep); drop the lookup maps.
  const order: Trie[] = [];
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    order.push(n);
    for (const c of n.children) stack.push(c);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    n.total = n.self + n.children.reduce((s, c) => s + c.total, 0);
  }
  const strip = (n: Trie): FlameTree => ({ name: n.name, self: n.self, total: n.total, children: n.children.map(strip) });
  return strip(root);
}
