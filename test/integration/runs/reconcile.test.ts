// Every number of the run page reconciles, against the real parts: the real
// sandbox (all requests traced) exporting to the app's receivers into a real
// Postgres, scraped every second by a real Prometheus 2.42, and a load run fired
// through the app's own load-run service. The server histogram from the
// sandbox's counters holds exactly the requests sent; its buckets equal the
// stored request spans bucketed; each server span lies inside its client span;
// the interpolated server percentiles are within one bucket of the exact ones.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LatencyPanel } from '../../../lib/runs/panels';
import type { RunView } from '../../../lib/loadruns/store';
import type { Span, Trace } from '../../../lib/model/types';
import { exactPercentiles } from '../../../lib/model/percentiles';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres';
import { startPrometheus, type PrometheusHandle } from '../../helpers/prometheus';
import { startReceivers, type Receivers } from '../../helpers/receivers';
import { startSandbox, type Sandbox } from '../../../workers/sandbox/serve/index';
import { REQUEST_DURATION_BUCKETS } from '../../../workers/sandbox/telemetry/buckets';
import { until } from '../../helpers/until';

const REQUESTS = 40;
const SERVICE = 'trisight-sandbox';

let db: TestPostgres;
let receivers: Receivers;
let sb: Sandbox;
let prom: PrometheusHandle;
let run: RunView;
let traces: Trace[];
let panels: typeof import('../../../lib/runs/panels');


const PARAMS = {
  requests: REQUESTS,
  concurrency: 8,
  promptLength: { mode: 'range' as const, min: 8, max: 64 },
  promptMix: { natural: 100, repeated: 0, random: 0 },
  maxTokens: 12,
  temperature: 0.7,
  // Every request P0: every request traced.
  p0Fraction: 1,
  seed: 3,
  maxDurationS: 120,
  requestTimeoutS: 60,
  slo: {},
};

before(async () => {
  db = await startTestPostgres();
  receivers = await startReceivers();
  sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 4, telemetry: { otlpEndpoint: receivers.url, exportDelayMs: 100 } });
  prom = await startPrometheus({ scrapeTargets: [new URL(sb.url).host], scrapeInterval: '1s' });
  // The app's configuration is read once, on first use: everything it points at exists now.
  Object.assign(process.env, { DATABASE_URL: db.url, PROMETHEUS_URL: prom.url, SANDBOX_URL: sb.url });
  panels = await import('../../../lib/runs/panels');
  const { PrometheusClient } = await import('../../../lib/datasources/prometheus/client');
  const client = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 5_000 });
  // A scrape from before the run is what the counts start from.
  await until('a first scrape of the sandbox', async () => (await client.targets()).some((t) => t.health === 'up'));

  const { loadRuns } = await import('../../../lib/loadruns');
  const svc = loadRuns();
  // As in the app: the run starts inside the POST /api/runs request's span (Next.js
  // traces every request through the globally registered provider).
  const { registerRouteLatency } = await import('../../../lib/app-tracing');
  registerRouteLatency();
  const { context, trace } = await import('@opentelemetry/api');
  const request = trace.getTracer('next').startSpan('POST /api/runs');
  const started = await context.with(trace.setSpan(context.active(), request), () => svc.start('sandbox', PARAMS));
  request.end();
  await svc.settle();
  run = (await svc.get(started.id, { samples: true }))!;
  assert.equal(run.status, 'succeeded', run.error ?? '');
  const { traceSource } = await import('../../../lib/datasources');
  traces = await until(`${REQUESTS} stored traces`, async () => {
    const ts = await Promise.all(run.samples!.traceId.map((id) => traceSource().traceById(id)));
    return ts.every((t) => t?.spans.some((s) => s.kind === 'server')) ? (ts as Trace[]) : null;
  });
});

after(async () => {
  await prom?.stop();
  await sb?.close();
  await receivers?.stop();
  const { closeDatabase } = await import('../../../lib/db');
  await closeDatabase();
  await db?.stop();
});

const server = (t: Trace) => t.spans.find((s) => s.kind === 'server' && s.service === SERVICE)!;
const client = (t: Trace) => t.spans.find((s) => s.kind === 'client')!;
const ms = (s: Span) => Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6;

async function settledPanel(): Promise<LatencyPanel> {
  return until('the scrape after the run', async () => {
    const p = await panels.latencyPanel(run, 'e2e');
    return p.pending ? null : p;
  });
}

test('server count = client count = requests sent, from the counters of two scrapes around the run', async () => {
  const p = await settledPanel();
  assert.equal(p.source, 'Prometheus');
  assert.equal(p.counts?.kind, 'exact', p.note);
  assert.equal(p.counts?.total, REQUESTS, p.counts?.how);
  assert.equal(p.counts?.difference, 0);
  assert.equal(p.clientLatenciesMs.length, REQUESTS);
  const buckets = p.histogram!.buckets;
  assert.equal(buckets.reduce((a, b) => a + Number(b.count), 0), REQUESTS);
  assert.ok(buckets.every((b) => Number.isInteger(Number(b.count))), 'whole requests, not 43.84');
  assert.equal(run.summary?.clientSpans, REQUESTS, 'one client span stored per traced request');
});

