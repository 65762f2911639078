// Explore's API routes against the embedded stores in a real Postgres: spans
// arrive through POST /v1/traces (OTel SDK bytes), CPU profiles through
// POST /ingest (a pprof whose samples carry span_id labels, as
// @pyroscope/nodejs writes them), and every read goes through the route
// handlers the browser calls. Each figure is checked against what the test sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { appDatabaseHooks } from '../helpers/postgres';
import type { FlameModel } from '../../lib/model/flame';

const app = appDatabaseHooks({ poolSize: 4 });
// Route answers, read field by field as the tests need them.
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes
type Json = any;
type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;
const routes: Record<string, Handler> = {};

// Route modules are loaded and the data sent on first use, from inside a test: by
// then appDatabaseHooks's hook has set DATABASE_URL, which config() reads once.
let ready: Promise<void> | undefined;
const setup = () => (ready ??= load());
async function load() {
  const route = async (path: string) => ((await import(`../../app${path}/route`)) as { GET?: Handler; POST?: Handler });
  routes.otlp = (await route('/v1/traces')).POST!;
  routes.ingest = (await route('/ingest')).POST!;
  for (const p of ['traces/search', 'traces/heatmap', 'traces/red', 'traces/tags/[name]/values', 'profiles/types', 'profiles/labels', 'profiles/label-values', 'profiles/flame', 'profiles/diff', 'profiles/span', 'profiles/slow-vs-fast']) {
    routes[p] = (await route(`/api/${p}`)).GET!;
  }
  await seed();
}

const T0 = 1_700_000_000_000; // unix ms
const RANGE = { from: T0 - 60_000, to: T0 + 600_000 };
const SERVICE = 'shop';
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const Q = `{ resource.service.name = "${SERVICE}" && kind = server }`;

/** 30 fast requests (10–39 ms) then 10 slow ones (300–390 ms), one a second; three fast ones fail. */
const REQUESTS = [...Array.from({ length: 30 }, (_, i) => ({ ms: 10 + i, slow: false, error: i % 10 === 3 })), ...Array.from({ length: 10 }, (_, i) => ({ ms: 300 + i * 10, slow: true, error: false }))];
const ids: { traceId: string; serverSpanId: string; workSpanId: string; slow: boolean; ms: number }[] = [];

async function get(path: string, query: Record<string, string | number>, params?: Record<string, string>): Promise<{ status: number; body: Json }> {
  await setup();
  const u = new URL(`http://127.0.0.1/api/${path.replace(/\[name\]/, params?.name ?? '')}`);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
  const res = await routes[path](new Request(u), params ? { params: Promise.resolve(params) } : undefined);
  return { status: res.status, body: await res.json() };
}

async function seed() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': SERVICE }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('explore-test');
  REQUESTS.forEach((r, i) => {
    const start = T0 + i * 1000;
    const root = tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER, startTime: start, attributes: { 'http.route': '/checkout', idx: i } });
    const work = tracer.startSpan('work', { startTime: start + 1 }, trace.setSpan(context.active(), root));
    work.end(start + r.ms - 1);
    if (r.error) root.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
    root.end(start + r.ms);
    ids.push({ traceId: root.spanContext().traceId, serverSpanId: root.spanContext().spanId, workSpanId: work.spanContext().spanId, slow: r.slow, ms: r.ms });
  });
  await provider.forceFlush();
  const body = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
  const res = await routes.otlp(new Request('http://127.0.0.1/v1/traces', { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/x-protobuf' } }));
  assert.equal(res.status, 200);
  await provider.shutdown();

  // One CPU profile over the whole run: each request's work span burns 1 ms of CPU per ms of
  // duration, in slowPath for slow requests and fastPath for fast ones; plus unlabelled idle.
  const st = new StringTable();
  const names = ['main', 'handle', 'slowPath', 'fastPath', 'idle'];
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') })],
    periodType: new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') }),
    period: 1_000_000,
    function: names.map((n, i) => new PFunction({ id: i + 1, name: st.dedup(n) })),
    location: names.map((_, i) => new Location({ id: i + 1, line: [new Line({ functionId: i + 1 })] })),
    sample: [
      ...ids.map((r) => new Sample({ locationId: [r.slow ? 3 : 4, 2, 1], value: [r.ms * 1_000_000], label: [new Label({ key: st.dedup('span_id'), str: st.dedup(r.workSpanId) })] })),
      new Sample({ locationId: [5, 1], value: [500_000_000] }),
    ],
    stringTable: st,
  });
  const u = new URL('http://127.0.0.1/ingest');
  u.searchParams.set('name', `${SERVICE}{env=test}`);
  u.searchParams.set('from', String(T0 / 1000));
  u.searchParams.set('until', String(T0 / 1000 + 60));
  const pr = await routes.ingest(new Request(u, { method: 'POST', body: new Uint8Array(gzipSync(p.encode())) }));
  assert.equal(pr.status, 200, await pr.text());
}

