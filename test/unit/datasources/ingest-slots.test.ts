import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSlots } from '../../../lib/datasources/embedded/ingest-slots';

const later = () => {
  let done!: () => void;
  const p = new Promise<void>((r) => (done = r));
  return { p, done };
};

test('slots: at most `max` at once, waiters served in order, the rest refused at once', async () => {
  const s = createSlots({ max: 2, maxWaiting: 1, maxWaitMs: 10_000 });
  const gates = [later(), later(), later()];
  const order: number[] = [];
  const runs = gates.map((g, i) =>
    s.run(async () => {
      order.push(i);
      await g.p;
      return i;
    }),
  );
  assert.equal(s.active, 2);
  assert.equal(s.waiting, 1);
  assert.equal(await s.run(async () => 'x'), null, 'queue full: refused without running');
  gates[0].done();
  assert.equal(await runs[0], 0);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, [0, 1, 2], 'the waiter got the freed slot');
  gates[1].done();
  gates[2].done();
  assert.deepEqual(await Promise.all(runs), [0, 1, 2]);
  assert.equal(s.active, 0);
});

test('slots: a waiter gives up after maxWaitMs; a failing job frees its slot', async () => {
  const s = createSlots({ max: 1, maxWaiting: 4, maxWaitMs: 20 });
  const g = later();
  const first = s.run(() => g.p);
  assert.equal(await s.run(async () => 1), null);
  g.done();
  await first;
  await assert.rejects(s.run(async () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(s.active, 0);
  assert.equal(await s.run(async () => 2), 2);
});
