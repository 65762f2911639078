import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { DeliveryLog, watchedExporter } from '@/lib/browser-run/delivery';

/** An exporter that answers each export with the next of `results`. */
function scripted(results: ExportResult[]): SpanExporter & { exported: number; shutDown: boolean } {
  const e = {
    exported: 0,
    shutDown: false,
    export(_spans: ReadableSpan[], done: (r: ExportResult) => void) {
      e.exported++;
      done(results.shift()!);
    },
    async shutdown() {
      e.shutDown = true;
    },
  };
  return e;
}

const export1 = (x: SpanExporter) => new Promise<ExportResult>((resolve) => x.export([], resolve));

test('a refused span export is named with its reason, once; accepted exports leave the log empty', async () => {
  const log = new DeliveryLog();
  const inner = scripted([{ code: ExportResultCode.SUCCESS }, { code: ExportResultCode.FAILED, error: new Error('Unauthorized') }, { code: ExportResultCode.FAILED, error: new Error('later') }]);
  const x = watchedExporter(inner, log);
  assert.equal((await export1(x)).code, ExportResultCode.SUCCESS);
  assert.deepEqual(log.problems(), []);
  // the result still reaches the batch processor unchanged
  assert.equal((await export1(x)).code, ExportResultCode.FAILED);
  await export1(x);
  assert.equal(inner.exported, 3);
  assert.deepEqual(log.problems(), ['spans sent to /v1/traces (Unauthorized)']);
  await x.shutdown();
  assert.ok(inner.shutDown);
});

test('each kind of telemetry is listed once, in the order refused', () => {
  const log = new DeliveryLog();
  log.refuse('the GPU profile sent to /ingest', 'refused or unreachable');
  log.refuse('spans sent to /v1/traces', 'export failed');
  log.refuse('the GPU profile sent to /ingest', 'again');
  assert.deepEqual(log.problems(), ['the GPU profile sent to /ingest (refused or unreachable)', 'spans sent to /v1/traces (export failed)']);
});
