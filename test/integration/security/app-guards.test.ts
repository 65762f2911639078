import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startApp, type AppHandle } from '../../helpers/app';
import { rawRequest } from '../../helpers/raw-http';
import { signIn, userCli, type Session } from '../../helpers/users';

// The attacks of issue 9 against a real `npm start` with built-in sign-in:
// cross-site and text/plain mutations, a DNS-rebinding Host, mutations without
// a session, with a viewer's session, and without the CSRF token. Users are made
// with `npm run user` as an operator would.

let app: AppHandle;
let editor: Session;
let viewer: Session;
const PASSWORD = { ed: 'correct horse battery', vi: 'viewer password 1' };
const RUN = JSON.stringify({ target: 'sandbox', requests: 2, concurrency: 1, promptLength: { mode: 'fixed', tokens: 8 }, maxTokens: 2, temperature: 0, p0Fraction: 1, seed: 1 });

before(async () => {
  app = await startApp({ env: { AUTH_MODE: 'builtin', INCIDENT_LINKS_ANONYMOUS: '1' } });
  userCli(app.dataDir, ['add', 'ed', '--role', 'editor'], `${PASSWORD.ed}\n`);
  userCli(app.dataDir, ['add', 'vi', '--role', 'viewer'], `${PASSWORD.vi}\n`);
  editor = await signIn(app.url, 'ed', PASSWORD.ed);
  viewer = await signIn(app.url, 'vi', PASSWORD.vi);
});
after(async () => {
  await app?.stop();
});

