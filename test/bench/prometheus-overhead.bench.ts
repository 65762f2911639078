// Prometheus-backed latency view (histogram of a window + its exemplars + a p99
// line over time): how much of the time is our code (JSON parse, shape checks,
// histogram building, quantiles, view model) and how much the backend call
// (HTTP + Prometheus evaluating the query). Goal: our share ≤ 15%.
// Runs against a real Prometheus scraping a prom-client exporter on 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Histogram, Registry, type OpenMetricsContentType } from 'prom-client';
import { backendFetch, readText, type ClientOptions } from '../../lib/datasources/http';
import { PrometheusClient } from '../../lib/datasources/prometheus/client';
import { decodePrometheusError, parseEnvelope, parseExemplarsData, parseQueryData, parseRangeData } from '../../lib/datasources/prometheus/parse';
import { alignToStep, chooseStep } from '../../lib/datasources/prometheus/step';
import { latencyHistogram, latencyHistogramFrom, latencyQueries } from '../../lib/datasources/prometheus/views';
import type { LabeledValue } from '../../lib/model/histogram';
import { buildLatencyView } from '../../lib/model/latency-view';
import { startPrometheus, type PrometheusHandle } from '../helpers/prometheus';

const METRIC = 'bench_request_duration_seconds';
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
const ROUTES = ['/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/health'];
const WARMUP_SCRAPES = 8;
const ITERATIONS = 40;

