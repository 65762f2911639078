import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres';

let db: TestPostgres;
before(async () => {
  db = await startTestPostgres({ migrate: false });
  process.env.DATABASE_URL = db.url;
});
after(async () => {
  await db?.stop();
});

test('the app pool survives an idle connection being killed and reconnects', async () => {
  const { pgPool } = await import('../../../lib/db');
  const pool = pgPool();
  const { rows } = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  // Kill the pooled (now idle) backend from another session, as a Postgres restart would.
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
  } finally {
    await admin.end();
  }
  await new Promise((r) => setTimeout(r, 200)); // the idle client's 'error' fires here; no crash
  const again = await pool.query<{ one: number }>('SELECT 1 AS one');
  assert.equal(again.rows[0].one, 1);
  await pool.end();
});