const range = { from: RANGE.from, to: RANGE.to };
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** Total of the frames named `name` (none recurses here): the baseline side of a diff, or `right`. */
const framesTotal = (m: FlameModel, name: string, side: 'left' | 'right' = 'left') => sum(m.name.map((n, i) => (m.names[n] === name ? (side === 'left' ? m.value : m.right!.value)[i] : 0)));
const rootTotal = (m: FlameModel) => m.value[0];

test('TraceQL search through the route: the embedded store answers and names itself', async () => {
  const r = await get('traces/search', { q: Q, ...range, limit: 100 });
  assert.equal(r.status, 200);
  assert.equal(r.body.source, 'embedded');
  assert.equal(r.body.traces.length, REQUESTS.length);
  const slow = await get('traces/search', { q: `{ resource.service.name = "${SERVICE}" && kind = server && duration > 250ms }`, ...range, limit: 100 });
  assert.deepEqual(slow.body.traces.map((t: { traceId: string }) => t.traceId).sort(), ids.filter((i) => i.slow).map((i) => i.traceId).sort());
  const bad = await get('traces/search', { q: `${Q} | count() > 2`, ...range });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.backend, 'embedded');
  assert.match(bad.body.error.message, /does not support pipelines/);
  const badRange = await get('traces/search', { q: Q, from: range.to, to: range.from });
  assert.equal(badRange.status, 400);
  assert.match(badRange.body.error.message, /to must be after from/);
});

test('duration heatmap of the matching spans: every request in one cell, slow ones in the slow rows', async () => {
  const r = await get('traces/heatmap', { q: Q, ...range, width: 800 });
  assert.equal(r.status, 200);
  const h = r.body.heatmap as { counts: number[][]; rows: { lower: number; upper: number | string }[]; times: number[]; stepMs: number };
  assert.equal(sum(h.counts.flat()), REQUESTS.length);
  const slowRows = h.rows.map((row, i) => (row.lower >= 0.256 ? i : -1)).filter((i) => i >= 0);
  assert.equal(sum(h.counts.flatMap((c) => slowRows.map((i) => c[i]))), 10);
  // Each request lands in the column of its start time.
  const col = Math.floor((T0 + 35_000 - range.from) / h.stepMs);
  assert.ok(sum(h.counts[col]) >= 1);
});

test('RED figures: counts, errors and exact percentiles of the matching spans', async () => {
  const r = await get('traces/red', { q: Q, ...range, width: 800 });
  assert.equal(r.status, 200);
  const t = r.body.totals;
  assert.equal(t.requests, 40);
  assert.equal(t.errors, 3);
  assert.equal(t.errorRatio, 3 / 40);
  const sorted = REQUESTS.map((x) => x.ms / 1000).sort((a, b) => a - b);
  // percentile_cont interpolates linearly between closest ranks.
  const pct = (q: number) => {
    const h = (sorted.length - 1) * q;
    return sorted[Math.floor(h)] + (sorted[Math.ceil(h)] - sorted[Math.floor(h)]) * (h - Math.floor(h));
  };
  assert.ok(Math.abs(t.p50 - pct(0.5)) < 1e-9, `${t.p50} vs ${pct(0.5)}`);
  assert.ok(Math.abs(t.p99 - pct(0.99)) < 1e-9);
  assert.equal(Math.round(sum(r.body.rate.values.map(([, v]: [number, number]) => v * r.body.stepS))), 40);
});

