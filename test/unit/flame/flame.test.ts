import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlameTree } from '../../../lib/model/types';
import {
  childrenOf,
  diffAccess,
  diffTrees,
  filterToFunction,
  flameAccess,
  flameView,
  indexDiff,
  indexTree,
  mergeTrees,
  moduleOf,
  pruneBelowFraction,
  resolvePath,
  searchTree,
  topFunctions,
} from '../../../lib/model/flame';

// Builds a tree from a compact spec: [name, self, children]; totals are derived.
type Spec = [string, number, Spec[]?];
function t([name, self, kids = []]: Spec): FlameTree {
  const children = kids.map(t);
  return { name, self, total: self + children.reduce((s, c) => s + c.total, 0), children };
}

// total 100: main(10) → a(20) → [b(5), a(15) → a(5)], c(40); gc(5)
const sample = (): FlameTree =>
  t(['total', 0, [
    ['main', 10, [
      ['a', 20, [
        ['b', 5],
        ['a', 15, [['a', 5]]],
      ]],
      ['c', 40],
    ]],
    ['gc', 5],
  ]]);

test('indexTree lays nodes out in pre-order with subtree sizes, parents and depths', () => {
  const ix = indexTree(sample());
  assert.equal(ix.count, 8);
  assert.deepEqual(Array.from(ix.nameId, (k) => ix.names[k]), ['total', 'main', 'a', 'b', 'a', 'a', 'c', 'gc']);
  assert.deepEqual(Array.from(ix.size), [8, 6, 4, 1, 2, 1, 1, 1]);
  assert.deepEqual(Array.from(ix.parent), [-1, 0, 1, 2, 2, 4, 1, 0]);
  assert.deepEqual(Array.from(ix.depth), [0, 1, 2, 3, 3, 4, 2, 1]);
  assert.deepEqual(Array.from(ix.total), [100, 95, 45, 5, 20, 5, 40, 5]);
  assert.deepEqual(childrenOf(ix, 1), [2, 6]);
  assert.deepEqual(childrenOf(ix, 0), [1, 7]);
});

test('resolvePath follows names from the root; a stale path stops at the deepest existing frame', () => {
  const tree = sample();
  const names = (chain: FlameTree[]) => chain.map((n) => n.name);
  assert.deepEqual(names(resolvePath(tree, ['main', 'a', 'a', 'a'], flameAccess)), ['total', 'main', 'a', 'a', 'a']);
  assert.deepEqual(names(resolvePath(tree, [], flameAccess)), ['total']);
  assert.deepEqual(names(resolvePath(tree, ['main', 'nope', 'a'], flameAccess)), ['total', 'main']);
  assert.equal(resolvePath(tree, ['gc'], flameAccess)[1], tree.children[1]);
});

test('indexTree handles a stack 20,000 frames deep without recursion', () => {
  let node: FlameTree = { name: 'leaf', self: 1, total: 1, children: [] };
  for (let d = 0; d < 20_000; d++) node = { name: `f${d % 7}`, self: 0, total: 1, children: [node] };
  const ix = indexTree(node);
  assert.equal(ix.count, 20_001);
  assert.equal(ix.depth[20_000], 20_000);
  assert.equal(searchTree(node, 'leaf').matchedTotal, 1);
  let depth = 0;
  for (let v = flameView([node], 0.5, flameAccess); v.children.length; v = v.children[0]) depth++;
  assert.equal(depth, 20_000);
});

test('mergeTrees sums same-path nodes and duplicate siblings, leaving inputs untouched', () => {
  const x = t(['total', 0, [['main', 1, [['a', 2]]], ['main', 3, [['b', 4]]]]]);
  const y = t(['root', 0, [['main', 0, [['a', 10]]], ['io', 7]]]);
  const before = structuredClone([x, y]);
  const m = mergeTrees([x, y]);
  assert.deepEqual(m, t(['total', 0, [['main', 4, [['a', 12], ['b', 4]]], ['io', 7]]]));
  assert.deepEqual([x, y], before);
});

test('diffTrees aligns paths and puts zeros where a side lacks one', () => {
  const left = t(['total', 0, [['main', 1, [['a', 2], ['old', 3]]]]]);
  const right = t(['total', 0, [['main', 2, [['a', 5], ['new', 1]]]]]);
  const before = structuredClone([left, right]);
  const d = diffTrees(left, right);
  assert.deepEqual(d, {
    name: 'total',
    left: { self: 0, total: 6 },
    right: { self: 0, total: 8 },
    children: [
      {
        name: 'main',
        left: { self: 1, total: 6 },
        right: { self: 2, total: 8 },
        children: [
          { name: 'a', left: { self: 2, total: 2 }, right: { self: 5, total: 5 }, children: [] },
          { name: 'old', left: { self: 3, total: 3 }, right: { self: 0, total: 0 }, children: [] },
          { name: 'new', left: { self: 0, total: 0 }, right: { self: 1, total: 1 }, children: [] },
        ],
      },
    ],
  });
  assert.deepEqual([left, right], before);
  const di = indexDiff(d);
  // widths are left + right; each side keeps its own values in the same order
  assert.deepEqual(Array.from(di.index.total), [14, 14, 7, 3, 1]);
  assert.deepEqual(Array.from(di.left.total), [6, 6, 2, 3, 0]);
  assert.deepEqual(Array.from(di.right.self), [0, 2, 5, 0, 1]);
});

