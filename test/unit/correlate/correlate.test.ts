import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketTraceQL, formatBucketParam, parseBucketParam, runWindow, spanProfileIds, traceqlDuration, traceqlString } from '../../../lib/correlate';
import type { Span, Trace } from '../../../lib/model/types';

test('bucket params round-trip, including the +Inf bucket, and reject nonsense', () => {
  for (const b of [{ lower: 0, upper: 0.005 }, { lower: 0.25, upper: 0.5 }, { lower: 10, upper: Infinity }]) {
    assert.deepEqual(parseBucketParam(formatBucketParam(b)), b);
  }
  assert.equal(formatBucketParam({ lower: 0.1 + 0.2, upper: 0.5 }), '0.3-0.5');
  for (const bad of ['', 'x-1', '1-0.5', '1-1', '-1-2', '0.1-0.2;drop']) assert.equal(parseBucketParam(bad), null, bad);
});

test('durations become exact TraceQL literals', () => {
  const table: [number, string][] = [
    [1, '1s'],
    [0.25, '250ms'],
    [0.0005, '500us'],
    [2.5, '2500ms'],
    [0.000001, '1us'],
  ];
  for (const [s, lit] of table) assert.equal(traceqlDuration(s), lit);
});

test('a bucket becomes a duration-bounded TraceQL query over server spans of the service', () => {
  assert.equal(
    bucketTraceQL('trisight-sandbox', { lower: 0.25, upper: 0.5 }),
    '{ resource.service.name = "trisight-sandbox" && kind = server && duration > 250ms && duration <= 500ms }',
  );
  assert.equal(bucketTraceQL('s', { lower: 0, upper: 0.1 }), '{ resource.service.name = "s" && kind = server && duration <= 100ms }');
  assert.equal(bucketTraceQL('s', { lower: 10, upper: Infinity }), '{ resource.service.name = "s" && kind = server && duration > 10s }');
});

test('untrusted service names cannot break out of the TraceQL string', () => {
  assert.equal(traceqlString('a" || true || "'), '"a\\" || true || \\""');
  assert.equal(traceqlString('back\\slash'), '"back\\\\slash"');
});

const span = (id: string, parent: string | undefined, service = 'sandbox'): Span => ({
  traceId: 'a'.repeat(32),
  spanId: id,
  parentSpanId: parent,
  service,
  name: id,
  kind: 'internal',
  startTimeUnixNano: 1_000_000_000n,
  endTimeUnixNano: 2_000_000_000n,
  status: 'unset',
  attributes: {},
  resourceAttributes: {},
  events: [],
  links: [],
});

test("a span's profile covers its own id and its descendants in the same service", () => {
  const trace: Trace = {
    traceId: 'a'.repeat(32),
    spans: [span('root', undefined, 'loadgen'), span('req', 'root'), span('prefill', 'req'), span('decode', 'req'), span('other', 'root')],
  };
  assert.deepEqual(spanProfileIds(trace, 'req').sort(), ['decode', 'prefill', 'req']);
  assert.deepEqual(spanProfileIds(trace, 'prefill'), ['prefill']);
  assert.deepEqual(spanProfileIds(trace, 'root'), ['root'], 'children in another service are not this service\'s CPU');
  assert.deepEqual(spanProfileIds(trace, 'missing'), []);
});

test('a run window is padded and open runs extend to now', () => {
  const t = new Date('2026-11-22T06:00:00Z');
  const w = runWindow({ createdAt: t, startedAt: t, finishedAt: new Date(t.getTime() + 10_000) });
  assert.deepEqual(w, { from: t.getTime() - 2000, to: t.getTime() + 12_000 });
  assert.equal(runWindow({ createdAt: t, startedAt: null, finishedAt: null }, t.getTime() + 5000).to, t.getTime() + 5000);
});
