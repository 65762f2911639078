import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PyroscopeClient } from '../../../lib/datasources/pyroscope/client';
import { BackendError, type FlameTree } from '../../../lib/model/types';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixture-server';

// Recorded Pyroscope responses (test/fixtures/pyroscope) replayed over real
// HTTP to the real client. No recording exists of ProfileTypes, LabelValues, Diff
// or a Connect error, so those bodies are built here, small, from Pyroscope's
// api/querier/v1/querier.proto and types/v1/types.proto (Connect JSON: lowerCamelCase
// names, int64 as strings) and Connect's error format {code, message}.

const CPU = 'process_cpu:cpu:nanoseconds:cpu:nanoseconds';
const range = { from: 1_700_000_000_000, to: 1_700_000_600_000 };
const sel = { profileTypeId: CPU, labelSelector: '{service_name="sandbox"}', range };

const profileTypesBody = {
  profileTypes: [
    { ID: CPU, name: 'process_cpu', sampleType: 'cpu', sampleUnit: 'nanoseconds', periodType: 'cpu', periodUnit: 'nanoseconds' },
    { ID: 'wall:wall:nanoseconds:wall:nanoseconds', name: 'wall', sampleType: 'wall', sampleUnit: 'nanoseconds', periodType: 'wall', periodUnit: 'nanoseconds' },
  ],
};

// total ─ main ─┬ a
//               ├ b ─ b1   (b1's offsets are relative to the level's start: 5 left, 2 right)
//               └ c        (left only)
// groups of 7: left offset, left total, left self, right offset, right total, right self, name index
const diffBody = {
  flamegraph: {
    names: ['total', 'main', 'a', 'b', 'c', 'b1'],
    levels: [
      { values: ['0', '10', '0', '0', '8', '0', '0'] },
      { values: ['0', '10', '0', '0', '8', '1', '1'] },
      { values: ['0', '5', '5', '0', '2', '2', '2', '0', '3', '0', '0', '5', '0', '3', '0', '2', '2', '0', '0', '0', '4'] },
      { values: ['5', '3', '3', '2', '5', '5', '5'] },
    ],
    total: '18',
    maxSelf: '5',
    leftTicks: '10',
    rightTicks: '8',
  },
};

const connectError = { code: 'invalid_argument', message: 'failed to parse label selector: 1:2: parse error: unexpected end of input' };

/** Pyroscope's own invariant: a node's total is its self plus its children's totals. */
function checkSums(t: FlameTree, path = t.name): number {
  let nodes = 1;
  const kids = t.children.reduce((a, c) => a + c.total, 0);
  assert.equal(t.self + kids, t.total, `sums at ${path}`);
  for (const c of t.children) nodes += checkSums(c, `${path};${c.name}`);
  return nodes;
}

let srv: FixtureServer;
let fallback: FixtureServer;
let py: PyroscopeClient;

before(async () => {
  srv = await startFixtureServer([
    { method: 'POST', path: '/querier.v1.QuerierService/ProfileTypes', body: profileTypesBody },
    { method: 'POST', path: '/querier.v1.QuerierService/LabelNames', file: 'pyroscope/label-names.empty.json' },
    { method: 'POST', path: '/querier.v1.QuerierService/LabelValues', body: { names: ['sandbox', 'trisight'] } },
    { method: 'POST', path: '/querier.v1.QuerierService/Series', file: 'pyroscope/series.labels-set.json' },
    { method: 'POST', path: '/querier.v1.QuerierService/SelectMergeStacktraces', file: 'pyroscope/select-merge-stacktraces.flamegraph.json' },
    { method: 'POST', path: '/querier.v1.QuerierService/SelectMergeSpanProfile', file: 'pyroscope/select-merge-stacktraces.flamegraph.json' },
    { method: 'POST', path: '/querier.v1.QuerierService/SelectMergeProfile', file: 'pyroscope/select-merge-profile.pprof.json' },
    { method: 'POST', path: '/querier.v1.QuerierService/SelectSeries', file: 'pyroscope/select-series.json' },
    { method: 'POST', path: '/querier.v1.QuerierService/Diff', body: diffBody },
    { path: '/pyroscope/render', file: 'pyroscope/render.flamebearer.json' },
  ]);
  fallback = await startFixtureServer([
    // A Pyroscope without SelectMergeSpanProfile answers Connect's "unimplemented" with 404.
    { method: 'POST', path: '/querier.v1.QuerierService/SelectMergeSpanProfile', status: 404, body: { code: 'unimplemented', message: '404 page not found' } },
    { method: 'POST', path: '/querier.v1.QuerierService/SelectMergeStacktraces', file: 'pyroscope/select-merge-stacktraces.flamegraph.json' },
    { method: 'POST', path: /Select/, status: 400, body: connectError },
  ]);
  py = new PyroscopeClient({ baseUrl: srv.url, tenant: 'tenant-1', timeoutMs: 2_000 });
});
after(async () => {
  await srv.stop();
  await fallback.stop();
});

