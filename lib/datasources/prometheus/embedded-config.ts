// The configuration of the Prometheus that `npm start` runs (pure: tested alone).
// JSON is valid YAML, and quoting every value keeps hostile target strings inert.

export interface ScrapeTarget {
  /** Prometheus job name (unique). */
  job: string;
  /** Base URL of the server; its `/metrics` (under any path prefix) is scraped. */
  url: string;
  /** Extra labels on every series of this job, e.g. {target: 'sandbox'}. */
  labels?: Record<string, string>;
  /** Overrides the global interval, e.g. '1s' for the sandbox so a run's counters settle fast. */
  interval?: string;
}

export interface EmbeddedPrometheusConfig {
  targets: ScrapeTarget[];
  /** Default scrape and rule evaluation interval. */
  interval: string;
  /** Rule files, relative to the config file's folder (Prometheus resolves them there). */
  ruleFiles: string[];
}

export class ScrapeTargetError extends Error {}

interface ScrapeConfig {
  job_name: string;
  scheme: 'http' | 'https';
  metrics_path: string;
  scrape_interval?: string;
  scrape_timeout?: string;
  static_configs: { targets: string[]; labels?: Record<string, string> }[];
}

/** One scrape job for a server's `<base>/metrics`. */
export function scrapeConfig(t: ScrapeTarget): ScrapeConfig {
  let u: URL;
  try {
    u = new URL(t.url);
  } catch {
    throw new ScrapeTargetError(`${t.job}: not a URL: ${JSON.stringify(t.url)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ScrapeTargetError(`${t.job}: only http and https can be scraped, not ${u.protocol}`);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const cfg: ScrapeConfig = {
    job_name: t.job,
    scheme: u.protocol === 'https:' ? 'https' : 'http',
    metrics_path: `${u.pathname.replace(/\/+$/, '')}/metrics`,
    static_configs: [{ targets: [`${u.hostname}:${port}`], ...(t.labels ? { labels: t.labels } : {}) }],
  };
  if (t.interval) {
    cfg.scrape_interval = t.interval;
    cfg.scrape_timeout = t.interval;
  }
  return cfg;
}

export function embeddedPrometheusYaml(c: EmbeddedPrometheusConfig): string {
  const jobs = new Set<string>();
  for (const t of c.targets) {
    if (jobs.has(t.job)) throw new ScrapeTargetError(`two scrape jobs named ${JSON.stringify(t.job)}`);
    jobs.add(t.job);
  }
  const doc = {
    global: { scrape_interval: c.interval, scrape_timeout: c.interval, evaluation_interval: c.interval },
    rule_files: c.ruleFiles,
    scrape_configs: c.targets.map(scrapeConfig),
  };
  return `# Written by Trisight's launcher at every start; edits are replaced.\n${JSON.stringify(doc, null, 2)}\n`;
}
