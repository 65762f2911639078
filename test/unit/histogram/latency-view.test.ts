import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml } from '../../../lib/escape-html';
import { binValues, buildLatencyView, dataRange, formatLatencyMs, markerLabels, sampleQuantile } from '../../../lib/model/latency-view';
import type { HistogramSeries } from '../../../lib/model/types';

// Buckets in seconds, as a Prometheus `_seconds` histogram has them: 10 requests.
const SERIES: HistogramSeries = {
  labels: { __name__: 'gen_ai_server_request_duration_seconds' },
  buckets: [
    { lower: 0, upper: 0.1, count: 2 },
    { lower: 0.1, upper: 0.25, count: 5 },
    { lower: 0.25, upper: 1, count: 2 },
    { lower: 1, upper: Infinity, count: 1 },
  ],
  count: 10,
  sum: 3.2,
  exemplars: [
    { labels: { trace_id: 'a'.repeat(32) }, value: 0.2, timestamp: 1 },
    { labels: { trace_id: 'b'.repeat(32) }, value: 0.12, timestamp: 2 },
    { labels: { trace_id: 'c'.repeat(32) }, value: 3.5, timestamp: 3 },
    { labels: { trace_id: 'd'.repeat(32) }, value: -1, timestamp: 4 },
  ],
};

test('sampleQuantile interpolates between closest ranks', () => {
  const xs = [10, 20, 30, 40, 50];
  assert.equal(sampleQuantile(xs, 0.5), 30);
  assert.equal(sampleQuantile(xs, 0), 10);
  assert.equal(sampleQuantile(xs, 1), 50);
  assert.equal(sampleQuantile(xs, 0.9), 46);
  assert.equal(sampleQuantile([7], 0.99), 7);
  assert.ok(Number.isNaN(sampleQuantile([], 0.5)));
});

test('binValues uses lower-exclusive, upper-inclusive bounds like Prometheus', () => {
  const { counts, outside } = binValues(SERIES.buckets, [0, 0.05, 0.1, 0.1001, 0.25, 0.3, 5, NaN]);
  assert.deepEqual(counts, [3, 2, 1, 1]);
  assert.equal(outside, 1);
});

test('labels, ranges and totals', () => {
  const v = buildLatencyView(SERIES, undefined);
  assert.deepEqual(v.labels, ['≤ 100 ms', '≤ 250 ms', '≤ 1 s', '> 1 s']);
  assert.deepEqual(v.ranges, ['0 ms – 100 ms', '100 ms – 250 ms', '250 ms – 1 s', 'over 1 s']);
  assert.deepEqual(v.server, [2, 5, 2, 1]);
  assert.equal(v.serverTotal, 10);
  assert.equal(v.client, undefined);
});

test('server percentiles follow histogram_quantile and land in the right bucket', () => {
  const v = buildLatencyView(SERIES, undefined);
  const p = Object.fromEntries(v.serverPercentiles.map((m) => [m.name, m]));
  // p50: rank 5 → bucket 2 (0.1–0.25], 3 of 5 in → 0.1 + 0.15·0.6 = 0.19 s
  assert.ok(Math.abs(p.p50.valueMs - 190) < 1e-9);
  assert.equal(p.p50.index, 1);
  // p90: rank 9 → bucket 3 (0.25–1], 2 of 2 → 1 s
  assert.ok(Math.abs(p.p90.valueMs - 1000) < 1e-9);
  assert.equal(p.p90.index, 2);
  // p99: rank 9.9 → +Inf bucket → highest finite bound, 1 s
  assert.equal(p.p99.valueMs, 1000);
});

test('client latencies (ms) are binned into the same buckets with their own percentiles', () => {
  const client = [50, 80, 120, 130, 140, 150, 160, 300, 900, 1500, -5, Number.NaN];
  const v = buildLatencyView(SERIES, client);
  assert.deepEqual(v.client, [2, 5, 2, 1]);
  assert.equal(v.clientTotal, 10);
  const p50 = v.clientPercentiles.find((m) => m.name === 'p50')!;
  assert.equal(p50.valueMs, 145);
  assert.equal(p50.index, 1);
});

