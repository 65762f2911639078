// POST /api/runs/browser against a real Postgres: a finished run from the
// user's browser becomes a load run in one insert, with the report the server
// computes from the page's samples (not one the page sends), and bad bodies
// are 400s naming the field with nothing stored.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport, ItlPool, type RequestSample } from '../../lib/loadgen/report';
import { LoadParams } from '../../lib/loadgen/params';
import { appDatabaseHooks } from '../helpers/postgres';

const db = appDatabaseHooks({ poolSize: 2 });
type Handler = (req: Request) => Promise<Response>;
const post = async (body: unknown) => {
  const { POST } = (await import('../../app/api/runs/browser/route')) as { POST: Handler };
  return POST(new Request('http://127.0.0.1/api/runs/browser', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
};

const T0 = Date.now() - 60_000;
const params = LoadParams.parse({ requests: 3, concurrency: 2, promptLength: { mode: 'fixed', tokens: 2 }, maxTokens: 4, temperature: 0.7, p0Fraction: 1, slo: { ttftMs: 50 } });
const sample = (index: number, ok: boolean, ttftMs: number, itlMs: number[]): RequestSample => ({
  index,
  priority: 'P0',
  traceId: `${index}`.padStart(32, 'a'),
  startMs: T0 + index * 10,
  ok,
  ...(ok ? {} : { error: 'deadline_exceeded' }),
  ttftMs: ok ? ttftMs : null,
  e2eMs: ttftMs + itlMs.reduce((a, b) => a + b, 0),
  itlMs,
  promptTokens: 3,
  outputTokens: ok ? itlMs.length + 1 : 0,
});
const good = {
  params,
  model: 'trisight-tiny',
  adapter: { name: 'SwiftShader Device (Subzero)', isFallbackAdapter: true, vendor: 'google' },
  startedAtMs: T0,
  finishedAtMs: T0 + 2_000,
  stopReason: 'completed',
  aborted: 0,
  samples: [sample(2, false, 0, []), sample(0, true, 40, [10, 12, 11]), sample(1, true, 70, [9, 30, 10])],
};

test('a browser run is stored finished, with the report computed from its samples', async () => {
  const res = await post(good);
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as { id: string };
  const row = await db.pool.query('SELECT target, status, model, done, failed, started_at, finished_at, summary, samples, created_by FROM load_run WHERE id = $1', [id]);
  const r = row.rows[0];
  assert.equal(r.target, 'browser');
  assert.equal(r.created_by, 'local', 'who fired it (sign-in off: the local admin), as on a server run');
  assert.equal(r.status, 'succeeded');
  assert.equal(r.model, 'trisight-tiny');
  assert.equal(r.done, 2);
  assert.equal(r.failed, 1);
  assert.equal(new Date(r.started_at).getTime(), T0);
  assert.equal(new Date(r.finished_at).getTime(), T0 + 2_000);
  // the same report the load generator builds from the same samples
  const itl = new ItlPool();
  for (const s of good.samples) if (s.ok) for (const g of s.itlMs) itl.add(g);
  const want = buildReport(
    [...good.samples].sort((a, b) => a.index - b.index).map((s) => ({ ...s, itlMs: [] })),
    2,
    params.slo,
    itl,
  );
  assert.deepEqual(r.summary.report, JSON.parse(JSON.stringify(want)));
  assert.equal(r.summary.report.totalOutputTokens, 8);
  assert.equal(r.summary.report.goodput, 0.5, 'one of two completed requests met the 50 ms TTFT target, over 2 s');
  assert.equal(r.summary.adapter.isFallbackAdapter, true);
  const { getRun } = await import('../../lib/loadruns/store');
  const { prisma } = await import('../../lib/db');
  const view = await getRun(prisma(), id, { samples: true });
  const { fromColumns } = await import('../../lib/loadruns/samples');
  assert.deepEqual(
    fromColumns(view!.samples!).map((s) => [s.index, s.ok, s.traceId]),
    [
      [0, true, good.samples[1].traceId],
      [1, true, good.samples[2].traceId],
      [2, false, good.samples[0].traceId],
    ],
  );
});

test('bad bodies are 400s naming the field, and nothing is stored', async () => {
  const before = Number((await db.pool.query('SELECT count(*) FROM load_run')).rows[0].count);
  const cases: [unknown, RegExp][] = [
    [{ ...good, params: { ...params, requests: 5000 } }, /params\.requests|at most 200/],
    [{ ...good, finishedAtMs: T0 - 1 }, /finishedAtMs/],
    [{ ...good, samples: [...good.samples, sample(1, true, 1, [])] }, /repeated|samples/],
    [{ ...good, samples: [{ ...good.samples[0], traceId: 'not-hex' }] }, /traceId/],
    [{ ...good, url: 'http://evil' }, /url|Unrecognized/i],
  ];
  for (const [body, re] of cases) {
    const res = await post(body);
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
    assert.match(JSON.stringify(await res.json()), re);
  }
  const after = Number((await db.pool.query('SELECT count(*) FROM load_run')).rows[0].count);
  assert.equal(after, before);
});
