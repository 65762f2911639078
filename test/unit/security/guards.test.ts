import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contentSecurityPolicy } from '../../../lib/security/csp';
import { checkIngest, tenantOf } from '../../../lib/security/ingest-auth';
import { checkRequest, policyFrom, type GuardRequest } from '../../../lib/security/request-guards';
import { ConfigError, parseConfig } from '../../../lib/config';

const local = policyFrom({ HOST: '127.0.0.1' });
const base: GuardRequest = { method: 'POST', pathname: '/api/runs', host: '127.0.0.1:3000', origin: 'http://127.0.0.1:3000', secFetchSite: 'same-origin', contentType: 'application/json' };

test('request guards: a table of attacks and of what must still work', () => {
  const table: [string, Partial<GuardRequest>, number | null][] = [
    ['same-origin JSON POST', {}, null],
    ['JSON with charset', { contentType: 'application/json; charset=utf-8' }, null],
    ['curl: no Origin, no Sec-Fetch-Site', { origin: null, secFetchSite: null }, null],
    ['GET from anywhere with our Host', { method: 'GET', origin: 'http://evil.example', contentType: null }, null],
    ['foreign Origin', { origin: 'http://evil.example' }, 403],
    ['same host, other port', { origin: 'http://127.0.0.1:4000' }, 403],
    ['Origin null', { origin: 'null' }, 403],
    ['no Origin but cross-site fetch metadata', { origin: null, secFetchSite: 'cross-site' }, 403],
    ['no Origin, same-site (a sibling subdomain)', { origin: null, secFetchSite: 'same-site' }, 403],
    ['text/plain (no-cors fetch)', { contentType: 'text/plain' }, 415],
    ['form post', { contentType: 'application/x-www-form-urlencoded' }, 415],
    ['multipart', { contentType: 'multipart/form-data; boundary=x' }, 415],
    ['no content type', { contentType: null }, 415],
    ['json-looking but not JSON', { contentType: 'application/jsonp' }, 415],
    ['rebinding Host on a GET', { method: 'GET', host: 'rebind.attacker.example:3000', origin: null }, 403],
    ['rebinding Host, same-origin from the browser\'s view', { host: 'rebind.attacker.example:3000', origin: 'http://rebind.attacker.example:3000' }, 403],
    ['no Host', { host: null }, 403],
    ['localhost is ours', { host: 'localhost:3000', origin: 'http://localhost:3000' }, null],
    ['[::1] is ours', { host: '[::1]:3000', origin: 'http://[::1]:3000' }, null],
    ['OTLP protobuf to the receiver', { pathname: '/v1/traces', contentType: 'application/x-protobuf', origin: null, secFetchSite: null }, null],
    ['a cross-site page pushing to /ingest', { pathname: '/ingest', contentType: 'multipart/form-data; boundary=x', origin: 'http://evil.example' }, 403],
    ['DELETE is a mutation', { method: 'DELETE', origin: 'http://evil.example' }, 403],
  ];
  for (const [name, patch, status] of table) assert.equal(checkRequest({ ...base, ...patch }, local)?.status ?? null, status, name);
});

test('TRISIGHT_PUBLIC_URL adds its host and origin (a TLS proxy in front: https origin, http inside)', () => {
  const p = policyFrom({ HOST: '0.0.0.0', TRISIGHT_PUBLIC_URL: 'https://trisight.example.com' });
  assert.equal(checkRequest({ ...base, host: 'trisight.example.com', origin: 'https://trisight.example.com' }, p), null);
  assert.equal(checkRequest({ ...base, host: 'app:3000', origin: 'https://trisight.example.com' }, p)?.status, 403, 'the Host must be allowed too');
  assert.equal(checkRequest({ ...base, host: 'trisight.example.com', origin: 'https://other.example.com' }, p)?.status, 403);
  // A specific listen address is a name people may use.
  assert.equal(checkRequest({ ...base, host: '10.0.0.7:3000', origin: 'http://10.0.0.7:3000' }, policyFrom({ HOST: '10.0.0.7' })), null);
  assert.equal(checkRequest({ ...base, host: '0.0.0.0:3000', origin: null }, policyFrom({ HOST: '0.0.0.0' }))?.status, 403);
});

test('CSP: nonce and strict-dynamic for scripts, no unsafe-eval outside dev, no framing', () => {
  const csp = contentSecurityPolicy('abc123');
  assert.match(csp, /script-src 'self' 'nonce-abc123' 'strict-dynamic'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-eval/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /object-src 'none'/);
  assert.match(contentSecurityPolicy('x', { dev: true }), /'unsafe-eval'/);
});

test('ingest: the token when set, else loopback only; tenant from X-Scope-OrgID', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  const token = 'a-long-ingest-token-123';
  assert.equal(checkIngest(h({}), { HOST: '127.0.0.1' }), null);
  assert.match(checkIngest(h({}), { HOST: '0.0.0.0' })?.message ?? '', /set INGEST_TOKEN/);
  assert.equal(checkIngest(h({ authorization: `Bearer ${token}` }), { HOST: '0.0.0.0', INGEST_TOKEN: token }), null);
  assert.equal(checkIngest(h({ authorization: `bearer ${token}` }), { HOST: '0.0.0.0', INGEST_TOKEN: token }), null);
  const bads: Record<string, string>[] = [{}, { authorization: `Bearer ${token}x` }, { authorization: `Basic ${token}` }, { authorization: 'Bearer ' }];
  for (const bad of bads) {
    assert.equal(checkIngest(h(bad), { HOST: '127.0.0.1', INGEST_TOKEN: token })?.status, 401, JSON.stringify(bad));
  }
  assert.equal(tenantOf(h({})), '');
  assert.equal(tenantOf(h({ 'x-scope-orgid': 'team-a' })), 'team-a');
  assert.equal((tenantOf(h({ 'x-scope-orgid': '../etc' })) as { status: number }).status, 400);
  assert.equal((tenantOf(h({ 'x-scope-orgid': '..' })) as { status: number }).status, 400);
});

test('listening beyond loopback without sign-in refuses to start, in one line saying how', () => {
  assert.throws(() => parseConfig({ HOST: '0.0.0.0' }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.message.split('\n').length, 1);
    assert.match(e.message, /^AUTH_MODE: HOST=0\.0\.0\.0 is reachable from other machines, so sign-in is required: set AUTH_MODE=builtin/);
    return true;
  });
  assert.equal(parseConfig({ HOST: '0.0.0.0', AUTH_MODE: 'builtin' }).AUTH_MODE, 'builtin');
  assert.equal(parseConfig({ HOST: '::1' }).AUTH_MODE, 'off');
  assert.throws(() => parseConfig({ INGEST_TOKEN: 'short' }), /INGEST_TOKEN: at least 16 characters/);
});

test('sizes: decimal and binary units, 0/off for no bound, junk refused in one line', async () => {
  const { parseBytes } = await import('../../../lib/config');
  assert.equal(parseBytes('2GB'), 2e9);
  assert.equal(parseBytes('500 MB'), 5e8);
  assert.equal(parseBytes('1.5GiB'), 1.5 * 2 ** 30);
  assert.equal(parseBytes('1048576'), 1048576);
  assert.equal(parseBytes('off'), 0);
  assert.equal(parseBytes('0'), 0);
  assert.equal(parseBytes('lots'), null);
  assert.equal(parseConfig({}).EMBEDDED_MAX_BYTES, 2e9);
  assert.throws(() => parseConfig({ EMBEDDED_MAX_BYTES: '2 gallons' }), /EMBEDDED_MAX_BYTES: expected a size like 2GB/);
});
