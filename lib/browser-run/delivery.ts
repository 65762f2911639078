// What of a browser run's telemetry the app refused. The page sends spans to
// /v1/traces and the GPU profile to /ingest best effort, as the SDKs do; a
// refusal (a receiver that wants the ingest token while nobody is signed in, one that is down)
// would otherwise leave a stored run whose page silently lacks its server
// histogram and GPU profile. The run's panel names what was not delivered.
import { ExportResultCode } from '@opentelemetry/core';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export class DeliveryLog {
  private readonly refused = new Map<string, string>();

  /** Notes one refusal of `what` (the first reason is kept). */
  refuse(what: string, why: string): void {
    if (!this.refused.has(what)) this.refused.set(what, why);
  }

  /** "spans (Unauthorized)"-style lines, one per kind of telemetry refused; empty when all arrived. */
  problems(): string[] {
    return [...this.refused].map(([what, why]) => `${what} (${why})`);
  }
}

/** The exporter, with every failed export noted in `log` as refused spans. */
export function watchedExporter(inner: SpanExporter, log: DeliveryLog): SpanExporter {
  return {
    export(spans, done) {
      inner.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS) log.refuse(`spans sent to /v1/traces`, result.error?.message || 'export failed');
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
}
