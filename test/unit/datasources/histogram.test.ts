import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketIndexOf, bucketsFromCumulative, classicHistograms, fractionAtOrBelow, histogramQuantile, parseLe } from '../../../lib/model/histogram';

const cum = (pairs: [number, number][]) => bucketsFromCumulative(pairs.map(([le, count]) => ({ le, count })));

test('parseLe reads Prometheus bound text', () => {
  assert.deepEqual(['0.005', '1', '+Inf', '-Inf', '1e3'].map(parseLe), [0.005, 1, Infinity, -Infinity, 1000]);
  assert.ok(Number.isNaN(parseLe('abc')));
});

test('bucketsFromCumulative: sorted, differentiated, first bucket from 0, no negative buckets', () => {
  assert.deepEqual(cum([[Infinity, 10], [0.1, 2], [0.5, 7]]), [
    { lower: 0, upper: 0.1, count: 2 },
    { lower: 0.1, upper: 0.5, count: 5 },
    { lower: 0.5, upper: Infinity, count: 3 },
  ]);
  // A cumulative count that goes down (rate() noise, partial reset) is clamped.
  assert.deepEqual(cum([[1, 5], [2, 4], [Infinity, 6]]).map((b) => b.count), [5, 0, 1]);
  // A non-positive first bound has no lower bound.
  assert.equal(cum([[-1, 1], [Infinity, 1]])[0].lower, -Infinity);
});

test('histogramQuantile matches PromQL histogram_quantile on hand-checked cases', () => {
  // Buckets le=0.1:2, 0.5:7, 1:9, +Inf:10 (cumulative).
  const b = cum([[0.1, 2], [0.5, 7], [1, 9], [Infinity, 10]]);
  const table: [number, number][] = [
    [0.1, 0.05], // rank 1 in (0, 0.1] holding 2 → 0 + 0.1·1/2
    [0.2, 0.1], // rank 2 exactly at the first bucket's top
    [0.5, 0.34], // rank 5: (0.1, 0.5] holds 5, 3 into it → 0.1 + 0.4·3/5
    [0.9, 1], // rank 9: top of (0.5, 1]
    [0.95, 1], // rank 9.5 falls in +Inf → highest finite bound
    [1, 1],
  ];
  for (const [q, want] of table) assert.ok(Math.abs(histogramQuantile(q, b) - want) < 1e-12, `q=${q}: ${histogramQuantile(q, b)} ≠ ${want}`);
  assert.equal(histogramQuantile(-0.1, b), -Infinity);
  assert.equal(histogramQuantile(1.1, b), Infinity);
  assert.ok(Number.isNaN(histogramQuantile(NaN, b)));
  assert.ok(Number.isNaN(histogramQuantile(0.5, cum([[0.1, 2], [0.5, 7]]))), 'no +Inf bucket');
  assert.ok(Number.isNaN(histogramQuantile(0.5, cum([[0.1, 0], [Infinity, 0]]))), 'no observations');
  // Rank in a first bucket with a non-positive bound returns that bound.
  assert.equal(histogramQuantile(0.1, cum([[-1, 5], [0, 8], [Infinity, 10]])), -1);
});

test('classicHistograms groups _bucket samples by labels without le, with _sum and _count', () => {
  const mk = (route: string, le: string, value: number) => ({ labels: { __name__: 'http_latency_seconds_bucket', route, le }, value });
  const hs = classicHistograms(
    [mk('/a', '0.1', 1), mk('/a', '+Inf', 3), mk('/b', '0.1', 4), mk('/a', '1', 2), mk('/b', '+Inf', 4), { labels: { route: '/c' }, value: 1 }],
    {
      sums: [{ labels: { __name__: 'http_latency_seconds_sum', route: '/a' }, value: 2.5 }],
      counts: [{ labels: { __name__: 'http_latency_seconds_count', route: '/b' }, value: 4 }],
    },
  );
  assert.equal(hs.length, 2);
  const a = hs.find((h) => h.labels.route === '/a')!;
  assert.deepEqual(a.labels, { __name__: 'http_latency_seconds', route: '/a' });
  assert.deepEqual(a.buckets.map((x) => [x.upper, x.count]), [[0.1, 1], [1, 1], [Infinity, 1]]);
  assert.equal(a.count, 3);
  assert.equal(a.sum, 2.5);
  const b = hs.find((h) => h.labels.route === '/b')!;
  assert.equal(b.count, 4);
  assert.ok(Number.isNaN(b.sum));
});

test('bucketIndexOf and fractionAtOrBelow', () => {
  const b = cum([[0.1, 2], [0.5, 7], [Infinity, 10]]);
  assert.equal(bucketIndexOf(b, 0.1), 0);
  assert.equal(bucketIndexOf(b, 0.11), 1);
  assert.equal(bucketIndexOf(b, 99), 2);
  assert.equal(fractionAtOrBelow(b, 0.5), 0.7);
  assert.ok(Math.abs(fractionAtOrBelow(b, 0.3) - 0.45) < 1e-12); // 2 + 5·(0.2/0.4) = 4.5 of 10
});

test('nativeHistogramQuantile: linear within exponential buckets, no +Inf bucket needed, zero bucket cut at 0', async () => {
  const { nativeHistogramQuantile } = await import('../../../lib/model/histogram');
  const h = {
    count: 7,
    buckets: [
      { lower: 0.25, upper: 0.5, count: 3 },
      { lower: -0.001, upper: 0.001, count: 1 },
      { lower: 2, upper: 4, count: 1 },
      { lower: 1, upper: 2, count: 2 },
    ],
  };
  assert.ok(Math.abs(nativeHistogramQuantile(0.05, h) - 0.00035) < 1e-15); // rank 0.35 in the zero bucket, taken as [0, 0.001]
  assert.equal(nativeHistogramQuantile(0.5, h), 0.25 + 0.25 * (2.5 / 3)); // rank 3.5: 2.5 into (0.25, 0.5]
  assert.equal(nativeHistogramQuantile(1, h), 4);
  assert.ok(Number.isNaN(nativeHistogramQuantile(0.5, { count: 0, buckets: [] })));
  // Only negative buckets: the zero bucket is cut at 0 from above.
  const neg = { count: 2, buckets: [{ lower: -0.001, upper: 0.001, count: 1 }, { lower: -2, upper: -1, count: 1 }] };
  assert.equal(nativeHistogramQuantile(1, neg), 0);
});