test('client latencies alone (no server histogram) still show their percentiles', () => {
  const v = buildLatencyView(undefined, [10, 20]);
  assert.deepEqual(v.labels, []);
  assert.equal(v.clientTotal, 2);
  assert.equal(v.clientOutside, 2);
  assert.equal(v.clientPercentiles[0].valueMs, 15);
});

test('exemplars sit on their bucket, spread inside the bar; out-of-range ones are dropped', () => {
  const v = buildLatencyView(SERIES, undefined);
  assert.deepEqual(
    v.exemplars.map((e) => [e.index, e.traceId?.[0], e.y]),
    [
      [1, 'b', 5 / 3],
      [1, 'a', 10 / 3],
      [3, 'c', 0.5],
    ],
  );
  assert.equal(v.exemplars.find((e) => e.traceId?.startsWith('a'))!.valueMs, 200);
});

test('empty histogram: no percentiles', () => {
  const v = buildLatencyView({ ...SERIES, buckets: SERIES.buckets.map((b) => ({ ...b, count: 0 })), count: 0, exemplars: [] }, undefined);
  assert.deepEqual(v.serverPercentiles, []);
  assert.equal(v.serverTotal, 0);
});

test('latency text', () => {
  assert.equal(formatLatencyMs(0.4), '400 µs');
  assert.equal(formatLatencyMs(12.345), '12.3 ms');
  assert.equal(formatLatencyMs(2500), '2.5 s');
  assert.equal(formatLatencyMs(Infinity), '+Inf');
});

test('escapeHtml neutralises markup from telemetry', () => {
  assert.equal(escapeHtml('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;');
  assert.equal(escapeHtml(`a&b "c" 'd'`), 'a&amp;b &quot;c&quot; &#39;d&#39;');
  assert.equal(escapeHtml(42), '42');
});

test('the x range follows the data: empty buckets beyond it are left out, one kept either side', () => {
  const buckets = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, Infinity].map((upper, i, a) => ({ lower: i ? a[i - 1] : 0, upper, count: upper === 0.1 ? 4 : upper === 0.2 ? 6 : 0 }));
  const v = buildLatencyView({ labels: {}, buckets, count: 10, sum: 1 }, [150, 450]);
  assert.deepEqual(v.labels, ['≤ 50 ms', '≤ 100 ms', '≤ 200 ms', '≤ 500 ms', '≤ 1 s']);
  assert.deepEqual(v.trimmed, { below: 2, above: 2 });
  assert.deepEqual(v.server, [0, 4, 6, 0, 0]);
  assert.deepEqual(v.client, [0, 0, 1, 1, 0]);
  assert.equal(v.serverPercentiles.find((p) => p.name === 'p50')!.index, 2);
  assert.equal(buildLatencyView({ labels: {}, buckets, count: 10, sum: 1 }, [], 's', { trim: false }).labels.length, 9);
  assert.deepEqual(dataRange([false, false]), { from: 0, to: 1 }, 'nothing to follow: everything');
});

test('percentile labels: one per bucket, a row up when a neighbour is close, never two on one spot', () => {
  const m = (name: 'p50' | 'p90' | 'p99', index: number) => ({ name, q: 0, valueMs: 0, method: 'exact' as const, index });
  assert.deepEqual(markerLabels([m('p50', 3), m('p90', 3), m('p99', 4)]), [
    { index: 3, text: 'p50 p90', row: 0 },
    { index: 4, text: 'p99', row: 1 },
  ]);
  assert.deepEqual(markerLabels([m('p50', 1), m('p90', 6), m('p99', 8)]).map((l) => l.row), [0, 0, 1]);
  const labels = markerLabels([m('p50', 2), m('p90', 3), m('p99', 4)]);
  assert.equal(new Set(labels.map((l) => `${l.index}/${l.row}`)).size, 3);
});

test('given server percentiles are used as they are (exact ones from spans), not re-interpolated', () => {
  const v = buildLatencyView(SERIES, undefined, 's', { serverPercentiles: [{ name: 'p50', q: 0.5, valueMs: 187.5, method: 'exact' }] });
  assert.deepEqual(v.serverPercentiles, [{ name: 'p50', q: 0.5, valueMs: 187.5, method: 'exact', index: 1 }]);
});
