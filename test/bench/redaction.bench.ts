// What redaction costs on the ingest path: OTLP export bodies go through the
// real receiver (decode → redact → one INSERT) into a real (embedded) Postgres,
// with the configured redaction and with none, in alternating rounds of the
// same run (the machine is shared: alternation keeps drift out of the ratio).
// Two span mixes: sandbox-like request traces (GenAI attributes, few strings),
// and the same with recorded prompts (SANDBOX_RECORD_PROMPTS=1 style), a third
// of them carrying an identifier. Prints `name value unit` lines; never fails on speed.
//
//   npm run bench -- redaction
//   REDACTION_BENCH_SPANS=12000 … for a quicker run
import os from 'node:os';
import pg from 'pg';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { startTestPostgres } from '../helpers/postgres';
import { ingestOtlp, line, otlpBodies, runBench } from './scaffold';
import { decodeExportTraceServiceRequest } from '../../lib/otlp';
import { receiverRedaction } from '../../lib/redaction/policy';
import { redactSpans } from '../../lib/redaction/telemetry';

const SPANS = Number(process.env.REDACTION_BENCH_SPANS ?? 48_000);
// Rounds of a few thousand spans: /proc counts Postgres CPU in 10 ms ticks.
const ROUNDS = 8;
const BATCH = 512; // the OTel BatchSpanProcessor's default maxExportBatchSize
const CONCURRENCY = 4;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const IDENTIFIERS = ['13812345678', 'jane.doe@example.com', '11010519491231002X', '4111 1111 1111 1111', 'DE89 3704 0044 0532 0130 00'];

/** Protobuf export bodies of `n` spans: request traces of six spans, optionally with recorded prompts. */
async function bodies(n: number, prompts: boolean): Promise<Uint8Array[]> {
  const t0 = Date.now() - 600_000;
  return otlpBodies({ 'service.name': 'bench', 'host.name': 'bench-host', 'process.pid': 1234 }, BATCH, (tracer) => {
    for (let i = 0; i < n / 6; i++) {
      const start = t0 + i;
      const attributes: Record<string, string | number> = {
        'gen_ai.operation.name': 'text_completion',
        'gen_ai.request.model': 'trisight-tiny',
        'gen_ai.usage.input_tokens': 40 + (i % 50),
        'gen_ai.usage.output_tokens': 64,
        'gen_ai.response.id': `cmpl-${(i * 2654435761).toString(16)}`,
        'trisight.sampling.probability': 1,
        'http.response.status_code': 200,
        'server.address': '127.0.0.1',
        'server.port': 8100,
      };
      if (prompts) {
        const pii = i % 3 === 0 ? ` 我的号码是${IDENTIFIERS[i % IDENTIFIERS.length]},请回复` : '';
        attributes['gen_ai.input.messages'] = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `Explain why request ${i} was slow in the decode phase of the model server${pii}` }] }]);
        attributes['gen_ai.output.messages'] = JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'the queue was long and the batch was full' }], finish_reason: 'length' }]);
      }
      const root = tracer.startSpan('text_completion trisight-tiny', { kind: SpanKind.SERVER, startTime: start, attributes });
      const ctx = trace.setSpan(context.active(), root);
      for (const [k, name] of ['tokenize', 'queue', 'prefill', 'decode', 'decode'].entries()) {
        tracer.startSpan(name, { startTime: start + k, attributes: { 'trisight.sampling.probability': 1, 'trisight.batch.size.max': 4, 'trisight.kv_cache.positions': 120 + k } }, ctx).end(start + k + 1);
      }
      root.end(start + 8);
    }
  });
}

const ingest = (pool: pg.Pool, list: Uint8Array[], redacted: boolean) => ingestOtlp(pool, list, CONCURRENCY, redacted ? {} : { redaction: null });

