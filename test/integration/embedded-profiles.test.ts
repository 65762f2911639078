// The embedded profile store end to end against a real Postgres: pushes go
// through the app's POST /ingest route handler as Pyroscope SDKs send them,
// reads through the store.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Function as PFunction, Line, Location, Profile, Sample, StringTable, ValueType, Label } from 'pprof-format';
import { appDatabaseHooks } from '../helpers/postgres';
import { decodePprof, pprofToModel, profileStacks } from '../../lib/profiles';
import { OTHER_NAME, maxSelf, nodeCount } from '../../lib/model/flame';
import { checkSums, childTotals, selfByPath } from '../helpers/flame-models';
import { fixture as fixtureFile } from '../helpers/fixtures';

const app = appDatabaseHooks({ poolSize: 4 });
let POST: (req: Request) => Promise<Response>;
let store: typeof import('../../lib/datasources/embedded/profiles');
let receiver: typeof import('../../lib/datasources/embedded/pyroscope-receiver');

before(async () => {
  // After appDatabaseHooks's hook has set DATABASE_URL, which config() reads on first use.
  ({ POST } = await import('../../app/ingest/route'));
  store = await import('../../lib/datasources/embedded/profiles');
  receiver = await import('../../lib/datasources/embedded/pyroscope-receiver');
});

const EVIL = '<img src=x onerror=alert(1)>';
const T0 = 1_700_000_000; // unix s
const fixture = (n: string) => fixtureFile(`pyroscope/${n}`);
const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';

function push(query: Record<string, string>, body: BodyInit, headers: Record<string, string> = {}) {
  const url = new URL('http://127.0.0.1/ingest');
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return POST(new Request(url, { method: 'POST', body, headers }));
}

async function rows(where = 'TRUE', params: unknown[] = []): Promise<number> {
  return Number((await app.pool.query(`SELECT count(*)::int AS n FROM embedded_profile WHERE ${where}`, params)).rows[0].n);
}

const range = { from: (T0 - 60) * 1000, to: (T0 + 3600) * 1000 };

test('a raw gzip pprof push (like @pyroscope/nodejs) is stored; merge and span profile match the pprof itself', async () => {
  const bytes = fixture('go-cpu-span-id.pb.gz');
  // sampleRate=17 is what the Node SDK wrongly sends; the pprof's own period wins.
  const res = await push({ name: 'spanapp{env=test,otel.scope.name=com.grafana.pyroscope/nodejs}', from: String(T0), until: String(T0 + 10), format: 'pprof', sampleRate: '17', spyName: 'nodespy' }, bytes, {
    'content-type': 'application/octet-stream',
  });
  assert.equal(res.status, 200, await res.clone().text());
  const expected = profileStacks(decodePprof(bytes));
  const sel = { profileTypeId: CPU, labelSelector: '{service_name="spanapp", env="test"}', range };
  const merged = await store.selectMergeStacktraces(app.pool, sel);
  const want = pprofToModel(expected);
  assert.equal(merged.flame.value[0], want.value[0]);
  assert.deepEqual(selfByPath(merged.flame), selfByPath(want));

  const span = await store.spanProfile(app.pool, sel, ['239']);
  const wantSpan = pprofToModel(expected, { where: (l) => l.span_id === '239' });
  assert.equal(span.flame.value[0], wantSpan.value[0]);
  assert.ok(span.flame.value[0] > 0 && span.flame.value[0] < merged.flame.value[0]);
  assert.deepEqual(selfByPath(span.flame), selfByPath(wantSpan));
  assert.equal((await store.spanProfile(app.pool, sel, ['00f067aa0ba902b7'])).flame.value[0], 0);

  // Per-sample labels other than span ids become series labels, as in Pyroscope.
  const slow = await store.selectMergeStacktraces(app.pool, { ...sel, labelSelector: '{service_name="spanapp", function="slow"}' });
  assert.equal(slow.flame.value[0], pprofToModel(expected, { where: (l) => l.function === 'slow' }).value[0]);
  assert.equal((await store.selectMergeStacktraces(app.pool, { ...sel, labelSelector: '{service_name="spanapp", env="prod"}' })).flame.value[0], 0);
  assert.equal((await store.selectMergeStacktraces(app.pool, { ...sel, labelSelector: '{service_name=~"span.*"}' })).flame.value[0], want.value[0]);

  const period = await app.pool.query(`SELECT DISTINCT period FROM embedded_profile WHERE service = 'spanapp'`);
  assert.deepEqual(period.rows.map((r) => r.period), [10_000_000]);
  const labels = await store.labelNames(app.pool, { matchers: ['{service_name="spanapp"}'], range });
  assert.ok(labels.includes('env') && labels.includes('otel.scope.name') && labels.includes('function') && !labels.includes('span_id'));
  assert.deepEqual(await store.labelValues(app.pool, 'env', { matchers: ['{service_name="spanapp"}'], range }), ['test']);
});

