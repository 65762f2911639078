import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import { PrometheusClient } from '../../../lib/datasources/prometheus/client';
import { chooseStep } from '../../../lib/datasources/prometheus/step';
import { latencyHistogram, selector } from '../../../lib/datasources/prometheus/views';
import { classicHistograms, histogramQuantile, nativeHistogramQuantile } from '../../../lib/model/histogram';
import { BackendError } from '../../../lib/model/types';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixture-server';
import { startNativeHistogramExporter } from '../../helpers/native-histogram-exporter';
import { startPrometheus, type PrometheusHandle } from '../../helpers/prometheus';
import { until } from '../../helpers/until';

// The Prometheus client against a real Prometheus (Debian's /usr/bin/prometheus)
// scraping a real exporter on 127.0.0.1: a prom-client histogram with exemplars,
// fed with observations this test chooses, served in OpenMetrics. Every answer is
// checked against what the test generated. A second target replays the recorded
// OpenMetrics exposition in test/fixtures/prometheus (negative bucket bounds,
// exemplars with their own 2024 timestamps), so that file is read by the real
// Prometheus and comes back through the client.

const METRIC = 'trisight_it_request_duration_seconds';
const HELP = 'Request latency observed by the integration test.';
const BOUNDS = [0.1, 0.25, 0.5, 1];

// [route, value, how many]
const FIRST: [string, number, number][] = [
  ['/gen', 0.05, 3],
  ['/gen', 0.2, 2],
  ['/gen', 0.4, 4],
  ['/gen', 0.9, 1],
  ['/gen', 2, 2],
  ['/embed', 0.07, 5],
];
const traceIdOf = (n: number) => n.toString(16).padStart(32, '0');
/** trace_id → the observed value it was attached to */
const exemplarValue = new Map<string, number>();

let exporter: http.Server;
let recorded: FixtureServer;
let native: Awaited<ReturnType<typeof startNativeHistogramExporter>>;
let prom: PrometheusHandle;
let client: PrometheusClient;
let histogram: Histogram<string>;
let observed = 0;
const startedAt = Date.now();
let secondBatchAt = 0;

function observe(batch: [string, number, number][]) {
  for (const [route, value, times] of batch) {
    for (let i = 0; i < times; i++) {
      const traceId = traceIdOf(++observed);
      exemplarValue.set(traceId, value);
      histogram.observe({ value, labels: { route }, exemplarLabels: { trace_id: traceId } });
    }
  }
}


async function countOf(route: string): Promise<number | undefined> {
  const r = await client.query(`${METRIC}_count{route="${route}"}`);
  return r.resultType === 'vector' ? r.samples[0]?.value : undefined;
}

