import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exactPercentiles, interpolatedPercentiles, sampleQuantile, weightedPercentiles } from '../../../lib/model/percentiles';
import { allFailed, allFailedNote, requestWindow, serverCounts } from '../../../lib/runs/latency';

test('exact percentiles: R-7 over every value', () => {
  const v = Array.from({ length: 101 }, (_, i) => 100 - i); // 0..100, unsorted
  assert.deepEqual(
    exactPercentiles(v).map((p) => [p.name, p.valueMs, p.method]),
    [
      ['p50', 50, 'exact'],
      ['p90', 90, 'exact'],
      ['p99', 99, 'exact'],
    ],
  );
  assert.equal(sampleQuantile([1, 2], 0.5), 1.5);
  assert.deepEqual(exactPercentiles([]), []);
});

test('weighted percentiles: exact when every weight is 1, an estimate otherwise', () => {
  assert.deepEqual(weightedPercentiles([3, 1, 2], [1, 1, 1]), exactPercentiles([1, 2, 3]));
  // 1 ms stands for 1 request, 10 ms for 9 (sampled at p = 1/9): the median is 10 ms.
  const w = weightedPercentiles([1, 10], [1, 9]);
  assert.equal(w[0].method, 'estimate');
  assert.equal(w[0].valueMs, 10);
});

test('interpolated percentiles carry the bucket they were interpolated in', () => {
  const buckets = [
    { lower: 0, upper: 0.1, count: 0 },
    { lower: 0.1, upper: 0.125, count: 50 },
    { lower: 0.125, upper: 0.15, count: 49 },
    { lower: 0.15, upper: Infinity, count: 1 },
  ];
  const [p50, p90, p99] = interpolatedPercentiles(buckets);
  assert.equal(p50.method, 'interpolated');
  assert.ok(Math.abs(p50.valueMs - 125) < 1e-9);
  assert.deepEqual(p50.bucketMs, { lower: 100, upper: 125 });
  assert.deepEqual(p90.bucketMs, { lower: 125, upper: 150 });
  assert.ok(Math.abs(p90.valueMs - (125 + 25 * (40 / 49))) < 1e-9);
  // Rank 99 of 100 is the 99th observation, in the 125–150 ms bucket.
  assert.deepEqual(p99.bucketMs, { lower: 125, upper: 150 });
  // Past the last finite bound: the bound, and the bucket is open.
  const tail = interpolatedPercentiles([{ lower: 0, upper: 1, count: 1 }, { lower: 1, upper: Infinity, count: 9 }]);
  assert.equal(tail[1].valueMs, 1000);
  assert.equal(tail[1].bucketMs!.upper, Infinity);
  assert.deepEqual(interpolatedPercentiles([{ lower: 0, upper: Infinity, count: 0 }]), []);
});

test('server counts: the difference from what the run sent', () => {
  assert.equal(serverCounts('exact', 45, 40, 'counters').difference, 5);
  assert.equal(serverCounts('estimate', 115.75, 100, 'spans', 94).difference, 16);
  assert.equal(serverCounts('exact', 38, 40, 'counters').difference, -2);
});

test("a run's exact window comes from its summary, else its start and end", () => {
  assert.deepEqual(requestWindow({ summary: { window: { startMs: 1.5, endMs: 9.25 } } as never, startedAt: null, finishedAt: null }), { startMs: 1.5, endMs: 9.25 });
  assert.deepEqual(requestWindow({ summary: null, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z' }), { startMs: 1767225600000, endMs: 1767225601000 });
  assert.equal(requestWindow({ summary: null, startedAt: null, finishedAt: null }), null);
});

test('every request failed: said once, with the first failure in words', () => {
  assert.equal(allFailed({ status: 'failed', done: 0, failed: 60 }), true);
  assert.equal(allFailed({ status: 'succeeded', done: 1, failed: 59 }), false);
  assert.equal(allFailed({ status: 'running', done: 0, failed: 3 }), false);
  const note = allFailedNote({ failed: 60, error: 'All 60 requests failed; first: HTTP 400: prompt is 513 tokens; the limit is 255 tokens' });
  assert.match(note, /^Every request of this run failed \(60 of 60\)/);
  assert.match(note, /The first failure: HTTP 400: prompt is 513 tokens; the limit is 255 tokens/);
});
