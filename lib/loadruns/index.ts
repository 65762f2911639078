// The process-wide load-run service the route handlers use.
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { config } from '@/lib/config';
import { pgPool, prisma } from '@/lib/db';
import { EmbeddedSpanExporter } from '@/lib/datasources/embedded/span-exporter';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { awaitScrape } from '@/lib/datasources/prometheus/views';
import { loadTargets, type LoadTarget } from '@/lib/targets';
import { LoadRunService } from './service';

export { LoadRunService, MAX_ACTIVE_RUNS, TooManyActiveRuns, type RunEvent } from './service';
export { parseCreateRun, RunId, runNotFound } from './schema';
export { runEventStream } from './events';
export { listRuns, getRun, INTERRUPTED, type RunView, type RunSummary, type RunStatus } from './store';
export { fromColumns, type SampleColumns, type SampleRow } from './samples';

/**
 * Where the load generator's client spans go: the embedded trace store, or with
 * TEMPO_URL set the OTLP endpoint in OTLP_TRACES_URL (none without it).
 */
export function clientSpanExporter(): SpanExporter | null {
  const c = config();
  if (!c.TEMPO_URL) return new EmbeddedSpanExporter(pgPool(), (e) => console.warn(`load runs: client spans not stored: ${e.message}`));
  if (!c.OTLP_TRACES_URL) return null;
  return new OTLPTraceExporter({ url: c.OTLP_TRACES_URL, headers: c.TELEMETRY_TENANT ? { 'X-Scope-OrgID': c.TELEMETRY_TENANT } : {} });
}

/**
 * Before a run: with a Prometheus configured, wait (at most two scrape intervals)
 * for a scrape of the target after the run was asked for, so the page can count
 * the run's requests exactly from that scrape (a run fired right after start-up
 * would otherwise have none before it and get increase() estimates).
 */
async function awaitTargetScrape(target: LoadTarget, signal: AbortSignal): Promise<void> {
  if (!config().PROMETHEUS_URL) return;
  const r = await awaitScrape(PrometheusClient.fromConfig(), target.url, { signal });
  if (r.status !== 'scraped') console.warn(`load run on ${target.name}: starting without a scrape before it, so its counts will be estimates: ${r.reason}`);
}

// One registry per server process, even when Next.js loads this module once per route bundle.
const g = globalThis as unknown as { __trisightLoadRuns?: LoadRunService };

export function loadRuns(): LoadRunService {
  g.__trisightLoadRuns ??= new LoadRunService({
    db: prisma(),
    targets: () => loadTargets(config()),
    clientSpanExporter,
    beforeLoad: awaitTargetScrape,
    log: (m) => console.warn(m),
  });
  return g.__trisightLoadRuns;
}
