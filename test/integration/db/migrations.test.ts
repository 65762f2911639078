import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MigrationError, migrate, readMigrations } from '../../../lib/db/migrate';
import { emptyDatabaseHooks } from '../../helpers/postgres';

const empty = emptyDatabaseHooks();

test('migrations apply to an empty database and are recorded as Prisma records them', async () => {
  const all = readMigrations();
  const r = await migrate(empty.client);
  assert.deepEqual(r.applied, all.map((m) => m.name));
  const { rows } = await empty.client.query('SELECT * FROM "_prisma_migrations" ORDER BY migration_name');
  assert.equal(rows.length, all.length);
  for (const [i, m] of all.entries()) {
    const row = rows[i];
    assert.equal(row.migration_name, m.name);
    assert.equal(row.checksum, createHash('sha256').update(m.sql).digest('hex'));
    assert.ok(row.finished_at instanceof Date);
    assert.equal(row.applied_steps_count, 1);
    assert.equal(row.rolled_back_at, null);
    assert.match(row.id, /^[0-9a-f-]{36}$/);
  }
  const tables = await empty.client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema='public'`);
  const names = tables.rows.map((t) => t.table_name);
  for (const t of ['slo', 'slo_revision', 'incident', 'load_run']) assert.ok(names.includes(t), `table ${t}`);
});

test('a second run applies nothing', async () => {
  const r = await migrate(empty.client);
  assert.deepEqual(r.applied, []);
  assert.equal(r.alreadyApplied.length, readMigrations().length);
});

test('a failing migration is recorded with its error, leaves no partial schema and blocks the next start', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trisight-mig-'));
  try {
    mkdirSync(path.join(dir, '29990101000000_broken'));
    writeFileSync(path.join(dir, '29990101000000_broken', 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;\n');
    const migrations = [...readMigrations(), ...readMigrations(dir)];
    await assert.rejects(migrate(empty.client, migrations), (e: unknown) => e instanceof MigrationError && /29990101000000_broken failed: .*no_such_table/.test(e.message));
    const half = await empty.client.query(`SELECT to_regclass('half_done') AS t`);
    assert.equal(half.rows[0].t, null, 'the failed migration left no table behind');
    const { rows } = await empty.client.query(`SELECT finished_at, logs FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`);
    assert.equal(rows[0].finished_at, null);
    assert.match(rows[0].logs, /no_such_table/);
    await assert.rejects(migrate(empty.client), /failed earlier.*prisma migrate resolve --rolled-back 29990101000000_broken/);
    await empty.client.query(`UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '29990101000000_broken'`);
    assert.deepEqual((await migrate(empty.client)).applied, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
