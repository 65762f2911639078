import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/db/embedded';
import { PrometheusProcess } from '../../lib/datasources/prometheus/process';

// Starts Debian's real Prometheus (2.42 here) on 127.0.0.1 with its own config
// and data directory, scraping the given targets — through the same class
// `npm start` uses for the embedded Prometheus (exemplar storage and native
// histograms on, lifecycle API for rule reloads, rules/*.yml loaded).

export interface PrometheusHandle {
  url: string;
  pid: number;
  /** Rule files written here are loaded by reload(). */
  rulesDir: string;
  reload(): Promise<void>;
  stop(): Promise<void>;
}

const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export async function startPrometheus(opts: { scrapeTargets: string[]; scrapeInterval?: string }): Promise<PrometheusHandle> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trisight-prometheus-'));
  const interval = opts.scrapeInterval ?? '1s';
  let lastError = '';
  // The free port can be taken between probing and binding: try a few times.
  for (let attempt = 0; attempt < 3; attempt++) {
    const prom = new PrometheusProcess({
      bin: PROMETHEUS_BIN,
      dir,
      port: await freePort(),
      retention: '1h',
      config: {
        interval,
        ruleFiles: ['rules/*.yml'],
        targets: opts.scrapeTargets.map((host, i) => ({ job: i ? `trisight-test-${i + 1}` : 'trisight-test', url: `http://${host}` })),
      },
    });
    try {
      await prom.start();
    } catch (e) {
      lastError = (e as Error).message;
      continue;
    }
    return {
      url: prom.url,
      pid: prom.pid!,
      rulesDir: prom.rulesDir,
      reload: () => prom.reload(),
      stop: async () => {
        await prom.halt();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`prometheus did not start: ${lastError}`);
}
