// What durability costs on the ingest path (issue 9: batches acknowledged in
// the last ~150 ms before a crash were lost with synchronous_commit off). OTLP
// export bodies go through the real receiver into a real (embedded) Postgres,
// with the app's connection (durableUrl: synchronous_commit=on, an answer 200
// means the batch's WAL is on disk) and with the old setting (off) as the
// reference, in alternating rounds of the same run, at the concurrency of a
// few exporters and of many. Prints `name value unit` lines; never fails on speed.
//
//   npm run bench -- durable-ingest
//   DURABLE_BENCH_SPANS=24000 … for a quicker run
import os from 'node:os';
import pg from 'pg';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { startTestPostgres } from '../helpers/postgres';
import { ingestOtlp, line, otlpBodies, runBench } from './scaffold';
import { decodeExportTraceServiceRequest } from '../../lib/otlp';
import { durableUrl } from '../../lib/db';

const SPANS = Number(process.env.DURABLE_BENCH_SPANS ?? 96_000);
const ROUNDS = 4;
const BATCH = 512; // the OTel BatchSpanProcessor's default maxExportBatchSize

/** Protobuf export bodies of `n` sandbox-like spans (request traces of six spans). */
async function bodies(n: number): Promise<Uint8Array[]> {
  const t0 = Date.now() - 600_000;
  return otlpBodies({ 'service.name': 'bench', 'host.name': 'bench-host' }, BATCH, (tracer) => {
    for (let i = 0; i < n / 6; i++) {
      const start = t0 + i;
      const root = tracer.startSpan('text_completion trisight-tiny', {
        kind: SpanKind.SERVER,
        startTime: start,
        attributes: { 'gen_ai.operation.name': 'text_completion', 'gen_ai.request.model': 'trisight-tiny', 'gen_ai.usage.input_tokens': 40 + (i % 50), 'gen_ai.usage.output_tokens': 64, 'trisight.sampling.probability': 1 },
      });
      const ctx = trace.setSpan(context.active(), root);
      for (const [k, name] of ['tokenize', 'queue', 'prefill', 'decode', 'decode'].entries()) tracer.startSpan(name, { startTime: start + k, attributes: { 'trisight.sampling.probability': 1 } }, ctx).end(start + k + 1);
      root.end(start + 8);
    }
  });
}

async function main() {
  const db = await startTestPostgres();
  process.env.DATABASE_URL = db.url; // config() must parse; the receiver itself uses the pools below
  const reference = new URL(db.url);
  reference.searchParams.set('options', '-c synchronous_commit=off');
  try {
    const all = await bodies(SPANS);
    const spansIn = (xs: Uint8Array[]) => xs.reduce((a, b) => a + decodeExportTraceServiceRequest(b).spans.length, 0);
    for (const concurrency of [4, 16]) {
      const durable = new pg.Pool({ connectionString: durableUrl(db.url), max: concurrency, idleTimeoutMillis: 0 });
      const old = new pg.Pool({ connectionString: reference.toString(), max: concurrency, idleTimeoutMillis: 0 });
      for (const p of [durable, old]) p.on('error', (e) => console.log(`# pool error: ${e.message}`));
      for (const [p, want] of [[durable, 'on'], [old, 'off']] as const) {
        const s = (await p.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0].synchronous_commit;
        if (s !== want) throw new Error(`a pool has synchronous_commit=${s}, expected ${want}`);
      }
      const modes = [
        { name: 'durable', pool: durable, wall: 0, cpu: 0, n: 0 },
        { name: 'async_commit', pool: old, wall: 0, cpu: 0, n: 0 },
      ];
      // Fresh spans for every round of every mode (a re-sent span is skipped, which would flatter whoever goes second).
      await durable.query('TRUNCATE embedded_span');
      const perRound = Math.floor(all.length / (modes.length * ROUNDS));
      let k = 0;
      for (let r = 0; r < ROUNDS; r++) {
        // Rotate the order, so no mode always meets a warmer (or fuller) table.
        for (let i = 0; i < modes.length; i++) {
          const m = modes[(r + i) % modes.length];
          const list = all.slice(k * perRound, ++k * perRound);
          const t = await ingestOtlp(m.pool, list, concurrency, { redaction: null });
          m.wall += t.wall;
          m.cpu += t.cpu;
          m.n += spansIn(list);
        }
      }
      const [on, off] = modes;
      const rate = (m: (typeof modes)[number]) => m.n / m.wall;
      const load = `load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`;
      line(`otlp_ingest_durable_c${concurrency}`, rate(on), 'spans/s', `goal ≥ 20000; synchronous_commit=on; ${on.n} spans in requests of ${BATCH}, ${concurrency} concurrent, ${ROUNDS} rounds alternating with the reference; ${load}`);
      line(`otlp_ingest_async_commit_c${concurrency}`, rate(off), 'spans/s', 'reference: synchronous_commit=off (before issue 9), same run');
      line(`otlp_ingest_durable_vs_async_c${concurrency}`, rate(on) / rate(off), 'ratio', 'durable ÷ the old, lossy setting (concurrent commits share WAL flushes in Postgres)');
      line(`otlp_ingest_durable_cpu_c${concurrency}`, (1e6 * on.cpu) / on.n, 'µs CPU/span', `node + Postgres backends; reference ${((1e6 * off.cpu) / off.n).toFixed(1)} µs CPU/span`);
      await durable.end();
      await old.end();
    }
  } finally {
    await db.stop();
  }
}

await runBench('durable-ingest', main);
