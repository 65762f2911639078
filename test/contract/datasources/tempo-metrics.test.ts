import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TempoClient } from '../../../lib/datasources/tempo/client';
import { droppedWindowsNote, TempoSliError, tempoEventCounts } from '../../../lib/slo/trace-tempo';
import { errorRatiosFromCounts } from '../../../lib/slo/trace-metrics';
import { fixture, startFixtureServer, type FixtureServer } from '../../helpers/fixture-server';
import { isSlowQuery, rangeNs, SLO_WINDOW_RATIOS, tempoSloRoutes } from '../../helpers/tempo-metrics';

// The Tempo client's instant TraceQL metrics query (GET /api/metrics/query) and
// the trace-based SLI counted with it, over real HTTP against test/fixtures/tempo.
// No recorded /api/metrics/query response exists in Tempo's, Grafana's or
// Traces Drilldown's repositories: the *.constructed.* files are written from
// Tempo's proto and JSON encoding (test/fixtures/README.md says how); the
// "empty ring" body is real Tempo text quoted in issue threads.

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const WINDOWS = { '5m': 300_000, '1h': H, '6h': 6 * H, '1d': D, '3d': 3 * D, period: 30 * D };
const SLI = { kind: 'trace' as const, filter: '{ resource.service.name = "trisight-sandbox" && kind = server }', thresholdMs: 2000 };

const servers: FixtureServer[] = [];
async function tempoAt(routes: Parameters<typeof startFixtureServer>[0]) {
  const srv = await startFixtureServer(routes);
  servers.push(srv);
  return { srv, client: new TempoClient({ baseUrl: srv.url, tenant: 'tenant-1', timeoutMs: 5_000 }) };
}
after(() => Promise.all(servers.map((s) => s.stop())));

describe('tempo instant metrics query', () => {
  let srv: FixtureServer;
  let tempo: TempoClient;
  before(async () => {
    ({ srv, client: tempo } = await tempoAt([
      { path: '/api/metrics/query', query: (q) => q.get('q') === 'empty', file: 'tempo/metrics-query.empty.constructed.json' },
      { path: '/api/metrics/query', query: (q) => q.get('q') === 'partial', file: 'tempo/metrics-query.partial.constructed.json' },
      { path: '/api/metrics/query', query: (q) => q.get('q') === 'no generators', status: 500, file: 'tempo/metrics-query.error.empty-ring.txt' },
      { path: '/api/metrics/query', query: (q) => q.get('q') === '{ bad', status: 400, body: 'invalid TraceQL query: parse error at line 1, col 3: syntax error' },
      { path: '/api/metrics/query', file: 'tempo/metrics-query.count-by-probability.constructed.json' },
    ]));
  });

  test('groups with their typed labels; the range goes as nanoseconds, closed at both ends, one ns short of the end', async () => {
    const r = await tempo.metricsQuery('{ kind = server } | count_over_time() by (span.trisight.sampling.probability)', { from: NOW - 300_000, to: NOW });
    assert.ok(r.supported);
    assert.equal(r.partial, undefined);
    assert.deepEqual(
      r.series.map((s) => [s.attributes['span.trisight.sampling.probability'], s.labels['span.trisight.sampling.probability'], s.value]),
      [
        [1, '1', 3],
        [0.25, '0.25', 1],
        ['nil', 'nil', 1],
      ],
    );
    const q = srv.last('/api/metrics/query').query;
    assert.equal(q.get('q'), '{ kind = server } | count_over_time() by (span.trisight.sampling.probability)');
    assert.equal(q.get('start'), `${BigInt(NOW - 300_000) * 1_000_000n}`);
    assert.equal(q.get('end'), `${BigInt(NOW) * 1_000_000n - 1n}`);
    assert.equal(srv.last('/api/metrics/query').headers['x-scope-orgid'], 'tenant-1');
  });

  test('no match: proto3 JSON leaves the series out; PARTIAL comes back with Tempo’s message', async () => {
    const empty = await tempo.metricsQuery('empty', { from: 0, to: 60_000 });
    assert.deepEqual(empty, { supported: true, series: [] });
    const partial = await tempo.metricsQuery('partial', { from: 0, to: 60_000 });
    assert.ok(partial.supported);
    assert.match(partial.partial ?? '', /exceeds maximum series limit of 1000/);
  });

  test('a Tempo without generators (500 "empty ring") is "not supported", a wrong query is an error', async () => {
    const r = await tempo.metricsQuery('no generators', { from: 0, to: 60_000 });
    assert.equal(r.supported, false);
    assert.ok(!r.supported && r.status === 500 && /empty ring/.test(r.reason));
    await assert.rejects(tempo.metricsQuery('{ bad', { from: 0, to: 60_000 }), (e: Error & { status?: number }) => e.status === 400 && /parse error/.test(e.message));
  });
});

