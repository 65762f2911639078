import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  OtlpDecodeError,
  decodeExportTraceServiceRequest,
  decodeOtlpJson,
  decodeOtlpJsonText,
  decodeTempoTraceProto,
  encodeExportTraceServiceResponse,
  normalizeSpanId,
  normalizeTraceId,
  partialSuccess,
} from '../../../lib/otlp';
import { ExportTraceServiceResponse } from '../../../lib/otlp/proto';
import { fixture as fixtureFile } from '../../helpers/fixtures';

const fixture = (name: string) => fixtureFile(`tempo/${name}`);

test('tempopb.Trace protobuf from Tempo (2021, instrumentation_library_spans) decodes into one tree of 30 spans', () => {
  const r = decodeTempoTraceProto(fixture('trace-by-id.tempopb.pb'));
  assert.equal(r.rejectedSpans, 0, r.errors.join('\n'));
  assert.equal(r.spans.length, 30);
  const ids = new Set(r.spans.map((s) => s.spanId));
  assert.equal(ids.size, 30);
  // Jaeger-originated 64-bit trace id: the upper half is zero, kept as 32 hex chars.
  assert.deepEqual([...new Set(r.spans.map((s) => s.traceId))], ['0000000000000000620f03a2253c5e37']);
  assert.ok(r.spans.every((s) => s.service === 'loki-all' && /^[0-9a-f]{16}$/.test(s.spanId)));
  const roots = r.spans.filter((s) => !s.parentSpanId);
  assert.equal(roots.length, 1, 'exactly one root');
  assert.ok(r.spans.every((s) => !s.parentSpanId || ids.has(s.parentSpanId)), 'every parent is in the trace');
  assert.ok(r.spans.every((s) => s.endTimeUnixNano >= s.startTimeUnixNano && s.startTimeUnixNano > 1_600_000_000_000_000_000n));
  const first = r.spans.find((s) => s.spanId === '24fd2c12eb963190')!;
  assert.equal(first.name, 'store.validateQueryTimeRange');
  assert.equal(first.startTimeUnixNano, 1616072924071839000n);
  assert.equal(first.endTimeUnixNano - first.startTimeUnixNano, 4000n);
  assert.equal(first.resourceAttributes.ip, '172.18.0.6');
});

test('Tempo vulture OTLP JSON with base64 ids decodes ids, int attributes (strings) and events', () => {
  const r = decodeOtlpJsonText(fixture('trace-by-id.vulture.otlp.json'));
  assert.equal(r.rejectedSpans, 0, r.errors.join('\n'));
  assert.equal(r.spans.length, 6);
  const hex = Buffer.from('MUkZX/sL7AU0e0jv6OzBsA==', 'base64').toString('hex');
  assert.ok(r.spans.every((s) => s.traceId === hex));
  const root = r.spans.find((s) => s.spanId === Buffer.from('SyPeJdH7ZkE=', 'base64').toString('hex'))!;
  assert.equal(root.name, 'vulture-68');
  assert.equal(root.parentSpanId, undefined);
  assert.equal(root.endTimeUnixNano - root.startTimeUnixNano, 92_000n);
  assert.equal(root.events.length, 4);
  assert.equal(root.events[0].attributes['vulture-event-int-01'], 424354);
  assert.equal(root.events[0].timeUnixNano, 1636729665000000000n);
  assert.equal(root.resourceAttributes['vulture-process-int-01'], 164005);
  assert.equal(root.service, 'tempo-vulture');
  const child = r.spans.find((s) => s.name === 'vulture-45')!;
  assert.equal(child.parentSpanId, root.spanId);
});

test('multi-service OTLP JSON with kind and status as enum names', () => {
  const r = decodeOtlpJsonText(fixture('trace.failed-requests.otlp.json'));
  assert.equal(r.rejectedSpans, 0);
  assert.equal(r.spans.length, 15);
  const kinds: Record<string, number> = {};
  for (const s of r.spans) kinds[s.kind] = (kinds[s.kind] ?? 0) + 1;
  assert.deepEqual(kinds, { client: 6, internal: 8, server: 1 });
  assert.equal(r.spans.filter((s) => s.status === 'error').length, 3);
  assert.ok(new Set(r.spans.map((s) => s.service)).size > 1);
  assert.equal(r.spans[0].startTimeUnixNano, 1658325672496201216n, 'nanoseconds beyond 2^53 stay exact');
});

