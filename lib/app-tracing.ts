// Next.js emits an OpenTelemetry span for every request it serves (span type
// BaseServer.handleRequest, with http.route and http.status_code) once a tracer
// provider is registered. We register one that exports nothing and turns those
// spans into the route-latency histogram of /metrics: every route measured
// without wrapping each handler.
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { appMetrics } from './app-metrics';

const HANDLE_REQUEST = 'BaseServer.handleRequest';

class RouteLatencyProcessor implements SpanProcessor {
  onStart() {}
  onEnd(span: ReadableSpan) {
    const a = span.attributes;
    if (a['next.span_type'] !== HANDLE_REQUEST) return;
    appMetrics().requestDuration.observe(
      {
        // Unmatched paths (404s, probes) share one label: a scanner cannot grow the series count.
        route: typeof a['http.route'] === 'string' ? a['http.route'] : 'unmatched',
        method: String(a['http.method'] ?? 'GET'),
        status: String(a['http.status_code'] ?? 0),
      },
      hrTimeToMilliseconds(span.duration) / 1000,
    );
  }
  async forceFlush() {}
  async shutdown() {}
}

/** Registers the provider (and the AsyncLocalStorage context Next.js's spans need to nest). */
export function registerRouteLatency() {
  new NodeTracerProvider({ spanProcessors: [new RouteLatencyProcessor()] }).register();
}