describe('trace-based SLI counted by Tempo', () => {
  test('every window from whole 24 h ranges, each queried once, weighted by 1 ÷ sampling probability', async () => {
    const { srv, client } = await tempoAt(tempoSloRoutes());
    const r = await tempoEventCounts(client, SLI, WINDOWS, NOW);
    assert.deepEqual(r.dropped, []);
    assert.equal(r.maxRangeMs, D);
    // 8 weighted spans per range; the 4 slow ones in the last 5 minutes only.
    assert.deepEqual(r.counts['5m'], { total: 8, bad: 4 });
    assert.deepEqual(r.counts.period, { total: 264, bad: 4 });
    const ratios = errorRatiosFromCounts(r.counts);
    for (const [w, expected] of Object.entries(SLO_WINDOW_RATIOS)) assert.ok(Math.abs((ratios[w] ?? Number.NaN) - expected) < 1e-12, `${w}: ${ratios[w]} ≠ ${expected}`);
    // 33 ranges × (all, slow); the ranges meet without a gap or an overlap and none is longer than Tempo's 24 h.
    const sent = srv.requests.filter((x) => x.path === '/api/metrics/query');
    assert.equal(sent.length, 66);
    assert.equal(r.queries, 66);
    const totals = sent.filter((x) => !isSlowQuery(x.query)).map((x) => [BigInt(x.query.get('start')!), BigInt(x.query.get('end')!)] as const);
    totals.sort((a, b) => (a[0] < b[0] ? -1 : 1));
    assert.equal(totals[0][0], BigInt(NOW - 30 * D) * 1_000_000n);
    assert.equal(totals.at(-1)![1], BigInt(NOW) * 1_000_000n - 1n);
    for (let i = 1; i < totals.length; i++) assert.equal(totals[i][0], totals[i - 1][1] + 1n, `range ${i} starts where ${i - 1} ended`);
    assert.ok(sent.every((x) => rangeNs(x.query) <= BigInt(D) * 1_000_000n));
    assert.ok(sent.every((x) => x.query.get('q')!.endsWith('| count_over_time() by (span.trisight.sampling.probability)')));
  });

  test('a Tempo limited to 3 h ranges: cut again with its limit; the period would take too many queries and is named', async () => {
    const limit = fixture('tempo/metrics-query.error.max-duration.constructed.txt').toString();
    const { srv, client } = await tempoAt([{ path: '/api/metrics/query', query: (q) => rangeNs(q) > 3n * 3_600_000_000_000n, status: 400, body: limit }, ...tempoSloRoutes()]);
    const r = await tempoEventCounts(client, SLI, WINDOWS, NOW);
    assert.equal(r.maxRangeMs, 3 * H);
    assert.deepEqual(r.dropped, ['period']);
    assert.equal(r.counts.period, undefined);
    // 3d = 26 ranges of at most 3 h, 8 spans each; the slow 4 in the last 5 minutes.
    assert.deepEqual(r.counts['3d'], { total: 208, bad: 4 });
    assert.match(droppedWindowsNote(r), /at most 3 hours \(query_frontend\.metrics\.max_duration\), so the period window would need more than 64 queries/);
    // Learned: a second evaluation goes straight to 3 h ranges, no refusal.
    const before = srv.requests.length;
    await tempoEventCounts(client, SLI, WINDOWS, NOW);
    assert.ok(srv.requests.slice(before).every((x) => rangeNs(x.query) <= 3n * 3_600_000_000_000n));
  });

  test('no generators / local-blocks: the failure names Tempo, quotes it and gives the fix', async () => {
    const { client } = await tempoAt([{ path: '/api/metrics/query', status: 500, file: 'tempo/metrics-query.error.empty-ring.txt' }]);
    await assert.rejects(tempoEventCounts(client, SLI, WINDOWS, NOW), (e: unknown) => {
      assert.ok(e instanceof TempoSliError);
      assert.equal(e.kind, 'unsupported');
      assert.match(e.message, /^Tempo \(TEMPO_URL\) cannot run TraceQL metrics queries: it answered 500: error finding generators in Querier\.queryRangeRecent: empty ring/);
      assert.match(e.message, /local-blocks processor/);
      return true;
    });
  });

  test('a filter Tempo refuses names the field; a partial answer is not shown as a count', async () => {
    const bad = await tempoAt([{ path: '/api/metrics/query', status: 400, body: 'invalid TraceQL query: parse error at line 1, col 12: syntax error: unexpected $end' }]);
    await assert.rejects(tempoEventCounts(bad.client, SLI, WINDOWS, NOW), (e: unknown) => e instanceof TempoSliError && e.kind === 'query' && /sli\.filter/.test(e.message) && /unexpected \$end/.test(e.message));
    const partial = await tempoAt([{ path: '/api/metrics/query', file: 'tempo/metrics-query.partial.constructed.json' }]);
    await assert.rejects(tempoEventCounts(partial.client, SLI, WINDOWS, NOW), (e: unknown) => e instanceof TempoSliError && e.kind === 'partial' && /maximum series limit/.test(e.message));
  });

  test('nothing listening at TEMPO_URL: said without the address', async () => {
    const { srv, client } = await tempoAt([]);
    await srv.stop();
    await assert.rejects(tempoEventCounts(client, SLI, { '5m': 300_000 }, NOW), (e: unknown) => e instanceof TempoSliError && e.kind === 'unreachable' && !e.message.includes('127.0.0.1'));
  });
});