/** Ingest with and without redaction in alternating rounds; each round ingests spans not stored before. */
async function compare(pool: pg.Pool, name: string, prompts: boolean): Promise<void> {
  const all = await bodies(SPANS * 2, prompts);
  const spansIn = (xs: Uint8Array[]) => xs.reduce((a, b) => a + decodeExportTraceServiceRequest(b).spans.length, 0);
  const perRound = Math.floor(all.length / (2 * ROUNDS));
  const on = { wall: 0, cpu: 0, n: 0 };
  const off = { wall: 0, cpu: 0, n: 0 };
  // Per round: redacted ÷ reference, for wall time and CPU per span. The median
  // of the rounds is the figure: one round that meets autovacuum or another
  // process's burst does not move it.
  const wallRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = all.slice(2 * r * perRound, (2 * r + 1) * perRound);
    const b = all.slice((2 * r + 1) * perRound, (2 * r + 2) * perRound);
    // Alternate which goes first, so neither always meets a warmer (or fuller) table.
    const first = r % 2 === 0;
    const m1 = await ingest(pool, a, first);
    const m2 = await ingest(pool, b, !first);
    const [mOn, lOn, mOff, lOff] = first ? [m1, a, m2, b] : [m2, b, m1, a];
    const nOn = spansIn(lOn);
    const nOff = spansIn(lOff);
    wallRatios.push(mOn.wall / nOn / (mOff.wall / nOff));
    cpuRatios.push(mOn.cpu / nOn / (mOff.cpu / nOff));
    on.wall += mOn.wall;
    on.cpu += mOn.cpu;
    on.n += nOn;
    off.wall += mOff.wall;
    off.cpu += mOff.cpu;
    off.n += nOff;
  }
  const load = `load average ${os.loadavg()[0].toFixed(1)} on ${os.availableParallelism()} cores`;
  line(`otlp_ingest_${name}_redacted`, on.n / on.wall, 'spans/s', `${on.n} spans, ${ROUNDS} rounds alternating with the reference; ${CONCURRENCY} concurrent; ${load}`);
  line(`otlp_ingest_${name}_unredacted`, off.n / off.wall, 'spans/s', 'reference: the same receiver with redaction: null');
  line(`otlp_ingest_${name}_redaction_cost_wall`, 100 * (median(wallRatios) - 1), '%', `goal ≤ 10 % of ingest throughput; median of the rounds (${wallRatios.map((x) => (100 * (x - 1)).toFixed(0)).join(', ')})`);
  line(`otlp_ingest_${name}_cpu`, (1e6 * on.cpu) / on.n, 'µs CPU/span', `node + Postgres backends; reference without redaction ${((1e6 * off.cpu) / off.n).toFixed(1)} µs CPU/span`);
  line(`otlp_ingest_${name}_redaction_cost_cpu`, 100 * (median(cpuRatios) - 1), '%', `goal ≤ 10 %; CPU per span, median of the rounds (${cpuRatios.map((x) => (100 * (x - 1)).toFixed(0)).join(', ')})`);

  // The same cost without Postgres or HTTP plumbing: CPU of redactSpans against decoding.
  const decoded = all.slice(0, 2 * perRound).map((b) => decodeExportTraceServiceRequest(b).spans);
  const n = decoded.reduce((x, s) => x + s.length, 0);
  const policy = receiverRedaction();
  for (const s of decoded) redactSpans(s, policy); // warm-up
  let c0 = process.cpuUsage();
  for (let k = 0; k < 3; k++) for (const s of decoded) redactSpans(s, policy);
  let c = process.cpuUsage(c0);
  const redactUs = (c.user + c.system) / (3 * n);
  c0 = process.cpuUsage();
  for (let k = 0; k < 3; k++) for (const b of all.slice(0, 2 * perRound)) decodeExportTraceServiceRequest(b);
  c = process.cpuUsage(c0);
  const decodeUs = (c.user + c.system) / (3 * n);
  line(`redact_spans_${name}_cpu`, redactUs, 'µs CPU/span', `reference: protobuf decode ${decodeUs.toFixed(2)} µs CPU/span (ratio ${(redactUs / decodeUs).toFixed(2)})`);
  line(`redaction_share_of_ingest_cpu_${name}`, (100 * redactUs) / ((1e6 * off.cpu) / off.n), '%', 'redactSpans CPU ÷ whole ingest CPU without it (node + Postgres): the steadiest view of the cost');
}

async function main() {
  const db = await startTestPostgres();
  const pool = new pg.Pool({ connectionString: db.url, max: CONCURRENCY + 2, idleTimeoutMillis: 0 });
  pool.on('error', (e) => console.log(`# pool error on an idle connection: ${e.message}`));
  process.env.DATABASE_URL = db.url; // config() must parse; the receiver itself uses `pool`
  try {
    // Warm-up, not measured: JIT, the pool's connections, the table's first pages.
    const warm = await bodies(12_000, true);
    await ingest(pool, warm.slice(0, warm.length / 2), true);
    await ingest(pool, warm.slice(warm.length / 2), false);
    await compare(pool, 'sandbox_spans', false);
    await compare(pool, 'recorded_prompts', true);
  } finally {
    await pool.end();
    await db.stop();
  }
}

await runBench('redaction', main);
