import assert from 'node:assert/strict';
import { test } from 'node:test';
import { awaitingBuckets } from '../../../lib/slo/awaiting-buckets';
import type { Preview } from '../../../lib/slo/preview';

const latency = { sli: { kind: 'latency', histogram: 'classic', metric: 'x_seconds', thresholdSeconds: 1.1 } } as unknown as Preview['definition'];
const choice = { le: '1.25', exact: false, explanation: '…' } as unknown as Preview['bucket'];

test('the editor asks again only while Prometheus has no buckets of a classic latency histogram', () => {
  assert.equal(awaitingBuckets({ definition: latency, bucket: null, source: 'prometheus' }), true);
  assert.equal(awaitingBuckets({ definition: latency, bucket: choice, source: 'prometheus' }), false, 'bounds known');
  assert.equal(awaitingBuckets({ definition: latency, bucket: null, source: 'none' }), false, 'no Prometheus: nothing to wait for');
  const ratio = { sli: { kind: 'ratio' } } as unknown as Preview['definition'];
  assert.equal(awaitingBuckets({ definition: ratio, bucket: null, source: 'prometheus' }), false, 'not a latency SLI');
});
