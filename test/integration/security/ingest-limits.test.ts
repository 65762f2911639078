import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Function as PFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { appDatabaseHooks } from '../../helpers/postgres';

// The receivers' answers to what issue 9 found: a malformed profile (negative
// sample value) was a 503 that clients retry forever; nothing bounded
// concurrent ingest; the tenant of a push was dropped. Real Postgres, the
// app's route handlers.

const app = appDatabaseHooks({ poolSize: 4 });
let ingest: (req: Request) => Promise<Response>;
let traces: (req: Request) => Promise<Response>;

before(async () => {
  process.env.INGEST_MAX_CONCURRENT = '2';
  ({ POST: ingest } = await import('../../../app/ingest/route'));
  ({ POST: traces } = await import('../../../app/v1/traces/route'));
});

function pprof(values: number[][], types = ['cpu']): Uint8Array {
  const st = new StringTable();
  const p = new Profile({
    sampleType: types.map((t) => new ValueType({ type: st.dedup(t), unit: st.dedup('nanoseconds') })),
    periodType: new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') }),
    period: 10_000_000,
    function: [new PFunction({ id: 1, name: st.dedup('main') })],
    location: [new Location({ id: 1, line: [new Line({ functionId: 1 })] })],
    sample: values.map((v) => new Sample({ locationId: [1], value: v })),
    stringTable: st,
  });
  return p.encode();
}

const push = (body: Uint8Array, headers: Record<string, string> = {}) =>
  ingest(new Request('http://127.0.0.1/ingest?name=limits%7Benv%3Dt%7D&from=1700000000&until=1700000010', { method: 'POST', body: body as Uint8Array<ArrayBuffer>, headers }));
const profiles = async (where = 'TRUE', params: unknown[] = []) => Number((await app.pool.query(`SELECT count(*)::int AS n FROM embedded_profile WHERE ${where}`, params)).rows[0].n);

const otlp = (traceId: string, headers: Record<string, string> = {}) =>
  traces(
    new Request('http://127.0.0.1/v1/traces', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({
        resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 't' } }] }, scopeSpans: [{ spans: [{ traceId, spanId: '01'.repeat(8), name: 's', kind: 1, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000000001000' }] }] }],
      }),
    }),
  );

test('a profile with a negative sample value, or values that do not match its sample types, is a 400 and stores nothing', async () => {
  const negative = await push(pprof([[5], [-3]]));
  assert.equal(negative.status, 400);
  assert.match(await negative.text(), /value -3 is negative/);
  const mismatched = await push(pprof([[1, 2]]));
  assert.equal(mismatched.status, 400);
  assert.match(await mismatched.text(), /has 2 values for 1 sample types/);
  assert.equal(await profiles(), 0);
  assert.equal((await push(pprof([[5], [3]]))).status, 200);
  assert.equal(await profiles(), 1);
});

test('the tenant of a push (X-Scope-OrgID) is stored with its spans and profiles; a malformed one is a 400', async () => {
  assert.equal((await push(pprof([[7]]), { 'x-scope-orgid': 'team-a' })).status, 200);
  assert.equal(await profiles('tenant = $1', ['team-a']), 1);
  assert.equal((await otlp('ab'.repeat(16), { 'x-scope-orgid': 'team-b' })).status, 200);
  const r = await app.pool.query('SELECT tenant FROM embedded_span WHERE trace_id = $1', ['ab'.repeat(16)]);
  assert.deepEqual(r.rows, [{ tenant: 'team-b' }]);
  assert.equal((await otlp('cd'.repeat(16), { 'x-scope-orgid': '../other' })).status, 400);
  assert.equal((await otlp('cd'.repeat(16))).status, 200, 'no header: the empty tenant');
});

test('concurrent ingest is bounded: past the slots and their short queue, 429 with Retry-After, and nothing half-stored', async () => {
  // Slow pushes: each holds its slot while its body trickles in.
  const slowBody = (ms: number) =>
    new ReadableStream<Uint8Array>({
      async start(c) {
        await new Promise((r) => setTimeout(r, ms));
        c.enqueue(pprof([[1]]));
        c.close();
      },
    });
  const slow = () =>
    ingest(new Request('http://127.0.0.1/ingest?name=slow&from=1700000000&until=1700000010', { method: 'POST', body: slowBody(1_500), duplex: 'half' } as RequestInit));
  // 2 slots and 8 queue places (INGEST_MAX_CONCURRENT=2): the eleventh push finds no room.
  const answers = await Promise.all(Array.from({ length: 11 }, slow));
  const statuses = answers.map((r) => r.status).sort();
  const refused = answers.filter((r) => r.status === 429);
  assert.ok(refused.length >= 1, `statuses ${statuses}`);
  for (const r of refused) {
    assert.equal(r.headers.get('retry-after'), '1');
    assert.match(JSON.stringify(await r.json()), /INGEST_MAX_CONCURRENT/);
  }
  assert.equal(await profiles("service = 'slow'"), answers.filter((r) => r.status === 200).length);
});
