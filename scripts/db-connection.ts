// A database connection for command-line tools (npm run user): DATABASE_URL
// when set; else the embedded Postgres of TRISIGHT_DATA_DIR — the running one
// (`npm start` is up), or one started just for this command and stopped after.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../lib/config';
import { APP_ROLE, DATABASE, EmbeddedPostgres, secretsFile } from '../lib/db/embedded';
import { migrate } from '../lib/db/migrate';

export interface CliDatabase {
  url: string;
  close(): Promise<void>;
}

/** The port of the postgres serving `dataDir`, when one is running (postmaster.pid line 4). */
function runningPort(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  const port = Number(lines[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

async function migrated(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(client);
  } finally {
    await client.end();
  }
}

export async function openCliDatabase(cfg: Config, log: (m: string) => void): Promise<CliDatabase> {
  if (cfg.DATABASE_URL) {
    await migrated(cfg.DATABASE_URL);
    return { url: cfg.DATABASE_URL, close: async () => {} };
  }
  const dataDir = path.join(cfg.dataDir, 'pg');
  const port = runningPort(dataDir);
  if (port && existsSync(secretsFile(dataDir))) {
    const { appPassword } = JSON.parse(readFileSync(secretsFile(dataDir), 'utf8')) as { appPassword: string };
    return { url: `postgresql://${APP_ROLE}:${encodeURIComponent(appPassword)}@127.0.0.1:${port}/${DATABASE}`, close: async () => {} };
  }
  log(`starting the embedded Postgres in ${dataDir} for this command`);
  const server = new EmbeddedPostgres({ dataDir });
  await server.start();
  try {
    await migrated(server.url);
  } catch (e) {
    await server.halt();
    throw e;
  }
  return { url: server.url, close: () => server.halt() };
}
