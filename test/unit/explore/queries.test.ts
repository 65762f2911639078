import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlameQuery, DiffQuery, PromRangeQuery, searchObject, TraceSearchQuery } from '../../../lib/explore/params';
import { parseHistogramSelector, PromQLShapeError } from '../../../lib/explore/promql';
import { singleSpansetBody, withDurationBand } from '../../../lib/explore/traceql';
import { parseTraceQL } from '../../../lib/datasources/embedded/traceql';

test('a heatmap cell narrows a one-span-set query by duration; other queries cannot be narrowed by text', () => {
  assert.equal(withDurationBand('{ resource.service.name = "api" }', { lower: 0.25, upper: 0.5 }), '{ (resource.service.name = "api") && duration > 250ms && duration <= 500ms }');
  assert.equal(withDurationBand('{ name = "a" || name = "b" }', { lower: 0, upper: Infinity }), '{ (name = "a" || name = "b") }');
  assert.equal(withDurationBand('{}', { lower: 1.5, upper: Infinity }), '{ duration > 1500ms }');
  assert.equal(withDurationBand('', { lower: 0, upper: 0.001 }), '{ duration <= 1ms }');
  assert.equal(withDurationBand('{ name = "a" } | count() > 1', { lower: 0, upper: 1 }), null);
  assert.equal(withDurationBand('{ name = "a" } >> { name = "b" }', { lower: 0, upper: 1 }), null);
  assert.equal(withDurationBand('{ name = ', { lower: 0, upper: 1 }), null);
  assert.equal(singleSpansetBody('{ }'), '');
  // What it writes, the embedded store runs.
  const q = withDurationBand('{ resource.service.name = "api" && !(status = error) }', { lower: 0.1, upper: 0.2 })!;
  assert.equal(parseTraceQL(q).op, 'and');
});

test('histogram selectors for the heatmap, read with Prometheus’s grammar', () => {
  assert.deepEqual(parseHistogramSelector('http_request_duration_seconds{job="api"}'), { metric: 'http_request_duration_seconds', matchers: '{job="api"}' });
  assert.deepEqual(parseHistogramSelector(' vllm:e2e_request_latency_seconds_bucket '), { metric: 'vllm:e2e_request_latency_seconds', matchers: '' });
  for (const bad of ['rate(x_bucket[5m])', 'sum by (le) (x_bucket)', '{__name__="x"}', 'x{', 'x offset 5m + y']) assert.throws(() => parseHistogramSelector(bad), PromQLShapeError, bad);
});

test('route parameters: bounds, pairs and messages that name the field', () => {
  const T = 1_700_000_000_000;
  const err = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) => r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
  assert.equal(PromRangeQuery.safeParse({ query: 'up', from: T, to: T + 1 }).success, true);
  assert.match(err(PromRangeQuery.safeParse({ query: '', from: T, to: T + 1 })), /query: query is required/);
  assert.match(err(PromRangeQuery.safeParse({ query: 'up', from: T, to: T - 1 })), /to: to must be after from/);
  assert.match(err(PromRangeQuery.safeParse({ query: 'up', from: T, to: T + 91 * 86_400_000 })), /at most 90 days/);
  assert.match(err(PromRangeQuery.safeParse({ query: 'up', from: '1700000000', to: T })), /from: from must be unix ms/);
  assert.match(err(TraceSearchQuery.safeParse({ q: 'x'.repeat(5000), from: T, to: T + 1 })), /q: q must be at most 4096/);
  assert.equal(TraceSearchQuery.parse({ from: T, to: T + 1 }).q, '{}');
  assert.match(err(FlameQuery.safeParse({ selector: '{service_name=}', from: T, to: T + 1 })), /selector: label selector/);
  assert.match(err(FlameQuery.safeParse({ type: 'cpu', from: T, to: T + 1 })), /type: type must be a profile type id/);
  assert.match(err(DiffQuery.safeParse({ selector: '{}', from: T, to: T + 1 })), /give a baseline/);
  assert.match(err(DiffQuery.safeParse({ selector: '{}', from: T, to: T + 1, baseFrom: T })), /baseTo: give both/);
  assert.deepEqual(searchObject('http://x/a?match[]=a&match[]=b&q=1&q=2'), { 'match[]': ['a', 'b'], q: '1' });
});
