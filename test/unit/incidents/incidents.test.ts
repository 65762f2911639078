import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planFreeze } from '../../../lib/incidents/freeze';
import { gonePage, unknownPage } from '../../../lib/incidents/gone-page';
import { findReplayable } from '../../../lib/incidents/replay';
import { isSlug, newSlug, SLUG_ALPHABET, SLUG_BITS, SLUG_LENGTH } from '../../../lib/incidents/slug';
import { absoluteRequest, absoluteSearch, IncidentInput, incidentState, RequestKey, viewKind } from '../../../lib/incidents/view';

test('slugs: at least 128 bits, every symbol equally likely, no repeats', () => {
  assert.ok(SLUG_BITS >= 128, `${SLUG_BITS} bits`);
  assert.equal(SLUG_ALPHABET.length, 32);
  assert.equal(new Set(SLUG_ALPHABET).size, 32);
  const N = 20_000;
  const seen = new Set<string>();
  const counts = new Map<string, number>();
  const perPosition = Array.from({ length: SLUG_LENGTH }, () => new Map<string, number>());
  for (let i = 0; i < N; i++) {
    const s = newSlug();
    assert.ok(isSlug(s), s);
    seen.add(s);
    [...s].forEach((ch, p) => {
      counts.set(ch, (counts.get(ch) ?? 0) + 1);
      perPosition[p].set(ch, (perPosition[p].get(ch) ?? 0) + 1);
    });
  }
  assert.equal(seen.size, N);
  // Chi-square over all symbols: 31 degrees of freedom, p = 0.0001 critical value 66.6.
  const total = N * SLUG_LENGTH;
  const chi = [...SLUG_ALPHABET].reduce((a, ch) => a + ((counts.get(ch) ?? 0) - total / 32) ** 2 / (total / 32), 0);
  assert.ok(chi < 66.6, `chi-square ${chi.toFixed(1)}`);
  // Measured Shannon entropy per position (plug-in estimate, slightly below 5 for a finite sample).
  const entropy = perPosition.reduce((sum, m) => sum - [...m.values()].reduce((a, c) => a + (c / N) * Math.log2(c / N), 0), 0);
  assert.ok(entropy > 128 && entropy <= SLUG_BITS, `measured ${entropy.toFixed(2)} bits`);
});

test('the slug maps bytes by their low five bits: all 32 symbols reachable, none favoured', () => {
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  let i = 0;
  const counter = (n: number) => bytes.slice(i, (i += n));
  const all: string[] = [];
  while (i < 256 - SLUG_LENGTH) all.push(newSlug(counter));
  const used = new Map<string, number>();
  for (const ch of all.join('')) used.set(ch, (used.get(ch) ?? 0) + 1);
  assert.equal(used.size, 32);
});

test('what can be shared, and what a view may ask for', () => {
  assert.equal(viewKind('/explore'), 'explore');
  assert.equal(viewKind('/sandbox/runs/0b6a2c2e-9a49-4f5b-8f39-1c0d6e2b7a10'), 'run');
  assert.equal(viewKind('/slos/0b6a2c2e-9a49-4f5b-8f39-1c0d6e2b7a10'), 'slo');
  assert.equal(viewKind('/status'), null);
  assert.equal(viewKind('/explore/../api'), null);
  for (const ok of ['/api/traces/search?q=%7B%7D&from=1&to=2', '/api/runs/0b6a2c2e-9a49-4f5b-8f39-1c0d6e2b7a10/latency?metric=e2e']) assert.ok(RequestKey.safeParse(ok).success, ok);
  for (const bad of ['https://evil.example/api/x', '//evil.example/api/x', '/api/../admin', '/api/incidents', '/api/i/abc/data?r=x', '/metrics', '/api/x y']) assert.ok(!RequestKey.safeParse(bad).success, bad);
  assert.ok(findReplayable('/api/traces/search?q=x'));
  assert.deepEqual(findReplayable('/api/traces/00000000000000000000000000000abc?from=1&to=2')?.params, { traceId: '00000000000000000000000000000abc' });
  assert.deepEqual(findReplayable('/api/runs/0b6a2c2e-9a49-4f5b-8f39-1c0d6e2b7a10/flame?flame=cpu')?.params, { id: '0b6a2c2e-9a49-4f5b-8f39-1c0d6e2b7a10' });
  for (const no of ['/api/runs/0b6a2c2e-9a49-4f5b-8f39-1c0d6e2b7a10/cancel', '/api/runs/0b6a2c2e-9a49-4f5b-8f39-1c0d6e2b7a10/events', '/api/promql/labels', '/api/health', '/api/slos/preview'])
    assert.equal(findReplayable(no), null, no);
});

test('input: absolute range, bounded lists, the fields named in errors', () => {
  const base = { title: 'p99 spike', from: 1_700_000_000_000, to: 1_700_000_600_000, view: { path: '/explore', search: '' } };
  assert.equal(IncidentInput.parse(base).freeze, false);
  assert.equal(IncidentInput.parse(base).expiresInHours, null);
  const issues = (v: unknown) => IncidentInput.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  assert.deepEqual(issues({ ...base, title: ' ' }), ['title: title is required']);
  assert.deepEqual(issues({ ...base, from: base.to }), ['from: from must be before to']);
  assert.deepEqual(issues({ ...base, view: { path: '/status', search: '' } }), ['view.path: path must be an Explore, run or SLO page']);
  assert.match(issues({ ...base, requests: Array(101).fill('/api/traces/search') }).join(), /at most 100 requests/);
  assert.match(issues({ ...base, owner: 'me' }).join(), /Unrecognized key/);
  assert.equal(absoluteSearch('from=now-1h&to=now&live=1&tq=%7B%7D', { from: 5, to: 9 }), 'from=5&to=9&tq=%7B%7D');
  assert.equal(absoluteRequest('/api/slos/x/status?from=now-1h&to=now', { from: 5, to: 9 }), '/api/slos/x/status?from=5&to=9');
  assert.equal(absoluteRequest('/api/traces/search?q=%7B%7D&from=1&to=2', { from: 5, to: 9 }), '/api/traces/search?q=%7B%7D&from=1&to=2');
  assert.equal(absoluteRequest('/api/runs/x/latency?metric=e2e', { from: 5, to: 9 }), '/api/runs/x/latency?metric=e2e');
});

