// An OpenTelemetry SpanExporter that writes into the embedded trace store, for
// spans the app records itself (the load generator's client spans). Spans take
// the receiver's path: the SDK's own OTLP protobuf serializer, then the same
// decoder and redaction POST /v1/traces uses, then one INSERT; nothing
// converted by hand.
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type pg from 'pg';
import { decodeExportTraceServiceRequest } from '@/lib/otlp/decode';
import { receiverRedaction } from '@/lib/redaction/policy';
import { redactSpans } from '@/lib/redaction/telemetry';
import { insertSpans } from './spans';

export class EmbeddedSpanExporter implements SpanExporter {
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly db: Pick<pg.Pool, 'query'>,
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  export(spans: ReadableSpan[], done: (r: ExportResult) => void): void {
    const p = (async () => {
      const bytes = ProtobufTraceSerializer.serializeRequest(spans);
      if (!bytes) throw new Error('could not serialize spans');
      await insertSpans(this.db, redactSpans(decodeExportTraceServiceRequest(bytes).spans, receiverRedaction()));
    })().then(
      () => done({ code: ExportResultCode.SUCCESS }),
      (e: Error) => {
        this.onError(e);
        done({ code: ExportResultCode.FAILED, error: e });
      },
    );
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.pending);
  }

  shutdown(): Promise<void> {
    return this.forceFlush();
  }
}
