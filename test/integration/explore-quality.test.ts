// Explore's quality panel route against the embedded store in a real Postgres:
// request spans arrive through POST /v1/traces (OTel SDK bytes) carrying the
// sandbox's quality attributes, and GET /api/traces/quality reads them back per
// signal, each against the span's duration. A service whose spans carry none
// gets the empty state's note.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { appDatabaseHooks } from '../helpers/postgres';

appDatabaseHooks({ poolSize: 4 });
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies read field by field
type Json = any;
type Handler = (req: Request) => Promise<Response>;
let quality: Handler;
let ready: Promise<void> | undefined;
// Loaded and seeded on first use: by then appDatabaseHooks has set DATABASE_URL.
const setup = () => (ready ??= load());

const T0 = 1_700_000_000_000;
const RANGE = { from: T0 - 60_000, to: T0 + 600_000 };
/** 12 sandbox requests: entropy and latency rise together; every third prompt too short for a KV block, every fourth output too short for a window. */
const REQUESTS = Array.from({ length: 12 }, (_, i) => ({ ms: 50 + i * 10, entropy: 1 + i * 0.5, ppl: 2 + (i % 3), std: i % 4 === 0 ? undefined : 0.1 * i, blocks: i % 3 === 0 ? null : { reused: i % 2, computed: 1 } }));
const sandboxTraces: { traceId: string; ms: number }[] = [];

async function load() {
  const otlp = ((await import('../../app/v1/traces/route')) as { POST: Handler }).POST;
  quality = ((await import('../../app/api/traces/quality/route')) as { GET: Handler }).GET;
  for (const [service, withAttributes] of [
    ['sandbox', true],
    ['plain', false],
  ] as const) {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const tracer = provider.getTracer('explore-quality-test');
    REQUESTS.forEach((r, i) => {
      const start = T0 + i * 1000;
      const attributes: Record<string, number> = {};
      if (withAttributes) {
        attributes['trisight.prompt.entropy_bits'] = r.entropy;
        attributes['trisight.output.perplexity'] = r.ppl;
        if (r.std !== undefined) attributes['trisight.output.perplexity_window_std_max'] = r.std;
        if (r.blocks) Object.assign(attributes, { 'trisight.kv_cache.blocks_reused': r.blocks.reused, 'trisight.kv_cache.blocks_computed': r.blocks.computed });
      }
      const root = tracer.startSpan('POST /v1/chat/completions', { kind: SpanKind.SERVER, startTime: start, attributes });
      // An inner span (not a request span): it must not count as a request.
      tracer.startSpan('decode', { startTime: start + 1 }, trace.setSpan(context.active(), root)).end(start + r.ms - 1);
      root.end(start + r.ms);
      if (withAttributes) sandboxTraces.push({ traceId: root.spanContext().traceId, ms: r.ms });
    });
    await provider.forceFlush();
    const body = ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans())!;
    const res = await otlp(new Request('http://127.0.0.1/v1/traces', { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/x-protobuf' } }));
    assert.equal(res.status, 200);
    await provider.shutdown();
  }
}

async function get(query: Record<string, string | number>): Promise<{ status: number; body: Json }> {
  await setup();
  const u = new URL('http://127.0.0.1/api/traces/quality');
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, String(v));
  const res = await quality(new Request(u));
  return { status: res.status, body: await res.json() };
}

const signal = (body: Json, name: string) => body.signals.find((s: Json) => s.signal === name);

test('a service whose request spans carry the attributes: per signal its values against each span’s duration', async () => {
  const r = await get({ svc: 'sandbox', ...RANGE });
  assert.equal(r.status, 200);
  assert.equal(r.body.source, 'embedded');
  assert.equal(r.body.query, '{ resource.service.name = "sandbox" && kind = server }');
  assert.deepEqual(r.body.requests, { read: 12, withSignals: 12, limit: 500 });
  assert.equal(r.body.note, undefined);

  const entropy = signal(r.body, 'entropy');
  assert.equal(entropy.count, 12);
  const points = [...entropy.points].sort((a: Json, b: Json) => a.e2eMs - b.e2eMs);
  assert.deepEqual(
    points.map((p: Json) => [p.traceId, p.e2eMs, p.value]),
    [...sandboxTraces].sort((a, b) => a.ms - b.ms).map((t, i) => [t.traceId, t.ms, REQUESTS[i].entropy]),
  );
  assert.equal(entropy.correlation, 1, 'entropy rises with latency: ρ = 1');
  assert.equal(entropy.distribution.reduce((a: number, b: Json) => a + b.count, 0), 12);

  assert.equal(signal(r.body, 'perplexity').count, 12);
  assert.equal(signal(r.body, 'perplexity_std').count, 9, 'outputs shorter than a window have none');
  const kv = signal(r.body, 'kv_reuse');
  assert.equal(kv.count, 8, 'prompts shorter than a block have none');
  assert.deepEqual([...new Set(kv.points.map((p: Json) => p.value))].sort(), [0, 0.5]);
});

test('all services: the request spans of both are read, only the sandbox’s carry signals', async () => {
  const r = await get(RANGE);
  assert.equal(r.status, 200);
  assert.equal(r.body.query, '{ kind = server }');
  assert.deepEqual(r.body.requests, { read: 24, withSignals: 12, limit: 500 });
  assert.equal(signal(r.body, 'entropy').count, 12);
});

test('a service without quality attributes: no signals, and a note saying what to do', async () => {
  const r = await get({ svc: 'plain', ...RANGE });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.signals, []);
  assert.deepEqual(r.body.requests, { read: 12, withSignals: 0, limit: 500 });
  assert.match(r.body.note, /"plain" carry no quality attributes .*bundled sandbox/);
  const none = await get({ svc: 'sandbox', from: T0 + 3_600_000, to: T0 + 7_200_000 });
  assert.deepEqual(none.body.signals, []);
  assert.match(none.body.note, /No request \(server\) span of "sandbox" in this range/);
});

test('bad input is a 400 naming the field', async () => {
  const back = await get({ svc: 'sandbox', from: RANGE.to, to: RANGE.from });
  assert.equal(back.status, 400);
  assert.match(back.body.error.message, /to must be after from/);
  const noRange = await get({ svc: 'sandbox' });
  assert.equal(noRange.status, 400);
  assert.match(noRange.body.error.message, /from/);
  const long = await get({ svc: 'x'.repeat(501), ...RANGE });
  assert.equal(long.status, 400);
  assert.match(long.body.error.message, /svc must be at most 500 characters/);
});
