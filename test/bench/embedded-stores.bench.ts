// Embedded stores on a real (embedded) Postgres: OTLP ingest, merged flame
// graph over an hour, trace by id, span profile (pprof ingest has its own
// bench, test/bench/pprof-ingest.bench.ts). Ingest goes
// through the real receivers (decode + store), reads through the stores.
// Prints `name value unit` lines with the goals and ratios against a
// reference measured in the same run; never fails on speed.
//
//   npm run bench -- embedded-stores
//   EMBEDDED_BENCH_SPANS=20000 … for a quicker run
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { measure } from '../helpers/cpu-time';
import { makeProfile } from '../helpers/pprof-pushes';
import { startTestPostgres } from '../helpers/postgres';
import { decodeExportTraceServiceRequest } from '../../lib/otlp';
import { receiveOtlpTraces } from '../../lib/datasources/embedded/otlp-receiver';
import { getTrace } from '../../lib/datasources/embedded/spans';
import { selectMergeStacktraces, spanProfile } from '../../lib/datasources/embedded/profiles';
import { insertProfile } from '../../lib/datasources/embedded/profile-ingest';
import { decodeProfile } from '../../lib/profiles';
import { gunzipSync } from 'node:zlib';
import { nodeCount } from '../../lib/model/flame';
import { line, runBench } from './scaffold';

const SPANS = Number(process.env.EMBEDDED_BENCH_SPANS ?? 60_000);
const BATCH = 512; // the OTel BatchSpanProcessor's default maxExportBatchSize
const PROFILES = Number(process.env.EMBEDDED_BENCH_PROFILES ?? 300);
const CONCURRENCY = 4;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Sandbox-like request traces: a server span with five children, GenAI attributes. */
async function otlpBatches(n: number): Promise<{ bodies: Uint8Array[]; traceIds: string[] }> {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench', 'host.name': 'bench-host', 'process.pid': 1234 }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('bench');
  const t0 = Date.now() - 600_000;
  const traceIds: string[] = [];
  for (let i = 0; i < n / 6; i++) {
    const start = t0 + i;
    const root = tracer.startSpan('POST /v1/chat/completions', {
      kind: SpanKind.SERVER,
      startTime: start,
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'tiny-llama', 'gen_ai.usage.input_tokens': 40 + (i % 50), 'gen_ai.usage.output_tokens': 64, 'trisight.sampling.probability': 1, 'http.response.status_code': 200 },
    });
    traceIds.push(root.spanContext().traceId);
    const ctx = trace.setSpan(context.active(), root);
    for (const [k, name] of ['queue', 'prefill', 'decode', 'decode', 'sample'].entries()) {
      tracer.startSpan(name, { startTime: start + k, attributes: { 'trisight.sampling.probability': 1, step: k } }, ctx).end(start + k + 1);
    }
    root.end(start + 8);
  }
  await provider.forceFlush();
  const spans: ReadableSpan[] = exporter.getFinishedSpans();
  await provider.shutdown();
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += BATCH) bodies.push(ProtobufTraceSerializer.serializeRequest(spans.slice(i, i + BATCH))!);
  return { bodies, traceIds };
}

async function pool_run<T>(items: T[], n: number, f: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await f(items[next++]);
  }));
}

