import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributes, isMetricsRefusal, parseSearch, parseTraceJson } from '../../../lib/datasources/tempo/parse';
import { BackendError } from '../../../lib/model/types';

test('isMetricsRefusal: missing feature vs wrong query', () => {
  const table: [number, string, boolean][] = [
    [404, '404 page not found', true],
    [400, 'localblocks processor not found', true],
    [501, 'not implemented', true],
    [500, 'metrics generator is not configured', true],
    [500, 'context deadline exceeded', false],
    [500, 'error finding generators in Querier.queryRangeRecent: empty ring', true],
    [400, 'invalid start: must be a unix epoch', false],
    [400, 'invalid TraceQL query: parse error at line 1, col 3: syntax error', false],
    [401, 'unauthorized', false],
    [429, 'too many requests', false],
  ];
  for (const [status, body, want] of table) assert.equal(isMetricsRefusal(status, body), want, `${status} ${body}`);
});

test('attributes: OTLP AnyValue kinds, int64 strings exact or kept as text', () => {
  assert.deepEqual(
    attributes([
      { key: 's', value: { stringValue: 'x' } },
      { key: 'i', value: { intValue: '42' } },
      { key: 'big', value: { intValue: '9223372036854775807' } },
      { key: 'd', value: { doubleValue: 0.5 } },
      { key: 'b', value: { boolValue: true } },
      { key: 'a', value: { arrayValue: { values: [{ stringValue: 'p' }, { intValue: 1 }] } } },
      { key: 'kv', value: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
      { key: 'none' },
    ], 'attributes'),
    { s: 'x', i: 42, big: '9223372036854775807', d: 0.5, b: true, a: ['p', 1], kv: { k: 'v' }, none: null },
  );
});

test('search: missing optional fields default; a bad trace id names the field', () => {
  const r = parseSearch({ traces: [{ traceID: 'abc' }] });
  assert.deepEqual(r.traces[0], { traceId: '0'.repeat(29) + 'abc', rootServiceName: '', rootTraceName: '', startTimeUnixNano: 0n, durationMs: 0 });
  assert.deepEqual(parseSearch({}), { traces: [], metrics: {} });
  assert.throws(() => parseSearch({ traces: [{ traceID: 'not an id!' }] }), /traces\[0\].traceID/);
});

test('trace JSON: v2 wrapper without a trace is an empty trace; unreadable body is a tempo error', () => {
  assert.deepEqual(parseTraceJson({ status: 'COMPLETE' }, 'ab'), { traceId: '0'.repeat(30) + 'ab', spans: [] });
  assert.throws(() => parseTraceJson({ resourceSpans: 'nope' }), (e: unknown) => e instanceof BackendError && e.backend === 'tempo' && e.errorType === 'bad_response');
});
