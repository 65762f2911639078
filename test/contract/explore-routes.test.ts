// Explore's routes with remote backends configured (TEMPO_URL, PYROSCOPE_URL):
// recorded Tempo and Pyroscope responses (test/fixtures) replayed over real
// HTTP, the real clients behind the real route handlers. Where no recording
// exists (TraceQL metrics, ProfileTypes, Diff, SelectMergeSpanProfile's answer
// shape is the flame graph one), bodies are built here, small, from the
// servers' API docs and protobuf definitions, as in the client contract tests.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeOtlpJsonText } from '../../lib/otlp';
import { fixture, startFixtureServer, type FixtureServer } from '../helpers/fixture-server';

const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const VULTURE = '3149195ffb0bec05347b48efe8ecc1b0';
const T = 1_684_778_300_000;
const range = { from: T, to: T + 600_000 };

const series = (labels: Record<string, string | number>, samples: [number, number][]) => ({
  labels: Object.entries(labels).map(([key, v]) => ({ key, value: typeof v === 'number' ? { doubleValue: v } : { stringValue: v } })),
  samples: samples.map(([t, value]) => ({ timestampMs: String(t), value })),
});

let srv: FixtureServer;
// Route answers, read field by field as the tests need them.
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes
type Json = any;
type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;
const routes: Record<string, Handler> = {};

before(async () => {
  srv = await startFixtureServer([
    { path: '/api/search', query: (q) => q.get('q') === '{ status=error }', file: 'tempo/search.traceql.json' },
    { path: '/api/search', status: 400, body: 'invalid TraceQL query: parse error at line 1, col 3: syntax error: unexpected IDENTIFIER' },
    { path: `/api/traces/${VULTURE}`, file: 'tempo/trace-by-id.vulture.otlp.json' },
    { path: /^\/api\/traces\//, status: 404, body: 'trace not found\n' },
    { path: '/api/v2/search/tag/resource.service.name/values', file: 'tempo/search-tag-values.v2.json' },
    {
      path: '/api/metrics/query_range',
      query: (q) => q.get('q') === '{ status=error } | histogram_over_time(duration)',
      body: { series: [series({ __bucket: 0.512 }, [[T, 3], [T + 60_000, 5]]), series({ __bucket: 0.128 }, [[T + 60_000, 1]])] },
    },
    { path: '/api/metrics/query_range', query: (q) => q.get('q')!.endsWith('| rate() by (status)'), body: { series: [series({ status: 'ok' }, [[T, 2]]), series({ status: 'error' }, [[T, 1]])] } },
    { path: '/api/metrics/query_range', query: (q) => q.get('q')!.includes('quantile_over_time'), body: { series: [series({ p: 0.5 }, [[T, 0.1]]), series({ p: 0.9 }, [[T, 0.2]]), series({ p: 0.99 }, [[T, 0.4]])] } },
    { path: '/api/metrics/query_range', status: 400, body: 'localblocks processor not found' },
    {
      method: 'POST',
      path: '/querier.v1.QuerierService/ProfileTypes',
      body: { profileTypes: [{ ID: CPU, name: 'process_cpu', sampleType: 'cpu', sampleUnit: 'nanoseconds', periodType: 'cpu', periodUnit: 'nanoseconds' }] },
    },
    { method: 'POST', path: '/querier.v1.QuerierService/LabelNames', file: 'pyroscope/label-names.empty.json' },
    { method: 'POST', path: '/querier.v1.QuerierService/LabelValues', body: { names: ['shop-backend'] } },
    { method: 'POST', path: '/querier.v1.QuerierService/SelectMergeStacktraces', file: 'pyroscope/select-merge-stacktraces.flamegraph.json' },
    { method: 'POST', path: '/querier.v1.QuerierService/SelectMergeSpanProfile', file: 'pyroscope/select-merge-stacktraces.flamegraph.json' },
    {
      method: 'POST',
      path: '/querier.v1.QuerierService/Diff',
      body: { flamegraph: { names: ['total', 'main'], levels: [{ values: ['0', '10', '0', '0', '8', '0', '0'] }, { values: ['0', '10', '10', '0', '8', '8', '1'] }], total: '18', maxSelf: '10', leftTicks: '10', rightTicks: '8' } },
    },
  ]);
  process.env.TEMPO_URL = srv.url;
  process.env.PYROSCOPE_URL = srv.url;
  process.env.TELEMETRY_TENANT = 'tenant-7';
});
after(() => srv.stop());

async function get(path: string, query: Record<string, string | number>, params?: Record<string, string>): Promise<{ status: number; body: Json }> {
  routes[path] ??= ((await import(`../../app/api/${path}/route`)) as { GET: Handler }).GET;
  const u = new URL(`http://127.0.0.1/api/${path.replace('[name]', params?.name ?? '')}`);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
  const res = await routes[path](new Request(u), params ? { params: Promise.resolve(params) } : undefined);
  return { status: res.status, body: await res.json() };
}

test('TraceQL search goes to Tempo’s /api/search with the range in unix seconds; Tempo’s refusal keeps its words', async () => {
  const r = await get('traces/search', { q: '{ status=error }', ...range, limit: 20, spss: 2 });
  assert.equal(r.status, 200);
  assert.equal(r.body.source, 'Tempo');
  assert.deepEqual(r.body.traces.map((t: { traceId: string }) => t.traceId), ['2f3e0cee77ae5dc9c17ade3689eb2e54']);
  assert.equal(r.body.traces[0].spans[0].durationNanos, '446979497');
  const sent = srv.last('/api/search');
  assert.deepEqual([sent.query.get('start'), sent.query.get('end'), sent.query.get('limit'), sent.query.get('spss')], [String(T / 1000), String(T / 1000 + 600), '20', '2']);
  assert.equal(sent.headers['x-scope-orgid'], 'tenant-7');
  const bad = await get('traces/search', { q: '{ foo }', ...range });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.backend, 'tempo');
  assert.match(bad.body.error.message, /syntax error: unexpected IDENTIFIER/);
});

