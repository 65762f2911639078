import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketTraceQL } from '../../../lib/correlate';
import { TraceQLError, parseDuration, parseTags, parseTraceQL } from '../../../lib/datasources/embedded/traceql';

test('durations are exact in nanoseconds', () => {
  const cases: [string, bigint][] = [
    ['250ms', 250_000_000n],
    ['1.5s', 1_500_000_000n],
    ['0.1s', 100_000_000n],
    ['10us', 10_000n],
    ['7ns', 7n],
    ['2m', 120_000_000_000n],
    ['1h', 3_600_000_000_000n],
  ];
  for (const [s, ns] of cases) assert.equal(parseDuration(s), ns, s);
  assert.throws(() => parseDuration('5 parsecs'), TraceQLError);
});

test('the span set lib/correlate writes for a histogram bucket', () => {
  const c = parseTraceQL(bucketTraceQL('trisight-sandbox', { lower: 0.32, upper: 0.64 }, 'text_completion trisight-tiny'));
  assert.deepEqual(c, {
    service: 'trisight-sandbox',
    kind: 'server',
    name: 'text_completion trisight-tiny',
    minDurationNs: 320_000_000n,
    minInclusive: false,
    maxDurationNs: 640_000_000n,
    maxInclusive: true,
    attributes: {},
    resourceAttributes: {},
  });
  const open = parseTraceQL(bucketTraceQL('s', { lower: 81.92, upper: Infinity }));
  assert.equal(open.maxDurationNs, undefined);
  assert.equal(open.minDurationNs, 81_920_000_000n);
});

test('attributes, intrinsics and scopes', () => {
  assert.deepEqual(parseTraceQL('{ span.http.route = "/v1/chat" && resource.host.name = "h1" && .gen_ai.request.model = "tiny" && span.n = 3 && span.ok = true && status = error }'), {
    attributes: { 'http.route': '/v1/chat', 'gen_ai.request.model': 'tiny', n: 3, ok: true },
    resourceAttributes: { 'host.name': 'h1' },
    status: 'error',
  });
  assert.deepEqual(parseTraceQL('{}'), { attributes: {}, resourceAttributes: {} });
  assert.deepEqual(parseTraceQL(''), { attributes: {}, resourceAttributes: {} });
  assert.equal(parseTraceQL('{ name = "say \\"hi\\"" }').name, 'say "hi"');
});

test('what the embedded store does not run is refused with a reason', () => {
  const cases: [string, RegExp][] = [
    ['{ a = 1 } || { b = 2 }', /one span set/],
    ['{ a = 1 } >> { b = 2 }', /one span set/],
    ['{ name = "x" } | count() > 2', /one span set/],
    ['{ span.a = 1 || span.b = 2 }', /&& only/],
    ['{ span.a != 1 }', /only = is supported/],
    ['{ duration > "fast" }', /duration literal/],
    ['{ kind = sideways }', /kind must be one of/],
    ['{ span.a = 1 && }', /dangling &&|expected `field op value`/],
    ['{ name = "unterminated }', /unterminated string/],
    ['{ event.name = "x" }', /unsupported field/],
  ];
  for (const [q, re] of cases) assert.throws(() => parseTraceQL(q), (e: unknown) => e instanceof TraceQLError && re.test(e.message), q);
});

test('tags-based search (logfmt)', () => {
  assert.deepEqual(parseTags('service.name=sandbox name="POST /v1" http.status_code=500'), {
    service: 'sandbox',
    name: 'POST /v1',
    attributes: { 'http.status_code': '500' },
    resourceAttributes: {},
  });
  assert.throws(() => parseTags('service.name'), /cannot read tags/);
});