test("Tempo's v1 `batches` body with upper-case hex ids and a numeric kind", () => {
  const r = decodeOtlpJsonText(fixture('trace.v1-batches.json'));
  assert.equal(r.spans.length, 1);
  const [s] = r.spans;
  assert.equal(s.traceId, '5b8efff798038103d269b633813fc60c');
  assert.equal(s.spanId, 'eee19b7ec3c1b174');
  assert.equal(s.parentSpanId, 'eee19b7ec3c1b173');
  assert.equal(s.kind, 'server');
  assert.equal(s.service, 'my.service');
  assert.equal(s.attributes['my.span.attr'], 'some value');
});

test('ids: hex with dropped leading zeros is left-padded; base64 and hex agree; junk is refused', () => {
  assert.equal(normalizeTraceId('2f3e0cee77ae5dc9c17ade3689eb2e'), '00' + '2f3e0cee77ae5dc9c17ade3689eb2e');
  assert.equal(normalizeTraceId('ABC'), `${'0'.repeat(29)}abc`);
  assert.equal(normalizeSpanId('kAf+pIRVStc='), '9007fea484554ad7');
  assert.equal(normalizeTraceId('6Lbf+fjUSyjxsivDvS9naA=='), 'e8b6dff9f8d44b28f1b22bc3bd2f6768');
  assert.throws(() => normalizeSpanId('0123456789abcdef0'), /8 bytes/);
  assert.throws(() => normalizeTraceId('not an id!'), /16 bytes/);
});

/** Records real SDK spans so the decoder is checked against OpenTelemetry's own serializers. */
async function sdkSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'sandbox', 'host.name': 'h1' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('trisight-test', '1.2.3');
  const root = tracer.startSpan('POST /v1/chat/completions', {
    kind: SpanKind.SERVER,
    startTime: [1_700_000_000, 123_456_789],
    attributes: { 'gen_ai.request.model': 'tiny', 'gen_ai.usage.output_tokens': 42, ratio: 0.25, streamed: true, 'tokens.list': [1, 2, 3] },
  });
  const child = tracer.startSpan(
    'decode <img src=x onerror=alert(1)>',
    { startTime: [1_700_000_000, 200_000_000], links: [{ context: root.spanContext(), attributes: { why: 'batch' } }] },
    trace.setSpan(context.active(), root),
  );
  child.addEvent('first token', { index: 0 }, [1_700_000_000, 300_000_000]);
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'oom' });
  child.end([1_700_000_000, 400_000_001]);
  root.end([1_700_000_001, 0]);
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return { spans, root: root.spanContext(), child: child.spanContext() };
}

for (const [label, serializer, decode] of [
  ['protobuf', ProtobufTraceSerializer, (b: Uint8Array) => decodeExportTraceServiceRequest(b)],
  ['JSON', JsonTraceSerializer, (b: Uint8Array) => decodeOtlpJsonText(b)],
] as const) {
  test(`OpenTelemetry JS ${label} export bodies round-trip exactly`, async () => {
    const { spans, root, child } = await sdkSpans();
    const body = serializer.serializeRequest(spans)!;
    const r = decode(body);
    assert.equal(r.rejectedSpans, 0, r.errors.join('\n'));
    assert.equal(r.spans.length, 2);
    const p = r.spans.find((s) => s.spanId === root.spanId)!;
    const c = r.spans.find((s) => s.spanId === child.spanId)!;
    assert.equal(p.traceId, root.traceId);
    assert.equal(p.kind, 'server');
    assert.equal(p.service, 'sandbox');
    assert.equal(p.startTimeUnixNano, 1_700_000_000_123_456_789n);
    assert.equal(p.endTimeUnixNano, 1_700_000_001_000_000_000n);
    assert.deepEqual(p.attributes, { 'gen_ai.request.model': 'tiny', 'gen_ai.usage.output_tokens': 42, ratio: 0.25, streamed: true, 'tokens.list': [1, 2, 3] });
    assert.equal(p.resourceAttributes['host.name'], 'h1');
    assert.equal(c.parentSpanId, root.spanId);
    assert.equal(c.name, 'decode <img src=x onerror=alert(1)>');
    assert.equal(c.kind, 'internal');
    assert.equal(c.status, 'error');
    assert.equal(c.statusMessage, 'oom');
    assert.equal(c.endTimeUnixNano, 1_700_000_000_400_000_001n);
    assert.deepEqual(c.events, [{ name: 'first token', timeUnixNano: 1_700_000_000_300_000_000n, attributes: { index: 0 } }]);
    assert.deepEqual(c.links, [{ traceId: root.traceId, spanId: root.spanId, attributes: { why: 'batch' } }]);
  });
}

const okSpan = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'ok', startTimeUnixNano: '1', endTimeUnixNano: '2' };