test("the Prometheus buckets equal the stored request spans' durations bucketed", async () => {
  const p = await settledPanel();
  const bounds = [...REQUEST_DURATION_BUCKETS, Infinity];
  const fromSpans = bounds.map(() => 0);
  for (const t of traces) fromSpans[bounds.findIndex((b) => ms(server(t)) / 1000 <= b)]++;
  const fromProm = bounds.map((b) => Number(p.histogram!.buckets.find((x) => Number(x.upper) === b || (b === Infinity && x.upper === 'Infinity'))?.count ?? 0));
  assert.deepEqual(fromProm, fromSpans);
});

test('each request: its trace starts at its client span, and the server span lies within it', () => {
  const rows = run.samples!;
  assert.equal(traces.length, REQUESTS);
  assert.equal(new Set(traces.map((t) => t.traceId)).size, REQUESTS, 'one trace per request');
  traces.forEach((t, i) => {
    assert.equal(t.spans.filter((s) => s.kind === 'server').length, 1, 'one request span per trace');
    const c = client(t);
    const s = server(t);
    assert.ok(c, `trace ${t.traceId} has the load generator's client span`);
    assert.equal(c.service, 'trisight-loadgen');
    assert.equal(c.parentSpanId, undefined, 'the client span is the root');
    assert.equal(s.parentSpanId, c.spanId, 'the server span is its child: no "(parent missing)"');
    assert.ok(s.startTimeUnixNano >= c.startTimeUnixNano, `server starts ${Number(c.startTimeUnixNano - s.startTimeUnixNano) / 1e3} µs before the client sent`);
    assert.ok(s.endTimeUnixNano <= c.endTimeUnixNano, `server ends ${Number(s.endTimeUnixNano - c.endTimeUnixNano) / 1e3} µs after the client's last byte`);
    // The client span is the load generator's own measure of the request.
    assert.ok(Math.abs(ms(c) - rows.e2eMs[i]) < 0.02, `client span ${ms(c)} ms vs E2E ${rows.e2eMs[i]} ms`);
    assert.equal(c.attributes['gen_ai.usage.output_tokens'], rows.outputTokens[i]);
    assert.equal(c.attributes['trisight.priority'], 'P0');
    assert.equal(c.attributes['trisight.load.target'], 'sandbox');
  });
});

test('server p50/p99 are within one bucket of the exact values from the stored spans', async () => {
  const p = await settledPanel();
  const exact = exactPercentiles(traces.map((t) => ms(server(t))));
  for (const name of ['p50', 'p99'] as const) {
    const shown = p.serverPercentiles.find((x) => x.name === name)!;
    const truth = exact.find((x) => x.name === name)!.valueMs;
    assert.equal(shown.method, 'interpolated');
    const { lower, upper } = shown.bucketMs!;
    assert.ok(upper / lower <= 1.25 + 1e-9, `a bucket at most 25 % wide: ${lower}–${upper} ms`);
    assert.ok(Math.abs(shown.valueMs - truth) <= upper - lower, `${name}: shown ${shown.valueMs} ms, exact ${truth} ms, bucket ${lower}–${upper} ms`);
  }
  // And the client's, exact from its own samples, are never below the server's exact ones.
  for (const x of exact) assert.ok(x.valueMs <= p.clientPercentiles.find((c) => c.name === x.name)!.valueMs, x.name);
});

test('other traffic in the window is counted and shown as a difference', async () => {
  const { loadRuns } = await import('../../../lib/loadruns');
  const svc = loadRuns();
  const second = await svc.start('sandbox', { ...PARAMS, requests: 10, concurrency: 2 });
  // Five requests from someone else while the second run is going.
  // Its model is recorded as its first request goes out (after the wait for a scrape before it).
  await until('the second run to send', async () => (await svc.get(second.id))?.model ?? null, 10_000, 20);
  await Promise.all(
    Array.from({ length: 5 }, () =>
      fetch(`${sb.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: sb.model, prompt: 'someone else', max_tokens: 4, priority: 'P1' }),
      }).then((r) => r.json()),
    ),
  );
  await svc.settle();
  const r2 = (await svc.get(second.id, { samples: true }))!;
  const p = await until('the scrape after the second run', async () => {
    const x = await panels.latencyPanel(r2, 'e2e');
    return x.pending ? null : x;
  });
  assert.equal(p.counts?.kind, 'exact');
  assert.equal(p.counts?.total, 15);
  assert.equal(p.counts?.difference, 5, 'five requests more than the run sent');
});
