import { test } from 'node:test';
import assert from 'node:assert/strict';
import { indexModel, nameMatcher, searchModel, topFunctions } from '../../../lib/model/flame';
import { folded, SAMPLE_STACKS } from '../../helpers/flame-models';

test('searchModel counts every matching frame and each matched subtree once', () => {
  const m = folded('m;x;x;x 3\nm;x 2\nm;y 5\nq;x 10');
  const ix = indexModel(m);
  const x = searchModel(m, ix, nameMatcher('X'));
  assert.equal(x.matchedFrames, 4);
  assert.equal(x.matchedTotal, 15); // the inner x's are inside the outer one
  assert.equal(x.percent, 75);
  assert.equal(searchModel(m, ix, nameMatcher('  ')).matchedFrames, 0, 'blank matches nothing');
  // user input is text, not a regex
  const weird = folded('fn.*( 3\nfnx 1');
  assert.equal(searchModel(weird, indexModel(weird), nameMatcher('.*(')).matchedTotal, 3);
});

test('topFunctions: self and total per name, recursion counted once, sorted by self', () => {
  const m = folded(SAMPLE_STACKS);
  const top = topFunctions(m, indexModel(m));
  assert.deepEqual(
    top.map((f) => [f.name, f.self, f.total, f.frames]),
    [
      ['a', 40, 45, 3],
      ['c', 40, 40, 1],
      ['main', 10, 95, 1],
      ['b', 5, 5, 1],
      ['gc', 5, 5, 1],
      ['total', 0, 100, 1],
    ],
  );
});

test('topFunctions of a diff reads either side', () => {
  const d = folded('x;f 1\ny 4', 'x;f 3\ny 1');
  const ix = indexModel(d);
  assert.deepEqual(topFunctions(d, ix).slice(0, 2).map((f) => [f.name, f.self]), [['y', 4], ['f', 1]]);
  assert.deepEqual(topFunctions(d, ix, 'right').slice(0, 2).map((f) => [f.name, f.self]), [['f', 3], ['y', 1]]);
});
