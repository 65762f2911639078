import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PyroscopeClient } from '../../../lib/datasources/pyroscope/client';
import { maxSelf as largestSelf, nameOf } from '../../../lib/model/flame';
import { BackendError } from '../../../lib/model/types';
import { checkSums, dump, frameNames } from '../../helpers/flame-models';
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
    { method: 'POST', path: '/querier.v1.QuerierService/Diff', body: diffBody },
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

  test('SelectMergeStacktraces: 65 levels of int64 strings in groups of 4 → a consistent flat model', async () => {
    const { flame, maxSelf } = await py.selectMergeStacktraces(sel, { maxNodes: 16384 });
    assert.equal(nameOf(flame, 0), 'total');
    assert.equal(flame.value[0], 11_100_000_000);
    assert.equal(maxSelf, 2_520_000_000);
    const nodes = checkSums(flame);
    assert.ok(nodes > 1000, `${nodes} nodes`);
    // 65 levels: the root at 0, the deepest frame at 64.
    assert.equal(Math.max(...flame.level), 64);
    // maxSelf is per function name merged across the tree; no single node can exceed it.
    assert.ok(largestSelf(flame) <= maxSelf);
    assert.deepEqual(sentBody(srv, 'SelectMergeStacktraces'), {
      profileTypeID: CPU,
      labelSelector: '{service_name="sandbox"}',
      start: '1700000000000',
      end: '1700000600000',
      maxNodes: '16384',
    });
  });

  test('span profile via SelectMergeSpanProfile sends the span ids', async () => {
    const { flame } = await py.spanProfile(sel, ['9a517183f26a089d']);
    assert.equal(flame.value[0], 11_100_000_000);
    assert.deepEqual(sentBody(srv, 'SelectMergeSpanProfile').spanSelector, ['9a517183f26a089d']);
  });

  test('span profile falls back to spanSelector on SelectMergeStacktraces when SelectMergeSpanProfile is unimplemented', async () => {
    const client = new PyroscopeClient({ baseUrl: fallback.url, timeoutMs: 2_000 });
    const { flame } = await client.spanProfile(sel, ['9a517183f26a089d', '5a4fe264a9c987fe']);
    assert.equal(flame.value[0], 11_100_000_000);
    assert.deepEqual(sentBody(fallback, 'SelectMergeStacktraces').spanSelector, ['9a517183f26a089d', '5a4fe264a9c987fe']);
  });

  test('SelectMergeProfile: pprof in Connect JSON → flat model', async () => {
    const flame = await py.selectMergeProfile(sel);
    assert.equal(flame.value[0], 240_000_000);
    checkSums(flame);
    assert.ok(frameNames(flame).has('runtime.stkbucket'));
  });

  test('Diff (built from FlameGraphDiff): groups of 7 with delta offsets → one diff model', async () => {
    const r = await py.diff(sel, { ...sel, range: { from: range.to, to: range.to + 600_000 } });
    assert.equal(r.leftTicks, 10);
    assert.equal(r.rightTicks, 8);
    // Children keep Pyroscope's left-to-right order.
    assert.deepEqual(dump(r.flame), [
      'total 10/0 | 8/0',
      '  main 10/0 | 8/1',
      '    a 5/5 | 2/2',
      '    b 3/0 | 5/0',
      '      b1 3/3 | 5/5',
      '    c 2/2 | 0/0',
    ]);
    checkSums(r.flame);
    const body = sentBody(srv, 'Diff') as { left: { start: string }; right: { start: string } };
    assert.equal(body.left.start, '1700000000000');
    assert.equal(body.right.start, '1700000600000');
  });
});

describe('pyroscope errors', () => {
  test('Connect error JSON {code, message} → BackendError with the message verbatim and the code', async () => {
    const client = new PyroscopeClient({ baseUrl: fallback.url, timeoutMs: 2_000 });
    await assert.rejects(client.selectMergeProfile(sel), (e: unknown) => {
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
