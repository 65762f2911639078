// The embedded trace store end to end against a real Postgres: OTLP bodies go
// through the app's POST /v1/traces route handler, reads through the store.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { appDatabaseHooks } from '../helpers/postgres';
import { bucketTraceQL } from '../../lib/correlate';
import { ExportTraceServiceResponse, RpcStatus } from '../../lib/otlp/proto';
import type { Span } from '../../lib/model/types';
import { fixture } from '../helpers/fixtures';

const app = appDatabaseHooks({ poolSize: 2 });
let POST: (req: Request) => Promise<Response>;
let store: typeof import('../../lib/datasources/embedded/spans');
let receiver: typeof import('../../lib/datasources/embedded/otlp-receiver');

before(async () => {
  // After appDatabaseHooks's hook has set DATABASE_URL, which config() reads on first use.
  ({ POST } = await import('../../app/v1/traces/route'));
  store = await import('../../lib/datasources/embedded/spans');
  receiver = await import('../../lib/datasources/embedded/otlp-receiver');
});

const EVIL = '<img src=x onerror=alert(1)>';
const T0 = 1_700_000_000; // unix s

/** Real SDK spans: one request (server) span per duration in ms, each with a child, in its own trace. */
async function requests(service: string, durationsMs: number[], extra: Record<string, string | number> = {}): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  durationsMs.forEach((ms, i) => {
    const start: [number, number] = [T0 + i, 0];
    const root = tracer.startSpan('POST /v1/chat/completions', { kind: SpanKind.SERVER, startTime: start, attributes: { 'trisight.sampling.probability': 0.5, idx: i, ...extra } });
    const child = tracer.startSpan('decode', { startTime: start }, trace.setSpan(context.active(), root));
    child.end([T0 + i, (ms / 2) * 1e6]);
    root.end([T0 + i + Math.floor(ms / 1000), (ms % 1000) * 1e6]);
  });
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

const post = (body: Uint8Array | string, headers: Record<string, string>) =>
  POST(new Request('http://127.0.0.1/v1/traces', { method: 'POST', body: body as BodyInit, headers }));

async function count(where = 'TRUE', params: unknown[] = []): Promise<number> {
  return Number((await app.pool.query(`SELECT count(*)::int AS n FROM embedded_span WHERE ${where}`, params)).rows[0].n);
}

test('protobuf export through POST /v1/traces is stored and read back exactly', async () => {
  const spans = await requests('svc-proto', [120, 300]);
  const res = await post(ProtobufTraceSerializer.serializeRequest(spans)!, { 'content-type': 'application/x-protobuf' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/x-protobuf');
  assert.deepEqual(ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(new Uint8Array(await res.arrayBuffer()))), {});
  const root = spans.find((s) => s.kind === SpanKind.SERVER)!;
  const t = await store.getTrace(app.pool, root.spanContext().traceId.toUpperCase());
  assert.ok(t);
  assert.equal(t.spans.length, 2);
  const r = t.spans.find((s) => s.spanId === root.spanContext().spanId)!;
  assert.equal(r.kind, 'server');
  assert.equal(r.service, 'svc-proto');
  assert.equal(r.startTimeUnixNano, BigInt(T0) * 1_000_000_000n);
  assert.equal(r.endTimeUnixNano - r.startTimeUnixNano, 120_000_000n);
  assert.equal(r.attributes['trisight.sampling.probability'], 0.5);
  const child = t.spans.find((s) => s !== r)!;
  assert.equal(child.parentSpanId, r.spanId);
  assert.equal(await store.getTrace(app.pool, 'ffffffffffffffffffffffffffffffff'), null);
  await assert.rejects(store.getTrace(app.pool, 'zz'), /not a trace id/);
});

test('gzip JSON export is accepted and answered in JSON; hostile strings are stored as data', async () => {
  const spans = await requests(EVIL, [50], { [EVIL]: EVIL });
  const body = gzipSync(JsonTraceSerializer.serializeRequest(spans)!);
  const res = await post(body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {});
  const t = (await store.getTrace(app.pool, spans[0].spanContext().traceId))!;
  const root = t.spans.find((s) => s.kind === 'server')!;
  assert.equal(root.service, EVIL);
  assert.equal(root.attributes[EVIL], EVIL);
  assert.equal(root.resourceAttributes['service.name'], EVIL);
});

test('bad bodies are refused with a reason and store nothing', async () => {
  const before = await count();
  const junk = await post(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), { 'content-type': 'application/x-protobuf' });
  assert.equal(junk.status, 400);
  const status = RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await junk.arrayBuffer()))) as { code: number; message: string };
  assert.equal(status.code, 3);
  assert.match(status.message, /malformed ExportTraceServiceRequest protobuf/);

  const badJson = await post('{"resourceSpans": [', { 'content-type': 'application/json' });
  assert.equal(badJson.status, 400);
  assert.match((await badJson.json()).message, /malformed JSON/);

  const wrongShape = await post('{"resourceSpans": {"a": 1}}', { 'content-type': 'application/json' });
  assert.equal(wrongShape.status, 400);
  assert.equal((await wrongShape.json()).message, 'resourceSpans: expected an array');

  const badGzip = await post(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
  assert.equal(badGzip.status, 400);
  assert.match((await badGzip.json()).message, /malformed gzip body/);

  const type = await post('x', { 'content-type': 'text/plain' });
  assert.equal(type.status, 415);

  const limits = receiver.OTLP_LIMITS;
  const saved = { ...limits };
  try {
    limits.maxBodyBytes = 1000;
    const big = await post(JSON.stringify({ resourceSpans: [], pad: 'x'.repeat(5000) }), { 'content-type': 'application/json' });
    assert.equal(big.status, 413);
    assert.match((await big.json()).message, /exceeds the limit of 1000 bytes/);
    limits.maxBodyBytes = saved.maxBodyBytes;
    limits.maxDecodedBytes = 100_000;
    const bomb = await post(gzipSync(Buffer.alloc(1_000_000, 32)), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    assert.equal(bomb.status, 413);
  } finally {
    Object.assign(limits, saved);
  }
  assert.equal(await count(), before);
});

