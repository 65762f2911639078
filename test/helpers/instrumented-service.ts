// A small instrumented Node service — not the sandbox — for end-to-end tests
// of Explore: an HTTP server whose requests do CPU work, traced with the
// official OpenTelemetry SDK (OTLP/HTTP to the app's /v1/traces), profiled
// with @pyroscope/nodejs (pushed to the app's /ingest, samples labelled with
// the active span's id, spans marked with pyroscope.profile.id as Grafana's
// traces-to-profiles expects), and measured with a prom-client histogram
// whose buckets carry trace-id exemplars (served as OpenMetrics at /metrics
// for Prometheus to scrape). Slow requests spend their time in slowPath(),
// fast ones in fastPath(): a span profile, or slow-vs-fast, shows which.
//
//   const svc = await startInstrumentedService({ appUrl: app.url, port });   // port: the one LOAD_TARGETS names
//   await svc.load({ fast: 40, slow: 6 });
//   … await svc.stop();
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import Pyroscope from '@pyroscope/nodejs';
import { Histogram, Registry, type OpenMetricsContentType } from 'prom-client';

export const SERVICE = 'shop';
export const HISTOGRAM = 'http_server_request_duration_seconds';

export interface InstrumentedService {
  /** http://127.0.0.1:<port> */
  url: string;
  /** fires `fast` quick requests (~4 ms of CPU) and `slow` ones (~180 ms), interleaved */
  load(mix: { fast: number; slow: number; gapMs?: number }): Promise<{ traceIds: { fast: string[]; slow: string[] } }>;
  /** flushes spans and the last profile, then stops the server */
  stop(): Promise<void>;
}

/** CPU work a profiler can see: a loop that keeps the thread busy for `ms`. */
function burn(ms: number, salt: number): number {
  const end = performance.now() + ms;
  let x = salt;
  while (performance.now() < end) for (let i = 0; i < 2000; i++) x = (x * 1103515245 + 12345) % 2147483648;
  return x;
}
function fastPath(salt: number): number {
  return burn(4, salt);
}
function slowPath(salt: number): number {
  return burn(180, salt);
}

export async function startInstrumentedService(opts: { appUrl: string; flushIntervalMs?: number; port?: number }): Promise<InstrumentedService> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE, 'service.version': '1.0.0' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${opts.appUrl}/v1/traces` }), { scheduledDelayMillis: 500 })],
  });
  const tracer = provider.getTracer('shop-e2e');

  Pyroscope.init({
    appName: SERVICE,
    serverAddress: opts.appUrl,
    flushIntervalMs: opts.flushIntervalMs ?? 2000,
    wall: { samplingDurationMs: opts.flushIntervalMs ?? 2000, samplingIntervalMicros: 2000, collectCpuTime: true },
  });
  Pyroscope.startCpuProfiling();

  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const duration = new Histogram<string>({
    name: HISTOGRAM,
    help: 'Duration of HTTP server requests (OTel semconv http.server.request.duration).',
    labelNames: ['http_route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
    enableExemplars: true,
  });
  duration.zero({ http_route: '/checkout' });

  const server = http.createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType }).end(await registry.metrics());
      return;
    }
    const slow = u.searchParams.get('slow') === '1';
    const started = performance.now();
    const span = tracer.startSpan('GET /checkout', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/checkout' } });
    const spanId = span.spanContext().spanId;
    span.setAttribute('pyroscope.profile.id', spanId);
    // Only synchronous work can carry the label: the CPU-bound part runs inside wrapWithLabels.
    const work = tracer.startSpan('compute price', {}, trace.setSpan(context.active(), span));
    const workId = work.spanContext().spanId;
    work.setAttribute('pyroscope.profile.id', workId);
    Pyroscope.wrapWithLabels({ span_id: workId }, () => (slow ? slowPath(started) : fastPath(started)));
    work.end();
    const seconds = (performance.now() - started) / 1000;
    if (u.searchParams.get('fail') === '1') span.setStatus({ code: SpanStatusCode.ERROR, message: 'payment declined' });
    span.end();
    duration.observe({ value: seconds, labels: { http_route: '/checkout' }, exemplarLabels: { trace_id: span.spanContext().traceId } });
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ traceId: span.spanContext().traceId }));
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    async load({ fast, slow, gapMs = 40 }) {
      const ids = { fast: [] as string[], slow: [] as string[] };
      // Slow requests spread evenly through the run, not bunched at one end.
      const kinds = Array.from({ length: fast + slow }, (_, i) => (slow && Math.floor(((i + 1) * slow) / (fast + slow)) > Math.floor((i * slow) / (fast + slow)) ? 'slow' : 'fast'));
      for (const k of kinds) {
        const r = await fetch(`${url}/checkout${k === 'slow' ? '?slow=1' : ''}`);
        ids[k].push(((await r.json()) as { traceId: string }).traceId);
        await new Promise((res) => setTimeout(res, gapMs));
      }
      await provider.forceFlush();
      return { traceIds: ids };
    },
    async stop() {
      await provider.forceFlush().catch(() => {});
      await provider.shutdown().catch(() => {});
      await Pyroscope.stop().catch(() => {});
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
