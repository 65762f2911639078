// The app's own Prometheus metrics (prom-client), served at GET /metrics and
// scraped by the embedded Prometheus: request latency per route (from the spans
// Next.js emits for every request), telemetry received by the embedded
// receivers, and the database pool. One registry per process, kept on
// globalThis because Next.js loads route modules and instrumentation separately.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type OpenMetricsContentType } from 'prom-client';

export interface AppMetrics {
  registry: Registry<OpenMetricsContentType>;
  /** Seconds per HTTP request, by route pattern (e.g. /api/runs/[id]), method and status. */
  requestDuration: Histogram<'route' | 'method' | 'status'>;
  /** Spans or profiles the embedded receivers were sent, by outcome (stored, rejected). */
  ingested: Counter<'signal' | 'outcome'>;
}

/** Reads the pool's counters at scrape time; set by lib/db once it opens a pool. */
export type PoolStats = () => { total: number; idle: number; waiting: number } | undefined;

const g = globalThis as unknown as { __trisightAppMetrics?: AppMetrics; __trisightPoolStats?: PoolStats };

export function setPoolStats(fn: PoolStats) {
  g.__trisightPoolStats = fn;
}

function create(): AppMetrics {
  // OpenMetrics, as the sandbox serves it: what Prometheus asks for first.
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  collectDefaultMetrics({ register: registry, prefix: 'trisight_' });
  const requestDuration = new Histogram({
    name: 'trisight_http_server_request_duration_seconds',
    help: 'Duration of HTTP requests the Trisight app served, by route pattern, method and status code.',
    labelNames: ['route', 'method', 'status'] as const,
    // Panels answer in milliseconds; ingest and flame queries can take seconds.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const ingested = new Counter({
    name: 'trisight_ingested_items_total',
    help: 'Spans and profiles sent to the embedded receivers (/v1/traces, /ingest), by outcome.',
    labelNames: ['signal', 'outcome'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'trisight_db_pool_connections',
    help: "Connections of the app's Postgres pool for telemetry and panels: total, idle, and requests waiting for one.",
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const s = g.__trisightPoolStats?.();
      if (!s) return;
      this.set({ state: 'total' }, s.total);
      this.set({ state: 'idle' }, s.idle);
      this.set({ state: 'waiting' }, s.waiting);
    },
  });
  return { registry, requestDuration, ingested };
}

export function appMetrics(): AppMetrics {
  g.__trisightAppMetrics ??= create();
  return g.__trisightAppMetrics;
}