test('invalid spans are reported as partial success while their valid siblings are stored', async () => {
  const good = { traceId: 'aa'.repeat(16), spanId: 'bb'.repeat(8), name: 'good', startTimeUnixNano: '1000', endTimeUnixNano: '2000', kind: 2 };
  const body = JSON.stringify({
    resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] }, scopeSpans: [{ spans: [good, { ...good, spanId: '00'.repeat(8) }, { ...good, spanId: 'cc'.repeat(8), endTimeUnixNano: '18446744073709551615' }] }] }],
  });
  const res = await post(body, { 'content-type': 'application/json' });
  assert.equal(res.status, 200);
  const j = await res.json();
  assert.equal(j.partialSuccess.rejectedSpans, '2');
  assert.match(j.partialSuccess.errorMessage, /spans\[1\]\.spanId: missing or all zero; .*spans\[2\]\.endTimeUnixNano: .* beyond any real time/);
  assert.equal(await count('service = $1', ['partial']), 1);
});

test('a batch is stored whole or not at all', async () => {
  // A constraint in this test database makes one span of the batch unstorable.
  await app.pool.query(`ALTER TABLE embedded_span ADD CONSTRAINT test_no_poison CHECK (name <> 'poison')`);
  try {
    const mk = (i: number, name: string) => ({ traceId: 'dd'.repeat(16), spanId: `${i}`.padStart(16, 'e'), name, startTimeUnixNano: '1', endTimeUnixNano: '2' });
    const body = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [mk(1, 'a'), mk(2, 'b'), mk(3, 'poison'), mk(4, 'c')] }] }] });
    const res = await post(body, { 'content-type': 'application/json' });
    assert.equal(res.status, 503, 'retryable for the exporter');
    assert.match((await res.json()).message, /could not store spans/);
    assert.equal(await count('trace_id = $1', ['dd'.repeat(16)]), 0);
  } finally {
    await app.pool.query('ALTER TABLE embedded_span DROP CONSTRAINT test_no_poison');
  }
});

test('a re-sent batch (exporter retry) does not duplicate spans', async () => {
  const spans = await requests('svc-retry', [10]);
  const body = ProtobufTraceSerializer.serializeRequest(spans)!;
  for (let i = 0; i < 2; i++) assert.equal((await post(body, { 'content-type': 'application/x-protobuf' })).status, 200);
  assert.equal(await count('service = $1', ['svc-retry']), 2);
});

