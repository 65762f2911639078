// The load generator's own client span per request (OTel SDK), so a trace starts
// where the user's request starts: the waterfall shows the client's view, and
// the time outside the server's span (network, queueing in front of it) is the
// gap it is. The server still decides sampling: the request carries a
// traceparent with the sampled flag off, and a client span is exported only
// when the server answers that it kept the trace (W3C `traceresponse` with the
// sampled flag, which the sandbox sends for every sampled request).
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** OTel service.name of the load generator's spans. */
export const LOADGEN_SERVICE = 'trisight-loadgen';

/**
 * Unix ms with sub-millisecond precision from the monotonic clock. The sandbox
 * times its spans the same way (performance.timeOrigin + performance.now()), so
 * a request's client and server intervals compare on one scale on one machine;
 * Date.now() is whole milliseconds and would put the client's start after the
 * server's by up to 1 ms.
 */
export const wallClockMs = (): number => performance.timeOrigin + performance.now();

/** `00-<trace id>-<span id>-<flags>` → its trace id and whether the sampled flag is set; null when malformed. */
export function parseTraceResponse(header: string | null): { traceId: string; sampled: boolean } | null {
  const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header?.trim().toLowerCase() ?? '');
  return m ? { traceId: m[1], sampled: (parseInt(m[3], 16) & 1) === 1 } : null;
}

/** Passes on only the spans marked kept (the server kept their trace). */
class KeptOnly implements SpanProcessor {
  constructor(
    private readonly kept: Set<string>,
    private readonly next: SpanProcessor,
  ) {}
  onStart() {}
  onEnd(span: ReadableSpan) {
    const id = span.spanContext().spanId;
    if (!this.kept.delete(id)) return;
    this.next.onEnd(span);
  }
  forceFlush() {
    return this.next.forceFlush();
  }
  shutdown() {
    return this.next.shutdown();
  }
}

export interface ClientRequestInfo {
  model: string;
  target: string;
  priority: 'P0' | 'P1';
  maxTokens: number;
  temperature: number;
  seed: number;
  baseUrl: string;
}

export interface ClientSpanEnd {
  ok: boolean;
  httpStatus?: number;
  errorType?: string;
  inputTokens: number;
  outputTokens: number;
  ttftMs: number | null;
  /** wallClockMs() at the end of the response */
  endMs: number;
}

/** One request's client span and the traceparent that makes the server's span its child. */
export interface ClientSpan {
  traceId: string;
  traceparent: string;
  /** the server's traceresponse header: keeps the span when it says the trace was sampled */
  serverAnswered(traceresponse: string | null): void;
  end(e: ClientSpanEnd): void;
}

/** A run's client spans: created per request, exported (when kept) through `exporter` in batches. */
export class ClientSpans {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly kept = new Set<string>();
  private exported = 0;
  private closed?: Promise<number>;

  constructor(exporter: SpanExporter, resource: Attributes = {}) {
    const counting: SpanExporter = {
      export: (spans, done) =>
        exporter.export(spans, (r) => {
          if (r.code === ExportResultCode.SUCCESS) this.exported += spans.length;
          done(r);
        }),
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': LOADGEN_SERVICE, ...resource }),
      spanProcessors: [new KeptOnly(this.kept, new BatchSpanProcessor(counting, { scheduledDelayMillis: 1000, maxQueueSize: 16_384, maxExportBatchSize: 512 }))],
    });
    this.tracer = this.provider.getTracer('trisight-loadgen');
  }

  /** Starts a request's span at `startMs` (wallClockMs()). */
  start(info: ClientRequestInfo, startMs: number): ClientSpan {
    let server: { address: string; port?: number } = { address: info.baseUrl };
    try {
      const u = new URL(info.baseUrl);
      server = { address: u.hostname, port: u.port ? Number(u.port) : undefined };
    } catch {}
    // OTel GenAI client span: "{gen_ai.operation.name} {gen_ai.request.model}". Always a
    // root: inside the app a run starts within Next.js's request span (a global context),
    // which would make every request of the run one trace under an unexported parent.
    const span: Span = this.tracer.startSpan(`text_completion ${info.model}`, {
      kind: SpanKind.CLIENT,
      startTime: startMs,
      attributes: {
        'gen_ai.operation.name': 'text_completion',
        'gen_ai.request.model': info.model,
        'gen_ai.request.max_tokens': info.maxTokens,
        'gen_ai.request.temperature': info.temperature,
        'gen_ai.request.seed': info.seed,
        'server.address': server.address,
        ...(server.port ? { 'server.port': server.port } : {}),
        'trisight.load.target': info.target,
        'trisight.priority': info.priority,
      },
    }, ROOT_CONTEXT);
    const { traceId, spanId } = span.spanContext();
    return {
      traceId,
      // Sampled flag off: the server's sampler decides, as if the client recorded nothing.
      traceparent: `00-${traceId}-${spanId}-00`,
      serverAnswered: (header) => {
        const r = parseTraceResponse(header);
        if (r?.sampled && r.traceId === traceId) this.kept.add(spanId);
      },
      end: (e) => {
        span.setAttributes({
          'gen_ai.usage.input_tokens': e.inputTokens,
          'gen_ai.usage.output_tokens': e.outputTokens,
          ...(e.httpStatus ? { 'http.response.status_code': e.httpStatus } : {}),
          ...(e.ttftMs !== null ? { 'trisight.client.ttft_ms': e.ttftMs } : {}),
        });
        if (!e.ok) {
          span.setAttribute('error.type', e.errorType ?? 'error');
          span.setStatus({ code: SpanStatusCode.ERROR, message: e.errorType });
        }
        span.end(e.endMs);
      },
    };
  }

  /** Exports what is still queued and stops (once); returns how many client spans were exported. */
  close(): Promise<number> {
    this.closed ??= (async () => {
      await this.provider.forceFlush();
      await this.provider.shutdown();
      return this.exported;
    })();
    return this.closed;
  }
}