test('tag values and profile selectors come from the sources’ own APIs', async () => {
  const services = await get('traces/tags/[name]/values', { ...range }, { name: 'resource.service.name' });
  assert.ok(services.body.values.includes(SERVICE));
  const types = await get('profiles/types', range);
  assert.ok(types.body.types.some((t: { id: string }) => t.id === CPU), JSON.stringify(types.body));
  const labels = await get('profiles/labels', { ...range, selector: `{service_name="${SERVICE}"}` });
  assert.ok(labels.body.names.includes('env') && labels.body.names.includes('service_name'), JSON.stringify(labels.body));
  const values = await get('profiles/label-values', { ...range, name: 'service_name' });
  assert.deepEqual(values.body.values, [SERVICE]);
  const bad = await get('profiles/label-values', { ...range, name: 'service_name', selector: '{service_name=}' });
  assert.equal(bad.status, 400);
});

test('flame graph of a selection, maxNodes, and a diff against another range', async () => {
  const f = await get('profiles/flame', { ...range, selector: `{service_name="${SERVICE}"}` });
  assert.equal(f.status, 200);
  assert.equal(f.body.profileType.id, CPU);
  const cpuMs = sum(ids.map((i) => i.ms));
  assert.equal(rootTotal(f.body.flame), (cpuMs + 500) * 1_000_000);
  assert.equal(framesTotal(f.body.flame, 'slowPath'), sum(ids.filter((i) => i.slow).map((i) => i.ms)) * 1_000_000);
  const small = await get('profiles/flame', { ...range, selector: `{service_name="${SERVICE}"}`, maxNodes: 16 });
  assert.equal(rootTotal(small.body.flame), rootTotal(f.body.flame));
  const d = await get('profiles/diff', { ...range, selector: `{service_name="${SERVICE}"}`, baseFrom: range.from - 3_600_000, baseTo: range.from - 60_000 });
  assert.equal(d.status, 200);
  assert.equal(d.body.leftTicks, 0);
  assert.equal(d.body.rightTicks, rootTotal(f.body.flame));
});

test('a span’s own profile: only its samples (and its same-service descendants’)', async () => {
  const slow = ids.find((i) => i.slow)!;
  const r = await get('profiles/span', { ...range, trace: slow.traceId, span: slow.serverSpanId });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.spanIds.sort(), [slow.serverSpanId, slow.workSpanId].sort());
  assert.equal(rootTotal(r.body.flame), slow.ms * 1_000_000);
  assert.ok(framesTotal(r.body.flame, 'slowPath') > 0 && framesTotal(r.body.flame, 'fastPath') === 0);
  const missing = await get('profiles/span', { ...range, trace: slow.traceId, span: '00000000000000aa' });
  assert.equal(missing.status, 404);
});

test('compare slow with fast: the slowest requests’ CPU diffed against the fastest ones’', async () => {
  const r = await get('profiles/slow-vs-fast', { q: Q, ...range, n: 5 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const b = r.body;
  assert.equal(b.service, SERVICE);
  assert.equal(b.ranked, 40);
  assert.deepEqual(b.slow.requests.map((x: { durationMs: number }) => x.durationMs), [390, 380, 370, 360, 350]);
  assert.deepEqual(b.fast.requests.map((x: { durationMs: number }) => x.durationMs), [10, 11, 12, 13, 14]);
  // Each side's profile is exactly its requests' work: 1 ms of CPU per ms.
  assert.equal(b.slow.total, sum([390, 380, 370, 360, 350]) * 1_000_000);
  assert.equal(b.fast.total, sum([10, 11, 12, 13, 14]) * 1_000_000);
  // The diff's baseline (value) is the fast side, `right` the slow side.
  assert.equal(framesTotal(b.diff, 'slowPath'), 0);
  assert.equal(framesTotal(b.diff, 'slowPath', 'right'), b.slow.total);
  assert.equal(framesTotal(b.diff, 'fastPath', 'right'), 0);
  assert.equal(framesTotal(b.diff, 'fastPath'), b.fast.total);
});

test('a cancelled read stops its query in Postgres and rejects with the abort reason', async () => {
  await setup();
  const { cancellableQuery } = await import('../../lib/datasources/embedded/cancellable');
  const ctl = new AbortController();
  const started = Date.now();
  const q = cancellableQuery(app.pool, 'SELECT pg_sleep(30)', [], ctl.signal);
  setTimeout(() => ctl.abort(new Error('range changed')), 300);
  await assert.rejects(q, /range changed/);
  assert.ok(Date.now() - started < 10_000);
  // Postgres is no longer running it.
  for (let i = 0; i < 50; i++) {
    const r = await app.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'`);
    if (r.rows[0].n === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  assert.fail('the query still runs in Postgres');
});
