import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorResponse } from '../../../lib/api-errors';
import { AuthError, LOCAL_ADMIN, isMutation, isRole, roleAtLeast, type Role } from '../../../lib/auth';
import { isLoopbackHost } from '../../../lib/config';

test('roles are ordered viewer < editor < admin', () => {
  const table: [Role, Role, boolean][] = [
    ['viewer', 'viewer', true],
    ['viewer', 'editor', false],
    ['viewer', 'admin', false],
    ['editor', 'viewer', true],
    ['editor', 'editor', true],
    ['editor', 'admin', false],
    ['admin', 'viewer', true],
    ['admin', 'editor', true],
    ['admin', 'admin', true],
  ];
  for (const [have, need, ok] of table) assert.equal(roleAtLeast(have, need), ok, `${have} ≥ ${need}`);
  assert.ok(isRole('editor'));
  assert.ok(!isRole('root'));
});

test('an AuthError becomes its 401/403 with the message, not a 500', async () => {
  for (const status of [401, 403] as const) {
    const res = errorResponse(new AuthError(status, 'firing load needs the editor role; ann is a viewer'));
    assert.equal(res.status, status);
    assert.deepEqual(await res.json(), { error: { message: 'firing load needs the editor role; ann is a viewer' } });
  }
});

test('mutations are every method but GET, HEAD and OPTIONS', () => {
  assert.deepEqual(['GET', 'head', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'].map(isMutation), [false, false, false, true, true, true, true]);
});

test('with sign-in off the local admin is who asks', () => {
  assert.deepEqual(LOCAL_ADMIN, { id: 'local', name: 'local', role: 'admin', via: 'loopback' });
});

test('loopback names and addresses', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', 'app.localhost', '::1', '[::1]']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io']) assert.ok(!isLoopbackHost(h), h);
});

test('sign-in off: requireRole lets every request through as the local admin, for every role', async () => {
  const { getViewer, requireRole } = await import('../../../lib/auth');
  const req = new Request('http://127.0.0.1:3000/api/runs', { method: 'POST' });
  assert.deepEqual(await getViewer(req), LOCAL_ADMIN);
  for (const role of ['viewer', 'editor', 'admin'] as const) assert.deepEqual(await requireRole(req, role), LOCAL_ADMIN);
});
