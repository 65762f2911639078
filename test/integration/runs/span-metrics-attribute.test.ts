// The embedded latency histogram of a ms-valued span attribute (TTFT / TPOT), against a real Postgres.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { startTestPostgres, type TestPostgres, testPool } from '../../helpers/postgres';
import { insertSpans } from '../../../lib/datasources/embedded/spans';
import { latencyHistogram } from '../../../lib/datasources/embedded/span-metrics';
import type { Attributes, Span } from '../../../lib/model/types';

let db: TestPostgres;
let pool: pg.Pool;
before(async () => {
  db = await startTestPostgres();
  pool = testPool(db.url, 2);
});
after(async () => {
  await pool?.end();
  await db?.stop();
});

const T0 = 1_700_000_000_000;
let seq = 0;
function span(startMs: number, durationMs: number, attributes: Attributes): Span {
  seq++;
  const start = BigInt(startMs) * 1_000_000n;
  return {
    traceId: seq.toString(16).padStart(32, 'c'),
    spanId: seq.toString(16).padStart(16, 'd'),
    service: 'svc',
    name: 'text_completion m',
    kind: 'server',
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(durationMs) * 1_000_000n,
    status: 'unset',
    attributes,
    resourceAttributes: {},
    events: [],
    links: [],
  };
}

test('valueAttributeMs buckets the attribute (ms) instead of the duration, skips spans without a number, and re-weights', async () => {
  const ttft = 'trisight.timings.ttft_ms';
  const spans = [
    // Durations all land in one bucket; the TTFTs do not.
    span(T0 + 1, 900, { [ttft]: 3, 'trisight.sampling.probability': 1 }),
    span(T0 + 2, 900, { [ttft]: 5 }), // on the 0.005 s bound: le-inclusive
    span(T0 + 3, 900, { [ttft]: 5.2, 'trisight.sampling.probability': 0.5 }),
    span(T0 + 4, 900, { [ttft]: 40 }),
    span(T0 + 5, 900, {}), // no TTFT (e.g. a failed request)
    span(T0 + 6, 900, { [ttft]: 'fast' }), // not a number
  ];
  await insertSpans(pool, spans);
  const range = { from: T0, to: T0 + 1000 };
  const bounds = [0.001, 0.005, 0.01, 0.04, 0.1];
  const byAttr = await latencyHistogram(pool, { service: 'svc', range, bounds, valueAttributeMs: ttft });
  const counts = byAttr.histogram.buckets.map((b) => b.count);
  assert.deepEqual(counts, [0, 2, 2, 1, 0, 0]);
  assert.equal(byAttr.spans, 4);
  assert.equal(byAttr.histogram.count, 5);
  assert.ok(Math.abs(byAttr.histogram.sum - (0.003 + 0.005 + 2 * 0.0052 + 0.04)) < 1e-9);
  // Exemplars carry the attribute's value, in seconds.
  const ex = byAttr.histogram.exemplars!.find((e) => e.labels.trace_id === spans[3].traceId)!;
  assert.equal(ex.value, 0.04);

  // Without the option: every span, by duration.
  const byDuration = await latencyHistogram(pool, { service: 'svc', range, bounds });
  assert.equal(byDuration.spans, 6);
  assert.equal(byDuration.histogram.buckets.at(-1)!.count, 7);
});
