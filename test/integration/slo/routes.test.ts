import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import YAML from 'yaml';
import { appDatabaseHooks } from '../../helpers/postgres';

// The SLO API's route handlers on real Postgres, with no Prometheus configured
// (rules: nothing to deploy to, and the API says so): bad input names the field
// and stores nothing, two saves of one revision give exactly one 409 naming who
// saved in between, history keeps every revision, restore is a new revision,
// and an OpenSLO export imports back under a new name.

const db = appDatabaseHooks();

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies, read field by field in assertions
type Json = Record<string, any>;
let routes: {
  slos: typeof import('../../../app/api/slos/route');
  one: typeof import('../../../app/api/slos/[id]/route');
  revisions: typeof import('../../../app/api/slos/[id]/revisions/route');
  restore: typeof import('../../../app/api/slos/[id]/restore/route');
  openslo: typeof import('../../../app/api/slos/[id]/openslo/route');
  importer: typeof import('../../../app/api/slos/import/route');
  preview: typeof import('../../../app/api/slos/preview/route');
};

before(async () => {
  delete process.env.PROMETHEUS_URL;
  delete process.env.TRISIGHT_PROMETHEUS_RULES_DIR;
  routes = {
    slos: await import('../../../app/api/slos/route'),
    one: await import('../../../app/api/slos/[id]/route'),
    revisions: await import('../../../app/api/slos/[id]/revisions/route'),
    restore: await import('../../../app/api/slos/[id]/restore/route'),
    openslo: await import('../../../app/api/slos/[id]/openslo/route'),
    importer: await import('../../../app/api/slos/import/route'),
    preview: await import('../../../app/api/slos/preview/route'),
  };
});

