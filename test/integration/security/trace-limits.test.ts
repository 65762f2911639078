import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres';

// Issue 9: one trace of 1.25 M spans made GET /api/traces/:id build a 400 MB
// response (21 s, 3.9 GB RSS). Against real Postgres holding a 1,000,000-span
// trace, the route streams its first TRACE_MAX_SPANS spans marked partial
// (as Tempo cuts too-large traces) within a fixed memory bound; a trace under
// the limit is streamed whole, also within a bound.

let db: TestPostgres;
let route: typeof import('../../../app/api/traces/[traceId]/route');
const BIG = 'b'.repeat(32);
const SMALL = 'a'.repeat(32);
const SMALL_SPANS = 15_000;

before(async () => {
  db = await startTestPostgres();
  // Read once by config() on first use: the app's settings for this process.
  process.env.DATABASE_URL = db.url;
  delete process.env.TEMPO_URL;
  delete process.env.TRACE_MAX_SPANS; // the default, 20,000
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const insert = (trace: string, n: number) =>
      c.query(
        `INSERT INTO embedded_span (trace_id, span_id, parent_span_id, service, name, kind, start_ns, end_ns, duration_ns, status, attributes, resource_attributes, events, links)
         SELECT $1, lpad(to_hex(i), 16, '0'), CASE WHEN i > 1 THEN lpad(to_hex(1), 16, '0') END, 'svc', 'op ' || (i % 50), 'internal',
                1700000000000000000 + i * 1000, 1700000000000000000 + i * 1000 + 500, 500, 'unset',
                jsonb_build_object('i', i, 'gen_ai.request.model', 'tiny'), '{"service.name":"svc"}', '[]', '[]'
         FROM generate_series(1, $2::int) AS i`,
        [trace, n],
      );
    await insert(BIG, 1_000_000);
    await insert(SMALL, SMALL_SPANS);
    await c.query('ANALYZE embedded_span');
  } finally {
    await c.end();
  }
  route = await import('../../../app/api/traces/[traceId]/route');
});
after(async () => {
  const { closeDatabase } = await import('../../../lib/db');
  await closeDatabase().catch(() => {});
  await db?.stop();
});

/** Runs f while sampling RSS every 5 ms; returns f's result and the peak growth in MB. */
async function peakGrowthMb<T>(f: () => Promise<T>): Promise<{ value: T; mb: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const value = await f();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, mb: (peak - base) / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

const get = (id: string) => route.GET(new Request(`http://app/api/traces/${id}`), { params: Promise.resolve({ traceId: id }) });

test('a 1,000,000-span trace: its first 20,000 spans, marked partial, under a fixed memory bound', { timeout: 120_000 }, async () => {
  const { value, mb } = await peakGrowthMb(async () => {
    const r = await get(BIG);
    assert.equal(r.status, 200);
    return (await r.json()) as { trace: { spans: { spanId: string }[]; partial?: boolean } };
  });
  assert.equal(value.trace.partial, true);
  assert.equal(value.trace.spans.length, 20_000);
  assert.equal(value.trace.spans[0].spanId, '0000000000000001', 'the first spans by start time');
  assert.ok(mb < 256, `RSS grew by ${mb.toFixed(0)} MB answering for a 1M-span trace`);
});

test('a trace under the limit is streamed whole: every span, in start order, within a bound', { timeout: 120_000 }, async () => {
  const { value, mb } = await peakGrowthMb(async () => {
    const r = await get(SMALL);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json');
    // Read it as a client does, chunk by chunk.
    const chunks: string[] = [];
    const dec = new TextDecoder();
    for await (const chunk of r.body!) chunks.push(dec.decode(chunk, { stream: true }));
    return JSON.parse(chunks.join('')) as { source: string; trace: { traceId: string; spans: { spanId: string; startTimeUnixNano: string }[] } };
  });
  assert.equal(value.source, 'embedded');
  assert.equal(value.trace.traceId, SMALL);
  assert.equal(value.trace.spans.length, SMALL_SPANS);
  assert.equal((value.trace as { partial?: boolean }).partial, undefined);
  assert.equal(value.trace.spans[0].spanId, '0000000000000001');
  assert.equal(value.trace.spans.at(-1)!.startTimeUnixNano, String(1700000000000000000n + BigInt(SMALL_SPANS) * 1000n));
  assert.ok(mb < 256, `RSS grew by ${mb.toFixed(0)} MB for ${SMALL_SPANS} spans`);
});

test('the in-memory readers (bucket traces, span profiles) read no more of the huge trace either', async () => {
  const { traceSource } = await import('../../../lib/datasources');
  const big = await traceSource().traceById(BIG);
  assert.equal(big?.spans.length, 20_000);
  assert.equal(big?.partial, true);
  const small = await traceSource().traceById(SMALL);
  assert.equal(small?.spans.length, SMALL_SPANS);
});