test('multipart push with sample_type_config and gzip Content-Encoding; .NET multi-type profile', async () => {
  const multipart = async (profile: Buffer, config?: object) => {
    const form = new FormData();
    form.append('profile', new Blob([new Uint8Array(profile)]), 'profile.pprof');
    if (config) form.append('sample_type_config', new Blob([JSON.stringify(config)]), 'sample_type_config.json');
    const encoded = new Response(form);
    return { body: gzipSync(Buffer.from(await encoded.arrayBuffer())), headers: { 'content-type': encoded.headers.get('content-type')!, 'content-encoding': 'gzip' } };
  };
  // A display name chooses the profile's name, as in Pyroscope; it does not rename the sample type.
  const go = await multipart(fixture('cpu.pb.gz'), { samples: { units: 'samples', 'display-name': 'cpu_samples' } });
  const res = await push({ name: 'renamed', from: String(T0), until: String(T0 + 10) }, go.body, go.headers);
  assert.equal(res.status, 200, await res.clone().text());
  const types = (await store.profileTypes(app.pool, range)).map((t) => t.id);
  assert.ok(types.includes('process_cpu:samples:count:cpu:nanoseconds'), `types: ${types}`);
  assert.ok(types.includes(CPU));
  // Pyroscope's own goroutine push (its ingest test's req_2): the id a Pyroscope query would use finds it.
  const gr = new FormData();
  gr.append('profile', new Blob([fixture('req_2.pprof')]), 'profile.pprof');
  gr.append('sample_type_config', new Blob([fixture('req_2.st.json')]), 'sample_type_config.json');
  const grBody = new Response(gr);
  assert.equal((await push({ name: 'goapp', from: String(T0), until: String(T0 + 10), spyName: 'gospy' }, await grBody.arrayBuffer(), { 'content-type': grBody.headers.get('content-type')! })).status, 200);
  const goroutines = await store.selectMergeStacktraces(app.pool, { profileTypeId: 'goroutines:goroutine:count:goroutine:count', labelSelector: '{service_name="goapp"}', range });
  assert.equal(goroutines.flame.value[0], pprofToModel(profileStacks(decodePprof(fixture('req_2.pprof')))).value[0]);
  assert.ok(goroutines.flame.value[0] > 0);

  const net = await multipart(fixture('dotnet-pprof-3.pb.gz'));
  assert.equal((await push({ name: 'dotnet', from: String(T0), until: String(T0 + 10) }, net.body, net.headers)).status, 200);
  const cpu = await store.selectMergeStacktraces(app.pool, { profileTypeId: CPU, labelSelector: '{service_name="dotnet"}', range });
  const p = profileStacks(decodePprof(fixture('dotnet-pprof-3.pb.gz')));
  assert.equal(cpu.flame.value[0], pprofToModel(p, { sampleType: 'cpu' }).value[0]);
  assert.ok(cpu.flame.value[0] > 0);
});

test('merging sums many pushes; time range selects pushes', async () => {
  const bytes = fixture('cpu.pb.gz');
  for (let i = 0; i < 6; i++) {
    const r = await push({ name: 'many', from: String(T0 + i * 10), until: String(T0 + i * 10 + 10) }, bytes);
    assert.equal(r.status, 200);
  }
  const one = pprofToModel(profileStacks(decodePprof(bytes))).value[0];
  const sel = { profileTypeId: CPU, labelSelector: '{service_name="many"}', range };
  assert.equal((await store.selectMergeStacktraces(app.pool, sel)).flame.value[0], 6 * one);
  // [T0+5, T0+25] overlaps pushes 0..2.
  assert.equal((await store.selectMergeStacktraces(app.pool, { ...sel, range: { from: (T0 + 15) * 1000, to: (T0 + 25) * 1000 } })).flame.value[0], 2 * one);
  const d = await store.diff(app.pool, { ...sel, range: { from: T0 * 1000, to: (T0 + 5) * 1000 } }, sel);
  assert.equal(d.leftTicks, one);
  assert.equal(d.rightTicks, 6 * one);
});

