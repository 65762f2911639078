import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  capNodes,
  childrenOf,
  emptyModel,
  indexModel,
  maxSelf,
  modelFromStacks,
  modelProblem,
  nodeCount,
  pathOf,
  resolvePath,
  widthOf,
} from '../../../lib/model/flame';
import { dump, folded, randomModel, SAMPLE_DIFF, SAMPLE_STACKS } from '../../helpers/flame-models';

test('modelFromStacks emits pre-order with children in name order and sums equal paths', () => {
  const m = folded(SAMPLE_STACKS);
  assert.deepEqual(dump(m), [
    'total 100/0',
    '  gc 5/5',
    '  main 95/10',
    '    a 45/20',
    '      a 20/15',
    '        a 5/5',
    '      b 5/5',
    '    c 40/40',
  ]);
  assert.equal(modelProblem(m), null);
  // The same stack twice (or in another order) is one node.
  assert.deepEqual(dump(folded('x;y 1\nz 2\nx;y 3')), ['total 6/0', '  x 4/0', '    y 4/4', '  z 2/2']);
  // An empty stack is the root's own samples; zero-weight stacks leave nothing behind.
  assert.deepEqual(dump(folded(' 7\nq 0\nr 1')), ['total 8/7', '  r 1/1']);
});

test('indexModel: subtree sizes and parents; childrenOf, pathOf and resolvePath walk them', () => {
  const m = folded(SAMPLE_STACKS);
  const ix = indexModel(m);
  assert.deepEqual(Array.from(ix.size), [8, 1, 6, 4, 2, 1, 1, 1]);
  assert.deepEqual(Array.from(ix.parent), [-1, 0, 0, 2, 3, 4, 3, 2]);
  assert.deepEqual(childrenOf(ix, 0), [1, 2]);
  assert.deepEqual(childrenOf(ix, 3), [4, 6]);
  assert.deepEqual(pathOf(m, ix, 5), ['main', 'a', 'a', 'a']);
  assert.deepEqual(resolvePath(m, ix, ['main', 'a', 'a', 'a']), [0, 2, 3, 4, 5]);
  // A stale path stops at the deepest frame that still exists.
  assert.deepEqual(resolvePath(m, ix, ['main', 'nope', 'a']), [0, 2]);
  assert.deepEqual(resolvePath(m, ix, []), [0]);
  assert.equal(maxSelf(m), 40);
});

test('a stack 20,000 frames deep is built and indexed without recursion', () => {
  const stack = Array.from({ length: 20_000 }, (_, d) => d % 7);
  const m = modelFromStacks({ names: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6'], stacks: [stack], values: [3] });
  assert.equal(nodeCount(m), 20_001);
  const ix = indexModel(m);
  assert.equal(ix.size[0], 20_001);
  assert.equal(m.level[20_000], 20_000);
  assert.equal(resolvePath(m, ix, pathOf(m, ix, 20_000)).length, 20_001);
});

test('a diff carries both sides node for node; widths are before + after', () => {
  const d = folded(SAMPLE_DIFF.before, SAMPLE_DIFF.after);
  assert.deepEqual(dump(d), SAMPLE_DIFF.dump);
  assert.equal(widthOf(d, 0), 14);
  assert.equal(modelProblem(d), null);
});

test('capNodes keeps the widest nodes and folds the rest into one "other" per parent, totals intact', () => {
  const m = folded(SAMPLE_STACKS);
  // 4 nodes below the root: main 95, c 40, a 45, a 20 (ties broken left to right).
  const c = capNodes(m, 4);
  assert.deepEqual(dump(c), [
    'total 100/0',
    '  main 95/10',
    '    a 45/20',
    '      a 20/15',
    '        other 5/5',
    '      other 5/5',
    '    c 40/40',
    '  other 5/5',
  ]);
  assert.equal(modelProblem(c), null);
  // Self of every kept frame is unchanged; the model is not touched.
  assert.equal(capNodes(m, 100), m);
  assert.equal(dump(m)[1], '  gc 5/5');
  // Names nobody refers to any more are dropped.
  assert.ok(!c.names.includes('gc') && !c.names.includes('b'));
});

test('capNodes bounds a big random model and keeps every total', () => {
  const m = randomModel(20_000, 3);
  const c = capNodes(m, 1000);
  const ix = indexModel(c);
  const realNodes = c.name.filter((k) => c.names[k] !== 'other').length - 1;
  assert.ok(realNodes <= 1000, `${realNodes} nodes kept`);
  assert.equal(c.value[0], m.value[0]);
  // total = self + children's totals, everywhere
  for (let i = 0; i < ix.count; i++) {
    const kids = childrenOf(ix, i).reduce((s, j) => s + c.value[j], 0);
    assert.equal(c.value[i], c.self[i] + kids, `node ${i}`);
  }
});

test('capNodes on a diff folds both sides', () => {
  const d = folded('a 10\nb 1\nc 1', 'a 10\nb 2\nc 3');
  const c = capNodes(d, 1);
  assert.deepEqual(dump(c), ['total 12/0 | 15/0', '  a 10/10 | 10/10', '  other 2/2 | 5/5']);
});

test('modelProblem names what is wrong', () => {
  assert.equal(modelProblem(emptyModel()), null);
  assert.match(modelProblem({ ...emptyModel(), level: [0, 2], name: [0, 0], value: [1, 1], self: [0, 1] })!, /jumps from level 0 to 2/);
  assert.match(modelProblem({ ...emptyModel(), name: [4] })!, /names 4 of 1/);
  assert.match(modelProblem({ ...emptyModel(), self: [1] })!, /total 0 < self 1/);
});
