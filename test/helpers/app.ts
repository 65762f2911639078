// Starts Trisight the way the README does (`npm start` → scripts/start.ts):
// embedded Postgres in a temp TRISIGHT_DATA_DIR, migrations, the Next.js app
// and the bundled sandbox, on free ports. E2E tests share this helper.
//
//   const app = await startApp();            // { url, stop(), log() }
//   try { … fetch(`${app.url}/api/health`) … } finally { await app.stop(); }

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildIsStale as buildIsStaleAt } from '../../scripts/build-state';
import { isSameProcess, readRecord } from '../../scripts/launcher/run-record';
import { settlesWithin } from '../../lib/settles-within';

export interface AppHandle {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  /** The launcher's pid (leader of its own process group). */
  pid: number;
  /** TRISIGHT_DATA_DIR of this instance (deleted by stop()). */
  dataDir: string;
  /** Everything the launcher and its children printed so far. */
  log(): string;
  /** Exit status once the launcher has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
  /** kill -9 of the launcher's process group only (its children live on, as after a crash); stop() then does nothing. */
  killLauncher(): Promise<void>;
}

export interface StartAppOptions {
  /** Extra environment (e.g. PROMETHEUS_URL); PORT defaults to 0 (a free port). */
  env?: Record<string, string>;
  /** How long to wait for "ready", including a first build (default 6 min). */
  timeoutMs?: number;
  /** A TRISIGHT_DATA_DIR the test owns (kept by stop()); default: a temp dir deleted by stop(). */
  dataDir?: string;
}

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const BUILD_LOCK = '/tmp/trisight-build.lock';

function buildIsStale(): boolean {
  return buildIsStaleAt(repoRoot);
}

function buildNow(): void {
  const nextBin = path.join(repoRoot, 'node_modules', 'next', 'dist', 'bin', 'next');
  const r = spawnSync(process.execPath, [nextBin, 'build'], { cwd: repoRoot, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) throw new Error(`next build failed (exit ${r.status})`);
}

/**
 * Builds when the build is missing or older than the sources (the rule
 * scripts/start.ts uses), holding the shared build lock so parallel test runs
 * never build into the same .next at once; the launcher then finds it fresh.
 */
function ensureBuilt(): void {
  if (!buildIsStale()) return;
  if (spawnSync('sh', ['-c', 'command -v flock'], { stdio: 'ignore' }).status !== 0) {
    buildNow();
    return;
  }
  // Re-checked inside the lock (this file run with --build-if-stale): another run may have just built.
  const r = spawnSync('flock', [BUILD_LOCK, process.execPath, '--import', 'tsx', import.meta.filename, '--build-if-stale'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`next build failed (exit ${r.status})`);
}

if (process.argv[1] === import.meta.filename && process.argv.includes('--build-if-stale')) {
  if (buildIsStale()) buildNow();
}

export async function startApp(opts: StartAppOptions = {}): Promise<AppHandle> {
  ensureBuilt();
  const ownDataDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'trisight-app-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: '0',
    TRISIGHT_DATA_DIR: dataDir,
    ...opts.env,
  };
  // A developer's own settings must not leak in: unless the test passes them,
  // everything is embedded, and with PORT=0 the launcher also picks the sandbox port.
  for (const k of ['SANDBOX_PORT', 'SANDBOX_URL', 'DATABASE_URL', 'TRISIGHT_EMBEDDED_PG', 'PROMETHEUS_URL', 'TEMPO_URL', 'PYROSCOPE_URL', 'TELEMETRY_TENANT', 'LOAD_TARGETS']) {
    if (!opts.env || !(k in opts.env)) delete env[k];
  }
  // detached: its own process group, so stop() can end every child by group id.
  const proc = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: repoRoot, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (b: Buffer) => {
    output += b.toString('utf8');
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    if (process.env.TRISIGHT_APP_LOG) process.stderr.write(b);
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (proc.exitCode === null && proc.signalCode === null) {
      // SIGTERM to the launcher: it stops the sandbox, the app, Prometheus, then Postgres, in that order.
      proc.kill('SIGTERM');
      if (!(await settlesWithin(exited, 60_000))) {
        try {
          process.kill(-proc.pid!, 'SIGKILL');
        } catch {}
        await exited; // the children are ended below
      }
    }
    // What outlived the launcher (it had to be killed): each child leads its own
    // group, recorded (pid and start time) in the data dir's run record.
    const leftovers = (readRecord(dataDir)?.children ?? []).filter(isSameProcess).map((c) => c.pid);
    for (const pgid of [proc.pid!, ...leftovers]) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {}
    }
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  const killLauncher = async () => {
    stopped = true;
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {}
    await exited;
  };

  const tail = () => output.split('\n').slice(-40).join('\n');
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 360_000);
    let url: string | undefined;
    while (!url) {
      if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`npm start exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${tail()}`);
      if (Date.now() > deadline) throw new Error(`npm start was not ready in time:\n${tail()}`);
      url = /Trisight ready at (http:\/\/[^\s]+)/.exec(output)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 200));
    }
    // The launcher already waited for the app; prove /api/health answers too.
    const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(15_000) });
    if (res.status !== 200) throw new Error(`/api/health answered ${res.status}:\n${tail()}`);
    await res.body?.cancel();
    return { url, pid: proc.pid!, dataDir, log: () => output, exited, stop, killLauncher };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** An API answer of the app as JSON with its status; a request that hangs fails after 15 s. */
export async function appJson<T>(app: Pick<AppHandle, 'url'>, p: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const r = await fetch(`${app.url}${p}`, { ...init, signal: AbortSignal.timeout(15_000) });
  return { status: r.status, body: (await r.json()) as T };
}

/** appJson's body, failing unless the status is 200. */
export async function appJsonOk<T>(app: Pick<AppHandle, 'url'>, p: string): Promise<T> {
  const r = await appJson<T>(app, p);
  if (r.status !== 200) throw new Error(`${p}: HTTP ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

/**
 * Stops the app's embedded Prometheus (SIGSTOP to its process group: the
 * launcher would restart a killed one) until the returned function continues it.
 * Queries to it then time out, as with a Prometheus that hangs.
 */
export function pausePrometheus(app: AppHandle): () => void {
  const prom = readRecord(app.dataDir)?.children.find((c) => c.name === 'prometheus' && isSameProcess(c));
  if (!prom) throw new Error('the launcher runs no embedded Prometheus');
  process.kill(-prom.pid, 'SIGSTOP');
  return () => process.kill(-prom.pid, 'SIGCONT');
}
