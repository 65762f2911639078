import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANCESTOR, COLLAPSED, FRAME, frameAt, indexModel, layoutFlame, nameOf, resolvePath, type FlameLayout, type FlameModel } from '../../../lib/model/flame';
import { folded, randomModel } from '../../helpers/flame-models';

const rows = (m: FlameModel, l: FlameLayout) =>
  Array.from({ length: l.count }, (_, f) => {
    const kind = l.kind[f] === FRAME ? '' : l.kind[f] === ANCESTOR ? ' (caller)' : ` (${l.runLength[f]} collapsed)`;
    return `${l.row[f]} ${nameOf(m, l.node[f])} x=${+l.x[f].toFixed(2)} w=${+l.width[f].toFixed(2)}${kind}`;
  });

test('frames are placed by their totals; self is the part no child covers', () => {
  const m = folded('main 10\nmain;a 30\nmain;b 60');
  const ix = indexModel(m);
  const l = layoutFlame(m, ix, [0], 100);
  assert.deepEqual(rows(m, l), ['0 total x=0 w=100', '1 main x=0 w=100', '2 a x=0 w=30', '2 b x=30 w=60']);
  assert.equal(frameAt(l, 50, 2), 3);
  assert.equal(frameAt(l, 95, 2), -1, "main's self area has no frame below it");
  assert.equal(frameAt(l, 10, 7), -1);
});

test('narrow siblings become one grey collapsed mark as wide as they are, and self stays true', () => {
  // 1000 px for 1000 units: each tiny frame is 0.4 px; five of them make a 2 px mark.
  const m = folded(`big 990\n${['t1', 't2', 't3', 't4', 't5'].map((t) => `big;${t};deep 0.4`).join('\n')}\nother 8`);
  const ix = indexModel(m);
  const l = layoutFlame(m, ix, [0], 1000);
  const r = rows(m, l);
  assert.deepEqual(r, ['0 total x=0 w=1000', '1 big x=0 w=992', '2 t1 x=0 w=2 (5 collapsed)', '1 other x=992 w=8']);
  const mark = l.kind.indexOf(COLLAPSED);
  assert.equal(l.runValue[mark], 2);
  // big keeps its own 990 of self: the uncovered part of its row is 990 px wide.
  assert.ok(Math.abs(l.width[1] - l.width[mark] - 990) < 1e-9);
  // A lone mark below half a pixel is not drawn at all.
  const tiny = folded('a 999.8\nb 0.2');
  assert.deepEqual(rows(tiny, layoutFlame(tiny, indexModel(tiny), [0], 1000)), ['0 total x=0 w=1000', '1 a x=0 w=999.8']);
});

test('zoom: the zoomed frame fills the width, its callers sit above it faded', () => {
  const m = folded('main;a;x 30\nmain;a;y 10\nmain;b 60');
  const ix = indexModel(m);
  const chain = resolvePath(m, ix, ['main', 'a']);
  const l = layoutFlame(m, ix, chain, 200);
  assert.deepEqual(rows(m, l), [
    '0 total x=0 w=200 (caller)',
    '1 main x=0 w=200 (caller)',
    '2 a x=0 w=200',
    '3 x x=0 w=150',
    '3 y x=150 w=50',
  ]);
  assert.equal(frameAt(l, 199, 3), l.count - 1);
});

test('a 300k-node model lays out only what is visible', () => {
  const m = randomModel(300_000, 2);
  const ix = indexModel(m);
  const l = layoutFlame(m, ix, [0], 1200);
  assert.ok(l.count < 60_000, `${l.count} frames drawn`);
  // Each row's frames do not overlap and stay within the width.
  for (let r = 0; r < l.rows; r++) {
    let end = 0;
    for (let k = l.rowStart[r]; k < l.rowStart[r + 1]; k++) {
      const f = l.rowOrder[k];
      assert.ok(l.x[f] >= end - 1e-6, `row ${r} overlaps`);
      end = l.x[f] + l.width[f];
    }
    assert.ok(end <= 1200 + 1e-6);
  }
});
