import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApp, type AppHandle } from '../../helpers/app';
import { rawRequest } from '../../helpers/raw-http';
import { userCli } from '../../helpers/users';

// AUTH_MODE=proxy against a real `npm start`: X-Forwarded-User is believed only
// on connections from AUTH_PROXY_ADDRESSES (here 127.0.0.2, which this machine's
// loopback answers too), whoever the client claims to be otherwise.

let app: AppHandle;
const PROXY = '127.0.0.2';

before(async () => {
  app = await startApp({ env: { AUTH_MODE: 'proxy', AUTH_PROXY_ADDRESSES: `${PROXY}/32`, AUTH_PROXY_DEFAULT_ROLE: 'viewer' } });
  userCli(app.dataDir, ['add', 'boss@example.com', '--role', 'admin', '--no-password']);
});
after(async () => {
  await app?.stop();
});

const me = async (headers: Record<string, string>, localAddress?: string) => {
  const r = await rawRequest(`${app.url}/api/auth/me`, { headers, localAddress });
  return JSON.parse(r.body) as { viewer: { name: string; role: string; via: string; email?: string } | null; mode: string };
};

test('the forwarded user is believed from the proxy\'s address only, also when a client forges the peer header', async () => {
  const fromProxy = await me({ 'x-forwarded-user': 'ann', 'x-forwarded-email': 'ann@example.com' }, PROXY);
  assert.deepEqual(fromProxy.viewer, { id: 'proxy:ann', name: 'ann', email: 'ann@example.com', role: 'viewer', via: 'proxy' });
  const direct = await me({ 'x-forwarded-user': 'boss@example.com', 'x-trisight-peer': PROXY, 'x-forwarded-for': PROXY }, '127.0.0.1');
  assert.equal(direct.viewer, null);
  const page = await rawRequest(`${app.url}/sandbox`, { headers: { 'x-forwarded-user': 'ann' } });
  assert.equal(page.status, 303, 'not through the proxy: sent to /signin');
});

test('roles come from the users table (by login or email); others get AUTH_PROXY_DEFAULT_ROLE and cannot change things', async () => {
  const boss = await me({ 'x-forwarded-user': 'b0ss-sub-id', 'x-forwarded-email': 'boss@example.com' }, PROXY);
  assert.equal(boss.viewer?.role, 'admin');
  const csrf = 'c'.repeat(43);
  const run = await rawRequest(`${app.url}/api/runs`, {
    method: 'POST',
    localAddress: PROXY,
    headers: { 'x-forwarded-user': 'ann', 'content-type': 'application/json', origin: app.url, cookie: `trisight_csrf=${csrf}`, 'x-csrf-token': csrf },
    body: '{}',
  });
  assert.equal(run.status, 403);
  assert.match(run.body, /needs the editor role; ann is a viewer/);
});

test('behind the proxy a change also needs the CSRF cookie echoed in x-csrf-token (the proxy\'s cookie authenticates)', async () => {
  const page = await rawRequest(`${app.url}/sandbox`, { headers: { 'x-forwarded-user': 'boss@example.com' }, localAddress: PROXY });
  assert.equal(page.status, 200);
  const cookie = (page.headers['set-cookie'] ?? []).find((c) => c.startsWith('trisight_csrf='));
  assert.ok(cookie, 'the page gets a CSRF cookie');
  const token = cookie.split(';')[0].split('=')[1];
  const headers = { 'x-forwarded-user': 'boss@example.com', 'content-type': 'application/json', origin: app.url, cookie: `trisight_csrf=${token}` };
  const without = await rawRequest(`${app.url}/api/users`, { method: 'POST', localAddress: PROXY, headers, body: JSON.stringify({ name: 'carl', role: 'editor' }) });
  assert.equal(without.status, 403);
  const withToken = await rawRequest(`${app.url}/api/users`, { method: 'POST', localAddress: PROXY, headers: { ...headers, 'x-csrf-token': token }, body: JSON.stringify({ name: 'carl', role: 'editor' }) });
  assert.equal(withToken.status, 201, withToken.body);
  assert.equal((await me({ 'x-forwarded-user': 'carl' }, PROXY)).viewer?.role, 'editor');
});