const req = (method: string, path: string, body?: unknown) =>
  new Request(`http://127.0.0.1${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const json = async (r: Response) => ({ status: r.status, body: (await r.json()) as Json });

const definition = (over: Json = {}): Json => ({
  name: 'completions-availability',
  service: 'trisight-sandbox',
  owner: 'serving team',
  objective: 99.5,
  window: { kind: 'rolling', duration: '30d' },
  sli: {
    kind: 'ratio',
    bad: 'sum(rate(gen_ai_server_request_duration_seconds_count{error_type=~"internal|shutdown|deadline_exceeded"}[{{.window}}]))',
    total: 'sum(rate(gen_ai_server_request_duration_seconds_count[{{.window}}]))',
  },
  alerting: {
    name: 'CompletionsAvailabilityBudgetBurn',
    page: { quick: { long: '1h', short: '5m', budgetPercent: 2 }, slow: { long: '6h', short: '30m', budgetPercent: 5 } },
    ticket: { quick: { long: '1d', short: '2h', budgetPercent: 10 }, slow: { long: '3d', short: '6h', budgetPercent: 10 } },
  },
  ...over,
});

const counts = async () => (await db.pool.query<{ s: number; r: number }>('SELECT (SELECT count(*) FROM slo)::int AS s, (SELECT count(*) FROM slo_revision)::int AS r')).rows[0];

let id: string;

test('create: revision 1 by the viewer; without Prometheus the answer says how to get one', async () => {
  const r = await json(await routes.slos.POST(req('POST', '/api/slos', { definition: definition(), message: 'first cut' })));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  id = r.body.slo.id;
  assert.equal(r.body.slo.revision, 1);
  assert.equal(r.body.rules.loaded, false);
  assert.match(r.body.rules.note, /No Prometheus is configured.*npm start.*PROMETHEUS_URL/);
  const revs = await json(await routes.revisions.GET(req('GET', `/api/slos/${id}/revisions`), ctx(id)));
  assert.equal(revs.body.revisions.length, 1);
  assert.equal(revs.body.revisions[0].author, 'local');
  assert.equal(revs.body.revisions[0].message, 'first cut');
});

test('bad input: a clear 4xx naming the field, nothing saved', async () => {
  const before = await counts();
  const huge = `apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: big\n  annotations:\n    filler: "${'x'.repeat(1024 * 1024)}"\n`;
  const table: { name: string; send: () => Promise<Response>; status: number; field: string; says: RegExp }[] = [
    {
      name: 'invalid PromQL',
      send: () => routes.slos.POST(req('POST', '/api/slos', { definition: definition({ name: 'bad-promql', sli: { kind: 'ratio', bad: 'sum(rate(x[{{.window}}])', total: 'sum(rate(y[{{.window}}]))' } }) })),
      status: 400,
      field: 'sli.bad',
      says: /invalid PromQL at line 1, column 25: unexpected end of query/,
    },
    { name: 'objective 0', send: () => routes.slos.POST(req('POST', '/api/slos', { definition: definition({ name: 'zero', objective: 0 }) })), status: 400, field: 'objective', says: /must be above 0/ },
    { name: 'objective 100', send: () => routes.slos.POST(req('POST', '/api/slos', { definition: definition({ name: 'hundred', objective: 100 }) })), status: 400, field: 'objective', says: /must be below 100/ },
    {
      name: 'unknown window',
      send: () => routes.slos.POST(req('POST', '/api/slos', { definition: definition({ name: 'quarter', window: { kind: 'rolling', duration: '90d' } }) })),
      status: 400,
      field: 'window.duration',
      says: /unknown window; use one of 7d, 28d, 30d/,
    },
    { name: 'duplicate name', send: () => routes.slos.POST(req('POST', '/api/slos', { definition: definition() })), status: 409, field: 'name', says: /an SLO named "completions-availability" already exists/ },
    { name: 'a 1 MB YAML', send: () => routes.importer.POST(req('POST', '/api/slos/import', { text: huge })), status: 413, field: '', says: /larger than 256 KiB/ },
    {
      name: 'an OpenSLO document with a wrong kind',
      send: () => routes.importer.POST(req('POST', '/api/slos/import', { text: 'apiVersion: openslo/v1\nkind: ServiceLevel\nmetadata:\n  name: x\nspec: {}\n' })),
      status: 400,
      field: 'documents[0].kind',
      says: /unknown kind "ServiceLevel"/,
    },
    { name: 'not JSON', send: () => routes.slos.POST(req('POST', '/api/slos', '{"definition":')), status: 400, field: '', says: /the body must be JSON/ },
    { name: 'no definition at all', send: () => routes.slos.POST(req('POST', '/api/slos', { definition: { name: 'x' } })), status: 400, field: 'service', says: /service/ },
  ];
  for (const t of table) {
    const r = await json(await t.send());
    assert.equal(r.status, t.status, `${t.name}: ${JSON.stringify(r.body)}`);
    assert.match(r.body.error.message, t.says, t.name);
    if (t.field) {
      const issues = (r.body.error.issues ?? []) as { path: string; message: string }[];
      assert.ok(issues.some((i) => i.path === t.field) || r.body.error.message.startsWith(`${t.field}:`), `${t.name}: names ${t.field}: ${JSON.stringify(r.body.error)}`);
    }
  }
  assert.deepEqual(await counts(), before, 'nothing was saved');
});

test('two concurrent saves of one revision: exactly one 409, naming who saved in between', async () => {
  const save = (objective: number, message: string) => routes.one.PUT(req('PUT', `/api/slos/${id}`, { definition: definition({ objective }), baseRevision: 1, message }), ctx(id));
  const results = await Promise.all([json(await save(99.9, 'tighter')), json(await save(99, 'looser'))].map(async (p) => p));
  const statuses = results.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 409]);
  const conflict = results.find((r) => r.status === 409)!;
  assert.match(conflict.body.error.message, /^revision 2 was saved by local at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC after you opened revision 1; reload to see their change/);
  const revs = await json(await routes.revisions.GET(req('GET', `/api/slos/${id}/revisions`), ctx(id)));
  assert.deepEqual(
    revs.body.revisions.map((r: Json) => r.revision),
    [2, 1],
  );
  // The winner's definition is the current one; the loser's change is nowhere.
  const winner = results.find((r) => r.status === 200)!;
  const current = await json(await routes.one.GET(req('GET', `/api/slos/${id}`), ctx(id)));
  assert.equal(current.body.definition.objective, winner.body.slo.definition.objective);
  assert.equal(current.body.revision, 2);
});

test('restore makes a new revision with the old definition; a stale restore is a 409', async () => {
  const r = await json(await routes.restore.POST(req('POST', `/api/slos/${id}/restore`, { revision: 1, baseRevision: 2 }), ctx(id)));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.slo.revision, 3);
  assert.equal(r.body.slo.definition.objective, 99.5);
  const revs = await json(await routes.revisions.GET(req('GET', `/api/slos/${id}/revisions`), ctx(id)));
  assert.equal(revs.body.revisions[0].message, 'restored revision 1');
  assert.deepEqual(revs.body.revisions[0].definition, revs.body.revisions[2].definition);
  const stale = await json(await routes.restore.POST(req('POST', `/api/slos/${id}/restore`, { revision: 1, baseRevision: 2 }), ctx(id)));
  assert.equal(stale.status, 409);
});

test('OpenSLO export imports back under a new name; a dry run stores nothing', async () => {
  const exported = await routes.openslo.GET(req('GET', `/api/slos/${id}/openslo?format=yaml`), ctx(id));
  const text = await exported.text();
  assert.deepEqual(
    YAML.parseAllDocuments(text).map((d) => (d.toJS() as Json).kind),
    ['Service', 'SLI', 'SLO'],
  );
  const before = await counts();
  const dry = await json(await routes.importer.POST(req('POST', '/api/slos/import', { text, rename: 'availability-copy', dryRun: true })));
  assert.equal(dry.status, 200);
  assert.deepEqual(await counts(), before);
  // Same name again: refused, naming it.
  const dup = await json(await routes.importer.POST(req('POST', '/api/slos/import', { text })));
  assert.equal(dup.status, 409);
  const r = await json(await routes.importer.POST(req('POST', '/api/slos/import', { text, rename: 'availability-copy' })));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.created[0].name, 'availability-copy');
  const current = await json(await routes.one.GET(req('GET', `/api/slos/${id}`), ctx(id)));
  assert.equal(current.status, 200, JSON.stringify(current.body));
  assert.deepEqual({ ...r.body.created[0].definition, name: current.body.definition.name }, current.body.definition);
  const json2 = await routes.openslo.GET(req('GET', `/api/slos/${id}/openslo?format=json`), ctx(id));
  assert.equal(json2.headers.get('content-type'), 'application/json');
  assert.equal(((await json2.json()) as Json[]).length, 3);
});

test('preview without Prometheus: the maths and the reason there are no numbers', async () => {
  const r = await json(await routes.preview.POST(req('POST', '/api/slos/preview', { definition: definition() })));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.source, 'none');
  assert.match(r.body.note, /No Prometheus is configured/);
  assert.equal(r.body.maths.budgetMinutes, 216);
  assert.deepEqual(
    r.body.maths.conditions.map((c: Json) => c.factor),
    [14.4, 6, 3, 1],
  );
  const bad = await json(await routes.preview.POST(req('POST', '/api/slos/preview', { definition: definition({ objective: 100 }) })));
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.issues[0].path, 'objective');
});

test('a trace-based SLO needs no Prometheus: spans counted from the embedded store, weighted by 1 ÷ sampling probability', async () => {
  const { insertSpans } = await import('../../../lib/datasources/embedded/spans');
  const status = await import('../../../app/api/slos/status/route');
  const now = BigInt(Date.now()) * 1_000_000n;
  const span = (i: number, ms: number, p: number, kind = 'server') => ({
    traceId: i.toString(16).padStart(32, '0'),
    spanId: i.toString(16).padStart(16, '0'),
    service: 'trisight-sandbox',
    name: 'POST /v1/completions',
    kind: kind as 'server',
    // Within the last 5 minutes, so every window counts them.
    startTimeUnixNano: now - 60_000_000_000n - BigInt(i) * 1_000_000_000n,
    endTimeUnixNano: now - 60_000_000_000n - BigInt(i) * 1_000_000_000n + BigInt(ms) * 1_000_000n,
    status: 'ok' as const,
    attributes: { 'trisight.sampling.probability': p },
    resourceAttributes: { 'service.name': 'trisight-sandbox' },
    events: [],
    links: [],
  });
  // Kept by sampling: 3 fast spans at p = 1 (weight 1 each), 1 slow span at p = 0.25 (stands for 4 requests),
  // and a slow internal span that the filter leaves out. Error ratio = 4 / (3 + 4) = 4/7.
  await insertSpans(db.pool, [span(1, 100, 1), span(2, 200, 1), span(3, 300, 1), span(4, 3000, 0.25), span(5, 9000, 1, 'internal')]);
  const r = await json(
    await routes.slos.POST(
      req('POST', '/api/slos', {
        definition: definition({ name: 'trace-latency', sli: { kind: 'trace', filter: '{ resource.service.name = "trisight-sandbox" && kind = server }', thresholdMs: 2000 }, objective: 90 }),
      }),
    ),
  );
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const s = await json(await status.GET(req('GET', '/api/slos/status')));
  const t = s.body.statuses.find((x: Json) => x.name === 'trace-latency');
  assert.equal(t.source, 'traces');
  for (const w of ['5m', '1h', 'period']) assert.ok(Math.abs(t.errorRatios[w] - 4 / 7) < 1e-12, `${w}: ${t.errorRatios[w]}`);
  // Burn rate = (4/7) ÷ 0.1; the budget is long gone.
  assert.ok(Math.abs(t.burnRates['5m'] - 40 / 7) < 1e-9);
  assert.equal(t.state, 'warning');
  assert.match(t.reason, /error budget of the period is spent/);
  // The other SLOs, with no Prometheus, say how to get one.
  const ratio = s.body.statuses.find((x: Json) => x.name === 'completions-availability');
  assert.equal(ratio.state, 'no data');
  assert.match(ratio.reason, /No Prometheus is configured/);
  assert.equal(s.body.prometheus, 'none');
});
