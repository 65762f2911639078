// `npm start`: everything Trisight needs on one machine. Validates the
// configuration, stops whatever an earlier start left running, then starts in
// order Postgres (embedded unless DATABASE_URL), Prometheus (embedded unless
// PROMETHEUS_URL), the app (built on first run) and the bundled sandbox, whose
// traces and profiles go to the app's receivers unless real backends are set.
// Each runs in its own process group and is restarted with backoff if it dies;
// Ctrl-C stops them in reverse order and leaves nothing behind.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { ConfigError, parseConfig, type Config } from '../lib/config';
import { EmbeddedPostgres, freePort } from '../lib/db/embedded';
import { MigrationError, migrate } from '../lib/db/migrate';
import { findPrometheus, PrometheusProcess, prometheusVersion } from '../lib/datasources/prometheus/process';
import type { ScrapeTarget } from '../lib/datasources/prometheus/embedded-config';
import { buildIsStale } from './build-state';
import { describe, stopLeftovers, writeRecord } from './launcher/run-record';
import { ChildService, Supervisor, type Service } from './launcher/supervisor';
import { PROMETHEUS, installMissing } from './system-tools';

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

const supervisor = new Supervisor(log, () => recordRunning());
let stopping = false;

function recordRunning() {
  const children = supervisor.services.filter((s) => s.pid).map((s) => describe(s.pid!, s.name));
  writeRecord(cfg.dataDir, { launcher: describe(process.pid, 'launcher'), children });
}

async function shutdown(code: number) {
  if (stopping) {
    log('still stopping, in order (sandbox, app, Prometheus, Postgres)…');
    return;
  }
  stopping = true;
  log('stopping…');
  await supervisor.stopAll();
  recordRunning();
  log('stopped');
  process.exit(code);
}

