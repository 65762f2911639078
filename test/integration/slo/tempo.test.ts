import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { appDatabaseHooks } from '../../helpers/postgres';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixture-server';
import { SLO_WINDOW_RATIOS, tempoSloRoutes } from '../../helpers/tempo-metrics';

// Trace-based SLOs with TEMPO_URL set: the SLO routes on real Postgres count
// the SLI with Tempo's TraceQL metrics (served from test/fixtures/tempo by the
// fixture server, constructed responses: see test/fixtures/README.md), and a
// Tempo that cannot run them is said plainly on the status, the detail and the
// editor's preview, with the fix — never numbers from the (empty) embedded store.

const db = appDatabaseHooks();

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, read field by field in assertions
type Json = Record<string, any>;

let tempo: FixtureServer;
let mode: 'ok' | 'no generators' | 'bad filter' = 'ok';
let routes: {
  slos: typeof import('../../../app/api/slos/route');
  status: typeof import('../../../app/api/slos/status/route');
  detail: typeof import('../../../app/api/slos/[id]/status/route');
  preview: typeof import('../../../app/api/slos/preview/route');
};

before(async () => {
  tempo = await startFixtureServer([
    { path: '/api/metrics/query', query: () => mode === 'no generators', status: 500, file: 'tempo/metrics-query.error.empty-ring.txt' },
    { path: '/api/metrics/query', query: () => mode === 'bad filter', status: 400, body: 'invalid TraceQL query: parse error at line 1, col 40: syntax error: unexpected IDENTIFIER' },
    ...tempoSloRoutes(),
  ]);
  delete process.env.PROMETHEUS_URL;
  delete process.env.TRISIGHT_PROMETHEUS_RULES_DIR;
  process.env.TEMPO_URL = tempo.url;
  routes = {
    slos: await import('../../../app/api/slos/route'),
    status: await import('../../../app/api/slos/status/route'),
    detail: await import('../../../app/api/slos/[id]/status/route'),
    preview: await import('../../../app/api/slos/preview/route'),
  };
});
after(() => tempo.stop());

