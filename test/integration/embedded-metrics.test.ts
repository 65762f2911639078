// Span-derived request metrics and retention of the embedded stores, against a real Postgres.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { startTestPostgres, type TestPostgres, testPool } from '../helpers/postgres';
import { histogramQuantile } from '../../lib/model/histogram';
import { insertSpans } from '../../lib/datasources/embedded/spans';
import { latencyHistogram, latencyQuantiles, redSeries, SPAN_METRICS_SOURCE } from '../../lib/datasources/embedded/span-metrics';
import { selectMergeStacktraces } from '../../lib/datasources/embedded/profiles';
import { insertProfile } from '../../lib/datasources/embedded/profile-ingest';
import { cleanupEmbedded, startRetention } from '../../lib/datasources/embedded/retention';
import { decodeProfile } from '../../lib/profiles';
import { gunzipSync } from 'node:zlib';
import type { Span } from '../../lib/model/types';
import { fixture } from '../helpers/fixtures';

let db: TestPostgres;
let pool: pg.Pool;
before(async () => {
  db = await startTestPostgres();
  pool = testPool(db.url, 4);
});
after(async () => {
  await pool?.end();
  await db?.stop();
});

const T0 = 1_700_000_000_000; // unix ms
let seq = 0;
function span(service: string, startMs: number, durationMs: number, o: { p?: number; kind?: Span['kind']; status?: Span['status']; name?: string } = {}): Span {
  seq++;
  const start = BigInt(startMs) * 1_000_000n;
  return {
    traceId: seq.toString(16).padStart(32, 'a'),
    spanId: seq.toString(16).padStart(16, 'b'),
    service,
    name: o.name ?? 'POST /v1/chat/completions',
    kind: o.kind ?? 'server',
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(Math.round(durationMs * 1e6)),
    status: o.status ?? 'unset',
    attributes: o.p === undefined ? {} : { 'trisight.sampling.probability': o.p },
    resourceAttributes: { 'service.name': service },
    events: [],
    links: [],
  };
}

test('latency histogram re-weights by sampling probability, uses le-inclusive buckets and links exemplars', async () => {
  const spans = [
    ...Array.from({ length: 10 }, (_, i) => span('m', T0 + i * 1000, 15, { p: 1 })),
    // Exactly on a bound: counted in the bucket it closes, as Prometheus's le does.
    span('m', T0 + 500, 20, { p: 1 }),
    // Long requests traced at p = 0.25: each stands for four.
    ...Array.from({ length: 4 }, (_, i) => span('m', T0 + 20_000 + i * 1000, 300, { p: 0.25 })),
    // Not requests of service m.
    span('m', T0, 5000, { kind: 'internal' }),
    span('other', T0, 15, {}),
    // Outside the range.
    span('m', T0 + 120_000, 15, {}),
  ];
  await insertSpans(pool, spans);
  const range = { from: T0, to: T0 + 60_000 };
  const r = await latencyHistogram(pool, { service: 'm', range });
  assert.equal(r.source, SPAN_METRICS_SOURCE);
  assert.equal(r.spans, 15);
  const h = r.histogram;
  assert.equal(h.count, 27);
  assert.ok(Math.abs(h.sum - (10 * 0.015 + 0.02 + 16 * 0.3)) < 1e-9);
  const byUpper = Object.fromEntries(h.buckets.filter((b) => b.count).map((b) => [b.upper, b.count]));
  assert.deepEqual(byUpper, { 0.02: 11, 0.32: 16 });
  assert.equal(h.buckets.at(-1)!.upper, Infinity);
  assert.equal(h.buckets[0].lower, 0);
  // One exemplar per non-empty bucket: the latest span in it.
  assert.equal(h.exemplars!.length, 2);
  const slow = h.exemplars!.find((e) => e.value === 0.3)!;
  assert.equal(slow.labels.trace_id, spans[14].traceId);
  assert.equal(slow.timestamp, T0 + 23_000);
  // Quantiles follow histogram_quantile over the weighted buckets: rank 13.5 of 27 is 2.5 into the 16 of (0.16, 0.32].
  const q = await latencyQuantiles(pool, { service: 'm', range });
  assert.ok(Math.abs(q.quantiles['0.5'] - (0.16 + 0.16 * (2.5 / 16))) < 1e-12);
  assert.equal(q.quantiles['0.5'], histogramQuantile(0.5, h.buckets));
  // Unweighted, the median would sit in the first bucket: the re-weighting matters.
  assert.ok(q.quantiles['0.5'] > 0.16);
});

