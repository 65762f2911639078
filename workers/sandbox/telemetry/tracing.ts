// Trace pipeline: an OTel SDK tracer provider of our own (not the global one, so
// several sandboxes or tests can live in one process), the adaptive sampler, a
// batch span processor and the OTLP/HTTP exporter. Incoming W3C traceparent is
// extracted with the standard propagator.
import { ROOT_CONTEXT, type Context, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { AdaptiveSampler, type SamplingPolicy } from './sampling';

export interface TracingOptions {
  /** base OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to <endpoint>/v1/traces */
  endpoint?: string;
  /** full traces URL (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), used as is */
  tracesUrl?: string;
  headers?: Record<string, string>;
  /** replaces the OTLP exporter (tests) */
  exporter?: SpanExporter;
  resource: Record<string, string | number | boolean>;
  policy: SamplingPolicy;
  /** BatchSpanProcessor delay between exports */
  exportDelayMs?: number;
}

export interface Tracing {
  tracer: Tracer;
  /** Parent context from request headers (traceparent / tracestate), or ROOT_CONTEXT. */
  extract(headers: Record<string, string | string[] | undefined>): Context;
  shutdown(): Promise<void>;
}

export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

const getter = {
  keys: (c: Record<string, string | string[] | undefined>) => Object.keys(c),
  get: (c: Record<string, string | string[] | undefined>, k: string) => c[k.toLowerCase()],
};

export function startTracing(opts: TracingOptions): Tracing {
  const url = opts.tracesUrl ?? (opts.endpoint ? otlpTracesUrl(opts.endpoint) : undefined);
  const exporter = opts.exporter ?? new OTLPTraceExporter({ url, headers: opts.headers });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(opts.resource),
    sampler: new AdaptiveSampler(opts.policy),
    spanProcessors: [
      new BatchSpanProcessor(exporter, {
        scheduledDelayMillis: opts.exportDelayMs ?? 2000,
        maxQueueSize: 4096,
        maxExportBatchSize: 512,
      }),
    ],
  });
  const propagator = new W3CTraceContextPropagator();
  return {
    tracer: provider.getTracer('trisight-sandbox'),
    extract: (headers) => propagator.extract(ROOT_CONTEXT, headers, getter),
    // shutdown() flushes what the batch processor still holds.
    shutdown: () => provider.shutdown(),
  };
}