const line = (name: string, value: number, unit: string) => console.log(`${name} ${Number.isFinite(value) ? value.toFixed(3) : 'NaN'} ${unit}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

let prom: PrometheusHandle | undefined;
let exporter: http.Server | undefined;
let feeder: NodeJS.Timeout | undefined;
try {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const h = new Histogram<string>({ name: METRIC, help: 'bench latency', labelNames: ['route'], buckets: BUCKETS, registers: [registry], enableExemplars: true });
  // Deterministic pseudo-random latencies (log-normal-ish) so runs are comparable.
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let n = 0;
  const feed = () => {
    for (let i = 0; i < 200; i++) {
      const route = ROUTES[i % ROUTES.length];
      const value = Math.exp(Math.log(0.08) + 1.2 * (rnd() + rnd() + rnd() - 1.5));
      h.observe({ value, labels: { route }, exemplarLabels: { trace_id: (++n).toString(16).padStart(32, '0') } });
    }
  };
  exporter = http.createServer(async (_req, res) => res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics()));
  await new Promise<void>((r) => exporter!.listen(0, '127.0.0.1', r));
  prom = await startPrometheus({ scrapeTargets: [`127.0.0.1:${(exporter.address() as AddressInfo).port}`], scrapeInterval: '1s' });
  feed();
  feeder = setInterval(feed, 100);
  const startedAt = Date.now();
  const opts: ClientOptions = { baseUrl: prom.url, timeoutMs: 10_000 };
  // Prometheus applies new scrape targets on a 5 s tick, so wait for the scrapes themselves, not for the clock.
  const probe = new PrometheusClient(opts);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await probe.query('count_over_time(up[1m])');
    if (r.resultType === 'vector' && (r.samples[0]?.value ?? 0) >= WARMUP_SCRAPES) break;
    if (Date.now() > deadline) throw new Error('Prometheus did not scrape the exporter in time');
    await new Promise((res) => setTimeout(res, 250));
  }
  clearInterval(feeder);
  feeder = undefined;
  const now = Date.now();
  const window = { from: startedAt - 1000, to: now };
  const q = { metric: METRIC, labels: {}, range: window };
  const lq = latencyQueries(q);
  const step = chooseStep({ range: window, widthPx: 800, minStepS: 1 });
  const { start, end } = alignToStep(window, step);
  const at = String(now / 1000);
  // The panel's five calls: the window's histogram (buckets, sum, count), its exemplars, and a p99 line.
  const calls = {
    buckets: ['/api/v1/query', { query: lq.buckets, time: at }],
    sum: ['/api/v1/query', { query: lq.sum, time: at }],
    count: ['/api/v1/query', { query: lq.count, time: at }],
    exemplars: ['/api/v1/query_exemplars', { query: lq.exemplars, start: String(window.from / 1000), end: at }],
    p99: ['/api/v1/query_range', { query: `histogram_quantile(0.99, sum by (le) (rate(${METRIC}_bucket[4s])))`, start: String(start), end: String(end), step: String(step) }],
  } as const;
  type Call = keyof typeof calls;
  const names = Object.keys(calls) as Call[];

  const fetchBody = async (k: Call) => {
    const [path, form] = calls[k];
    const res = await backendFetch('prometheus', opts, { method: 'POST', path, body: new URLSearchParams(form), decodeError: decodePrometheusError });
    return readText('prometheus', opts, res);
  };
  /** Everything we do with the bodies to produce the panel's view model. */
  const shape = (bodies: Record<Call, string>) => {
    const data = (k: Call) => parseEnvelope(JSON.parse(bodies[k])).data;
    const vector = (k: Call): LabeledValue[] => {
      const r = parseQueryData(data(k));
      return r.resultType === 'vector' ? r.samples : [];
    };
    const exemplars = parseExemplarsData(data('exemplars'));
    const { histogram } = latencyHistogramFrom(q, { buckets: vector('buckets'), sums: vector('sum'), counts: vector('count'), exemplars });
    if (!histogram.buckets.length) throw new Error(`no histogram in ${bodies.buckets.slice(0, 300)}`);
    return { view: buildLatencyView(histogram, undefined, 's'), p99: parseRangeData(data('p99')), exemplars: exemplars.length };
  };

  const backendMs: number[] = [];
  const oursMs: number[] = [];
  let sizes = { bytes: 0, exemplars: 0, drawn: 0, points: 0 };
  for (let i = 0; i < ITERATIONS + 5; i++) {
    const t0 = performance.now();
    // The panel issues its calls at once, as the UI does.
    const texts = await Promise.all(names.map(fetchBody));
    const t1 = performance.now();
    const bodies = Object.fromEntries(names.map((k, j) => [k, texts[j]])) as Record<Call, string>;
    const out = shape(bodies);
    const t2 = performance.now();
    if (i >= 5) {
      backendMs.push(t1 - t0);
      oursMs.push(t2 - t1);
    }
    sizes = { bytes: texts.reduce((a, t) => a + t.length, 0), exemplars: out.exemplars, drawn: out.view.exemplars.length, points: out.p99[0]?.values.length ?? 0 };
  }
  // The same view through the public functions, end to end, as a cross-check of the split.
  const client = new PrometheusClient(opts);
  const e2e: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    const [{ histogram }] = await Promise.all([latencyHistogram(client, q), client.queryRange(calls.p99[1].query, window, { step })]);
    buildLatencyView(histogram, undefined, 's');
    if (i >= 3) e2e.push(performance.now() - t0);
  }

  const back = median(backendMs);
  const ours = median(oursMs);
  console.log(`# ${ROUTES.length} routes × ${BUCKETS.length + 1} buckets, ${sizes.bytes} response bytes, ${sizes.exemplars} exemplars (${sizes.drawn} drawn), p99 points ${sizes.points}, ${ITERATIONS} iterations (medians)`);
  line('prometheus_view_backend_call', back, 'ms');
  line('prometheus_view_our_code', ours, 'ms');
  line('prometheus_view_end_to_end_client', median(e2e), 'ms');
  line('prometheus_view_our_share', (100 * ours) / (ours + back), '%');
  console.log(`# goal: our share ≤ 15% → ${(100 * ours) / (ours + back) <= 15 ? 'met' : 'NOT met'}`);
} finally {
  if (feeder) clearInterval(feeder);
  await prom?.stop();
  await new Promise<void>((r) => (exporter ? exporter.close(() => r()) : r()));
}
