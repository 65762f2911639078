import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { receiveOtlpTraces } from '../../../lib/datasources/embedded/otlp-receiver';
import { createPrisma, durableUrl } from '../../../lib/db';
import { createRun, saveProgress } from '../../../lib/loadruns/store';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres';

// Issue 9: with steady OTLP ingest, `kill -9` of the postmaster lost 11 batches
// that had been answered 200 (synchronous_commit was off). Exporters that got
// 200 never resend, so every acknowledged batch must be there after the restart.
// Real embedded Postgres, the real receiver, eight concurrent exporters.

let db: TestPostgres;
before(async () => {
  db = await startTestPostgres();
  // As on a server whose default is off (the embedded one's is on): only the app's own
  // connection setting (durableUrl) can make an acknowledgement durable here.
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query('ALTER ROLE CURRENT_USER SET synchronous_commit = off');
  await c.end();
});

async function setting(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0].synchronous_commit;
  } finally {
    await c.end();
  }
}

test('the app\'s connections commit synchronously whatever the server default', async () => {
  assert.equal(await setting(db.url), 'off');
  assert.equal(await setting(durableUrl(db.url)), 'on');
  // An operator's explicit choice in the URL is kept.
  const own = new URL(db.url);
  own.searchParams.set('options', '-c synchronous_commit=remote_apply');
  assert.equal(durableUrl(own.toString()), own.toString());
});
after(async () => {
  await db?.stop();
});

const SPANS_PER_BATCH = 50;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** One OTLP/JSON export: batch k is trace k, with SPANS_PER_BATCH spans. */
function batch(k: number): string {
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: SPANS_PER_BATCH }, (_, i) => ({
    traceId: hex(k + 1, 32),
    spanId: hex(i + 1, 16),
    ...(i ? { parentSpanId: hex(1, 16) } : {}),
    name: i ? 'child' : 'root',
    kind: 2,
    startTimeUnixNano: String(t0 + BigInt(i)),
    endTimeUnixNano: String(t0 + BigInt(i) + 1000n),
    attributes: [{ key: 'k', value: { intValue: String(k) } }],
  }));
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'durable' } }] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] });
}

test('kill -9 of Postgres during steady ingest: every batch answered 200 is stored after the restart', { timeout: 180_000 }, async () => {
  const pool = new pg.Pool({ connectionString: durableUrl(db.url), max: 8, connectionTimeoutMillis: 2_000 });
  pool.on('error', () => {}); // connections die with the server; the receiver answers 503 for those batches
  const acknowledged: number[] = [];
  let refused = 0;
  let next = 0;
  let stop = false;
  const exporter = async () => {
    while (!stop) {
      const k = next++;
      const r = await receiveOtlpTraces(new Request('http://app/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: batch(k) }), pool);
      if (r.status === 200) acknowledged.push(k);
      else {
        refused++;
        assert.equal(r.status, 503, 'a batch that was not stored is answered with a retryable status');
        await new Promise((res) => setTimeout(res, 20));
      }
    }
  };
  const running = Array.from({ length: 8 }, exporter);
  // Steady ingest, then the kill in the middle of it.
  while (acknowledged.length < 150) await new Promise((res) => setTimeout(res, 20));
  const pid = db.server.pid!;
  const ackedBeforeKill = acknowledged.length;
  process.kill(pid, 'SIGKILL');
  await new Promise((res) => setTimeout(res, 1_000));
  stop = true;
  await Promise.all(running);
  await pool.end().catch(() => {});
  assert.ok(refused > 0, 'ingest was still going when Postgres died');

  await db.server.start(); // crash recovery replays the WAL
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const r = await c.query<{ trace_id: string; n: number }>('SELECT trace_id, count(*)::int AS n FROM embedded_span GROUP BY trace_id');
    const stored = new Map(r.rows.map((row) => [row.trace_id, row.n]));
    const lost = acknowledged.filter((k) => stored.get(hex(k + 1, 32)) !== SPANS_PER_BATCH);
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged batches lost or partial (${ackedBeforeKill} acknowledged before the kill)`);
    // Nothing half-stored either: a batch is all its spans or none.
    assert.ok([...stored.values()].every((n) => n === SPANS_PER_BATCH));
  } finally {
    await c.end();
  }
});

test('kill -9 of Postgres while a run records progress: after the restart, done is never below an acknowledged write', { timeout: 120_000 }, async () => {
  const prisma = createPrisma(durableUrl(db.url));
  const run = await createRun(prisma, 'sandbox', {} as Parameters<typeof createRun>[2]);
  await prisma.loadRun.update({ where: { id: run.id }, data: { status: 'running' } });
  let acked = 0;
  let stop = false;
  const writer = (async () => {
    for (let done = 1; !stop; done++) {
      try {
        await saveProgress(prisma, run.id, done, 0);
        acked = done;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  })();
  while (acked < 100) await new Promise((r) => setTimeout(r, 10));
  process.kill(db.server.pid!, 'SIGKILL');
  await new Promise((r) => setTimeout(r, 500));
  stop = true;
  await writer;
  await prisma.$disconnect().catch(() => {});
  await db.server.start();
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const row = (await c.query<{ done: number }>('SELECT done FROM load_run WHERE id = $1', [run.id])).rows[0];
    assert.ok(row.done >= acked, `done went back from ${acked} (acknowledged) to ${row.done}`);
  } finally {
    await c.end();
  }
});
