import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketTraceQL } from '../../../lib/correlate';
import { TraceQLError, parseDuration, parseTags, parseTraceQL, type SpanFilter } from '../../../lib/datasources/embedded/traceql';
import { filterSql } from '../../../lib/datasources/embedded/traceql-sql';

const intrinsic = (name: string) => ({ scope: 'intrinsic', name });

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
  const f = parseTraceQL(bucketTraceQL('trisight-sandbox', { lower: 0.32, upper: 0.64 }, 'text_completion trisight-tiny'));
  assert.deepEqual(f, {
    op: 'and',
    args: [
      { op: 'compare', field: { scope: 'resource', key: 'service.name' }, cmp: '=', value: { type: 'string', value: 'trisight-sandbox' } },
      { op: 'compare', field: intrinsic('kind'), cmp: '=', value: { type: 'keyword', value: 'server' } },
      { op: 'compare', field: intrinsic('name'), cmp: '=', value: { type: 'string', value: 'text_completion trisight-tiny' } },
      { op: 'compare', field: intrinsic('duration'), cmp: '>', value: { type: 'duration', ns: 320_000_000n } },
      { op: 'compare', field: intrinsic('duration'), cmp: '<=', value: { type: 'duration', ns: 640_000_000n } },
    ],
  });
  const open = parseTraceQL(bucketTraceQL('s', { lower: 81.92, upper: Infinity })) as Extract<SpanFilter, { op: 'and' | 'or' }>;
  assert.equal(open.args.length, 3);
});

test('attributes, intrinsics, scopes, ||, parentheses, negation and typed values', () => {
  const f = parseTraceQL('{ (span.http.route = "/v1/chat" || resource.host.name =~ "h[0-9]") && .gen_ai.request.model != "tiny" && span.n >= -3 && span.ok = true && status = error && !(kind = client) && span.x = nil }');
  assert.equal(f.op, 'and');
  const args = (f as Extract<SpanFilter, { op: 'and' | 'or' }>).args;
  assert.deepEqual(args[0], {
    op: 'or',
    args: [
      { op: 'compare', field: { scope: 'span', key: 'http.route' }, cmp: '=', value: { type: 'string', value: '/v1/chat' } },
      { op: 'compare', field: { scope: 'resource', key: 'host.name' }, cmp: '=~', value: { type: 'string', value: 'h[0-9]' } },
    ],
  });
  assert.deepEqual(args[1], { op: 'compare', field: { scope: 'any', key: 'gen_ai.request.model' }, cmp: '!=', value: { type: 'string', value: 'tiny' } });
  assert.deepEqual(args[2], { op: 'compare', field: { scope: 'span', key: 'n' }, cmp: '>=', value: { type: 'number', value: -3 } });
  assert.deepEqual(args[3], { op: 'compare', field: { scope: 'span', key: 'ok' }, cmp: '=', value: { type: 'bool', value: true } });
  assert.deepEqual(args[5], { op: 'not', arg: { op: 'compare', field: intrinsic('kind'), cmp: '=', value: { type: 'keyword', value: 'client' } } });
  assert.deepEqual(args[6], { op: 'compare', field: { scope: 'span', key: 'x' }, cmp: '=', value: { type: 'nil' } });
  assert.deepEqual(parseTraceQL('{}'), { op: 'all' });
  assert.deepEqual(parseTraceQL(''), { op: 'all' });
  assert.deepEqual(parseTraceQL('{ true }'), { op: 'all' });
  assert.deepEqual(parseTraceQL('{ name = "say \\"hi\\"" }'), { op: 'compare', field: intrinsic('name'), cmp: '=', value: { type: 'string', value: 'say "hi"' } });
  assert.deepEqual(parseTraceQL('{ span:name = `raw\\n` }'), { op: 'compare', field: intrinsic('name'), cmp: '=', value: { type: 'string', value: 'raw\\n' } });
  assert.deepEqual(parseTraceQL('{ span."my key" = 1.5 }'), { op: 'compare', field: { scope: 'span', key: 'my key' }, cmp: '=', value: { type: 'number', value: 1.5 } });
});

