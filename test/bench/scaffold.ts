// What the benchmarks share: the `name value unit  # note` line they print, the
// wrapper that runs one, and OTLP export bodies posted through the real receiver.
import type pg from 'pg';
import type { Tracer } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { measure } from '../helpers/cpu-time';
import { receiveOtlpTraces } from '../../lib/datasources/embedded/otlp-receiver';

/** One figure, four significant digits: `name value unit  # note`. */
export const line = (name: string, value: number, unit: string, note = '') => console.log(`${name} ${Number(value.toPrecision(4))} ${unit}${note ? `  # ${note}` : ''}`);

/** Runs a bench's `main`, then says how long it took; a failure is printed and exits 1 (bench/run.ts counts it). */
export async function runBench(name: string, main: () => Promise<void>): Promise<void> {
  const started = Date.now();
  try {
    await main();
  } catch (e: unknown) {
    console.log(`!! ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  }
  console.log(`# ${name} bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Protobuf OTLP export bodies of the spans `emit` records, `batch` spans to a body (as a BatchSpanProcessor sends them). */
export async function otlpBodies(resource: Record<string, string | number>, batch: number, emit: (tracer: Tracer) => void): Promise<Uint8Array[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  emit(provider.getTracer('bench'));
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  const out: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += batch) out.push(ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + batch))!);
  return out;
}

/** Posts `bodies` through the real OTLP receiver from `concurrency` exporters at once: wall seconds and CPU seconds (Node + Postgres). */
export async function ingestOtlp(
  pool: pg.Pool,
  bodies: Uint8Array[],
  concurrency: number,
  opts: Parameters<typeof receiveOtlpTraces>[2],
): Promise<{ wall: number; cpu: number }> {
  let next = 0;
  const m = await measure(pool, () =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < bodies.length) {
          const b = bodies[next++];
          const req = new Request('http://bench/v1/traces', { method: 'POST', body: b as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/x-protobuf' } });
          const r = await receiveOtlpTraces(req, pool, opts);
          if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
        }
      }),
    ).then(() => {}),
  );
  return { wall: m.wall, cpu: m.node + m.pg };
}
