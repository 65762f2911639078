// The real sandbox pointed at the app with no backend URLs: its OTLP exporter
// and its Pyroscope SDK send to the app's own route handlers (POST /v1/traces,
// POST /ingest, served here over real HTTP on 127.0.0.1), and the embedded
// stores return traces, profiles and span profiles. One request's span profile
// holds only samples labelled with that request's span ids, and its CPU time
// fits in the request span's duration.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type pg from 'pg';
import { startTestPostgres, type TestPostgres, testPool } from '../helpers/postgres';
import { startReceivers, type Receivers } from '../helpers/receivers';
import { sandboxTelemetryTo } from '../helpers/telemetry-sinks';
import { startSandbox, type Sandbox } from '../../workers/sandbox/serve/index';
import { spanProfileIds } from '../../lib/correlate';
import { spanIdToInt8 } from '../../lib/datasources/embedded/pg-binary';
import type { Trace } from '../../lib/model/types';

const MODEL = 'trisight-tiny';
const SERVICE = 'trisight-sandbox';
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

let db: TestPostgres;
let pool: pg.Pool;
let app: Receivers | undefined;
let sb: Sandbox | undefined;
let spans: typeof import('../../lib/datasources/embedded/spans');
let profiles: typeof import('../../lib/datasources/embedded/profiles');
let started = 0;

before(async () => {
  db = await startTestPostgres();
  process.env.DATABASE_URL = db.url;
  spans = await import('../../lib/datasources/embedded/spans');
  profiles = await import('../../lib/datasources/embedded/profiles');
  pool = testPool(db.url, 2);
  app = await startReceivers();
  const url = app.url;
  started = Date.now();
  sb = await startSandbox({
    preset: 'tiny',
    backend: 'cpu',
    maxBatch: 4,
    // Every P0 request is traced: the test picks them deterministically.
    telemetry: { ...sandboxTelemetryTo(url), profileSamplingIntervalMicros: 1000 },
  });
  const send = (prompt: string, priority = 'P0') =>
    fetch(`${sb!.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, prompt, max_tokens: 48, ignore_eos: true, priority }),
    }).then((r) => r.json());
  await send('a first request, alone, with a prompt long enough for a couple of prefill chunks');
  await Promise.all([send('second, batched with the third'), send('third, batched with the second'), send('an unsampled one', 'P1')]);
  await sb.close(); // flushes spans and pushes the last profile
  sb = undefined;
});
after(async () => {
  await sb?.close();
  await app?.stop();
  await pool?.end();
  const { closeDatabase } = await import('../../lib/db');
  await closeDatabase();
  await db?.stop();
});

test('the sandbox exported to the app and every delivery was accepted', () => {
  const received = app!.received;
  assert.ok(received.some((r) => r === '/v1/traces 200'), received.join(', '));
  assert.ok(received.some((r) => r === '/ingest 200'), received.join(', '));
  assert.deepEqual(received.filter((r) => !r.endsWith(' 200')), []);
});

async function requestTraces(): Promise<Trace[]> {
  const range = { from: started - 1000, to: Date.now() + 1000 };
  const found = await spans.searchTraces(pool, { q: `{ resource.service.name = "${SERVICE}" && kind = server }`, range, limit: 20 });
  const traces = await Promise.all(found.traces.map((t) => spans.getTrace(pool, t.traceId)));
  return traces.filter((t): t is Trace => t !== null);
}

test('traces: the three P0 requests are searchable and whole; spans and profile agree on ids', async () => {
  const traces = await requestTraces();
  assert.equal(traces.length, 3);
  for (const t of traces) {
    const root = t.spans.find((s) => s.kind === 'server')!;
    assert.equal(root.name, `text_completion ${MODEL}`);
    assert.equal(root.service, SERVICE);
    assert.equal(root.attributes['trisight.sampling.probability'], 1);
    assert.ok(t.spans.length > 1, 'the request span has children');
  }
});

test('one request span profile: only samples labelled with its span ids, CPU time within its duration', async () => {
  const range = { from: started - 1000, to: Date.now() + 1000 };
  const sel = { profileTypeId: CPU, labelSelector: `{service_name="${SERVICE}"}`, range };
  const whole = await profiles.selectMergeStacktraces(pool, sel);
  assert.ok(whole.flame.value[0] > 0, 'the pushed profile has CPU samples');
  const types = await profiles.profileTypes(pool, range);
  const cpuType = types.find((t) => t.sampleType === 'cpu')!;
  assert.ok(cpuType, `a cpu sample type among ${types.map((t) => t.id)}`);

  let checked = 0;
  for (const t of await requestTraces()) {
    const root = t.spans.find((s) => s.kind === 'server')!;
    const ids = spanProfileIds(t, root.spanId);
    assert.ok(ids.includes(root.spanId));
    const sp = await profiles.spanProfile(pool, sel, ids);
    // Independently of the store's query: the CPU values of exactly the samples labelled with these ids.
    const expected = await pool.query<{ v: number; other: number }>(
      `SELECT coalesce(sum(u.v) FILTER (WHERE u.s = ANY($2)), 0)::float8 AS v, coalesce(sum(u.v) FILTER (WHERE NOT u.s = ANY($2)), 0)::float8 AS other
       FROM embedded_profile p
       CROSS JOIN LATERAL (SELECT array_position(p.profile_types, $3) - 1 AS t, cardinality(p.stack_ids) AS n) k
       CROSS JOIN LATERAL unnest(p.stack_ids, p."values"[k.t * k.n + 1 : (k.t + 1) * k.n], p.span_ids) AS u(st, v, s)
       WHERE p.service = $1 AND p.profile_types @> ARRAY[$3]`,
      [SERVICE, ids.map(spanIdToInt8), cpuType.id],
    );
    assert.equal(sp.flame.value[0], expected.rows[0].v);
    assert.ok(expected.rows[0].other > 0, 'other samples exist and were left out');
    assert.ok(sp.flame.value[0] < whole.flame.value[0]);
    const durationNs = Number(root.endTimeUnixNano - root.startTimeUnixNano);
    const period = (await pool.query<{ p: number }>(`SELECT max(period) AS p FROM embedded_profile WHERE service = $1`, [SERVICE])).rows[0].p;
    assert.ok(sp.flame.value[0] <= durationNs + period, `span CPU ${sp.flame.value[0]} ns > duration ${durationNs} ns`);
    if (sp.flame.value[0] > 0) checked++;
  }
  assert.ok(checked >= 1, 'at least one request has CPU samples of its own');
});