async function main() {
  const db = await startTestPostgres();
  // Idle connections stay open so their backends' CPU time can be read before and after each phase.
  const pool = new pg.Pool({ connectionString: db.url, max: CONCURRENCY + 2, idleTimeoutMillis: 0 });
  // An idle connection's error would otherwise be an unhandled 'error' event that ends the run unexplained.
  pool.on('error', (e) => console.log(`# pool error on an idle connection: ${e.message}`));
  try {
    // ---- OTLP ingest
    const { bodies, traceIds } = await otlpBatches(SPANS);
    const spanCount = bodies.reduce((a, b) => a + decodeExportTraceServiceRequest(b).spans.length, 0);
    // Reference: decoding alone, the part that is not Postgres.
    const t = performance.now();
    for (const b of bodies) decodeExportTraceServiceRequest(b);
    const decodeS = (performance.now() - t) / 1000;
    // Open all the pool's connections first so every backend is counted.
    const clients = await Promise.all(Array.from({ length: CONCURRENCY + 2 }, () => pool.connect()));
    clients.forEach((c) => { c.release(); });
    const m = await measure(pool, () =>
      pool_run(bodies, CONCURRENCY, async (b) => {
        const r = await receiveOtlpTraces(new Request('http://bench/v1/traces', { method: 'POST', body: b as Uint8Array<ArrayBuffer>, headers: { 'content-type': 'application/x-protobuf' } }), pool);
        if (r.status !== 200) throw new Error(`ingest answered ${r.status}: ${await r.text()}`);
      }),
    );
    const ingestS = m.wall;
    line('otlp_ingest', spanCount / ingestS, 'spans/s', `goal ≥ 20000; ${spanCount} spans in ${bodies.length} protobuf requests of ${BATCH}, ${CONCURRENCY} concurrent; load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`);
    line('otlp_ingest_cpu', (1e6 * (m.node + m.pg)) / spanCount, 'µs CPU/span', `node ${((1e6 * m.node) / spanCount).toFixed(1)} + postgres backends ${((1e6 * m.pg) / spanCount).toFixed(1)}`);
    line('otlp_decode_only', spanCount / decodeS, 'spans/s', 'reference: protobuf decode without Postgres');
    line('otlp_ingest_vs_decode_only', decodeS / ingestS, 'ratio');

    // ---- trace by id
    const byId: number[] = [];
    for (let i = 0; i < 50; i++) {
      const id = traceIds[(i * 7919) % traceIds.length];
      const t1 = performance.now();
      const tr = await getTrace(pool, id);
      byId.push(performance.now() - t1);
      if (tr?.spans.length !== 6) throw new Error(`trace ${id} has ${tr?.spans.length} spans`);
    }
    line('trace_by_id_median', median(byId), 'ms', `goal ≤ 50; ${spanCount} spans stored`);

    // ---- profiles for the reads below (pprof ingest itself: test/bench/pprof-ingest.bench.ts)
    const spanIdsOf = Array.from({ length: PROFILES }, () => Array.from({ length: 8 }, () => randomBytes(8).toString('hex')));
    const pushes = Array.from({ length: PROFILES }, (_, i) => makeProfile(i, spanIdsOf[i]));

    // ---- merged flame graph: one hour of 10-second profiles from one service
    const hourStart = Date.now() - 7_200_000;
    for (let i = 0; i < 360; i++) {
      const profile = decodeProfile(new Uint8Array(gunzipSync(pushes[i % pushes.length])));
      await insertProfile(pool, { service: 'hour', labels: { service_name: 'hour' }, from: hourStart + i * 10_000, until: hourStart + (i + 1) * 10_000, profile });
    }
    const sel = { profileTypeId: 'process_cpu:cpu:nanoseconds:cpu:nanoseconds', labelSelector: '{service_name="hour"}', range: { from: hourStart, to: hourStart + 3_600_000 } };
    const merges: number[] = [];
    let nodes = 0;
    for (let i = 0; i < 5; i++) {
      const t1 = performance.now();
      const r = await selectMergeStacktraces(pool, sel);
      merges.push(performance.now() - t1);
      nodes = nodeCount(r.flame);
    }
    line('merged_flame_1h_median', merges[0] && median(merges), 'ms', `goal ≤ 500; 360 profiles × 1 type, ${nodes} nodes in the tree`);

    // ---- span profile for one span among all stored profiles
    const spanTimes: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t1 = performance.now();
      const r = await spanProfile(pool, { ...sel, labelSelector: '{service_name="hour"}' }, [spanIdsOf[(i * 37) % PROFILES][i % 8]]);
      spanTimes.push(performance.now() - t1);
      if (!(r.flame.value[0] > 0)) throw new Error('empty span profile');
    }
    line('span_profile_median', median(spanTimes), 'ms', 'goal ≤ 100; one span id, looked up among the hour of profiles');
  } finally {
    await pool.end();
    await db.stop();
  }
}


await runBench('embedded-stores', main);
