import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mutationHeaders, safeNextPath } from '../../../lib/auth/client';
import { clearedCookies, csrfMatches, parseCookies, sessionCookies } from '../../../lib/auth/sessions';

test('session cookies: HttpOnly session, readable CSRF, SameSite=Lax, Secure only over https', () => {
  const s = { token: 'a'.repeat(43), csrfToken: 'b'.repeat(43), expiresAt: new Date('2030-01-02T03:04:05Z') };
  const [session, csrf] = sessionCookies(s, false);
  assert.equal(session, `trisight_session=${'a'.repeat(43)}; HttpOnly; Path=/; SameSite=Lax; Expires=Wed, 02 Jan 2030 03:04:05 GMT`);
  assert.equal(csrf, `trisight_csrf=${'b'.repeat(43)}; Path=/; SameSite=Lax; Expires=Wed, 02 Jan 2030 03:04:05 GMT`);
  assert.ok(sessionCookies(s, true).every((c) => c.endsWith('; Secure')));
  assert.ok(clearedCookies(false).every((c) => c.includes('Max-Age=0')));
});

test('cookie header parsing: first value wins, spaces trimmed, junk ignored', () => {
  const c = parseCookies('a=1; trisight_session=xyz ; a=2; junk; =v; b=x=y');
  assert.equal(c.get('a'), '1');
  assert.equal(c.get('trisight_session'), 'xyz');
  assert.equal(c.get('b'), 'x=y');
  assert.equal(parseCookies(null).size, 0);
});

test('CSRF tokens compare whole, and a missing one never matches', () => {
  assert.ok(csrfMatches('abc', 'abc'));
  assert.ok(!csrfMatches('abd', 'abc'));
  assert.ok(!csrfMatches('ab', 'abc'));
  assert.ok(!csrfMatches(null, 'abc'));
  assert.ok(!csrfMatches('', 'abc'));
});

test('after sign-in only paths of this app are followed', () => {
  const table: [string | null, string][] = [
    [null, '/sandbox'],
    ['/slos?x=1', '/slos?x=1'],
    ['//evil.example/x', '/sandbox'],
    ['/\\evil.example', '/sandbox'],
    ['https://evil.example', '/sandbox'],
    ['/\t/evil.example', '/sandbox'],
    ['/signin?next=/x', '/sandbox'],
    ['javascript:alert(1)', '/sandbox'],
  ];
  for (const [next, want] of table) assert.equal(safeNextPath(next), want, String(next));
});

test('outside a browser, a mutation still goes as JSON (no CSRF cookie to send)', () => {
  assert.deepEqual(mutationHeaders(), { 'content-type': 'application/json' });
});