test('hostile function names and invalid UTF-8 are stored and returned as data', async () => {
  const st = new StringTable();
  const fn = (id: number, name: string) => new PFunction({ id, name: st.dedup(name) });
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') })],
    periodType: new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') }),
    period: 10_000_000,
    function: [fn(1, 'main'), fn(2, EVIL)],
    location: [new Location({ id: 1, line: [new Line({ functionId: 1 })] }), new Location({ id: 2, line: [new Line({ functionId: 2 })] })],
    sample: [new Sample({ locationId: [2, 1], value: [30_000_000], label: [new Label({ key: st.dedup('span_id'), str: st.dedup('0123456789abcdef') })] })],
    stringTable: st,
  });
  assert.equal((await push({ name: 'evil' }, gzipSync(p.encode()))).status, 200);
  assert.equal((await push({ name: 'evil' }, fixture('invalid_utf8.pb.gz'))).status, 200);
  const now = Date.now();
  const t = await store.selectMergeStacktraces(app.pool, { profileTypeId: CPU, labelSelector: '{service_name="evil"}', range: { from: now - 60_000, to: now + 60_000 } });
  assert.equal(selfByPath(t.flame).get(`/main/${EVIL}`), 30_000_000);
  assert.ok(t.flame.name.some((k) => t.flame.names[k].includes('\uFFFD')));
  const span = await store.spanProfile(app.pool, { profileTypeId: CPU, labelSelector: '{service_name="evil"}', range: { from: now - 60_000, to: now + 60_000 } }, ['0123456789ABCDEF']);
  assert.equal(span.flame.value[0], 30_000_000);
});

test('bad pushes are refused with reasons and store nothing', async () => {
  const before = await rows();
  const cases: [Record<string, string>, BodyInit, Record<string, string>, number, RegExp][] = [
    [{}, fixture('cpu.pb.gz'), {}, 400, /^name: required/],
    [{ name: 'x{a}' }, fixture('cpu.pb.gz'), {}, 400, /label "a" is not key=value/],
    [{ name: 'x', from: 'yesterday' }, fixture('cpu.pb.gz'), {}, 400, /^from: expected unix seconds/],
    [{ name: 'x', from: String(T0 + 10), until: String(T0) }, fixture('cpu.pb.gz'), {}, 400, /is after until/],
    [{ name: 'x', format: 'jfr' }, fixture('cpu.pb.gz'), {}, 400, /^format: "jfr" is not supported/],
    [{ name: 'x' }, 'definitely not a profile', {}, 400, /malformed pprof/],
    [{ name: 'x' }, fixture('cpu.pb.gz').subarray(0, 100), {}, 400, /malformed gzip/],
    [{ name: 'x' }, '', {}, 400, /empty profile/],
    [{ name: 'x' }, 'x', { 'content-type': 'multipart/form-data; boundary=zzz' }, 400, /malformed multipart body/],
  ];
  // A cumulative push (with the previous profile) is refused as Pyroscope refuses it.
  const prev = new FormData();
  prev.append('profile', new Blob([fixture('cpu.pb.gz')]), 'p');
  prev.append('prev_profile', new Blob([fixture('cpu.pb.gz')]), 'p');
  const pr = new Response(prev);
  cases.push([{ name: 'x' }, await pr.arrayBuffer(), { 'content-type': pr.headers.get('content-type')! }, 422, /^prev_profile: unsupported client version/]);
  const noProfile = new FormData();
  noProfile.append('other', 'x');
  const np = new Response(noProfile);
  cases.push([{ name: 'x' }, await np.arrayBuffer(), { 'content-type': np.headers.get('content-type')! }, 400, /no `profile` file part/]);
  const badCfg = new FormData();
  badCfg.append('profile', new Blob([fixture('cpu.pb.gz')]), 'p');
  badCfg.append('sample_type_config', new Blob(['{"cpu": {"display-name": 7}}']), 'c');
  const bc = new Response(badCfg);
  cases.push([{ name: 'x' }, await bc.arrayBuffer(), { 'content-type': bc.headers.get('content-type')! }, 400, /^sample_type_config: cpu.display-name/]);
  for (const [q, body, headers, status, re] of cases) {
    const r = await push(q, body, headers);
    const text = await r.text();
    assert.equal(r.status, status, `${JSON.stringify(q)} → ${text}`);
    assert.match(text, re);
  }
  const limits = receiver.INGEST_LIMITS;
  const saved = { ...limits };
  try {
    limits.maxBodyBytes = 500;
    assert.equal((await push({ name: 'x' }, fixture('cpu.pb.gz'))).status, 413);
    limits.maxBodyBytes = saved.maxBodyBytes;
    limits.maxDecodedBytes = 100_000;
    const bomb = await push({ name: 'x' }, gzipSync(Buffer.alloc(1_000_000)));
    assert.equal(bomb.status, 413);
  } finally {
    Object.assign(limits, saved);
  }
  await assert.rejects(store.selectMergeStacktraces(app.pool, { profileTypeId: CPU, labelSelector: 'service_name="x"', range }), /label selector must look like/);
  await assert.rejects(store.spanProfile(app.pool, { profileTypeId: CPU, labelSelector: '{}', range }, ["'; drop table x"]), /not a span id/);
  assert.equal(await rows(), before);
});