test('what the embedded store does not run is refused, naming the part', () => {
  const cases: [string, RegExp][] = [
    ['{ span.a = 1 } || { span.b = 2 }', /joining span sets with `\|\|`/],
    ['{ span.a = 1 } && { span.b = 2 }', /joining span sets with `&&`/],
    ['{ span.a = 1 } >> { span.b = 2 }', /descendant structural operator `>>`/],
    ['{ span.a = 1 } > { span.b = 2 }', /child structural operator/],
    ['{ name = "x" } | count() > 2', /pipelines/],
    ['{ name = "x" } | rate()', /pipelines/],
    ['{ duration > "fast" }', /duration literal/],
    ['{ kind = "sideways" }', /kind must be one of/],
    ['{ kind = sideways }', /syntax error/],
    ['{ span.a = 1 && }', /syntax error/],
    ['{ name = "unterminated }', /syntax error/],
    ['{ event.name = "x" }', /`event.` scope/],
    ['{ link.traceID = "x" }', /`link.` scope/],
    ['{ trace:duration > 2s }', /intrinsic `trace:duration`/],
    ['{ rootServiceName = "x" }', /intrinsic `rootServiceName`/],
    ['{ span.a = $var }', /template variable \$var/],
    ['{ span.a > "x" }', /string can be compared with/],
    ['{ span.a = error }', /quote strings/],
    ['{ name }', /not a condition/],
    ['{ name = "x" } with(sample=true)', /hints|syntax error/],
  ];
  for (const [q, re] of cases) assert.throws(() => parseTraceQL(q), (e: unknown) => e instanceof TraceQLError && re.test(e.message), `${q}`);
});

test('tags-based search (logfmt): values compare as text', () => {
  assert.deepEqual(parseTags('service.name=sandbox name="POST /v1" http.status_code=500'), {
    op: 'and',
    args: [
      { op: 'compare', field: { scope: 'resource', key: 'service.name' }, cmp: '=', value: { type: 'string', value: 'sandbox' }, loose: true },
      { op: 'compare', field: intrinsic('name'), cmp: '=', value: { type: 'string', value: 'POST /v1' }, loose: true },
      { op: 'compare', field: { scope: 'span', key: 'http.status_code' }, cmp: '=', value: { type: 'string', value: '500' }, loose: true },
    ],
  });
  assert.throws(() => parseTags('service.name'), /cannot read tags/);
});

test('filters become parameterised SQL: values never in the text, regexes anchored', () => {
  const params: unknown[] = [];
  const sql = filterSql(parseTraceQL('{ resource.service.name = "x\'; DROP" && span.code >= 500 && name =~ "GET .*" && !(status = error) }'), params);
  assert.equal(sql, "(service = $1 AND (CASE WHEN jsonb_typeof((attributes -> $2)) = 'number' THEN ((attributes -> $2))::float8 END) >= $3 AND name ~ $4 AND NOT coalesce(status = $5, FALSE))");
  assert.deepEqual(params, ["x'; DROP", 'code', 500, '^(?:GET .*)$', 'error']);
});

test('unary ! and - bind to what follows them, as TraceQL means (the grammar gives them the lowest precedence)', () => {
  const a = { op: 'compare', field: intrinsic('kind'), cmp: '=', value: { type: 'keyword', value: 'client' } };
  const b = { op: 'compare', field: { scope: 'span', key: 'x' }, cmp: '=', value: { type: 'nil' } };
  assert.deepEqual(parseTraceQL('{ !(kind = client) && span.x = nil }'), { op: 'and', args: [{ op: 'not', arg: a }, b] });
  assert.deepEqual(parseTraceQL('{ !(kind = client && span.x = nil) }'), { op: 'not', arg: { op: 'and', args: [a, b] } });
  const n = (v: number) => ({ op: 'compare', field: { scope: 'span', key: 'n' }, cmp: '>=', value: { type: 'number', value: v } });
  assert.deepEqual(parseTraceQL('{ span.n >= -3 && span.x = nil }'), { op: 'and', args: [n(-3), b] });
  assert.deepEqual(parseTraceQL('{ span.n >= -3 || span.x = nil && span.n >= (-(-2)) }'), { op: 'or', args: [n(-3), { op: 'and', args: [b, n(2)] }] });
});
