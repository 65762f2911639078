import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeConnectError, diffTreeFromLevels, flameTreeFromLevels, parseFlameGraphResponse, profileTypeFromId } from '../../../lib/datasources/pyroscope/parse';
import { BackendError } from '../../../lib/model/types';

test('flameTreeFromLevels: delta offsets place a node under the right parent', () => {
  // total(10) ─┬ a(4) ─ a1(3)
  //            └ b(6) ─┬ (gap of 1: b's self) 
  //                    └ b1(2) at x=5, b2(3) at x=7
  const names = ['total', 'a', 'b', 'a1', 'b1', 'b2'];
  const tree = flameTreeFromLevels(names, [
    [0, 10, 0, 0],
    [0, 4, 1, 1, 0, 6, 1, 2],
    [0, 3, 3, 3, 2, 2, 2, 4, 0, 3, 3, 5], // a1 at 0; b1 at 3+2 = 5; b2 right after at 7
  ]);
  assert.deepEqual(tree, {
    name: 'total',
    total: 10,
    self: 0,
    children: [
      { name: 'a', total: 4, self: 1, children: [{ name: 'a1', total: 3, self: 3, children: [] }] },
      { name: 'b', total: 6, self: 1, children: [{ name: 'b1', total: 2, self: 2, children: [] }, { name: 'b2', total: 3, self: 3, children: [] }] },
    ],
  });
});

test('flameTreeFromLevels: zero-width nodes are dropped; empty input is an empty root', () => {
  const t = flameTreeFromLevels(['total', 'x', 'y'], [[0, 2, 0, 0], [0, 0, 0, 1, 0, 2, 2, 2]]);
  assert.deepEqual(t.children.map((c) => c.name), ['y']);
  assert.deepEqual(flameTreeFromLevels([], []), { name: 'total', self: 0, total: 0, children: [] });
  assert.deepEqual(parseFlameGraphResponse({}).tree, { name: 'total', self: 0, total: 0, children: [] });
});

test('flameTreeFromLevels rejects layouts that do not nest, bad name indices and ragged levels', () => {
  // child wider than its parent
  assert.throws(() => flameTreeFromLevels(['total', 'a'], [[0, 2, 0, 0], [0, 3, 3, 1]]), BackendError);
  // child placed past every parent
  assert.throws(() => flameTreeFromLevels(['total', 'a'], [[0, 2, 0, 0], [5, 1, 1, 1]]), /inside a node of the level above/);
  assert.throws(() => flameTreeFromLevels(['total'], [[0, 2, 0, 7]]), /name index/);
  assert.throws(() => flameTreeFromLevels(['total'], [[0, 2, 0]]), /multiple of 4/);
  assert.throws(() => flameTreeFromLevels(['total'], [[0, 2, 0, 0, 0, 1, 0, 0]]), /single root/);
});

test('diffTreeFromLevels: a node present on one side only still finds its parent', () => {
  const t = diffTreeFromLevels(
    ['total', 'old', 'new'],
    [
      [0, 4, 0, 0, 5, 0, 0],
      // old: left only (4), new: right only, placed after old on the left (offset 0) and at 0 on the right
      [0, 4, 4, 0, 0, 0, 1, 0, 0, 0, 0, 5, 5, 2],
    ],
  );
  assert.deepEqual(
    t.children.map((c) => [c.name, c.left.total, c.right.total]),
    [
      ['old', 4, 0],
      ['new', 0, 5],
    ],
  );
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
