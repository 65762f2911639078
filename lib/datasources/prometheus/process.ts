// A real Prometheus run by Trisight itself: Debian's package (or PROMETHEUS_BIN)
// on a loopback port, with exemplar storage and native histograms on, the
// lifecycle API (so rule files can be reloaded), its own config and data folder.
// `npm start` runs one as the embedded metrics store; the tests start theirs
// through the same class.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { embeddedPrometheusYaml, type EmbeddedPrometheusConfig } from './embedded-config';
import { settlesWithin } from '../../settles-within';
import { setTimeout as sleep } from 'node:timers/promises';

/** `bin` (config's PROMETHEUS_BIN), else `prometheus` on PATH, else Debian's /usr/bin/prometheus; undefined when none runs. */
export function findPrometheus(bin: string | undefined): string | undefined {
  // PATH is the operating system's search path, not a Trisight setting: read where it is searched.
  const onPath = (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => path.join(d, 'prometheus'));
  const candidates = [bin, ...onPath, '/usr/bin/prometheus'];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {}
  }
  return undefined;
}

/** "prometheus, version 2.42.0+ds (branch: …)" → "2.42.0". */
export function prometheusVersion(bin: string): string | undefined {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    return /version\s+(\d+\.\d+\.\d+)/.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

export interface PrometheusProcessOptions {
  bin: string;
  /** Holds prometheus.yml, rules/ and data/. */
  dir: string;
  port: number;
  retention: string;
  config: EmbeddedPrometheusConfig;
  log?: (m: string) => void;
}

export class PrometheusProcess {
  readonly name = 'prometheus';
  readonly url: string;
  readonly rulesDir: string;
  private proc?: ChildProcess;
  private exitListeners: ((code: number | null, signal: NodeJS.Signals | null) => void)[] = [];

  constructor(private readonly opts: PrometheusProcessOptions) {
    this.url = `http://127.0.0.1:${opts.port}`;
    this.rulesDir = path.join(opts.dir, 'rules');
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  onExit(fn: (code: number | null, signal: NodeJS.Signals | null) => void) {
    this.exitListeners.push(fn);
  }

  async start(): Promise<void> {
    const { dir, port, retention, bin } = this.opts;
    mkdirSync(this.rulesDir, { recursive: true });
    const configFile = path.join(dir, 'prometheus.yml');
    writeFileSync(configFile, embeddedPrometheusYaml(this.opts.config));
    const proc = spawn(
      bin,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--storage.tsdb.retention.time=${retention}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Exemplars are read only from OpenMetrics scrapes, which Prometheus asks for first.
        '--enable-feature=exemplar-storage,native-histograms',
        '--web.enable-lifecycle',
        '--log.level=warn',
      ],
      // Its own process group: a terminal's Ctrl-C reaches the launcher, which stops it in order.
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr = (stderr + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) this.opts.log?.(line.trimEnd());
    });
    let gone: string | undefined;
    proc.once('exit', (code, signal) => (gone = `exited (${signal ?? code})`));
    proc.once('error', (e) => (gone = e.message));
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (gone) throw new Error(`prometheus ${gone}: ${stderr.trim()}`);
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`prometheus was not ready within 60 s: ${stderr.trim()}`);
      }
      try {
        const r = await fetch(`${this.url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
        await r.body?.cancel();
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    this.proc = proc;
    proc.once('exit', (code, signal) => {
      if (this.proc !== proc) return; // stopped on purpose
      this.proc = undefined;
      for (const fn of this.exitListeners) fn(code, signal);
    });
  }

  /** SIGTERM (Prometheus flushes its head block), SIGKILL after 15 s. */
  async halt(): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    if (!(await settlesWithin(exited, 15_000))) {
      proc.kill('SIGKILL');
      await exited;
    }
  }

  /** Loads changed rule files: POST /-/reload (the lifecycle API). */
  async reload(): Promise<void> {
    const r = await fetch(`${this.url}/-/reload`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`prometheus reload: HTTP ${r.status} ${(await r.text()).trim()}`);
  }
}
