// A real Postgres for integration tests: embedded, in a temp dir, on a free
// loopback port, all migrations applied, deleted on stop().
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../lib/db/embedded';
import { migrate } from '../../lib/db/migrate';

export interface TestPostgres {
  /** The app's connection string: the non-superuser role, as in production. */
  url: string;
  /** The server itself: a superuser client over its private socket, its pid. */
  server: EmbeddedPostgres;
  stop(): Promise<void>;
}

export async function startTestPostgres(opts: { migrate?: boolean } = {}): Promise<TestPostgres> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'trisight-pg-'));
  let stopPg: (() => Promise<void>) | undefined;
  try {
    const epg = await startEmbeddedPostgres({ dataDir: path.join(root, 'pg'), persistent: false });
    stopPg = epg.stop;
    if (opts.migrate !== false) {
      const c = new pg.Client({ connectionString: epg.url });
      await c.connect();
      try {
        await migrate(c);
      } finally {
        await c.end();
      }
    }
    return {
      url: epg.url,
      server: epg.server,
      stop: async () => {
        try {
          await epg.stop();
        } finally {
          rmSync(root, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    await stopPg?.().catch(() => {});
    rmSync(root, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A pool for a test's own queries. Like any pg pool it needs an 'error'
 * listener: an idle client that Postgres ends (a stop, a restart test) emits
 * one, and without a listener that is an uncaught exception in the test process.
 */
export function testPool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max });
  pool.on('error', (e) => console.warn(`[test pool] idle connection ended: ${e.message}`));
  return pool;
}

/**
 * For tests that drive the app's own route handlers: registers before/after
 * hooks that start a test Postgres, make it the app's DATABASE_URL (before
 * anything reads config()), open a pool for the test's own queries, and close
 * the app's pool, the test pool and Postgres afterwards.
 */
export function appDatabaseHooks(opts: { poolSize?: number } = {}): { readonly url: string; readonly pool: pg.Pool } {
  let db: TestPostgres | undefined;
  let pool: pg.Pool | undefined;
  before(async () => {
    db = await startTestPostgres();
    process.env.DATABASE_URL = db.url;
    pool = testPool(db.url, opts.poolSize ?? 4);
  });
  after(async () => {
    // Postgres is stopped whatever closing the pools does (a throw here would leave it running).
    try {
      await pool?.end();
      const { closeDatabase } = await import('../../lib/db');
      await closeDatabase();
    } catch {
      // already closed, or never opened
    } finally {
      await db?.stop();
    }
  });
  return {
    get url() {
      if (!db) throw new Error('appDatabaseHooks: not started yet (use it from a test or hook)');
      return db.url;
    },
    get pool() {
      if (!pool) throw new Error('appDatabaseHooks: not started yet (use it from a test or hook)');
      return pool;
    },
  };
}

/**
 * For migration tests: registers before/after hooks that start a test Postgres
 * with no migration applied and connect one client to it (the app's role), and
 * end both afterwards.
 */
export function emptyDatabaseHooks(): { readonly client: pg.Client } {
  let db: TestPostgres | undefined;
  let client: pg.Client | undefined;
  before(async () => {
    db = await startTestPostgres({ migrate: false });
    client = new pg.Client({ connectionString: db.url });
    await client.connect();
  });
  after(async () => {
    try {
      await client?.end();
    } finally {
      await db?.stop();
    }
  });
  return {
    get client() {
      if (!client) throw new Error('emptyDatabaseHooks: not started yet (use it from a test or hook)');
      return client;
    },
  };
}
