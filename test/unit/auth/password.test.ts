import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, passwordProblem, verifyPassword } from '../../../lib/auth/password';

test('a scrypt hash verifies its password only, and says its cost', async () => {
  const h = await hashPassword('correct horse battery');
  assert.match(h, /^scrypt\$15\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.ok(await verifyPassword('correct horse battery', h));
  assert.ok(!(await verifyPassword('correct horse batterz', h)));
  assert.ok(!(await verifyPassword('', h)));
  // Same password, fresh salt: a different hash.
  assert.notEqual(await hashPassword('correct horse battery'), h);
});

test('a cheaper stored cost still verifies (cost travels with the hash); malformed hashes never do', async () => {
  const cheap = await hashPassword('pw for a test', { logN: 10, r: 8, p: 1 });
  assert.ok(await verifyPassword('pw for a test', cheap));
  for (const bad of ['', 'plain', cheap.replace(/^scrypt/, 'bcrypt'), cheap.replace('$10$', '$40$'), cheap.slice(0, -5)]) {
    assert.ok(!(await verifyPassword('pw for a test', bad)), bad);
  }
});

test('passwords: at least 10 characters, at most 1024', () => {
  assert.match(passwordProblem('short') ?? '', /at least 10 characters/);
  assert.equal(passwordProblem('ten chars!'), null);
  assert.match(passwordProblem('x'.repeat(1025)) ?? '', /at most 1024/);
});
