import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffModels, focusOn, indexModel, mergeModels, sandwich } from '../../../lib/model/flame';
import { dump, folded, SAMPLE_DIFF, SAMPLE_STACKS } from '../../helpers/flame-models';

test('mergeModels sums two profiles path by path, leaving the inputs untouched', () => {
  const x = folded('main 1\nmain;a 2');
  const y = folded('main;a 10\nio 7');
  const before = structuredClone([x, y]);
  assert.deepEqual(dump(mergeModels([x, y])), ['total 20/0', '  io 7/7', '  main 13/1', '    a 12/12']);
  assert.deepEqual([x, y], before);
});

test('diffModels aligns paths and puts zeros where a side lacks one', () => {
  // the same pair the diff build test reads, each side a model of its own
  const d = diffModels(folded(SAMPLE_DIFF.before), folded(SAMPLE_DIFF.after));
  assert.deepEqual(dump(d), SAMPLE_DIFF.dump);
});

test('focusOn keeps the stacks through a function: its subtrees whole, its callers cut down to them', () => {
  const m = folded(SAMPLE_STACKS);
  assert.deepEqual(dump(focusOn(m, 'a')!), [
    'total 45/0',
    '  main 45/0',
    '    a 45/20',
    '      a 20/15',
    '        a 5/5',
    '      b 5/5',
  ]);
  assert.deepEqual(dump(focusOn(m, 'c')!), ['total 40/0', '  main 40/0', '    c 40/40']);
  assert.equal(focusOn(m, 'nothing'), null);
  // A diff keeps both sides.
  const d = folded('x;f 1\ny 4', 'x;f 3\ny 1');
  assert.deepEqual(dump(focusOn(d, 'f')!), ['total 1/0 | 3/0', '  x 1/0 | 3/0', '    f 1/1 | 3/3']);
});

test('sandwich: callers upwards and callees downwards, each rooted at the function, recursion once', () => {
  const m = folded(`
main;a;b 5
main;a;a 15
main;c;a 10
main;c;a;d 4
gc;a 2`);
  const s = sandwich(m, 'a', indexModel(m))!;
  // Callers, innermost first: main → a (20, the outer a only), c → main (14), gc (2).
  assert.deepEqual(dump(s.callers), ['a 36/0', '  c 14/0', '    main 14/14', '  gc 2/2', '  main 20/20']);
  // Callees: everything below any outermost a, merged by path; the inner a is a callee of a.
  assert.deepEqual(dump(s.callees), ['a 36/12', '  a 15/15', '  b 5/5', '  d 4/4']);
  assert.equal(sandwich(m, 'zzz'), null);
});

test('sandwich of a diff carries both sides', () => {
  const d = folded('m;f;g 2\nm;f 1', 'm;f;g 5');
  const s = sandwich(d, 'f')!;
  assert.deepEqual(dump(s.callees), ['f 3/1 | 5/0', '  g 2/2 | 5/5']);
  assert.deepEqual(dump(s.callers), ['f 3/0 | 5/0', '  m 3/3 | 5/5']);
});