test('an invalid span is rejected with its path while its siblings are kept (partial success)', () => {
  const r = decodeOtlpJson({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: [
              okSpan,
              { ...okSpan, traceId: '00000000000000000000000000000000' },
              { ...okSpan, spanId: 'xyz' },
              { ...okSpan, startTimeUnixNano: '-5' },
              { ...okSpan, kind: 'SPAN_KIND_WHATEVER' },
            ],
          },
        ],
      },
    ],
  });
  assert.equal(r.spans.length, 1);
  assert.equal(r.spans[0].service, 'unknown_service');
  assert.equal(r.rejectedSpans, 4);
  assert.match(r.errors[0], /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\.traceId: missing or all zero$/);
  assert.match(r.errors[1], /spans\[2\]\.spanId: expected 8 bytes/);
  assert.match(r.errors[2], /spans\[3\]\.startTimeUnixNano/);
  assert.match(r.errors[3], /spans\[4\]\.kind: unknown value/);
  const ps = partialSuccess(r)!;
  assert.equal(ps.rejectedSpans, 4);
  assert.match(ps.errorMessage, /traceId: missing or all zero; /);
  assert.equal(partialSuccess({ rejectedSpans: 0, errors: [] }), undefined);
});

test('structurally malformed bodies throw OtlpDecodeError naming the problem', () => {
  assert.throws(() => decodeOtlpJsonText('{"resourceSpans": ['), (e: unknown) => e instanceof OtlpDecodeError && /malformed JSON/.test(e.message));
  assert.throws(() => decodeOtlpJson([]), /\(body\): expected a JSON object/);
  assert.throws(() => decodeOtlpJson({ resourceSpans: {} }), (e: unknown) => e instanceof OtlpDecodeError && /^resourceSpans: expected an array$/.test(e.message));
  assert.throws(() => decodeOtlpJson({ resourceSpans: [{ scopeSpans: [{ spans: 7 }] }] }), /resourceSpans\[0\]\.scopeSpans\[0\]\.spans: expected an array/);
  assert.throws(
    () => decodeOtlpJson({ resourceSpans: [{ resource: { attributes: [{ key: 'k', value: { boolValue: 'yes' } }] }, scopeSpans: [] }] }),
    /resourceSpans\[0\]\.resource\.attributes\[0\]\.value\.boolValue: expected a boolean/,
  );
  assert.throws(() => decodeExportTraceServiceRequest(Uint8Array.from([0x0a, 0xff, 0xff, 0xff])), (e: unknown) => e instanceof OtlpDecodeError && /malformed ExportTraceServiceRequest protobuf/.test(e.message));
  assert.deepEqual(decodeOtlpJson({}), { spans: [], rejectedSpans: 0, errors: [], warnings: [] });
  // A receiver ignores fields it does not know, as OTLP requires; a reader of a trace refuses them by name.
  assert.deepEqual(decodeOtlpJson({ unknownField: 1 }).spans, []);
  assert.throws(() => decodeOtlpJson({ unknownField: 1 }, { refuseUnknownShape: true }), /found "unknownField"/);
});

test('instrumentationLibrarySpans (pre-1.0 JSON) and attribute value kinds, NUL and lone surrogates made safe', () => {
  const r = decodeOtlpJson({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
        instrumentationLibrarySpans: [
          {
            spans: [
              {
                ...okSpan,
                name: 'a\u0000b\ud800',
                kind: 3,
                attributes: [
                  { key: 'big', value: { intValue: '9223372036854775807' } },
                  { key: 'neg', value: { intValue: -3 } },
                  { key: 'd', value: { doubleValue: 'NaN' } },
                  { key: 'bytes', value: { bytesValue: 'AAE=' } },
                  { key: 'kv', value: { kvlistValue: { values: [{ key: 'x', value: { stringValue: 'y' } }] } } },
                  { key: 'empty', value: {} },
                ],
              },
            ],
          },
        ],
      },
    ],
  });
  assert.equal(r.rejectedSpans, 0, r.errors.join());
  const [s] = r.spans;
  assert.equal(s.kind, 'client');
  assert.equal(s.name, 'a\uFFFDb\uFFFD');
  assert.deepEqual(s.attributes, { big: '9223372036854775807', neg: -3, d: 'NaN', bytes: 'AAE=', kv: { x: 'y' }, empty: null });
});

test('ExportTraceServiceResponse carries partial_success in protobuf', () => {
  const bytes = encodeExportTraceServiceResponse({ rejectedSpans: 3, errorMessage: 'bad ids' });
  const o = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(bytes), { longs: String });
  assert.deepEqual(o, { partialSuccess: { rejectedSpans: '3', errorMessage: 'bad ids' } });
  assert.equal(encodeExportTraceServiceResponse().length, 0);
});