before(async () => {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  histogram = new Histogram<string>({ name: METRIC, help: HELP, labelNames: ['route'], buckets: BOUNDS, registers: [registry], enableExemplars: true });
  observe(FIRST);
  exporter = http.createServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
  });
  await new Promise<void>((r) => exporter.listen(0, '127.0.0.1', r));
  const { port } = exporter.address() as AddressInfo;
  recorded = await startFixtureServer([
    { path: '/metrics', file: 'prometheus/openmetrics-exemplars.om.txt', contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8' },
  ]);
  // Native histogram, schema 0: 3 observations in (0.25, 0.5], 2 in (1, 2], 1 in (2, 4], 1 in the zero bucket.
  native = await startNativeHistogramExporter({
    name: 'trisight_it_native_seconds',
    help: 'A native histogram.',
    labels: { route: '/native' },
    positiveBuckets: new Map([[-1, 3], [1, 2], [2, 1]]),
    zeroThreshold: 0.001,
    zeroCount: 1,
    sum: 6.9,
  });
  prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`, new URL(recorded.url).host, native.host], scrapeInterval: '1s' });
  client = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 5_000 });
  await until('the first scrape', async () => ((await countOf('/gen')) === 12 ? true : undefined));
  await until('the recorded exposition', async () => {
    const r = await client.query('rpc_durations_histogram_seconds_count');
    return r.resultType === 'vector' && r.samples.length ? true : undefined;
  });
});

after(async () => {
  await prom?.stop();
  await recorded?.stop();
  await native?.stop();
  await new Promise<void>((r) => (exporter ? exporter.close(() => r()) : r()));
});

test('recorded OpenMetrics exposition: negative bucket bounds, quantiles as Prometheus computes them, exemplars', async () => {
  const r = await client.query('rpc_durations_histogram_seconds_bucket');
  assert.equal(r.resultType, 'vector');
  if (r.resultType !== 'vector') return;
  const [h] = classicHistograms(r.samples);
  assert.equal(h.count, 15);
  assert.equal(h.buckets.length, 21);
  assert.deepEqual([h.buckets[0].lower, h.buckets[0].upper], [-Infinity, -0.00099]);
  assert.equal(h.buckets.find((b) => b.upper === -0.0002899999999999998)?.count, 3);
  for (const q of [0.1, 0.5, 0.9]) {
    const server = await client.query(`histogram_quantile(${q}, rpc_durations_histogram_seconds_bucket)`);
    assert.ok(server.resultType === 'vector');
    assert.ok(Math.abs(histogramQuantile(q, h.buckets) - server.samples[0].value) < 1e-12, `q=${q}`);
  }
  const ex = await client.queryExemplars('rpc_durations_histogram_seconds_bucket', { from: 1726839813_000, to: 1726839816_000 });
  assert.deepEqual(ex.map((e) => e.labels.dummyID).sort(), ['17783', '19206', '29640', '3974', '84741', '9818']);
  const first = ex.find((e) => e.labels.dummyID === '17783')!;
  assert.equal(first.value, -0.0003825067330956884);
  assert.equal(first.timestamp, 1726839814223); // Prometheus keeps exemplar times in whole ms
  assert.equal(first.seriesLabels?.le, '-0.0002899999999999998');
  const md = await client.metadata();
  assert.equal(md.rpc_durations_seconds?.[0]?.type, 'summary');
  assert.equal(md.rpc_durations_histogram_seconds?.[0]?.help, 'RPC latency distributions.');
});

test('native histogram from a real scrape: buckets with their bounds, quantiles as Prometheus computes them', async () => {
  const r = await until('the native histogram', async () => {
    const x = await client.query('trisight_it_native_seconds');
    return x.resultType === 'vector' && x.samples.length ? x : undefined;
  });
  assert.equal(r.resultType, 'vector');
  if (r.resultType !== 'vector') return;
  const h = r.samples[0].histogram;
  assert.ok(h, 'the sample is a histogram');
  assert.ok(Number.isNaN(r.samples[0].value));
  assert.equal(h.count, 7);
  assert.equal(h.sum, 6.9);
  assert.deepEqual(h.buckets, [
    { lower: -0.001, upper: 0.001, count: 1 },
    { lower: 0.25, upper: 0.5, count: 3 },
    { lower: 1, upper: 2, count: 2 },
    { lower: 2, upper: 4, count: 1 },
  ]);
  for (const q of [0, 0.05, 0.25, 0.5, 0.75, 0.9, 1]) {
    const server = await client.query(`histogram_quantile(${q}, trisight_it_native_seconds)`);
    assert.ok(server.resultType === 'vector');
    const theirs = server.samples[0].value;
    assert.ok(Math.abs(nativeHistogramQuantile(q, h) - theirs) < 1e-12, `q=${q}: ours ${nativeHistogramQuantile(q, h)}, prometheus ${theirs}`);
  }
});

test('instant query: bucket counts, count and sum are the observations the test made', async () => {
  const r = await client.query(`${METRIC}_bucket{route="/gen"}`);
  assert.equal(r.resultType, 'vector');
  if (r.resultType !== 'vector') return;
  const sum = await client.query(`${METRIC}_sum{route="/gen"}`);
  assert.equal(sum.resultType, 'vector');
  const [h] = classicHistograms(r.samples, { sums: sum.resultType === 'vector' ? sum.samples : [] });
  assert.equal(h.labels.__name__, METRIC);
  assert.equal(h.labels.route, '/gen');
  assert.deepEqual(h.buckets.map((b) => [b.upper, b.count]), [[0.1, 3], [0.25, 2], [0.5, 4], [1, 1], [Infinity, 2]]);
  assert.equal(h.count, 12);
  assert.ok(Math.abs(h.sum - (0.05 * 3 + 0.2 * 2 + 0.4 * 4 + 0.9 + 2 * 2)) < 1e-9);
  assert.ok(Math.abs(r.samples[0].timestamp - Date.now()) < 60_000, 'timestamps are unix ms');
});

test("our histogramQuantile equals Prometheus's histogram_quantile on the same buckets", async () => {
  const r = await client.query(`${METRIC}_bucket{route="/gen"}`);
  assert.equal(r.resultType, 'vector');
  if (r.resultType !== 'vector') return;
  const [h] = classicHistograms(r.samples);
  for (const q of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1]) {
    const server = await client.query(`histogram_quantile(${q}, ${METRIC}_bucket{route="/gen"})`);
    assert.equal(server.resultType, 'vector');
    if (server.resultType !== 'vector') return;
    const theirs = server.samples[0].value;
    const ours = histogramQuantile(q, h.buckets);
    assert.ok(Math.abs(ours - theirs) < 1e-9 || (Number.isNaN(ours) && Number.isNaN(theirs)), `q=${q}: ours ${ours}, prometheus ${theirs}`);
  }
});

test('query_range sees the count rise after more observations', async () => {
  secondBatchAt = Date.now();
  observe([['/gen', 0.3, 5]]);
  await until('the second batch to be scraped', async () => ((await countOf('/gen')) === 17 ? true : undefined));
  const range = { from: startedAt - 5_000, to: Date.now() + 1_000 };
  const r = await client.queryRange(`${METRIC}_count{route="/gen"}`, range, { widthPx: 400, minStepS: 1 });
  assert.equal(r.step, chooseStep({ range, widthPx: 400, minStepS: 1 }));
  assert.equal(r.series.length, 1);
  const values = r.series[0].values.map((v) => v[1]);
  assert.ok(values.includes(12) && values.includes(17), `values ${values.join(',')}`);
  assert.deepEqual([...values].sort((a, b) => a - b), values, 'a counter never goes down');
  const ts = r.series[0].values.map((v) => v[0]);
  for (let i = 1; i < ts.length; i++) assert.equal(ts[i] - ts[i - 1], r.step * 1000);
});

test('latencyHistogram view: what was observed during the range, its exemplars, the same shape as the embedded store', async () => {
  assert.ok(secondBatchAt > 0, 'runs after the second batch');
  const range = { from: secondBatchAt - 3_000, to: Date.now() };
  const { source, histogram: h } = await latencyHistogram(client, { metric: METRIC, labels: { route: '/gen' }, range });
  assert.equal(source, 'prometheus');
  assert.deepEqual(h.labels, { __name__: METRIC, route: '/gen' });
  // Only the five 0.3 s observations fall in the range. increase() extrapolates
  // counts to the range edges, but the same factor applies to _sum and every bucket.
  assert.ok(h.count >= 5, `count ${h.count}`);
  assert.deepEqual(
    h.buckets.map((b) => [b.upper, b.count > 0]),
    [[0.1, false], [0.25, false], [0.5, true], [1, false], [Infinity, false]],
  );
  assert.ok(Math.abs(h.sum / h.count - 0.3) < 1e-9, `mean ${h.sum / h.count}`);
  assert.ok(h.exemplars!.length >= 1);
  for (const e of h.exemplars!) assert.ok(e.timestamp >= range.from && e.timestamp <= range.to);
  assert.ok(h.exemplars!.some((e) => e.value === 0.3 && e.seriesLabels?.route === '/gen'));
});

test('exemplars: trace ids the test attached, each in the bucket its value belongs to', async () => {
  const ex = await until('exemplars', async () => {
    const e = await client.queryExemplars(`${METRIC}_bucket`, { from: startedAt - 60_000, to: Date.now() + 60_000 });
    return e.length >= 6 ? e : undefined;
  });
  for (const e of ex) {
    const traceId = e.labels.trace_id;
    assert.ok(exemplarValue.has(traceId), `unknown trace_id ${traceId}`);
    assert.equal(e.value, exemplarValue.get(traceId));
    const le = Number(e.seriesLabels?.le === '+Inf' ? Infinity : e.seriesLabels?.le);
    const lower = [0, ...BOUNDS].filter((b) => b < le).at(-1)!;
    assert.ok(e.value > lower && e.value <= le, `exemplar ${e.value} not in bucket (${lower}, ${le}]`);
    assert.ok(e.timestamp >= startedAt - 1_000 && e.timestamp <= Date.now(), 'exemplar time in unix ms');
  }
  const routes = new Set(ex.map((e) => e.seriesLabels?.route));
  assert.deepEqual([...routes].sort(), ['/embed', '/gen']);
});

test('labels, label values and series', async () => {
  const names = await client.labels({ match: [`${METRIC}_bucket`] });
  for (const n of ['__name__', 'instance', 'job', 'le', 'route']) assert.ok(names.includes(n), `label ${n} in ${names.join(',')}`);
  assert.deepEqual(await client.labelValues('route', { match: [`${METRIC}_count`] }), ['/embed', '/gen']);
  const series = await client.series([`${METRIC}_count`], { range: { from: startedAt - 60_000, to: Date.now() } });
  assert.deepEqual(series.map((s) => s.route).sort(), ['/embed', '/gen']);
  assert.ok(series.every((s) => s.job === 'trisight-test' && s.__name__ === `${METRIC}_count`));
});

test('a hostile label value stays a value: Prometheus parses the selector and matches nothing', async () => {
  const r = await client.query(selector(`${METRIC}_count`, { route: '/gen"} or vector(1) # \\ \n' }));
  assert.equal(r.resultType, 'vector');
  assert.deepEqual(r.resultType === 'vector' ? r.samples : null, []);
});

test('metadata carries the exporter’s TYPE and HELP', async () => {
  const md = await client.metadata({ metric: METRIC });
  assert.deepEqual(md[METRIC]?.[0], { type: 'histogram', help: HELP, unit: '' });
});

test('buildinfo reports the version of the binary we started', async () => {
  const bi = await client.buildinfo();
  const version = /version (\S+)/.exec(execFileSync('/usr/bin/prometheus', ['--version'], { encoding: 'utf8' }))?.[1];
  assert.equal(bi.version, version);
  assert.ok(bi.goVersion.startsWith('go'));
});

test('a real bad_data error is shown verbatim', async () => {
  await assert.rejects(client.query('sum(rate('), (e: unknown) => {
    assert.ok(e instanceof BackendError);
    assert.equal(e.backend, 'prometheus');
    assert.equal(e.status, 400);
    assert.equal(e.errorType, 'bad_data');
    assert.match(e.message, /parse error/);
    return true;
  });
});

test("Prometheus's own 11,000-points limit: an explicit tiny step is refused, the chosen one is not", async () => {
  const range = { from: Date.now() - 3600_000, to: Date.now() };
  await assert.rejects(client.queryRange(`${METRIC}_count`, range, { step: 0.1 }), (e: unknown) => {
    assert.ok(e instanceof BackendError && e.errorType === 'bad_data');
    assert.match(e.message, /11,000 points/);
    return true;
  });
  const ok = await client.queryRange(`${METRIC}_count`, range, { widthPx: 1_000_000 });
  assert.ok(ok.step <= 1, `step ${ok.step}`);
});
