import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// Starts Debian's real Prometheus (2.42 here) on 127.0.0.1 with its own config
// and data directory, scraping the given targets. Exemplar storage and native
// histograms are switched on (both are feature flags in 2.42; exemplars are only
// read from OpenMetrics scrapes, which Prometheus asks for first in its Accept header).

export interface PrometheusHandle {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function configYaml(targets: string[], scrapeInterval: string): string {
  // JSON is valid YAML, and quoting every value keeps hostile target strings inert.
  return JSON.stringify({
    global: { scrape_interval: scrapeInterval, scrape_timeout: scrapeInterval, evaluation_interval: scrapeInterval },
    scrape_configs: [{ job_name: 'trisight-test', scrape_interval: scrapeInterval, static_configs: [{ targets }] }],
  });
}

export async function startPrometheus(opts: { scrapeTargets: string[]; scrapeInterval?: string }): Promise<PrometheusHandle> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trisight-prometheus-'));
  const cfg = path.join(dir, 'prometheus.yml');
  writeFileSync(cfg, configYaml(opts.scrapeTargets, opts.scrapeInterval ?? '1s'));
  let lastError = '';
  // The free port can be taken between probing and binding: try a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${cfg}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--enable-feature=exemplar-storage,native-histograms',
        '--storage.tsdb.retention.time=1h',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
    };
    const ready = await waitReady(url, exited, 30_000);
    if (ready === 'ready') {
      return {
        url,
        pid: child.pid!,
        stop: async () => {
          await stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stop();
    lastError = `${ready}: ${stderr.trim()}`;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`prometheus did not start: ${lastError}`);
}

async function waitReady(url: string, exited: Promise<number | null>, timeoutMs: number): Promise<string> {
  let gone: string | undefined;
  void exited.then((code) => (gone = `exited with ${code}`));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) return gone;
    try {
      const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) });
      if (r.ok) return 'ready';
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return gone ?? `not ready after ${timeoutMs} ms`;
}
