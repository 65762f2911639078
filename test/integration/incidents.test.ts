// Incident links end to end against a real Postgres, through the route
// handlers the browser calls: create (and freeze) a link to an Explore view,
// read its data back through the link, empty the trace store and read it
// again, revoke and expire it (410), and refuse bad input naming the field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { appDatabaseHooks } from '../helpers/postgres';

const app = appDatabaseHooks({ poolSize: 2 });
// A small cap, read by config() on first use, so one answer cannot be frozen.
process.env.INCIDENT_FREEZE_MAX_BYTES = String(64 * 1024);

// biome-ignore lint/suspicious/noExplicitAny: route modules of several parameter shapes
type Handler = (req: Request, ctx: any) => Promise<Response>;
const h: Record<string, { GET?: Handler; POST?: Handler }> = {};
let ready: Promise<void> | undefined;
const setup = () => (ready ??= load());

const T0 = 1_700_000_000_000;
const range = { from: T0 - 60_000, to: T0 + 600_000 };
const ORIGIN = 'http://127.0.0.1:3000';
const small = `/api/traces/search?${new URLSearchParams({ q: '{ resource.service.name = "checkout" && kind = server }', from: String(range.from), to: String(range.to), limit: '5', spss: '1' })}`;
const large = `/api/traces/search?${new URLSearchParams({ q: '{ resource.service.name = "checkout" }', from: String(range.from), to: String(range.to), limit: '500', spss: '50' })}`;