const req = (method: string, path: string, body?: unknown) =>
  new Request(`http://127.0.0.1${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Json });

const definition = (over: Json = {}): Json => ({
  name: 'trace-latency',
  service: 'trisight-sandbox',
  objective: 90,
  window: { kind: 'rolling', duration: '30d' },
  sli: { kind: 'trace', filter: '{ resource.service.name = "trisight-sandbox" && kind = server }', thresholdMs: 2000 },
  alerting: {
    name: 'TraceLatencyBudgetBurn',
    page: { quick: { long: '1h', short: '5m', budgetPercent: 2 }, slow: { long: '6h', short: '30m', budgetPercent: 5 } },
    ticket: { quick: { long: '1d', short: '2h', budgetPercent: 10 }, slow: { long: '3d', short: '6h', budgetPercent: 10 } },
  },
  ...over,
});

let id: string;

test('status: every window counted by Tempo, burn rates and budget from those counts', async () => {
  const created = await json(await routes.slos.POST(req('POST', '/api/slos', { definition: definition() })));
  assert.equal(created.status, 201, JSON.stringify(created.body));
  id = created.body.slo.id;
  const s = await json(await routes.status.GET(req('GET', '/api/slos/status')));
  assert.equal(s.status, 200);
  const t = s.body.statuses.find((x: Json) => x.name === 'trace-latency');
  assert.equal(t.source, 'tempo');
  for (const [w, expected] of Object.entries(SLO_WINDOW_RATIOS)) assert.ok(Math.abs(t.errorRatios[w] - expected) < 1e-12, `${w}: ${t.errorRatios[w]} ≠ ${expected}`);
  // Error budget 10 %: burn rate = ratio ÷ 0.1; budget left = 1 − (4/264) ÷ 0.1.
  assert.ok(Math.abs(t.burnRates['5m'] - 5) < 1e-9);
  assert.ok(Math.abs(t.burnRates['3d'] - 4 / 48 / 0.1) < 1e-9);
  assert.ok(Math.abs(t.sli - (1 - 4 / 264)) < 1e-12);
  assert.ok(Math.abs(t.budgetRemaining - (1 - 4 / 264 / 0.1)) < 1e-12);
  assert.match(t.sourceNote, /Tempo’s TraceQL metrics/);
  assert.equal(s.body.tempoNote, undefined);
  // Nothing was read from the embedded store: no spans there, yet numbers.
  assert.equal((await db.pool.query('SELECT count(*)::int AS n FROM embedded_span')).rows[0].n, 0);
  // 33 ranges × 2 queries.
  assert.equal(tempo.requests.filter((r) => r.path === '/api/metrics/query').length, 66);
});

test('detail page: the same status from Tempo', async () => {
  const d = await json(await routes.detail.GET(req('GET', `/api/slos/${id}/status?from=now-6h&to=now`), { params: Promise.resolve({ id }) }));
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.status.source, 'tempo');
  assert.ok(Math.abs(d.body.status.errorRatios['1h'] - SLO_WINDOW_RATIOS['1h']) < 1e-12);
});

test('preview: the numbers and the two TraceQL metrics queries Tempo runs', async () => {
  const p = await json(await routes.preview.POST(req('POST', '/api/slos/preview', { definition: definition({ name: 'draft' }) })));
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.source, 'tempo');
  assert.equal(p.body.totalEvents, 264);
  assert.ok(Math.abs(p.body.errorRatios.period - SLO_WINDOW_RATIOS.period) < 1e-12);
  assert.equal(p.body.traceQueries.bad, '{ (resource.service.name = "trisight-sandbox" && kind = server) && duration > 2000ms } | count_over_time() by (span.trisight.sampling.probability)');
});

test('a Tempo without metrics-generators: every page says so, names Tempo and the fix, shows no numbers', async () => {
  mode = 'no generators';
  try {
    const s = await json(await routes.status.GET(req('GET', '/api/slos/status')));
    assert.equal(s.status, 200);
    const t = s.body.statuses.find((x: Json) => x.name === 'trace-latency');
    assert.equal(t.source, 'tempo');
    assert.equal(t.state, 'no data');
    assert.equal(t.sli, null);
    assert.ok(Object.values(t.errorRatios).every((v) => v === null));
    assert.match(t.reason, /^Tempo \(TEMPO_URL\) cannot run TraceQL metrics queries: it answered 500: error finding generators in Querier\.queryRangeRecent: empty ring\./);
    assert.match(t.reason, /enable the local-blocks processor/);
    assert.equal(s.body.tempoNote, t.reason);
    assert.ok(!t.reason.includes(tempo.url), 'no internal address on the page');

    const d = await json(await routes.detail.GET(req('GET', `/api/slos/${id}/status?from=now-6h&to=now`), { params: Promise.resolve({ id }) }));
    assert.equal(d.body.status.reason, t.reason);

    const p = await json(await routes.preview.POST(req('POST', '/api/slos/preview', { definition: definition({ name: 'draft' }) })));
    assert.equal(p.status, 200);
    assert.equal(p.body.source, 'none');
    assert.equal(p.body.note, t.reason);
  } finally {
    mode = 'ok';
  }
});

test('a filter Tempo refuses: the editor’s preview answers 400 naming sli.filter with Tempo’s words', async () => {
  mode = 'bad filter';
  try {
    const p = await json(await routes.preview.POST(req('POST', '/api/slos/preview', { definition: definition({ name: 'draft', sli: { kind: 'trace', filter: '{ resource.service.name = "x" && }', thresholdMs: 10 } }) })));
    assert.equal(p.status, 400);
    assert.match(JSON.stringify(p.body), /sli\.filter: Tempo refused it, answering 400: invalid TraceQL query: parse error/);
  } finally {
    mode = 'ok';
  }
});
