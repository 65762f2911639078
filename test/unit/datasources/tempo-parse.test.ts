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
  assert.deepEqual(r.traces[0], { traceId: `${'0'.repeat(29)}abc`, rootServiceName: '', rootTraceName: '', startTimeUnixNano: 0n, durationMs: 0 });
  assert.deepEqual(parseSearch({}), { traces: [], metrics: {} });
  assert.throws(() => parseSearch({ traces: [{ traceID: 'not an id!' }] }), /traces\[0\].traceID/);
});

test('trace JSON: v2 wrapper without a trace is an empty trace; unreadable body is a tempo error', () => {
  assert.deepEqual(parseTraceJson({ status: 'COMPLETE' }, 'ab'), { traceId: `${'0'.repeat(30)}ab`, spans: [] });
  assert.throws(() => parseTraceJson({ resourceSpans: 'nope' }), (e: unknown) => e instanceof BackendError && e.backend === 'tempo' && e.errorType === 'bad_response');
});

const SPAN = (extra: Record<string, unknown> = {}) => ({
  traceId: '5b8efff798038103d269b633813fc60c',
  spanId: 'eee19b7ec3c1b174',
  name: 'GET /',
  startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000000500000000',
  ...extra,
});
const body = (spans: unknown[]) => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ spans }] }] });

test('a span whose link has junk ids is kept; the link is dropped and the trace says so', () => {
  const t = parseTraceJson(
    body([
      SPAN({
        links: [
          { traceId: 'not-an-id!', spanId: 'eee19b7ec3c1b174' },
          { traceId: '5b8efff798038103d269b633813fc60c', spanId: '00f067aa0ba902b7', attributes: [{ key: 'why', value: { stringValue: 'batch' } }] },
        ],
      }),
    ]),
  );
  assert.equal(t.spans.length, 1);
  assert.deepEqual(t.spans[0].links, [{ traceId: '5b8efff798038103d269b633813fc60c', spanId: '00f067aa0ba902b7', attributes: { why: 'batch' } }]);
  assert.equal(t.warnings?.length, 1);
  assert.match(t.warnings![0], /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]\.links\[0\]\.traceId: .*\(link dropped, span kept\)$/);
  // A span that cannot be read at all is dropped, and that is said too.
  const u = parseTraceJson(body([SPAN(), SPAN({ spanId: '0000000000000000' })]));
  assert.equal(u.spans.length, 1);
  assert.match(u.warnings![0], /spans\[1\]\.spanId: missing or all zero \(span dropped\)/);
});

test('the OTLP receiver still rejects such a span (an OTLP partial success)', async () => {
  const { decodeOtlpJson } = await import('../../../lib/otlp/decode');
  const r = decodeOtlpJson(body([SPAN({ links: [{ traceId: 'not-an-id!', spanId: 'eee19b7ec3c1b174' }] })]));
  assert.equal(r.spans.length, 0);
  assert.equal(r.rejectedSpans, 1);
});

/** The same OTLP JSON with proto field names, as Go's jsonpb with OrigName writes it. */
function snake(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snake);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(x)]));
}

test('OTLP JSON with snake_case (proto) field names reads like lowerCamelCase', async () => {
  const { fixtureJson } = await import('../../helpers/fixtures');
  for (const name of ['tempo/trace-by-id.vulture.otlp.json', 'tempo/trace.failed-requests.otlp.json']) {
    const camel = fixtureJson(name);
    const s = snake(camel) as Record<string, unknown>;
    assert.ok('resource_spans' in s || 'batches' in s, name);
    const a = parseTraceJson(camel);
    const b = parseTraceJson(s);
    assert.ok(a.spans.length > 0);
    assert.deepEqual(b, a, name);
  }
  // Attribute names are values, never renamed.
  const t = parseTraceJson(snake(body([SPAN({ attributes: [{ key: 'http.status_code', value: { intValue: '200' } }] })])));
  assert.deepEqual(t.spans[0].attributes, { 'http.status_code': 200 });
});

test('a trace body of an unknown shape is refused by name, never an empty trace', () => {
  assert.throws(
    () => parseTraceJson({ spans: [SPAN()] }),
    (e: unknown) => e instanceof BackendError && e.errorType === 'bad_response' && /expected resourceSpans .* found "spans"/.test(e.message),
  );
  assert.throws(() => parseTraceJson({ trace: { data: [] }, status: 'COMPLETE' }), /found "data"/);
});

test('histogram_over_time series become histograms: (b/2, b] buckets, counts summed over the range, gaps filled', async () => {
  const { histogramsFromBuckets } = await import('../../../lib/datasources/tempo/parse');
  const s = (labels: Record<string, string>, values: number[]) => ({ labels, values: values.map((v, i): [number, number] => [i * 60_000, v]), exemplars: [] });
  const hs = histogramsFromBuckets([
    s({ svc: 'a', __bucket: '0.5' }, [1, 2]),
    s({ svc: 'a', __bucket: '2' }, [4]),
    s({ svc: 'a', __bucket: '-1' }, [1]),
    s({ svc: 'b', __bucket: '0.125' }, [7]),
    s({ svc: 'c' }, [9]), // not a bucket series
  ]);
  assert.deepEqual(hs, [
    {
      labels: { svc: 'a' },
      buckets: [
        { lower: 0, upper: 0.25, count: 1 },
        { lower: 0.25, upper: 0.5, count: 3 },
        { lower: 0.5, upper: 1, count: 0 },
        { lower: 1, upper: 2, count: 4 },
      ],
      count: 8,
      sum: Number.NaN,
    },
    { labels: { svc: 'b' }, buckets: [{ lower: 0.0625, upper: 0.125, count: 7 }], count: 7, sum: Number.NaN },
  ]);
  assert.throws(() => histogramsFromBuckets([s({ __bucket: 'x' }, [1])]), /__bucket/);
});