const sentBody = (s: FixtureServer, method: string) => {
  const r = s.last(`/querier.v1.QuerierService/${method}`);
  assert.equal(r.method, 'POST');
  assert.match(String(r.headers['content-type']), /^application\/json/);
  return JSON.parse(r.body.toString()) as Record<string, unknown>;
};

describe('pyroscope Connect API', () => {
  test('ProfileTypes (built from the proto): typed list; start/end sent as int64 strings', async () => {
    const types = await py.profileTypes(range);
    assert.deepEqual(types[0], { id: CPU, name: 'process_cpu', sampleType: 'cpu', sampleUnit: 'nanoseconds', periodType: 'cpu', periodUnit: 'nanoseconds' });
    assert.equal(types.length, 2);
    assert.deepEqual(sentBody(srv, 'ProfileTypes'), { start: '1700000000000', end: '1700000600000' });
    assert.equal(srv.last('/querier.v1.QuerierService/ProfileTypes').headers['x-scope-orgid'], 'tenant-1');
  });

  test('LabelNames (recorded, empty) and LabelValues', async () => {
    assert.deepEqual(await py.labelNames({ matchers: ['{service_name="sandbox"}'], range }), []);
    assert.deepEqual(sentBody(srv, 'LabelNames').matchers, ['{service_name="sandbox"}']);
    assert.deepEqual(await py.labelValues('service_name'), ['sandbox', 'trisight']);
    assert.equal(sentBody(srv, 'LabelValues').name, 'service_name');
  });

  test('Series: label sets, 11 profile types of one service', async () => {
    const sets = await py.series({ matchers: ['{service_name="pyroscope"}'], labelNames: ['__profile_type__'] });
    assert.equal(sets.length, 11);
    assert.ok(sets.every((l) => l.service_name === 'pyroscope' && l.__profile_type__.split(':').length === 5));
    assert.equal(sets[0].__profile_type__, 'block:contentions:count:contentions:count');
  });

  test('SelectMergeStacktraces: 65 levels of int64 strings in groups of 4 → a consistent FlameTree', async () => {
    const { tree, maxSelf } = await py.selectMergeStacktraces(sel, { maxNodes: 16384 });
    assert.equal(tree.name, 'total');
    assert.equal(tree.total, 11_100_000_000);
    assert.equal(maxSelf, 2_520_000_000);
    const nodes = checkSums(tree);
    assert.ok(nodes > 1000, `${nodes} nodes`);
    let depth = 0;
    const walk = (t: FlameTree, d: number) => ((depth = Math.max(depth, d)), t.children.forEach((c) => walk(c, d + 1)));
    walk(tree, 1);
    assert.equal(depth, 65);
    let biggestSelf = 0;
    const self = (t: FlameTree) => ((biggestSelf = Math.max(biggestSelf, t.self)), t.children.forEach(self));
    self(tree);
    // maxSelf is per function name merged across the tree; no single node can exceed it.
    assert.ok(biggestSelf <= maxSelf);
    assert.deepEqual(sentBody(srv, 'SelectMergeStacktraces'), {
      profileTypeID: CPU,
      labelSelector: '{service_name="sandbox"}',
      start: '1700000000000',
      end: '1700000600000',
      maxNodes: '16384',
    });
  });

  test('span profile via SelectMergeSpanProfile sends the span ids', async () => {
    const { tree } = await py.spanProfile(sel, ['9a517183f26a089d']);
    assert.equal(tree.total, 11_100_000_000);
    assert.deepEqual(sentBody(srv, 'SelectMergeSpanProfile').spanSelector, ['9a517183f26a089d']);
  });

  test('span profile falls back to spanSelector on SelectMergeStacktraces when SelectMergeSpanProfile is unimplemented', async () => {
    const client = new PyroscopeClient({ baseUrl: fallback.url, timeoutMs: 2_000 });
    const { tree } = await client.spanProfile(sel, ['9a517183f26a089d', '5a4fe264a9c987fe']);
    assert.equal(tree.total, 11_100_000_000);
    assert.deepEqual(sentBody(fallback, 'SelectMergeStacktraces').spanSelector, ['9a517183f26a089d', '5a4fe264a9c987fe']);
  });

  test('SelectMergeProfile: pprof in Connect JSON → FlameTree', async () => {
    const tree = await py.selectMergeProfile(sel);
    assert.equal(tree.total, 240_000_000);
    checkSums(tree);
    const names = new Set<string>();
    const walk = (t: FlameTree) => (names.add(t.name), t.children.forEach(walk));
    walk(tree);
    assert.ok(names.has('runtime.stkbucket'));
  });

  test('SelectSeries: points with string ms timestamps; a series without labels', async () => {
    const series = await py.selectSeries(sel, { stepS: 30, aggregation: 'sum' });
    assert.equal(series.length, 1);
    assert.deepEqual(series[0].labels, {});
    assert.equal(series[0].values.length, 52);
    assert.deepEqual(series[0].values[0], [1779729327372, 270000000]);
    assert.equal(series[0].values[1][0] - series[0].values[0][0], 30_000);
    const body = sentBody(srv, 'SelectSeries');
    assert.equal(body.step, 30);
    assert.equal(body.aggregation, 'TIME_SERIES_AGGREGATION_TYPE_SUM');
  });

  test('Diff (built from FlameGraphDiff): groups of 7 with delta offsets → DiffFlameTree', async () => {
    const r = await py.diff(sel, { ...sel, range: { from: range.to, to: range.to + 600_000 } });
    assert.equal(r.leftTicks, 10);
    assert.equal(r.rightTicks, 8);
    assert.deepEqual(r.tree, {
      name: 'total',
      left: { total: 10, self: 0 },
      right: { total: 8, self: 0 },
      children: [
        {
          name: 'main',
          left: { total: 10, self: 0 },
          right: { total: 8, self: 1 },
          children: [
            { name: 'a', left: { total: 5, self: 5 }, right: { total: 2, self: 2 }, children: [] },
            {
              name: 'b',
              left: { total: 3, self: 0 },
              right: { total: 5, self: 0 },
              children: [{ name: 'b1', left: { total: 3, self: 3 }, right: { total: 5, self: 5 }, children: [] }],
            },
            { name: 'c', left: { total: 2, self: 2 }, right: { total: 0, self: 0 }, children: [] },
          ],
        },
      ],
    });
    const body = sentBody(srv, 'Diff') as { left: { start: string }; right: { start: string } };
    assert.equal(body.left.start, '1700000000000');
    assert.equal(body.right.start, '1700000600000');
  });

  test('legacy /pyroscope/render flamebearer → FlameTree, metadata and timeline', async () => {
    const r = await py.render('rideshare-app-golang.cpu{}', { from: 1677178495_000, to: 1677178496_000 }, { maxNodes: 1024 });
    assert.equal(r.tree.total, 953);
    assert.equal(r.maxSelf, 732);
    assert.equal(r.format, 'single');
    assert.equal(r.sampleRate, 100);
    assert.equal(r.units, 'samples');
    assert.equal(r.spyName, 'gospy');
    checkSums(r.tree);
    assert.deepEqual(r.tree.children.map((c) => [c.name, c.total]), [
      ['github.com/pyroscope-io/client/pyroscope.(*Session).takeSnapshots', 2],
      ['net/http.(*conn).serve', 823],
      ['runtime.bgscavenge', 1],
      ['runtime.mcall', 7],
      ['runtime.nanotime1', 120],
    ]);
    assert.deepEqual(r.timeline.values, [[1677178490_000, 954]]);
    const q = srv.last('/pyroscope/render').query;
    assert.deepEqual([q.get('query'), q.get('from'), q.get('until'), q.get('format'), q.get('maxNodes')], ['rideshare-app-golang.cpu{}', '1677178495', '1677178496', 'json', '1024']);
  });
});

describe('pyroscope errors', () => {
  test('Connect error JSON {code, message} → BackendError with the message verbatim and the code', async () => {
    const client = new PyroscopeClient({ baseUrl: fallback.url, timeoutMs: 2_000 });
    await assert.rejects(client.selectSeries(sel, { stepS: 15 }), (e: unknown) => {
      assert.ok(e instanceof BackendError);
      assert.equal(e.backend, 'pyroscope');
      assert.equal(e.status, 400);
      assert.equal(e.errorType, 'invalid_argument');
      assert.equal(e.message, connectError.message);
      return true;
    });
  });

  test('a non-unimplemented error of SelectMergeSpanProfile is not hidden by the fallback', async () => {
    const bad = await startFixtureServer([{ method: 'POST', path: /./, status: 400, body: connectError }]);
    try {
      const client = new PyroscopeClient({ baseUrl: bad.url, timeoutMs: 2_000 });
      await assert.rejects(client.spanProfile(sel, ['9a517183f26a089d']), (e: unknown) => e instanceof BackendError && e.errorType === 'invalid_argument');
      assert.deepEqual(bad.requests.map((r) => r.path), ['/querier.v1.QuerierService/SelectMergeSpanProfile']);
    } finally {
      await bad.stop();
    }
  });
});