const post = (path: string, headers: Record<string, string>, body = RUN) => rawRequest(`${app.url}${path}`, { method: 'POST', headers, body });
const as = (s: Session) => ({ cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json', origin: app.url });
const message = (r: { body: string }) => (JSON.parse(r.body) as { error: { message: string } }).error.message;

test('a cross-site page cannot fire a run: foreign Origin → 403, text/plain → 415, Sec-Fetch-Site cross-site → 403', async () => {
  const crossOrigin = await post('/api/runs', { ...as(editor), origin: 'http://evil.example' });
  assert.equal(crossOrigin.status, 403);
  assert.match(message(crossOrigin), /cross-site request refused/);
  // What `fetch(..., {mode: 'no-cors', headers: {'content-type': 'text/plain'}})` sends from a same-origin-looking client.
  const textPlain = await post('/api/runs', { ...as(editor), 'content-type': 'text/plain' });
  assert.equal(textPlain.status, 415);
  assert.match(message(textPlain), /application\/json/);
  const fetchMeta = await post('/api/runs', { cookie: editor.cookie, 'x-csrf-token': editor.csrf, 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' });
  assert.equal(fetchMeta.status, 403);
  const nullOrigin = await post('/api/runs', { ...as(editor), origin: 'null' });
  assert.equal(nullOrigin.status, 403);
});

test('a DNS-rebinding Host is refused on reads and on changes', async () => {
  const port = new URL(app.url).port;
  const get = await rawRequest(`${app.url}/api/runs`, { headers: { host: `rebind.attacker.example:${port}`, cookie: editor.cookie } });
  assert.equal(get.status, 403);
  assert.match(message(get), /rebind\.attacker\.example/);
  const page = await rawRequest(`${app.url}/sandbox`, { headers: { host: `rebind.attacker.example:${port}` } });
  assert.equal(page.status, 403);
  const change = await post('/api/runs', { ...as(editor), host: `rebind.attacker.example:${port}`, origin: `http://rebind.attacker.example:${port}` });
  assert.equal(change.status, 403);
  // localhost is one of ours.
  const local = await rawRequest(`${app.url}/api/health`, { headers: { host: `localhost:${port}` } });
  assert.equal(local.status, 200);
});

test('without a session: pages go to /signin, the API answers 401, a change answers 401', async () => {
  const page = await rawRequest(`${app.url}/sandbox/runs?x=1`);
  assert.equal(page.status, 303);
  assert.equal(page.headers.location && new URL(page.headers.location, app.url).pathname + new URL(page.headers.location, app.url).search, '/signin?next=%2Fsandbox%2Fruns%3Fx%3D1');
  assert.equal((await rawRequest(`${app.url}/api/runs`)).status, 401);
  const change = await post('/api/runs', { 'content-type': 'application/json', origin: app.url });
  assert.equal(change.status, 401);
  // The health probe and the sign-in page stay reachable.
  assert.equal((await rawRequest(`${app.url}/api/health`)).status, 200);
  assert.equal((await rawRequest(`${app.url}/signin`)).status, 200);
});

test('INCIDENT_LINKS_ANONYMOUS: a link and its data reach their routes without a session (an unknown slug is a 404, not a sign-in); nothing else opens', async () => {
  const slug = 'a'.repeat(26);
  const data = await rawRequest(`${app.url}/api/i/${slug}/data?r=${encodeURIComponent('/api/runs')}`);
  assert.equal(data.status, 404, data.body);
  const page = await rawRequest(`${app.url}/i/${slug}`);
  assert.notEqual(page.status, 303, 'not sent to /signin');
  assert.ok(!(page.headers.location ?? '').includes('/signin'));
  assert.equal((await rawRequest(`${app.url}/api/incidents`)).status, 401, 'the list of links still needs a session');
  assert.equal((await rawRequest(`${app.url}/incidents`)).status, 303);
});

test('a viewer reads but cannot fire a run (403 naming the role), and cannot manage users', async () => {
  assert.equal((await rawRequest(`${app.url}/api/runs`, { headers: { cookie: viewer.cookie } })).status, 200);
  const run = await post('/api/runs', as(viewer));
  assert.equal(run.status, 403);
  assert.equal(message(run), 'firing load, editing SLOs and creating links needs the editor role; vi is a viewer');
  const users = await rawRequest(`${app.url}/api/users`, { headers: { cookie: viewer.cookie } });
  assert.equal(users.status, 403);
});

test('an editor fires a run with the CSRF token; without it (or with another session\'s) the change is refused', async () => {
  const noToken = await post('/api/runs', { ...as(editor), 'x-csrf-token': '' });
  assert.equal(noToken.status, 403);
  assert.match(message(noToken), /x-csrf-token/);
  const wrongToken = await post('/api/runs', { ...as(editor), 'x-csrf-token': viewer.csrf });
  assert.equal(wrongToken.status, 403);
  const ok = await post('/api/runs', as(editor));
  assert.equal(ok.status, 201, ok.body);
  const { id } = JSON.parse(ok.body) as { id: string };
  const run = JSON.parse((await rawRequest(`${app.url}/api/runs/${id}`, { headers: { cookie: viewer.cookie } })).body) as { createdBy: string };
  assert.equal(run.createdBy, 'ed', 'the run records who fired it');
});

test('signing out ends the session server-side: the old cookie no longer works', async () => {
  const s = await signIn(app.url, 'vi', PASSWORD.vi);
  assert.equal((await rawRequest(`${app.url}/api/runs`, { headers: { cookie: s.cookie } })).status, 200);
  const out = await post('/api/auth/signout', { cookie: s.cookie, 'x-csrf-token': s.csrf, 'content-type': 'application/json', origin: app.url }, '');
  assert.equal(out.status, 200);
  assert.equal((await rawRequest(`${app.url}/api/runs`, { headers: { cookie: s.cookie } })).status, 401);
  const wrong = await rawRequest(`${app.url}/api/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url }, body: JSON.stringify({ name: 'vi', password: 'not the password' }) });
  assert.equal(wrong.status, 401);
  assert.equal(message(wrong), 'wrong name or password');
});

test('session cookies are HttpOnly and SameSite; every response carries the security headers and a CSP without unsafe-eval', async () => {
  const res = await rawRequest(`${app.url}/api/auth/signin`, { method: 'POST', headers: { 'content-type': 'application/json', origin: app.url }, body: JSON.stringify({ name: 'vi', password: PASSWORD.vi }) });
  const [session, csrf] = res.headers['set-cookie'] ?? [];
  assert.match(session, /^trisight_session=[\w-]{43}; HttpOnly; Path=\/; SameSite=Lax/);
  assert.doesNotMatch(csrf, /HttpOnly/);
  for (const path of ['/signin', '/api/health', '/api/runs']) {
    const r = await rawRequest(`${app.url}${path}`, { headers: { cookie: viewer.cookie } });
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /script-src 'self' 'nonce-[\w+/=]{24}' 'strict-dynamic'/, path);
    assert.doesNotMatch(csp, /unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'same-origin');
    assert.equal(r.headers['x-frame-options'], 'DENY');
  }
  // The nonce is fresh per request and on every script of the page.
  const a = await rawRequest(`${app.url}/signin`);
  const b = await rawRequest(`${app.url}/signin`);
  const nonce = /'nonce-([^']+)'/.exec(String(a.headers['content-security-policy']))![1];
  assert.notEqual(nonce, /'nonce-([^']+)'/.exec(String(b.headers['content-security-policy']))![1]);
  const scripts = [...a.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  assert.ok(scripts.length > 0);
  for (const s of scripts) assert.ok(s.includes(`nonce="${nonce}"`), `script without the nonce: ${s.slice(0, 120)}`);
});

test('an admin made from the command line manages users over the API; the last admin cannot be demoted', async () => {
  userCli(app.dataDir, ['add', 'root-admin', '--role', 'admin'], 'admin password 12\n');
  const admin = await signIn(app.url, 'root-admin', 'admin password 12');
  const created = await post('/api/users', as(admin), JSON.stringify({ name: 'newbie', role: 'viewer', password: 'newbie password' }));
  assert.equal(created.status, 201, created.body);
  const newbie = JSON.parse(created.body) as { id: string; role: string };
  const session = await signIn(app.url, 'newbie', 'newbie password');
  const promote = await rawRequest(`${app.url}/api/users/${newbie.id}`, { method: 'PATCH', headers: as(admin), body: JSON.stringify({ role: 'editor' }) });
  assert.equal(promote.status, 200);
  // The new role applies to the existing session at once.
  assert.equal(JSON.parse((await rawRequest(`${app.url}/api/auth/me`, { headers: { cookie: session.cookie } })).body).viewer.role, 'editor');
  const disable = await rawRequest(`${app.url}/api/users/${newbie.id}`, { method: 'PATCH', headers: as(admin), body: JSON.stringify({ disabled: true }) });
  assert.equal(disable.status, 200);
  assert.equal((await rawRequest(`${app.url}/api/runs`, { headers: { cookie: session.cookie } })).status, 401, 'disabling ends the sessions');
  const me = JSON.parse((await rawRequest(`${app.url}/api/auth/me`, { headers: { cookie: admin.cookie } })).body).viewer as { id: string };
  const demote = await rawRequest(`${app.url}/api/users/${me.id}`, { method: 'PATCH', headers: as(admin), body: JSON.stringify({ role: 'viewer' }) });
  assert.equal(demote.status, 409);
  assert.match(message(demote), /last admin/);
  assert.match(userCli(app.dataDir, ['list']), /newbie\tviewer|newbie\teditor \(disabled\)/);
});