test('search: service, span name, duration range (bucket TraceQL), time range, attribute equality, tags', async () => {
  const durations = [5, 15, 30, 60, 120, 250, 400, 900];
  const spans = await requests('svc-search', durations, { route: 'chat' });
  assert.equal((await post(ProtobufTraceSerializer.serializeRequest(spans)!, { 'content-type': 'application/x-protobuf' })).status, 200);
  const range = { from: T0 * 1000 - 1000, to: (T0 + 100) * 1000 };
  const all = await store.searchTraces(app.pool, { q: '{ resource.service.name = "svc-search" && kind = server }', range, limit: 100 });
  assert.equal(all.traces.length, durations.length);
  assert.ok(all.traces.every((t) => t.rootServiceName === 'svc-search' && t.rootTraceName === 'POST /v1/chat/completions'));
  // Most recent first.
  assert.deepEqual(all.traces.map((t) => t.durationMs), [...durations].reverse());

  // The bucket (0.1 s, 0.4 s] as lib/correlate writes it.
  const q = bucketTraceQL('svc-search', { lower: 0.1, upper: 0.4 });
  const bucket = await store.searchTraces(app.pool, { q, range, limit: 100 });
  assert.deepEqual(bucket.traces.map((t) => t.durationMs).sort((a, b) => a - b), [120, 250, 400]);
  assert.ok(bucket.traces.every((t) => t.spans!.length === 1 && t.spans![0].name === 'POST /v1/chat/completions'));

  const byName = await store.searchTraces(app.pool, { q: '{ resource.service.name = "svc-search" && name = "decode" && duration >= 100ms }', range, limit: 100 });
  assert.deepEqual(byName.traces.map((t) => t.durationMs).sort((a, b) => a - b), [250, 400, 900]);

  const byAttr = await store.searchTraces(app.pool, { q: '{ span.idx = 3 }', range, limit: 100 });
  assert.deepEqual(byAttr.traces.map((t) => t.durationMs), [60]);
  const byTags = await store.searchTraces(app.pool, { tags: 'service.name=svc-search idx=3', range, limit: 100 });
  assert.deepEqual(byTags.traces.map((t) => t.durationMs), [60]);

  const early = await store.searchTraces(app.pool, { q: '{ resource.service.name = "svc-search" }', range: { from: range.from, to: (T0 + 2) * 1000 }, limit: 100 });
  assert.deepEqual(early.traces.map((t) => t.durationMs).sort((a, b) => a - b), [5, 15, 30]);
  assert.equal((await store.searchTraces(app.pool, { q: '{ resource.service.name = "svc-search" }', range, limit: 2 })).traces.length, 2);

  // Beyond the bucket subset: ||, comparisons on numbers, regexes (anchored), negation, nil.
  const idx = async (q: string) => (await store.searchTraces(app.pool, { q, range, limit: 100 })).traces.map((t) => t.durationMs).sort((a, b) => a - b);
  assert.deepEqual(await idx('{ resource.service.name = "svc-search" && (span.idx = 0 || span.idx >= 6) }'), [5, 400, 900]);
  assert.deepEqual(await idx('{ resource.service.name = "svc-search" && kind = server && span.idx < 2 }'), [5, 15]);
  assert.deepEqual(await idx('{ resource.service.name =~ "svc-se.*" && kind = server && !(duration > 20ms) }'), [5, 15]);
  assert.deepEqual(await idx('{ resource.service.name =~ "svc-se" }'), [], 'regexes match the whole value');
  assert.deepEqual(await idx('{ span.idx = "3" }'), [], 'typed: the string "3" is not the number 3');
  assert.deepEqual(await idx('{ resource.service.name = "svc-search" && kind = server && span.missing != nil }'), []);
  assert.equal((await idx('{ resource.service.name = "svc-search" && kind = server && span.missing = nil }')).length, durations.length);

  await assert.rejects(store.searchTraces(app.pool, { q: "{ span.a = 1 } || { span.b = 2 }", range }), /does not support joining span sets with `\|\|`/);
  await assert.rejects(store.searchTraces(app.pool, { q: `{ name = "x" } | count() > 2`, range }), /does not support pipelines/);

  const services = await store.tagValues(app.pool, 'resource.service.name', { range });
  assert.ok(services.some((v) => v.value === 'svc-search'));
  const names = await store.tagValues(app.pool, 'name', { q: '{ resource.service.name = "svc-search" }', range });
  assert.deepEqual(names.map((v) => v.value), ['POST /v1/chat/completions', 'decode']);
});

test('fixtures: the recorded Tempo traces can be stored and searched', async () => {
  const { decodeOtlpJsonText, decodeTempoTraceProto } = await import('../../lib/otlp');
  const fx = (n: string) => fixture(`tempo/${n}`);
  const sets: Span[][] = [decodeTempoTraceProto(fx('trace-by-id.tempopb.pb')).spans, decodeOtlpJsonText(fx('trace.failed-requests.otlp.json')).spans];
  for (const spans of sets) assert.equal(await store.insertSpans(app.pool, spans), spans.length);
  const loki = await store.getTrace(app.pool, '620f03a2253c5e37');
  assert.equal(loki?.spans.length, 30);
  const errors = await store.searchTraces(app.pool, { q: '{ status = error }', range: { from: 1658325672000, to: 1658325673000 } });
  assert.equal(errors.traces.length, 1);
});
