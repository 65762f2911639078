// Explore's Metrics routes against a real Prometheus (Debian's) scraping real
// exporters on 127.0.0.1: a prom-client histogram with exemplars (OpenMetrics)
// and a native histogram that grows between scrapes. Every figure is checked
// against what the test observed.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import { startNativeHistogramExporter } from '../helpers/native-histogram-exporter';
import { startPrometheus, type PrometheusHandle } from '../helpers/prometheus';
import { until } from '../helpers/until';

const METRIC = 'explore_it_request_duration_seconds';
const NATIVE = 'explore_it_native_seconds';
const BOUNDS = [0.1, 0.25, 0.5, 1];
const traceIdOf = (n: number) => n.toString(16).padStart(32, '0');

let exporter: http.Server;
let native: Awaited<ReturnType<typeof startNativeHistogramExporter>>;
let prom: PrometheusHandle;
let histogram: Histogram<string>;
const startedAt = Date.now();
const sent = new Map<string, number>(); // trace id → value

// Route answers, read field by field as the tests need them.
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many shapes
type Json = any;
type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;
const routes: Record<string, Handler> = {};

async function get(path: string, query: Record<string, string | number>, params?: Record<string, string>): Promise<{ status: number; body: Json }> {
  if (!routes[path]) routes[path] = ((await import(`../../app/api/prometheus/${path}/route`)) as { GET: Handler }).GET;
  const u = new URL(`http://127.0.0.1/api/prometheus/${path.replace('[name]', params?.name ?? '')}`);
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
  const res = await routes[path](new Request(u), params ? { params: Promise.resolve(params) } : undefined);
  return { status: res.status, body: await res.json() };
}

let n = 0;
function observe(value: number, times: number) {
  for (let i = 0; i < times; i++) {
    const traceId = traceIdOf(++n);
    sent.set(traceId, value);
    histogram.observe({ value, labels: { route: '/checkout' }, exemplarLabels: { trace_id: traceId } });
  }
}

const nativeSpec = (b: [number, number][]) => ({ name: NATIVE, help: 'native', labels: { route: '/native' }, positiveBuckets: new Map(b), zeroThreshold: 0.001, zeroCount: 0, sum: 1 });

before(async () => {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  histogram = new Histogram<string>({ name: METRIC, help: 'Checkout latency.', labelNames: ['route'], buckets: BOUNDS, registers: [registry], enableExemplars: true });
  // The series exists (at zero) before the first observation, so rate() sees every one of them.
  histogram.zero({ route: '/checkout' });
  exporter = http.createServer(async (_req, res) => res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics()));
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
  native = await startNativeHistogramExporter(nativeSpec([[-1, 3]]));
  prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${(exporter.address() as AddressInfo).port}`, native.host], scrapeInterval: '1s' });
  // Read by config() when the first route module loads (in the first test).
  process.env.PROMETHEUS_URL = prom.url;
  // Prometheus scrapes the new targets a few seconds after it is ready: wait for the zeros to be stored.
  const scraped = async (expr: string) => {
    const r = (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`)).json()) as { data: { result: unknown[] } };
    return r.data.result.length > 0 ? true : undefined;
  };
  await until('the first scrapes', async () => ((await scraped(`count_over_time(${METRIC}_count[1m]) >= 2`)) && (await scraped(`count_over_time(${NATIVE}[1m]) >= 2`))));
  // Then 5 requests at 0.2 s and 2 at 0.9 s; the native histogram grows too.
  observe(0.2, 5);
  observe(0.9, 2);
  native.update(nativeSpec([[-1, 6], [1, 2]]));
  await until('the observations to be scraped', () => scraped(`${METRIC}_count == 7`));
});

after(async () => {
  await prom?.stop();
  await native?.stop();
  await new Promise<void>((r) => (exporter ? exporter.close(() => r()) : r()));
});

const range = () => ({ from: startedAt - 120_000, to: Date.now() + 1_000 });

