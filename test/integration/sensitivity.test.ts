// Sensitivity tags end to end on a real Postgres: spans marked data_class=PII
// go in through POST /v1/traces; a non-admin's reads (trace by id, search,
// tag values) see values withheld, an admin's see them, and the route gives
// the local admin (sign-in off) everything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { appDatabaseHooks } from '../helpers/postgres';
import { WITHHELD } from '../../lib/redaction/sensitivity';

appDatabaseHooks({ poolSize: 2 });
let traceId = '';
let panels: typeof import('../../lib/runs/panels');
let datasources: typeof import('../../lib/datasources');

// Run from the first test: only then has appDatabaseHooks's hook set DATABASE_URL,
// which config() reads on first use (a second top-level before() may run first).
let setup: Promise<void> | undefined;
const ready = () => (setup ??= ingestMarkedTrace());

async function ingestMarkedTrace(): Promise<void> {
  const { POST } = await import('../../app/v1/traces/route');
  panels = await import('../../lib/runs/panels');
  datasources = await import('../../lib/datasources');
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'crm' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  const root = tracer.startSpan('GET /customers/:id', { kind: SpanKind.SERVER, attributes: { 'customer.tier': 'public-tier', 'user.id': 'u-1001' } });
  const marked = tracer.startSpan('load profile', { attributes: { data_class: 'PII', 'customer.tier': 'secret-tier', 'customer.address': '1 Main St' } }, trace.setSpan(context.active(), root));
  marked.addEvent('read', { field: 'address' });
  marked.end();
  root.end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  traceId = spans[0].spanContext().traceId;
  const res = await POST(new Request('http://127.0.0.1/v1/traces', { method: 'POST', body: JsonTraceSerializer.serializeRequest(spans) as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/json' } }));
  assert.equal(res.status, 200);
}

type JsonSpan = { name: string; attributes: Record<string, unknown>; events: { attributes: Record<string, unknown> }[] };
const byName = (spans: JsonSpan[], name: string) => spans.find((s) => s.name === name)!;

test('a non-admin sees that values were withheld; an admin sees them', async () => {
  await ready();
  const hidden = (await panels.traceById(traceId, undefined, {})).trace.spans as unknown as JsonSpan[];
  const load = byName(hidden, 'load profile');
  assert.equal(load.attributes['customer.address'], WITHHELD);
  assert.equal(load.attributes['customer.tier'], WITHHELD);
  assert.equal(load.attributes.data_class, 'PII');
  assert.equal(load.events[0].attributes.field, WITHHELD);
  const root = byName(hidden, 'GET /customers/:id');
  assert.equal(root.attributes['customer.tier'], 'public-tier', 'an unmarked span keeps its values');
  assert.equal(root.attributes['user.id'], WITHHELD, 'user.* is on SENSITIVE_KEYS');

  const shown = (await panels.traceById(traceId, undefined, { revealSensitive: true })).trace.spans as unknown as JsonSpan[];
  assert.equal(byName(shown, 'load profile').attributes['customer.address'], '1 Main St');
  assert.equal(byName(shown, 'GET /customers/:id').attributes['user.id'], 'u-1001');
});

test('GET /api/traces/:id with sign-in off: the local admin sees everything', async () => {
  await ready();
  const { GET } = await import('../../app/api/traces/[traceId]/route');
  const res = await GET(new Request(`http://127.0.0.1/api/traces/${traceId}`), { params: Promise.resolve({ traceId }) });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { trace: { spans: JsonSpan[] } };
  assert.equal(byName(body.trace.spans, 'load profile').attributes['customer.address'], '1 Main St');
});

test('tag values: a sensitive key lists nothing, and marked spans add no values, unless revealed', async () => {
  await ready();
  const hidden = datasources.traceSource();
  assert.deepEqual(await hidden.tagValues('span.user.id'), []);
  assert.deepEqual((await hidden.tagValues('span.customer.tier')).map((v) => v.value), ['public-tier']);
  const all = datasources.traceSource({ revealSensitive: true });
  assert.deepEqual((await all.tagValues('span.customer.tier')).map((v) => v.value).sort(), ['public-tier', 'secret-tier']);
  assert.deepEqual((await all.tagValues('span.user.id')).map((v) => v.value), ['u-1001']);
});

test('search results withhold the matched spans’ values', async () => {
  await ready();
  const r = await datasources.traceSource().search({ q: '{ span.data_class = "PII" }', spss: 5 });
  const t = r.traces.find((x) => x.traceId === traceId);
  assert.ok(t?.spans?.length, 'the marked span matched');
  for (const s of t.spans) assert.equal(s.attributes['customer.address'] ?? WITHHELD, WITHHELD);
  const revealed = await datasources.traceSource({ revealSensitive: true }).search({ q: '{ span.data_class = "PII" }', spss: 5 });
  const rt = revealed.traces.find((x) => x.traceId === traceId);
  assert.ok(rt?.spans?.some((s) => s.attributes['customer.tier'] === 'secret-tier'));
});