test('RED series: weighted request and error rates per step, quantiles per step', async () => {
  const spans = [
    ...Array.from({ length: 5 }, (_, i) => span('red', T0 + i * 1000, 50, { p: 0.5 })),
    span('red', T0 + 12_000, 700, { status: 'error' }),
    span('red', T0 + 13_000, 30, {}),
  ];
  await insertSpans(pool, spans);
  const r = await redSeries(pool, { service: 'red', range: { from: T0, to: T0 + 30_000 }, stepS: 10 });
  assert.equal(r.source, 'embedded (spans)');
  assert.deepEqual(r.rate.values, [
    [T0 + 10_000, 1],
    [T0 + 20_000, 0.2],
    [T0 + 30_000, 0],
  ]);
  assert.deepEqual(r.errors.values.map(([, v]) => v), [0, 0.1, 0]);
  assert.equal(r.duration.p50.values.length, 2, 'no quantile where there were no requests');
  assert.ok(r.duration.p50.values[0][1] > 0.04 && r.duration.p50.values[0][1] <= 0.08);
  assert.ok(r.duration.p99.values[1][1] > 0.64);
});

test('retention deletes old spans, profiles and unused stacks, keeps the rest, and ingest recovers deleted stacks', async () => {
  const keep = span('ret', T0, 10);
  const drop = span('ret', T0, 10);
  await insertSpans(pool, [keep, drop]);
  await pool.query(`UPDATE embedded_span SET received_at = now() - interval '2 hours' WHERE span_id = $1`, [drop.spanId]);

  const profile = decodeProfile(new Uint8Array(gunzipSync(fixture('pyroscope/cpu.pb.gz'))));
  const push = { service: 'ret', labels: { service_name: 'ret' }, from: T0, until: T0 + 10_000, profile };
  const perPush = await insertProfile(pool, push);
  assert.equal(perPush, 1, 'one row per push (and label set), every sample type in it');
  await pool.query(`UPDATE embedded_profile SET received_at = now() - interval '2 hours' WHERE service = 'ret'`);
  await insertProfile(pool, push);
  // A stack only an old profile used, idle for longer than retention + refresh.
  await pool.query(`INSERT INTO embedded_profile_stack (id, frames, last_seen) VALUES (42, ARRAY['orphan'], now() - interval '3 hours')`);

  const res = await cleanupEmbedded(pool, { retentionMs: 3_600_000 });
  assert.ok(res.spans >= 1 && res.profiles >= 1 && res.stacks >= 1, JSON.stringify(res));
  const left = (await pool.query(`SELECT span_id FROM embedded_span WHERE service = 'ret'`)).rows.map((r) => r.span_id);
  assert.deepEqual(left, [keep.spanId]);
  assert.equal((await pool.query(`SELECT count(*)::int AS n FROM embedded_profile WHERE service = 'ret'`)).rows[0].n, perPush);
  assert.equal((await pool.query(`SELECT count(*)::int AS n FROM embedded_profile_stack WHERE id = 42`)).rows[0].n, 0);
  // The kept profile's stacks are intact: its flame graph is whole.
  const sel = { profileTypeId: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', labelSelector: '{service_name="ret"}', range: { from: T0, to: T0 + 10_000 } };
  let one = 0;
  for (let i = 0; i < profile.sampleCount; i++) one += profile.sampleValues[i * 2 + 1];
  assert.equal((await selectMergeStacktraces(pool, sel)).flame.value[0], one);

  // Everything ages out; stacks go once idle past retention + refresh, and a later push stores them again.
  await pool.query(`UPDATE embedded_profile SET received_at = now() - interval '2 hours'`);
  await pool.query(`UPDATE embedded_profile_stack SET last_seen = now() - interval '3 hours'`);
  await cleanupEmbedded(pool, { retentionMs: 3_600_000 });
  assert.equal((await pool.query(`SELECT count(*)::int AS n FROM embedded_profile_stack`)).rows[0].n, 0);
  await insertProfile(pool, push);
  assert.equal((await selectMergeStacktraces(pool, sel)).flame.value[0], one);
});

test('startRetention runs at once and on its interval until stopped', async () => {
  const s = span('ret2', T0, 10);
  await insertSpans(pool, [s]);
  await pool.query(`UPDATE embedded_span SET received_at = now() - interval '2 hours' WHERE service = 'ret2'`);
  const results: number[] = [];
  const r = startRetention(pool, { retentionMs: 3_600_000, intervalMs: 50, onResult: (x) => results.push(x.spans) });
  try {
    await new Promise((res) => setTimeout(res, 300));
  } finally {
    r.stop();
  }
  assert.ok(results.length >= 2, `ran ${results.length} times`);
  assert.ok(results.reduce((a, b) => a + b, 0) >= 1);
  assert.equal((await pool.query(`SELECT count(*)::int AS n FROM embedded_span WHERE service = 'ret2'`)).rows[0].n, 0);
  const n = results.length;
  await new Promise((res) => setTimeout(res, 150));
  assert.equal(results.length, n, 'no runs after stop()');
});