test('pruneBelowFraction folds narrow frames into the parent self and keeps totals', () => {
  const tree = sample();
  const before = structuredClone(tree);
  // 6% of 100: b (5), the inner a (5) and gc (5) go
  const p = pruneBelowFraction(tree, 0.06);
  assert.deepEqual(p, {
    name: 'total', self: 5, total: 100, children: [
      { name: 'main', self: 10, total: 95, children: [
        { name: 'a', self: 25, total: 45, children: [
          { name: 'a', self: 20, total: 20, children: [] },
        ] },
        { name: 'c', self: 40, total: 40, children: [] },
      ] },
    ],
  });
  assert.deepEqual(tree, before);
  // a fraction of 0 keeps everything
  assert.deepEqual(pruneBelowFraction(tree, 0), tree);
});

test('flameView re-prunes relative to the zoomed frame and keeps its callers as a faded chain', () => {
  const tree = sample();
  // zoom on main>a (45): 0.2 × 45 = 9 drops b (5) and a>a>a (5), keeps the inner a (20)
  const chain = resolvePath(tree, ['main', 'a'], flameAccess);
  const v = flameView(chain, 0.2, flameAccess);
  assert.deepEqual([v.name, v.fade, v.children.length, v.self], ['total', true, 1, 5]);
  const main = v.children[0];
  assert.deepEqual([main.name, main.fade, main.children.length], ['main', true, 1]);
  const a = main.children[0];
  assert.equal(a.src, tree.children[0].children[0]);
  assert.equal(a.fade, undefined);
  assert.deepEqual(a.children.map((c) => [c.name, c.total, c.self, c.children.length]), [['a', 20, 20, 0]]);
  assert.equal(a.self, 25);
  // view nodes point at the real nodes, whose own self is untouched
  assert.equal(a.src.self, 20);
  // a lower fraction keeps the deep frame: detail comes back on zoom
  assert.equal(flameView(chain, 0.1, flameAccess).children[0].children[0].children.find((c) => c.name === 'a')!.children.length, 1);
  // a diff is drawn with widths of before + after
  const d = diffTrees(t(['total', 0, [['x', 3]]]), t(['total', 0, [['x', 1], ['y', 4]]]));
  const dv = flameView([d], 0, diffAccess);
  assert.deepEqual(dv.children.map((c) => [c.name, c.total]), [['x', 4], ['y', 4]]);
});

test('search runs on the full tree, counts recursion once and reports % of the root', () => {
  const rec = t(['total', 0, [['main', 10, [['Parse', 20, [['lex', 5], ['parse', 15, [['parse', 5]]]]], ['io', 40]]], ['gc', 5]]]);
  const s = searchTree(rec, 'PARSE');
  assert.equal(s.matchedFrames, 3);
  assert.equal(s.matchedTotal, 45); // not 45 + 20 + 5
  assert.equal(s.percent, 45);
  // matches in frames a 1% prune would drop still count
  const narrow = t(['total', 0, [['big', 999], ['tiny_match', 1]]]);
  assert.equal(searchTree(narrow, 'tiny').percent, 0.1);
  // the term is text, not a regular expression
  assert.equal(searchTree(t(['total', 0, [['a.b(c', 1], ['axb', 1]]]), 'a.b(').matchedTotal, 1);
  assert.equal(searchTree(sample(), '   ').matchedFrames, 0);
});

test('topFunctions sums self and counts a recursive function once in total', () => {
  const top = topFunctions(sample());
  const byName = Object.fromEntries(top.map((f) => [f.name, f]));
  assert.deepEqual(byName.a, { name: 'a', self: 40, total: 45, frames: 3 });
  assert.deepEqual(byName.c, { name: 'c', self: 40, total: 40, frames: 1 });
  assert.deepEqual(byName.main, { name: 'main', self: 10, total: 95, frames: 1 });
  // ordered by self, ties by total
  assert.deepEqual(top.slice(0, 3).map((f) => f.name), ['a', 'c', 'main']);
  // a function under two different parents: both totals count
  const two = topFunctions(t(['total', 0, [['x', 0, [['f', 3]]], ['y', 0, [['f', 4, [['f', 1]]]]]]]));
  assert.deepEqual(two.find((f) => f.name === 'f'), { name: 'f', self: 8, total: 8, frames: 3 });
});

test('filterToFunction keeps only stacks through the function', () => {
  const f = filterToFunction(sample(), 'b');
  assert.deepEqual(f, t(['total', 0, [['main', 0, [['a', 0, [['b', 5]]]]]]]));
  assert.equal(filterToFunction(sample(), 'nothing'), null);
});

test('moduleOf derives a package / module key from frame names', () => {
  const cases: [string, string][] = [
    ['node:internal/streams/readable:read', 'node:internal'],
    ['node:fs:readFileSync', 'node:fs'],
    ['workers/sandbox/kernels/matmul.ts:matmul', 'matmul.ts'],
    ['file.ts:fn', 'file.ts'],
    ['render (file:///app/node_modules/react-dom/cjs/react-dom.js:12:3)', 'react-dom'],
    [':handle:/srv/node_modules/@scope/pkg/lib/x.js:1', '@scope/pkg'],
    ['runtime.mallocgc', 'runtime'],
    ['runtime.(*mheap).allocSpan', 'runtime'],
    ['net/http.(*conn).serve', 'net/http'],
    ['github.com/grafana/pyroscope/pkg/ingester.(*Ingester).Push', 'github.com/grafana/pyroscope/pkg/ingester'],
    ['pkg.fn', 'pkg'],
    ['std::vec::Vec<T>::push', 'std'],
    ['total', ''],
    ['[unknown]', ''],
    ['<img src=x onerror=alert(1)>', ''],
  ];
  for (const [name, want] of cases) assert.equal(moduleOf(name), want, name);
});
