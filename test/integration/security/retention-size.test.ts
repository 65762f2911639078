import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { cleanupBySize, cleanupEmbedded, liveBytes } from '../../../lib/datasources/embedded/retention';
import { startTestPostgres, type TestPostgres, testPool } from '../../helpers/postgres';

// Issue 9: retention was by age only (30 s of ingest: a 324 MB table). With
// EMBEDDED_MAX_BYTES the oldest data goes once the stores hold more, and the
// files stop growing under steady ingest. Real Postgres.

let db: TestPostgres;
let pool: pg.Pool;
before(async () => {
  db = await startTestPostgres();
  pool = testPool(db.url, 3);
  // Stopping the server at the end ends any connection the pool still holds; that is no failure.
  pool.on('error', () => {});
});
after(async () => {
  await pool?.end();
  await db?.stop();
});

let batch = 0;
/** n spans of ~400 bytes each, received `agoMs` ago, in traces of this batch. */
async function addSpans(n: number, agoMs: number): Promise<void> {
  const b = batch++;
  await pool.query(
    `INSERT INTO embedded_span (trace_id, span_id, service, name, kind, start_ns, end_ns, duration_ns, status, attributes, resource_attributes, events, links, received_at)
     SELECT lpad(to_hex($1::int * 1000000 + i / 10), 32, '0'), lpad(to_hex(i), 16, '0'), 'svc', 'op', 'internal', 1, 2, 1, 'unset',
            jsonb_build_object('i', i, 'note', repeat(md5(i::text), 8)), '{}', '[]', '[]', now() - make_interval(secs => $3::float8 / 1000)
     FROM generate_series(1, $2::int) AS i`,
    [b, n, agoMs],
  );
}

const tableBytes = async () => Number((await pool.query(`SELECT pg_total_relation_size('embedded_span') AS b`)).rows[0].b);

test('past EMBEDDED_MAX_BYTES the oldest spans go, down to 80 % of it; the newest stay', async () => {
  await addSpans(20_000, 3_600_000); // an hour old
  await addSpans(20_000, 60_000); // a minute old
  const c = await pool.connect();
  const before = await liveBytes(c, 'embedded_span');
  c.release();
  assert.ok(before.rows > 39_000 && before.bytes > 0, JSON.stringify(before));
  const max = Math.round(before.bytes * 0.6);
  const r = await cleanupEmbedded(pool, { retentionMs: 86_400_000, maxBytes: max });
  assert.ok(r.bySize && r.bySize.spans > 0, JSON.stringify(r));
  const c2 = await pool.connect();
  const after = await liveBytes(c2, 'embedded_span');
  c2.release();
  assert.ok(after.bytes <= max * 0.85, `${after.bytes} bytes left, bound ${max}`);
  const ages = (await pool.query(`SELECT count(*) FILTER (WHERE received_at < now() - interval '30 minutes')::int AS old, count(*)::int AS n FROM embedded_span`)).rows[0];
  assert.equal(ages.old, 0, 'the hour-old spans went first');
  assert.ok(ages.n > 15_000, `${ages.n} of the newest spans kept`);
  // Under the bound: nothing more goes.
  const again = await cleanupBySize(pool, max);
  assert.equal(again.spans, 0);
});

test('under steady ingest with a size bound, the table files stop growing', { timeout: 300_000 }, async () => {
  await pool.query('TRUNCATE embedded_span');
  await addSpans(15_000, 0);
  const c = await pool.connect();
  const max = Math.round((await liveBytes(c, 'embedded_span')).bytes * 2);
  c.release();
  const sizes: number[] = [];
  for (let round = 0; round < 8; round++) {
    await addSpans(15_000, 0);
    await cleanupBySize(pool, max);
    await pool.query('VACUUM embedded_span'); // what autovacuum does: freed space becomes reusable
    sizes.push(await tableBytes());
  }
  // Without a bound the files would grow by a batch every round (9 batches in all); with it, the
  // later rounds reuse freed space: the largest size of rounds 5–8 is that of rounds 1–4.
  const early = Math.max(...sizes.slice(0, 4));
  const late = Math.max(...sizes.slice(4));
  assert.ok(late <= early * 1.15, `files kept growing: ${sizes.map((s) => (s / 1e6).toFixed(1)).join(' → ')} MB`);
});
