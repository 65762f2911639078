// A real Postgres for integration tests: embedded, in a temp dir, on a free
// loopback port, all migrations applied, deleted on stop().
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../lib/db/embedded';
import { migrate } from '../../lib/db/migrate';

export interface TestPostgres {
  url: string;
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