async function load() {
  h.otlp = await import('../../app/v1/traces/route');
  h.incidents = await import('../../app/api/incidents/route');
  h.revoke = await import('../../app/api/incidents/[slug]/revoke/route');
  h.data = await import('../../app/api/i/[slug]/data/route');
  h.link = await import('../../app/i/[slug]/route');
  h.search = await import('../../app/api/traces/search/route');
  // 300 requests of one service, each with 20 child spans (so a wide search answer is large).
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'checkout' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('incidents-test');
  for (let i = 0; i < 300; i++) {
    const start = T0 + i * 100;
    const root = tracer.startSpan('POST /pay', { kind: SpanKind.SERVER, startTime: start, attributes: { 'order.id': `order-${i}` } });
    const ctx = (await import('@opentelemetry/api')).trace.setSpan((await import('@opentelemetry/api')).context.active(), root);
    for (let j = 0; j < 20; j++) tracer.startSpan(`step ${j}`, { startTime: start + j }, ctx).end(start + j + 1);
    root.end(start + 50 + (i % 7) * 10);
  }
  await provider.forceFlush();
  const body = new Uint8Array(ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!);
  const res = await h.otlp.POST!(new Request(`${ORIGIN}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } }), { params: Promise.resolve({}) });
  assert.equal(res.status, 200);
}

const noParams = { params: Promise.resolve({}) };
const slugParams = (slug: string) => ({ params: Promise.resolve({ slug }) });

async function create(body: object, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  await setup();
  const res = await h.incidents.POST!(new Request(`${ORIGIN}/api/incidents`, { method: 'POST', body: JSON.stringify(body), headers }), noParams);
  return { status: res.status, body: await res.json() };
}

async function data(slug: string, key: string) {
  const res = await h.data.GET!(new Request(`${ORIGIN}/api/i/${slug}/data?r=${encodeURIComponent(key)}`), slugParams(slug));
  return { status: res.status, body: await res.json(), source: res.headers.get('x-trisight-link-data') };
}

const view = { path: '/explore', search: `from=${range.from}&to=${range.to}&tq=%7B%7D` };

test('a frozen link keeps its answers after the trace store is emptied; a live one follows the store', async () => {
  const frozen = await create({ title: 'Checkout p99 spike', note: 'after deploy 41', from: range.from, to: range.to, view, requests: [small, large], freeze: true, expiresInHours: 48 });
  assert.equal(frozen.status, 201, JSON.stringify(frozen.body));
  const link = frozen.body.link;
  assert.equal(link.state, 'frozen');
  assert.equal(link.createdBy, 'local');
  assert.equal(frozen.body.url, `/i/${link.slug}`);
  // The wide search does not fit under the 64 KiB cap: left out, and said so.
  assert.deepEqual(link.frozenOmitted.map((o: { key: string }) => o.key), [large]);
  assert.match(link.frozenOmitted[0].reason, /cap \(INCIDENT_FREEZE_MAX_BYTES\)/);
  assert.ok(link.frozenBytes > 0 && link.frozenBytes <= 64 * 1024);

  const live = await create({ title: 'live', from: range.from, to: range.to, view, requests: [small] });
  assert.equal(live.body.link.state, 'live');

  const direct = await (await h.search.GET!(new Request(`${ORIGIN}${small}`), noParams)).json();
  assert.equal(direct.traces.length, 5);
  const before = await data(link.slug, small);
  assert.deepEqual([before.status, before.source], [200, 'frozen']);
  assert.deepEqual(before.body.traces, direct.traces);
  const cut = await data(link.slug, large);
  assert.equal(cut.status, 404);
  assert.match(cut.body.error.message, /left out of the frozen data: .* cap/);

  await app.pool.query('TRUNCATE embedded_span');
  const after = await data(link.slug, small);
  assert.deepEqual(after.body, before.body, 'the frozen answer outlives the data');
  const liveNow = await data(live.body.link.slug, small);
  assert.deepEqual([liveNow.source, liveNow.body.traces.length], ['live', 0]);
});

test('GET /i/:slug restores the view (its page with the stored URL state); unknown slugs are a 404 page', async () => {
  const { body } = await create({ title: 'restore', from: range.from, to: range.to, view: { path: '/explore', search: 'from=1&to=2&tq=%7B+name+%3D+%22x%22+%7D' } });
  const res = await h.link.GET!(new Request(`${ORIGIN}/i/${body.link.slug}`), slugParams(body.link.slug));
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), `/i/${body.link.slug}/view?from=1&to=2&tq=%7B+name+%3D+%22x%22+%7D`);
  const unknown = await h.link.GET!(new Request(`${ORIGIN}/i/abcdefghijkmnpqrstuvwxyz23`), slugParams('abcdefghijkmnpqrstuvwxyz23'));
  assert.equal(unknown.status, 404);
  assert.match(await unknown.text(), /No such link/);
});

test('revoked and expired links answer 410 with a page saying why; their data too', async () => {
  const { body } = await create({ title: 'to revoke <b>', from: range.from, to: range.to, view, requests: [small] });
  const slug = body.link.slug;
  const r = await h.revoke.POST!(new Request(`${ORIGIN}/api/incidents/${slug}/revoke`, { method: 'POST' }), slugParams(slug));
  assert.equal(r.status, 200);
  const page = await h.link.GET!(new Request(`${ORIGIN}/i/${slug}`), slugParams(slug));
  assert.equal(page.status, 410);
  const html = await page.text();
  assert.match(html, /This link was revoked/);
  assert.match(html, /revoked by local/);
  assert.ok(html.includes('to revoke &lt;b&gt;'));
  assert.equal((await data(slug, small)).status, 410);

  const exp = await create({ title: 'expiring', from: range.from, to: range.to, view, requests: [small], expiresInHours: 1 });
  await app.pool.query(`UPDATE incident SET expires_at = now() - interval '1 minute' WHERE slug = $1`, [exp.body.link.slug]);
  const expired = await h.link.GET!(new Request(`${ORIGIN}/i/${exp.body.link.slug}`), slugParams(exp.body.link.slug));
  assert.equal(expired.status, 410);
  assert.match(await expired.text(), /This link has expired/);

  const list = await (await h.incidents.GET!(new Request(`${ORIGIN}/api/incidents`), noParams)).json();
  const states = Object.fromEntries(list.links.map((l: { slug: string; state: string }) => [l.slug, l.state]));
  assert.equal(states[slug], 'revoked');
  assert.equal(states[exp.body.link.slug], 'expired');
  assert.ok(list.links.every((l: { mayRevoke: boolean }) => l.mayRevoke), 'the local admin may revoke every link');
});

test('bad input is refused naming the field, and nothing is stored', async () => {
  const count = async () => Number((await app.pool.query('SELECT count(*)::int AS n FROM incident')).rows[0].n);
  const n = await count();
  const wrongType = await create({ title: 'x', from: range.from, to: range.to, view }, { 'content-type': 'text/plain' });
  assert.equal(wrongType.status, 415);
  const noTitle = await create({ from: range.from, to: range.to, view });
  assert.equal(noTitle.status, 400);
  assert.match(noTitle.body.error.message, /title: title is required/);
  const foreign = await create({ title: 'x', from: range.from, to: range.to, view, requests: ['/api/runs/0b6a2c2e-9a49-4f5b-8f39-1c0d6e2b7a10/cancel'] });
  assert.equal(foreign.status, 400);
  assert.match(foreign.body.error.message, /requests: not a request a shared view can make/);
  const page = await create({ title: 'x', from: range.from, to: range.to, view: { path: '/status', search: '' } });
  assert.match(page.body.error.message, /view.path: path must be an Explore, run or SLO page/);
  assert.equal(await count(), n);
});