test('a push is stored in one transaction: a failing row leaves no stacks or rows behind', async () => {
  const stackCount = async () => Number((await app.pool.query('SELECT count(*)::int AS n FROM embedded_profile_stack')).rows[0].n);
  // A constraint in this test database makes the push's row unstorable, after its new stack was sent.
  const poison = () => app.pool.query(`ALTER TABLE embedded_profile ADD CONSTRAINT test_no_poison CHECK (service <> 'atomic' OR cardinality(profile_types) < 2)`);
  const cure = () => app.pool.query('ALTER TABLE embedded_profile DROP CONSTRAINT test_no_poison');
  const st = new StringTable();
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') }), new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') })],
    function: [new PFunction({ id: 1, name: st.dedup('only_in_failed_push') })],
    location: [new Location({ id: 1, line: [new Line({ functionId: 1 })] })],
    sample: [new Sample({ locationId: [1], value: [5, 1] })],
    stringTable: st,
  });
  const before = await stackCount();
  await poison();
  try {
    const r = await push({ name: 'atomic' }, p.encode() as Uint8Array<ArrayBuffer>);
    assert.equal(r.status, 503);
    assert.match(await r.text(), /could not store the profile/);
  } finally {
    await cure();
  }
  assert.equal(await rows('service = $1', ['atomic']), 0);
  assert.equal(await stackCount(), before, 'the new stack was rolled back with the rows');
  // The stack cache must not believe the rolled-back stack exists: a retry stores it.
  assert.equal((await push({ name: 'atomic' }, p.encode() as Uint8Array<ArrayBuffer>)).status, 200);
  const now = Date.now();
  const t = await store.selectMergeStacktraces(app.pool, { profileTypeId: CPU, labelSelector: '{service_name="atomic"}', range: { from: now - 60_000, to: now + 60_000 } });
  assert.deepEqual(childTotals(t.flame), [['only_in_failed_push', 5]]);
  assert.equal(t.flame.value[0], 5);
});

test('maxNodes caps the merged model as Pyroscope does: the widest nodes stay, the rest is "other", totals intact', async () => {
  const sel = { profileTypeId: CPU, labelSelector: '{service_name="many"}', range };
  const whole = await store.selectMergeStacktraces(app.pool, sel);
  const capped = await store.selectMergeStacktraces(app.pool, sel, { maxNodes: 5 });
  assert.ok(nodeCount(whole.flame) > 10, `${nodeCount(whole.flame)} nodes`);
  const real = capped.flame.name.filter((k) => capped.flame.names[k] !== OTHER_NAME).length - 1;
  assert.ok(real <= 5, `${real} nodes kept`);
  assert.equal(capped.flame.value[0], whole.flame.value[0]);
  checkSums(capped.flame);
  assert.equal(capped.maxSelf, maxSelf(capped.flame));
});

test('an aborted read is cancelled in Postgres, not left running', async () => {
  // The store's reads go through cancellableQuery; a slow statement shows the cancel reaching the server.
  const { cancellableQuery } = await import('../../lib/datasources/embedded/cancellable');
  const ac = new AbortController();
  const t0 = Date.now();
  const slow = cancellableQuery(app.pool, "SELECT pg_sleep(30), 'trisight-cancel-probe'", [], ac.signal);
  setTimeout(() => ac.abort(new Error('the page went away')), 300);
  await assert.rejects(slow, /the page went away/);
  assert.ok(Date.now() - t0 < 10_000, 'returned long before the statement would have ended');
  // Postgres itself stopped running it.
  for (let k = 0; ; k++) {
    const r = await app.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%trisight-cancel-probe%' AND state = 'active' AND pid <> pg_backend_pid()`);
    if (r.rows[0].n === 0) break;
    assert.ok(k < 50, 'the statement still runs in Postgres');
    await new Promise((r2) => setTimeout(r2, 100));
  }
  // An already aborted signal never starts a query; the store's flame read honours it.
  const sel = { profileTypeId: CPU, labelSelector: '{service_name="many"}', range };
  await assert.rejects(store.selectMergeStacktraces(app.pool, sel, { signal: AbortSignal.abort(new Error('gone')) }), /gone/);
  // The pool is healthy afterwards.
  assert.equal((await app.pool.query('SELECT 1 AS one')).rows[0].one, 1);
});
