import assert from 'node:assert/strict';
import { test } from 'node:test';
import { settlesWithin } from '../../lib/settles-within';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('a promise that settles in time: true, and no timer is left to keep the process alive', async () => {
  const before = timers();
  assert.equal(await settlesWithin(new Promise((r) => setTimeout(r, 10)), 60_000), true);
  assert.equal(await settlesWithin(Promise.reject(new Error('exited badly')), 60_000), true, 'a rejection is settling too');
  assert.equal(timers(), before, 'the 60 s deadline was cleared');
});

test('a promise that does not settle in time: false once the deadline passes', async () => {
  const started = Date.now();
  assert.equal(await settlesWithin(new Promise(() => {}), 50), false);
  assert.ok(Date.now() - started >= 45);
});
