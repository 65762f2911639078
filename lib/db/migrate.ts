// Applies prisma/migrations the way `prisma migrate deploy` does, writing
// Prisma's own `_prisma_migrations` bookkeeping (same DDL, advisory lock,
// sha256 checksums), so a user with Prisma's native engine later sees nothing
// pending. We need this because Prisma 7's migrate engine cannot be fetched here.
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Client, PoolClient } from 'pg';

// The key Prisma's migrate engine takes with pg_advisory_lock.
const PRISMA_ADVISORY_LOCK = 72707369;

const MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export const DEFAULT_MIGRATIONS_DIR = path.resolve(process.cwd(), 'prisma', 'migrations');

/** Reads migrations in Prisma's layout: <dir>/<timestamp>_<name>/migration.sql, sorted by name. */
export function readMigrations(dir = DEFAULT_MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((d) => statSync(path.join(dir, d)).isDirectory())
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: string[];
  /** applied migrations whose file changed afterwards (Prisma warns about these too) */
  modified: string[];
}

type Db = Client | PoolClient;

/**
 * Applies pending migrations in order on one connection (the advisory lock is
 * per session). Throws MigrationError on a failed or previously failed migration.
 */
export async function migrate(client: Db, migrations = readMigrations()): Promise<MigrateResult> {
  const result: MigrateResult = { applied: [], alreadyApplied: [], modified: [] };
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_ADVISORY_LOCK]);
    try {
      await client.query(MIGRATIONS_TABLE_DDL);
      const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null; logs: string | null }>(
        'SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at',
      );
      const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
      if (failed) {
        throw new MigrationError(
          `migration ${failed.migration_name} failed earlier and was not resolved: ${firstLine(failed.logs)}. ` +
            `Fix the database, then mark it rolled back: npx prisma migrate resolve --rolled-back ${failed.migration_name} ` +
            `(or: UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = '${failed.migration_name}')`,
        );
      }
      const done = new Map(rows.filter((r) => r.finished_at && !r.rolled_back_at).map((r) => [r.migration_name, r.checksum]));
      for (const m of migrations) {
        const prior = done.get(m.name);
        if (prior !== undefined) {
          result.alreadyApplied.push(m.name);
          if (prior !== m.checksum) result.modified.push(m.name);
          continue;
        }
        await applyOne(client, m);
        result.applied.push(m.name);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_ADVISORY_LOCK]);
    }
  return result;
}

async function applyOne(client: Db, m: Migration): Promise<void> {
  const id = randomUUID();
  await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)', [
    id,
    m.checksum,
    m.name,
  ]);
  // Unlike Prisma we run each migration in a transaction, so a failure leaves no half-applied schema.
  try {
    await client.query('BEGIN');
    await client.query(m.sql);
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    const msg = e instanceof Error ? e.message : String(e);
    await client.query('UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1', [id, `${msg}\n`]);
    throw new MigrationError(`migration ${m.name} failed: ${msg}`);
  }
  await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1', [id]);
}

function firstLine(s: string | null): string {
  return (s ?? 'no log').split('\n')[0];
}
