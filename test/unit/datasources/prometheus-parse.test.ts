import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePrometheusError, parseEnvelope, parseQueryData, parseRangeData, parseSampleValue } from '../../../lib/datasources/prometheus/parse';
import { BackendError } from '../../../lib/model/types';

test('sample values: strings with NaN and ±Inf', () => {
  assert.deepEqual(['1', '0.25', '+Inf', '-Inf', '1e-3'].map(parseSampleValue), [1, 0.25, Infinity, -Infinity, 0.001]);
  assert.ok(Number.isNaN(parseSampleValue('NaN')));
  assert.throws(() => parseSampleValue('x'), BackendError);
});

test('vector with a native histogram sample (shape from the query API docs)', () => {
  const r = parseQueryData({
    resultType: 'vector',
    result: [
      { metric: { __name__: 'up' }, value: [1700000000.5, '1'] },
      { metric: { __name__: 'lat' }, histogram: [1700000000, { count: '3', sum: '0.6', buckets: [[0, '0.1', '0.2', '1'], [0, '0.2', '0.4', '2'], [3, '-0.001', '0.001', '0']] }] },
    ],
  });
  assert.equal(r.resultType, 'vector');
  if (r.resultType !== 'vector') return;
  assert.deepEqual(r.samples[0], { labels: { __name__: 'up' }, timestamp: 1700000000500, value: 1 });
  assert.ok(Number.isNaN(r.samples[1].value));
  assert.deepEqual(r.samples[1].histogram, {
    timestamp: 1700000000000,
    count: 3,
    sum: 0.6,
    buckets: [
      { lower: 0.1, upper: 0.2, count: 1 },
      { lower: 0.2, upper: 0.4, count: 2 },
      { lower: -0.001, upper: 0.001, count: 0 },
    ],
  });
});

test('scalar and string results', () => {
  assert.deepEqual(parseQueryData({ resultType: 'scalar', result: [1700000000, '42'] }), { resultType: 'scalar', timestamp: 1700000000000, value: '42', warnings: [] });
});

test('matrix with histograms only has empty values', () => {
  const s = parseRangeData({ resultType: 'matrix', result: [{ metric: {}, histograms: [[1, { count: '1', sum: '1' }]] }] });
  assert.deepEqual(s[0].values, []);
  assert.equal(s[0].histograms?.[0].count, 1);
});

test('a shape that does not fit names the field', () => {
  assert.throws(() => parseRangeData({ resultType: 'vector', result: [] }), /data.resultType should be "matrix"/);
  assert.throws(() => parseRangeData({ resultType: 'matrix', result: [{ metric: {}, values: [[1, 2]] }] }), /result\[0\].values\[0\]\[1\] should be a string/);
});

test('envelope: warnings kept, error status raised with errorType', () => {
  assert.deepEqual(parseEnvelope({ status: 'success', data: [], warnings: ['w'] }), { data: [], warnings: ['w'] });
  assert.throws(
    () => parseEnvelope({ status: 'error', errorType: 'timeout', error: 'query timed out in expression evaluation' }, 503),
    (e: unknown) => e instanceof BackendError && e.status === 503 && e.errorType === 'timeout' && e.message === 'query timed out in expression evaluation',
  );
});

test('decodePrometheusError: JSON contract or raw text', () => {
  assert.deepEqual(decodePrometheusError(422, '{"status":"error","errorType":"execution","error":"many-to-many matching not allowed"}'), {
    message: 'many-to-many matching not allowed',
    errorType: 'execution',
  });
  assert.deepEqual(decodePrometheusError(503, 'Service Unavailable\n'), { message: 'Service Unavailable' });
  assert.deepEqual(decodePrometheusError(500, '', 'Internal Server Error'), { message: 'Internal Server Error' });
});

test('selector quotes and escapes label values, and refuses bad names', async () => {
  const { selector } = await import('../../../lib/datasources/prometheus/views');
  assert.equal(selector('up'), 'up');
  assert.equal(selector('vllm:e2e_request_latency_seconds_bucket', { model_name: 'a"b\\c\n}' }), 'vllm:e2e_request_latency_seconds_bucket{model_name="a\\"b\\\\c\\n}"}');
  assert.throws(() => selector('up or vector(1)'), /metric name/);
  assert.throws(() => selector('up', { 'a="x"} or vector(1) #': 'v' }), /label name/);
});
