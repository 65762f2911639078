import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latencyBuckets, REQUEST_DURATION_BUCKETS, TPOT_BUCKETS, TTFT_BUCKETS } from '../../../workers/sandbox/telemetry/buckets';

// vLLM's classic bounds (vllm/v1/metrics/loggers.py), for the ranges the sandbox's histograms cover.
const VLLM = {
  e2e: [0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0],
  ttft: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0],
  tpot: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0],
};

const table = [
  { name: 'E2E', bounds: REQUEST_DURATION_BUCKETS, from: 0.005, to: 100, vllm: VLLM.e2e },
  { name: 'TTFT', bounds: TTFT_BUCKETS, from: 0.001, to: 60, vllm: VLLM.ttft },
  { name: 'TPOT', bounds: TPOT_BUCKETS, from: 0.001, to: 10, vllm: VLLM.tpot },
];

for (const t of table) {
  test(`${t.name} buckets: ascending, no bucket wider than 25 % of its lower bound, ${t.from}–${t.to} s`, () => {
    assert.equal(t.bounds[0], t.from);
    assert.equal(t.bounds.at(-1), t.to);
    for (let i = 1; i < t.bounds.length; i++) {
      assert.ok(t.bounds[i] > t.bounds[i - 1], `ascending at ${i}`);
      assert.ok(t.bounds[i] / t.bounds[i - 1] <= 1.25 + 1e-12, `${t.bounds[i - 1]} → ${t.bounds[i]}`);
    }
  });

  test(`${t.name} buckets contain every vLLM bound, printed as vLLM's le label is`, () => {
    for (const b of t.vllm) assert.ok(t.bounds.includes(b), `${b} missing`);
    // prom-client prints le with String(): no float noise such as 0.07500000000000001.
    for (const b of t.bounds) assert.match(String(b), /^\d+(\.\d{1,5})?$/, String(b));
  });
}

test('latencyBuckets: fifteen bounds per decade', () => {
  assert.deepEqual(latencyBuckets(1, 10), [1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 7.5, 8, 9, 10]);
  assert.deepEqual(latencyBuckets(0.03, 0.05), [0.03, 0.035, 0.04, 0.05]);
});
