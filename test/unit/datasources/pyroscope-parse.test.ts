import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeConnectError, modelFromDiffLevels, modelFromFlameLevels, parseFlameGraphResponse, profileTypeFromId } from '../../../lib/datasources/pyroscope/parse';
import { emptyModel } from '../../../lib/model/flame';
import { BackendError } from '../../../lib/model/types';
import { dump } from '../../helpers/flame-models';

test('modelFromFlameLevels: delta offsets place a node under the right parent, in pre-order', () => {
  // total(10) ─┬ a(4) ─ a1(3)
  //            └ b(6) ─┬ (gap of 1: b's self)
  //                    └ b1(2) at x=5, b2(3) at x=7
  const names = ['total', 'a', 'b', 'a1', 'b1', 'b2'];
  const m = modelFromFlameLevels(names, [
    [0, 10, 0, 0],
    [0, 4, 1, 1, 0, 6, 1, 2],
    [0, 3, 3, 3, 2, 2, 2, 4, 0, 3, 3, 5], // a1 at 0; b1 at 3+2 = 5; b2 right after at 7
  ]);
  assert.deepEqual(dump(m), ['total 10/0', '  a 4/1', '    a1 3/3', '  b 6/1', '    b1 2/2', '    b2 3/3']);
  // The names table is Pyroscope's own, used as is.
  assert.equal(m.names, names);
});

test('modelFromFlameLevels: a parent without children between two with children', () => {
  const m = modelFromFlameLevels(['total', 'a', 'b', 'c', 'x', 'z'], [
    [0, 9, 0, 0],
    [0, 3, 0, 1, 0, 3, 3, 2, 0, 3, 0, 3],
    [0, 3, 3, 4, 3, 3, 3, 5], // x under a, z under c (3 to skip b)
  ]);
  assert.deepEqual(dump(m), ['total 9/0', '  a 3/0', '    x 3/3', '  b 3/3', '  c 3/0', '    z 3/3']);
});

test('modelFromFlameLevels: zero-width nodes are dropped; empty input is an empty root', () => {
  assert.deepEqual(dump(modelFromFlameLevels(['total', 'x', 'y'], [[0, 2, 0, 0], [0, 0, 0, 1, 0, 2, 2, 2]])), ['total 2/0', '  y 2/2']);
  assert.deepEqual(modelFromFlameLevels([], []), emptyModel());
  assert.deepEqual(parseFlameGraphResponse({}).flame, emptyModel());
});

test('modelFromFlameLevels rejects layouts that do not nest, bad name indices and ragged levels', () => {
  // child wider than its parent
  assert.throws(() => modelFromFlameLevels(['total', 'a'], [[0, 2, 0, 0], [0, 3, 3, 1]]), BackendError);
  // child placed past every parent
  assert.throws(() => modelFromFlameLevels(['total', 'a'], [[0, 2, 0, 0], [5, 1, 1, 1]]), /inside a node of the level above/);
  assert.throws(() => modelFromFlameLevels(['total'], [[0, 2, 0, 7]]), /name index/);
  assert.throws(() => modelFromFlameLevels(['total'], [[0, 2, 0]]), /multiple of 4/);
  assert.throws(() => modelFromFlameLevels(['total'], [[0, 2, 0, 0, 0, 1, 0, 0]]), /single root/);
});

test('modelFromDiffLevels: a node present on one side only still finds its parent', () => {
  const m = modelFromDiffLevels(
    ['total', 'old', 'new'],
    [
      [0, 4, 0, 0, 5, 0, 0],
      // old: left only (4), new: right only, placed after old on the left (offset 0) and at 0 on the right
      [0, 4, 4, 0, 0, 0, 1, 0, 0, 0, 0, 5, 5, 2],
    ],
  );
  assert.deepEqual(dump(m), ['total 4/0 | 5/0', '  old 4/4 | 0/0', '  new 0/0 | 5/5']);
});

test('profileTypeFromId splits the five parts', () => {
  assert.deepEqual(profileTypeFromId('wall:wall:nanoseconds:wall:nanoseconds'), {
    id: 'wall:wall:nanoseconds:wall:nanoseconds',
    name: 'wall',
    sampleType: 'wall',
    sampleUnit: 'nanoseconds',
    periodType: 'wall',
    periodUnit: 'nanoseconds',
  });
  assert.throws(() => profileTypeFromId('cpu'), BackendError);
});

test('decodeConnectError: Connect JSON, or the text of anything else', () => {
  assert.deepEqual(decodeConnectError(404, '{"code":"not_found","message":"no such tenant"}'), { message: 'no such tenant', errorType: 'not_found' });
  assert.deepEqual(decodeConnectError(503, '{"code":"unavailable"}'), { message: 'unavailable', errorType: 'unavailable' });
  assert.deepEqual(decodeConnectError(502, 'upstream connect error'), { message: 'upstream connect error' });
});