test('heatmap and RED figures from TraceQL metrics; a Tempo without them says so', async () => {
  const h = await get('traces/heatmap', { q: '{ status=error }', ...range, width: 800 });
  assert.equal(h.status, 200, JSON.stringify(h.body));
  assert.deepEqual(h.body.heatmap.rows, [{ lower: 0.064, upper: 0.128 }, { lower: 0.128, upper: 0.512 }]);
  assert.deepEqual(h.body.heatmap.counts, [[0, 3], [1, 5]]);
  assert.match(srv.last('/api/metrics/query_range').query.get('step')!, /^\d+s$/);
  const red = await get('traces/red', { q: '{ status=error }', ...range, width: 800 });
  assert.equal(red.status, 200, JSON.stringify(red.body));
  assert.equal(red.body.query, '{ status=error } | rate() by (status)');
  assert.equal(red.body.totals.errorRatio, 1 / 3);
  assert.equal(red.body.totals.p99, 0.4);
  const refused = await get('traces/heatmap', { q: '{ name = "x" }', ...range });
  assert.equal(refused.status, 502);
  assert.match(refused.body.error.message, /not supported by this Tempo: localblocks processor not found/);
  const notOneSet = await get('traces/red', { q: '{ a = 1 } >> { b = 2 }', ...range });
  assert.equal(notOneSet.status, 400);
});

test('tag values through Tempo’s v2 API', async () => {
  const r = await get('traces/tags/[name]/values', { ...range }, { name: 'resource.service.name' });
  assert.ok(r.body.values.includes('shop-backend'));
});

test('profile selectors, a flame graph with maxNodes, and a diff go to Pyroscope’s Connect API', async () => {
  const types = await get('profiles/types', range);
  assert.equal(types.body.source, 'Pyroscope');
  assert.equal(types.body.types[0].id, CPU);
  assert.deepEqual((await get('profiles/labels', { ...range, selector: '{service_name="shop-backend"}' })).body.names, []);
  assert.deepEqual(JSON.parse(srv.last('/querier.v1.QuerierService/LabelNames').body.toString()).matchers, ['{service_name="shop-backend"}']);
  assert.deepEqual((await get('profiles/label-values', { ...range, name: 'service_name' })).body.values, ['shop-backend']);
  const f = await get('profiles/flame', { ...range, selector: '{service_name="pyroscope"}', maxNodes: 1024 });
  assert.equal(f.body.flame.value[0], 11_100_000_000);
  const sent = JSON.parse(srv.last('/querier.v1.QuerierService/SelectMergeStacktraces').body.toString());
  assert.deepEqual(sent, { profileTypeID: CPU, labelSelector: '{service_name="pyroscope"}', start: String(range.from), end: String(range.to), maxNodes: '1024' });
  const d = await get('profiles/diff', { ...range, selector: '{service_name="pyroscope"}', baseFrom: range.from - 600_000, baseTo: range.from });
  assert.deepEqual([d.body.leftTicks, d.body.rightTicks], [10, 8]);
  const diffSent = JSON.parse(srv.last('/querier.v1.QuerierService/Diff').body.toString());
  assert.equal(diffSent.left.start, String(range.from - 600_000));
  assert.equal(diffSent.right.start, String(range.from));
});

test('a span’s profile: the trace from Tempo, the span and its same-service descendants sent as Pyroscope’s span selector', async () => {
  const spans = decodeOtlpJsonText(fixture('tempo/trace-by-id.vulture.otlp.json')).spans;
  const root = spans.find((s) => !s.parentSpanId) ?? spans[0];
  const r = await get('profiles/span', { ...range, trace: VULTURE, span: root.spanId });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.traceSource, 'Tempo');
  assert.equal(r.body.source, 'Pyroscope');
  const sent = JSON.parse(srv.last('/querier.v1.QuerierService/SelectMergeSpanProfile').body.toString());
  const sameService = (id: string): string[] => [id, ...spans.filter((s) => s.parentSpanId === id && s.service === root.service).flatMap((s) => sameService(s.spanId))];
  assert.deepEqual([...sent.spanSelector].sort(), sameService(root.spanId).sort());
  assert.equal(sent.labelSelector, `{service_name=${JSON.stringify(root.service)}}`);
  const missing = await get('profiles/span', { ...range, trace: 'ab'.repeat(16), span: root.spanId });
  assert.equal(missing.status, 404);
});