// A terminal's Ctrl-C signals the whole foreground group (npm, this process); the
// children lead their own groups, so only we stop them, in order.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void shutdown(0));
// If the launcher dies anyway, its children are told to stop by themselves.
process.on('exit', () => {
  if (stopping) return;
  for (const s of supervisor.services) {
    if (!s.pid) continue;
    try {
      process.kill(-s.pid, s.name === 'postgres' ? 'SIGINT' : 'SIGTERM');
    } catch {}
  }
});

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: 'inherit', env });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}`))));
  });
}

/** The embedded Prometheus's binary: found, installed (root on Debian), or undefined with a warning. */
function prometheusBinary(): string | undefined {
  const found = findPrometheus(cfg.PROMETHEUS_BIN);
  if (found) return found;
  const r = installMissing([PROMETHEUS], log);
  if (r.ok) return findPrometheus(cfg.PROMETHEUS_BIN);
  log(`Prometheus is not installed (${r.reason}): metrics are estimated from stored spans until you run: ${r.command} (or set PROMETHEUS_BIN)`);
  return undefined;
}

async function applyMigrations(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await migrate(client);
    log(`migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied`);
    for (const m of r.modified) log(`warning: migration ${m} changed after it was applied`);
  } finally {
    await client.end();
  }
}

async function main() {
  mkdirSync(cfg.dataDir, { recursive: true });
  for (const line of await stopLeftovers(cfg.dataDir, log)) log(`stopped ${line}`);
  recordRunning(); // from now on a later start knows this launcher is alive
  // The children's environment: ours (the app parses it with lib/config.ts) plus what the launcher decides.
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TRISIGHT_DATA_DIR: cfg.dataDir };
  const add = (svc: Service) => (stopping ? Promise.resolve() : supervisor.start(svc));

  if (!cfg.DATABASE_URL) {
    log(`starting embedded Postgres (data in ${path.join(cfg.dataDir, 'pg')})`);
    const postgres = new EmbeddedPostgres({ dataDir: path.join(cfg.dataDir, 'pg'), log: (m) => /FATAL|PANIC|ERROR/.test(m) && log(`[postgres] ${m}`) });
    await add(postgres);
    env.DATABASE_URL = postgres.url;
    env.TRISIGHT_EMBEDDED_PG = '1';
  }
  await applyMigrations(env.DATABASE_URL!);

  const nextBin = path.join(root, 'node_modules', 'next', 'dist', 'bin', 'next');
  if (!dev && (forceBuild || buildIsStale(root))) {
    log('building the app (first run or sources changed)…');
    await run(process.execPath, [nextBin, 'build'], env);
  }

  // Ports first: Prometheus's scrape config names the app and the sandbox.
  const port = cfg.PORT || (await freePort());
  const appUrl = `http://127.0.0.1:${port}`;
  env.PORT = String(port);
  const sandboxMain = path.join(root, 'workers', 'sandbox', 'main.ts');
  const startSandbox = !cfg.SANDBOX_URL && existsSync(sandboxMain);
  // PORT=0 (tests, CI) means free ports everywhere unless SANDBOX_PORT is given (set at all: config() fills in its default).
  const sandboxPort = process.env.SANDBOX_PORT || cfg.PORT !== 0 ? cfg.SANDBOX_PORT : await freePort();
  const sandboxUrl = cfg.SANDBOX_URL ?? `http://127.0.0.1:${sandboxPort}`;
  env.SANDBOX_URL = sandboxUrl;
  if (startSandbox) env.TRISIGHT_SANDBOX_MANAGED = '1';

  if (!cfg.PROMETHEUS_URL && cfg.EMBEDDED_PROMETHEUS === 'auto') {
    const bin = prometheusBinary();
    if (bin) {
      const targets: ScrapeTarget[] = [
        // 2 s on the sandbox: a run page reads its exact counts within 2 s of the last response,
        // and the 2 s timeout leaves room for a larger model's decode step holding the event loop.
        { job: 'sandbox', url: sandboxUrl, labels: { target: 'sandbox' }, interval: '2s' },
        { job: 'trisight', url: appUrl },
        ...cfg.LOAD_TARGETS.map((t) => ({ job: `load-target-${t.name}`, url: t.url, labels: { target: t.name } })),
      ];
      const prometheus = new PrometheusProcess({
        bin,
        dir: path.join(cfg.dataDir, 'prometheus'),
        port: await freePort(),
        retention: cfg.EMBEDDED_RETENTION,
        config: { interval: '5s', ruleFiles: ['rules/*.yml'], targets },
        log: (m) => log(`[prometheus] ${m}`),
      });
      log(`starting embedded Prometheus ${prometheusVersion(bin) ?? ''} (data in ${path.join(cfg.dataDir, 'prometheus')})`.replace('  ', ' '));
      await add(prometheus);
      env.PROMETHEUS_URL = prometheus.url;
      env.TRISIGHT_EMBEDDED_PROMETHEUS = '1';
      env.TRISIGHT_PROMETHEUS_RULES_DIR = prometheus.rulesDir;
    }
  }

  // Into the embedded store the sandbox pushes every 5 s, so a just-finished run's flame graph
  // appears quickly; a real Pyroscope keeps the SDK's 15 s unless told otherwise. The app is told
  // too: its flame panel waits one interval past a run for the last push.
  if (!process.env.PYROSCOPE_FLUSH_INTERVAL_MS && !cfg.PYROSCOPE_URL) env.PYROSCOPE_FLUSH_INTERVAL_MS = '5000';

  const node = process.execPath;
  await add(
    new ChildService({
      name: 'app',
      command: node,
      // Next.js's handler behind our own server: route handlers learn the connection's address (AUTH_MODE=proxy).
      args: [path.join(root, 'scripts', 'app-server.mjs'), ...(dev ? ['--dev'] : []), '-p', String(port), '-H', cfg.HOST],
      env,
      port,
      readyUrl: `${appUrl}/api/health`,
      readyTimeoutMs: dev ? 300_000 : 120_000,
    }),
  );

  if (startSandbox) {
    const sandboxEnv: NodeJS.ProcessEnv = {
      ...env,
      SANDBOX_PORT: String(sandboxPort),
      // Embedded receivers live in the app at the protocols' conventional paths.
      OTEL_EXPORTER_OTLP_ENDPOINT: process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? appUrl,
      PYROSCOPE_SERVER_ADDRESS: process.env.PYROSCOPE_SERVER_ADDRESS ?? cfg.PYROSCOPE_URL ?? appUrl,
      LD_LIBRARY_PATH: [process.env.LD_LIBRARY_PATH, '/usr/lib/chromium'].filter(Boolean).join(':'),
      VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES ?? '/usr/lib/chromium/vk_swiftshader_icd.json',
    };
    // The app's own secrets stay with the app; the ingest token goes only where the app receives.
    delete sandboxEnv.DATABASE_URL;
    delete sandboxEnv.INGEST_TOKEN;
    if (cfg.INGEST_TOKEN) {
      if (sandboxEnv.OTEL_EXPORTER_OTLP_ENDPOINT === appUrl) sandboxEnv.OTEL_EXPORTER_OTLP_HEADERS = `authorization=${encodeURIComponent(`Bearer ${cfg.INGEST_TOKEN}`)}`;
      if (sandboxEnv.PYROSCOPE_SERVER_ADDRESS === appUrl) sandboxEnv.PYROSCOPE_AUTH_TOKEN = cfg.INGEST_TOKEN;
    }
    await add(
      new ChildService({
        name: 'sandbox',
        command: node,
        args: ['--import', 'tsx', sandboxMain],
        env: sandboxEnv,
        port: sandboxPort,
        readyUrl: `${sandboxUrl}/healthz`,
        // It drains in-flight requests on SIGTERM (SANDBOX_DRAIN_TIMEOUT_MS, 30 s by default).
        graceMs: 40_000,
      }),
    );
    log(`sandbox ready at ${sandboxUrl}`);
  }
  if (!stopping) log(`Trisight ready at ${appUrl}`);
}

main().catch(async (e) => {
  if (stopping) return; // shutdown() is under way and sets the exit code
  console.error(`[trisight] ${e instanceof MigrationError ? 'migration failed: ' : ''}${e instanceof Error ? e.message : String(e)}`);
  await shutdown(1);
});