test('a classic histogram as a heatmap: rows are its buckets, cells its rates, exemplars point at the traces sent', async () => {
  const r = await until('the heatmap to show both batches', async () => {
    const x = await get('heatmap', { selector: `${METRIC}{route="/checkout"}`, ...range(), width: 800 });
    if (x.status !== 200) throw new Error(JSON.stringify(x.body));
    const rowSum = (i: number) => x.body.heatmap.counts.reduce((a: number, c: number[]) => a + c[i], 0);
    return x.status === 200 && rowSum(1) > 0 && rowSum(3) > 0 && x.body.heatmap.exemplars.length >= 2 ? x : undefined;
  });
  const h = r.body.heatmap;
  assert.equal(r.body.source, 'Prometheus');
  assert.equal(r.body.kind, 'classic');
  assert.match(r.body.query, /^sum by \(le\) \(rate\(explore_it_request_duration_seconds_bucket\{route="\/checkout"\}\[\d+[smh]\]\)\)$/);
  const w = /\[(\d+)([smh])\]\)\)$/.exec(r.body.query)!;
  // The rate window travels with the heatmap: a cell's traces are searched over it (cellTimeRange).
  assert.equal(h.windowMs, Number(w[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[w[2] as 's' | 'm' | 'h']);
  assert.ok(h.windowMs >= h.stepMs);
  assert.deepEqual(h.rows.map((x: { upper: number | string }) => x.upper), [0.1, 0.25, 0.5, 1, '+Inf']);
  const rowSum = (i: number) => h.counts.reduce((a: number, c: number[]) => a + c[i], 0);
  assert.equal(rowSum(0), 0);
  assert.equal(rowSum(2), 0);
  // Both buckets grew at the same scrape, so every column's rates keep the 5 : 2 ratio.
  assert.ok(Math.abs(rowSum(1) / rowSum(3) - 5 / 2) < 1e-9, `${rowSum(1)} / ${rowSum(3)}`);
  for (const e of h.exemplars) {
    assert.equal(sent.get(e.traceId), e.value, `exemplar ${e.traceId}`);
  }
  // The UI reads a cell's traces from these: a (0.1, 0.25] exemplar and a (0.5, 1] one.
  assert.ok(h.exemplars.some((e: { value: number }) => e.value === 0.2) && h.exemplars.some((e: { value: number }) => e.value === 0.9));
});

test('a native histogram as a heatmap: rows from its exponential buckets, only those that grew', async () => {
  const r = await until('the native heatmap', async () => {
    const x = await get('heatmap', { selector: NATIVE, ...range(), width: 800 });
    return x.status === 200 && x.body.kind === 'native' && x.body.heatmap.rows.length >= 2 ? x : undefined;
  });
  const rows = r.body.heatmap.rows.map((x: { lower: number; upper: number }) => [x.lower, x.upper]);
  assert.deepEqual(rows.filter((_: unknown, i: number) => r.body.heatmap.counts.some((c: number[]) => c[i] > 0)), [[0.25, 0.5], [1, 2]]);
  const bad = await get('heatmap', { selector: `rate(${METRIC}_bucket[5m])`, ...range() });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /give its series selector/);
});

test('PromQL range and instant queries and exemplars; a malformed query is a 400 naming Prometheus', async () => {
  const q = `sum(increase(${METRIC}_count[1m]))`;
  const r = await until('the range query', async () => {
    const x = await get('query_range', { query: q, ...range(), width: 600 });
    return x.body.series?.[0]?.values.some(([, v]: [number, number]) => v > 0) ? x : undefined;
  });
  assert.equal(r.status, 200);
  assert.equal(r.body.source, 'Prometheus');
  assert.ok(r.body.step >= 15);
  const inst = await get('query', { query: `sum(${METRIC}_count)` });
  assert.equal(inst.body.samples[0].value, 7);
  const ex = await get('query_exemplars', { query: `${METRIC}_bucket`, ...range() });
  assert.ok(ex.body.exemplars.every((e: { labels: { trace_id: string }; value: number }) => sent.get(e.labels.trace_id) === e.value));
  const bad = await get('query_range', { query: 'sum(', ...range() });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.backend, 'prometheus');
});