test('state: revoked beats expired beats frozen beats live', () => {
  const t = new Date(1_000);
  assert.equal(incidentState({ revokedAt: null, expiresAt: null, frozenAt: null }), 'live');
  assert.equal(incidentState({ revokedAt: null, expiresAt: null, frozenAt: t }), 'frozen');
  assert.equal(incidentState({ revokedAt: null, expiresAt: new Date(Date.now() + 60_000), frozenAt: t }), 'frozen');
  assert.equal(incidentState({ revokedAt: null, expiresAt: t, frozenAt: t }), 'expired');
  assert.equal(incidentState({ revokedAt: t, expiresAt: t, frozenAt: t }), 'revoked');
});

test('freezing keeps answers in order under the cap and says what it left out and why', () => {
  const a = (key: string, bytes: number, status = 200, body: unknown = { ok: key }) => ({ key, status, body, bytes });
  const plan = planFreeze([a('/api/a', 600), a('/api/b', 500), a('/api/c', 300), a('/api/d', 10, 502, { error: { message: 'tempo down' } }), { ...a('/api/e', 0, 500, null), error: 'boom' }], 1000);
  assert.deepEqual(plan.kept.map((k) => k.key), ['/api/a', '/api/c']);
  assert.deepEqual(plan.omitted.map((o) => o.key), ['/api/b', '/api/d', '/api/e']);
  assert.match(plan.omitted[0].reason, /cap \(INCIDENT_FREEZE_MAX_BYTES\)/);
  assert.match(plan.omitted[1].reason, /answered 502: tempo down/);
  assert.match(plan.omitted[2].reason, /failed: boom/);
});

test('the 410 page says why and by whom, and escapes what people typed', () => {
  const html = gonePage({ title: '<script>alert(1)</script>', state: 'revoked', revokedAt: '2026-12-04T10:00:00.000Z', revokedBy: '<b>eve</b>', expiresAt: null, createdBy: 'ana' });
  assert.ok(!html.includes('<script>alert') && html.includes('&lt;script&gt;'));
  assert.ok(html.includes('revoked by &lt;b&gt;eve&lt;/b&gt; on 2026-12-04 10:00 UTC'));
  assert.match(html, /Ask ana, who shared it/);
  assert.match(gonePage({ title: 't', state: 'expired', revokedAt: null, revokedBy: null, expiresAt: '2026-12-01T00:00:00.000Z', createdBy: null }), /This link has expired[\s\S]*stopped working on 2026-12-01 00:00 UTC/);
  assert.match(unknownPage(), /404 · Not found[\s\S]*No such link/);
});

// Every read the shared pages (Explore, a run, an SLO) make must be replayable, or
// Share on that page fails: a new panel's route has to be listed in lib/incidents/replay.ts.
const NOT_PART_OF_A_VIEW: Record<string, string> = {
  '/api/auth/me': 'who is signed in',
  '/api/health': 'a probe',
  '/api/i/[slug]/data': "a link's own reads",
  '/api/incidents': 'the list of links',
  '/api/promql/label/[name]/values': 'editor completion',
  '/api/promql/labels': 'editor completion',
  '/api/promql/metadata': 'editor completion',
  '/api/promql/series': 'editor completion',
  '/api/runs/[id]/events': 'a live progress stream',
  '/api/sandbox/kernels': 'the sandbox page',
  '/api/slos/[id]/openslo': 'a download',
  '/api/slos/[id]/rules': 'a download',
  '/api/slos/openslo': 'a download',
  '/api/slos/rules': 'a download',
  '/api/slos/templates': 'the SLO editor',
  '/api/users': 'user admin',
};

test('every API read a shared page makes can be replayed by its link', async () => {
  const { readdirSync, readFileSync } = await import('node:fs');
  const path = await import('node:path');
  const root = path.resolve(import.meta.dirname, '../../../app');
  const routes: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'route.ts' && /export (async )?(function|const) GET\b/.test(readFileSync(p, 'utf8'))) routes.push(`/${path.relative(root, dir)}`);
    }
  };
  walk(path.join(root, 'api'));
  assert.ok(routes.includes('/api/runs/[id]/latency'), routes.join(' '));
  const sample = (r: string) => r.replace('[id]', '0b6a2c2e-9a49-4f5b-8f39-1c0d6e2b7a10').replace('[traceId]', 'ab'.repeat(16)).replace('[name]', 'service.name');
  const missing = routes.filter((r) => !(r in NOT_PART_OF_A_VIEW) && !findReplayable(`${sample(r)}?from=1&to=2`));
  assert.deepEqual(missing, [], 'list these in lib/incidents/replay.ts, or in NOT_PART_OF_A_VIEW with the reason');
});
