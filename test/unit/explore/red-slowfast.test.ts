import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redFromRows, redFromTempo } from '../../../lib/explore/red';
import { pickSlowFast } from '../../../lib/explore/slow-fast';
import type { TraceSummary } from '../../../lib/model/types';

const T = 1_700_000_000_000;

test('embedded RED: a point per step (0 where no spans), totals from the whole-range row', () => {
  const r = redFromRows(
    [
      { column: 0, count: 10, errors: 1, p50: 0.1, p90: 0.2, p99: 0.3 },
      { column: 2, count: 5, errors: 0, p50: 0.4, p90: 0.5, p99: 0.6 },
      { column: null, count: 15, errors: 1, p50: 0.15, p90: 0.45, p99: 0.59 },
    ],
    { from: T, to: T + 30_000 },
    10,
  );
  assert.deepEqual(r.rate.values, [[T, 1], [T + 10_000, 0], [T + 20_000, 0.5]]);
  assert.deepEqual(r.errors.values, [[T, 0.1], [T + 10_000, 0], [T + 20_000, 0]]);
  assert.deepEqual(r.p99.values, [[T, 0.3], [T + 20_000, 0.6]]);
  assert.deepEqual(r.totals, { requests: 15, errors: 1, ratePerS: 0.5, errorRatio: 1 / 15, p50: 0.15, p90: 0.45, p99: 0.59 });
  const none = redFromRows([{ column: null, count: 0, errors: 0, p50: null, p90: null, p99: null }], { from: T, to: T + 10_000 }, 10);
  assert.deepEqual(none.totals, { requests: 0, errors: 0, ratePerS: 0, errorRatio: null, p50: null, p90: null, p99: null });
});

test('Tempo RED: rate summed over statuses, errors from status=error, quantiles by p', () => {
  const r = redFromTempo(
    [
      { labels: { status: 'ok' }, values: [[T, 2], [T + 60_000, 1]] },
      { labels: { status: 'error' }, values: [[T, 0.5], [T + 60_000, NaN]] },
    ],
    [
      { labels: { p: '0.5' }, values: [[T, 0.1]] },
      { labels: { p: '0.99' }, values: [[T, 0.9]] },
    ],
    [{ labels: { p: '0.9' }, values: [[T, 0.7]] }],
    { from: T, to: T + 120_000 },
    60,
  );
  assert.deepEqual(r.rate.values, [[T, 2.5], [T + 60_000, 1]]);
  assert.deepEqual(r.errors.values, [[T, 0.5], [T + 60_000, 0]]);
  assert.deepEqual(r.p50.values, [[T, 0.1]]);
  assert.equal(r.totals.requests, 210);
  assert.equal(r.totals.errors, 30);
  assert.equal(r.totals.p90, 0.7);
  assert.equal(r.totals.p50, null);
});

function summary(id: number, ms: number): TraceSummary {
  return {
    traceId: id.toString(16).padStart(32, '0'),
    rootServiceName: 'svc',
    rootTraceName: 'GET /',
    startTimeUnixNano: BigInt(T + id) * 1_000_000n,
    durationMs: ms * 2,
    spans: [{ spanId: id.toString(16).padStart(16, '0'), name: 'GET /', startTimeUnixNano: BigInt(T + id) * 1_000_000n, durationNanos: BigInt(ms * 1e6), attributes: {} }],
  };
}

test('slow vs fast: the slowest and fastest matched spans, never one request on both sides', () => {
  const traces = [5, 900, 10, 700, 20, 800, 30].map((ms, i) => summary(i + 1, ms));
  const { slow, fast } = pickSlowFast(traces, 2);
  assert.deepEqual(slow.map((r) => r.durationMs), [900, 800]);
  assert.deepEqual(fast.map((r) => r.durationMs), [5, 10]);
  assert.equal(slow[0].spanId, '0000000000000002');
  const few = pickSlowFast(traces.slice(0, 3), 10);
  assert.deepEqual([few.slow.map((r) => r.durationMs), few.fast.map((r) => r.durationMs)], [[900], [5]]);
  assert.deepEqual(pickSlowFast(traces.slice(0, 1), 5), { slow: [], fast: [] });
  // Without matched spans (a tags search), the trace itself is ranked.
  const bare = pickSlowFast([{ ...summary(1, 1), spans: undefined }, { ...summary(2, 50), spans: undefined }], 1);
  assert.deepEqual([bare.slow[0].spanId, bare.slow[0].durationMs], [null, 100]);
});
