// The embedded Postgres is not a shell for whoever shares the machine: the app's
// role cannot run programs or read files, the superuser cannot log in over TCP
// even with its password, the secrets are private, commits are synchronous, and
// a postgres killed with -9 comes back with its data.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { secretsFile } from '../../../lib/db/embedded';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres';

let db: TestPostgres;
let app: pg.Client;

before(async () => {
  db = await startTestPostgres();
  app = new pg.Client({ connectionString: db.url });
  await app.connect();
});
after(async () => {
  await app?.end().catch(() => {});
  await db?.stop();
});

async function refused(sql: string, code: string) {
  await assert.rejects(app.query(sql), (e: Error & { code?: string }) => {
    assert.equal(e.code, code, `${sql}: ${e.message}`);
    return true;
  });
}

test("the app's role cannot run server programs, read server files or create databases", async () => {
  const { rows } = await app.query('SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles WHERE rolname = current_user');
  assert.deepEqual(rows[0], { rolsuper: false, rolcreatedb: false, rolcreaterole: false });
  await refused(`COPY (SELECT 1) TO PROGRAM 'id > /tmp/trisight-lockdown-probe'`, '42501');
  await refused(`SELECT pg_read_file('/etc/passwd')`, '42501');
  await refused('CREATE DATABASE probe', '42501');
  await refused('CREATE ROLE probe', '42501');
});

test('the app owns its schema: migrations applied as the app role, tables are its own', async () => {
  const { rows } = await app.query(`SELECT count(*)::int AS n, bool_and(tableowner = current_user) AS own FROM pg_tables WHERE schemaname = 'public'`);
  assert.ok(rows[0].n >= 5, `tables: ${rows[0].n}`);
  assert.equal(rows[0].own, true);
});

test('the superuser is refused over TCP even with its real password; secrets are readable by this user only', async () => {
  const secrets = JSON.parse(readFileSync(secretsFile(db.server.dataDir), 'utf8'));
  assert.equal(statSync(secretsFile(db.server.dataDir)).mode & 0o777, 0o600);
  assert.equal(statSync(db.server.socketDir).mode & 0o777, 0o700);
  assert.match(secrets.superuserPassword, /^[A-Za-z0-9_-]{32}$/);
  assert.notEqual(secrets.superuserPassword, 'trisight-embedded');
  const su = new pg.Client({ host: '127.0.0.1', port: db.server.port, user: 'postgres', password: secrets.superuserPassword, database: 'postgres' });
  await assert.rejects(su.connect(), /pg_hba\.conf rejects connection/);
  await su.end().catch(() => {});
  // The app's role cannot reach other databases either.
  const other = new pg.Client({ host: '127.0.0.1', port: db.server.port, user: 'trisight', password: secrets.appPassword, database: 'postgres' });
  await assert.rejects(other.connect(), /pg_hba\.conf|permission denied/);
  await other.end().catch(() => {});
});

test('commits are synchronous (an acknowledged write survives a crash)', async () => {
  const { rows } = await app.query('SHOW synchronous_commit');
  assert.equal(rows[0].synchronous_commit, 'on');
});

test('kill -9 of postgres: start() brings it back on the same port with every committed row', async () => {
  await app.query('CREATE TABLE lockdown_probe (v int)');
  await app.query('INSERT INTO lockdown_probe SELECT generate_series(1, 1000)');
  const exited = new Promise<string>((resolve) => db.server.onExit((code, signal) => resolve(String(signal ?? code))));
  app.on('error', () => {}); // the connection dies with the server
  process.kill(db.server.pid!, 'SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  await app.end().catch(() => {});
  const port = db.server.port;
  await db.server.start();
  assert.equal(db.server.port, port);
  app = new pg.Client({ connectionString: db.url });
  await app.connect();
  const { rows } = await app.query('SELECT count(*)::int AS n FROM lockdown_probe');
  assert.equal(rows[0].n, 1000);
});

test('a data dir from before the lockdown (objects owned by the superuser, no secrets file) is handed to the app role', async () => {
  const admin = db.server.adminClient('trisight');
  await admin.connect();
  await admin.query('CREATE TABLE legacy_probe (v int)');
  await admin.end();
  const before = readFileSync(secretsFile(db.server.dataDir), 'utf8');
  await app.end();
  await db.server.halt();
  rmSync(secretsFile(db.server.dataDir));
  await db.server.start();
  assert.notEqual(readFileSync(secretsFile(db.server.dataDir), 'utf8'), before, 'new secrets written');
  app = new pg.Client({ connectionString: db.server.url });
  await app.connect();
  const { rows } = await app.query(`SELECT tableowner FROM pg_tables WHERE tablename = 'legacy_probe'`);
  assert.equal(rows[0].tableowner, 'trisight');
  await app.query('INSERT INTO legacy_probe VALUES (1)');
});
