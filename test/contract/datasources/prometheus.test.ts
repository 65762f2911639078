import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PrometheusClient } from '../../../lib/datasources/prometheus/client';
import { BackendError } from '../../../lib/model/types';
import { startFixtureServer, type FixtureServer } from '../../helpers/fixture-server';

// The recorded Prometheus responses in test/fixtures/prometheus, replayed over
// real HTTP to the real client. Prometheus itself is tested for real in
// test/integration/datasources/prometheus-client.test.ts; the error bodies below
// are built from the API docs' error contract ({status, errorType, error}) because
// no recording of one exists.

let srv: FixtureServer;
let client: PrometheusClient;

before(async () => {
  srv = await startFixtureServer([
    { path: '/api/v1/query_range', file: 'prometheus/query_range.matrix.json' },
    { path: '/api/v1/query_exemplars', file: 'prometheus/query_exemplars.json' },
    { path: '/api/v1/labels', file: 'prometheus/labels.json' },
    { path: '/api/v1/label/env/values', file: 'prometheus/label-values.env.json' },
    {
      path: '/api/v1/query',
      status: 400,
      body: { status: 'error', errorType: 'bad_data', error: 'invalid parameter "query": 1:4: parse error: unexpected <op:*>' },
    },
    { path: '/api/v1/series', status: 502, body: '<html>Bad Gateway</html>', contentType: 'text/html' },
    { path: '/api/v1/status/buildinfo', delayMs: 2_000, body: {} },
    // Some proxies answer 200 with an error envelope.
    { path: '/api/v1/metadata', body: { status: 'error', errorType: 'execution', error: 'query processing would load too many samples' } },
  ]);
  client = new PrometheusClient({ baseUrl: srv.url, tenant: 'team-a', timeoutMs: 1_000 });
});
after(() => srv.stop());

describe('prometheus fixtures through the client', () => {
  test('query_range matrix: labels, unix-ms timestamps, string values parsed', async () => {
    const range = { from: 1435781430_000, to: 1435781460_000 };
    const r = await client.queryRange('up', range, { step: 15 });
    assert.equal(r.series.length, 2);
    assert.deepEqual(r.series[0].labels, { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' });
    assert.deepEqual(r.series[0].values[0], [1435781430781, 1]);
    assert.deepEqual(r.series[1].values.map((v) => v[1]), [0, 0, 1]);
    const req = srv.last('/api/v1/query_range');
    assert.equal(req.method, 'POST');
    assert.equal(req.headers['x-scope-orgid'], 'team-a');
    const form = new URLSearchParams(req.body.toString());
    assert.equal(form.get('query'), 'up');
    assert.equal(form.get('step'), '15');
    assert.equal(form.get('start'), '1435781430');
    assert.equal(form.get('end'), '1435781460');
  });

  test('query_range without a step chooses one within the 11,000-points limit and aligns start/end', async () => {
    const r = await client.queryRange('up', { from: 0, to: 30 * 86400_000 }, { widthPx: 1200 });
    const form = new URLSearchParams(srv.last('/api/v1/query_range').body.toString());
    assert.equal(Number(form.get('step')), r.step);
    assert.equal(r.step, 3600); // 30 d / 1200 px = 2160 s → nice 1 h
    assert.equal(Number(form.get('start')) % r.step, 0);
    assert.ok((Number(form.get('end')) - Number(form.get('start'))) / r.step <= 11_000);
  });

  test('query_exemplars: flattened with series labels, ms timestamps, numeric values', async () => {
    const ex = await client.queryExemplars('test_exemplar_metric_total', { from: 1600096900_000, to: 1600097000_000 });
    assert.equal(ex.length, 3);
    assert.deepEqual(ex[0], {
      labels: { trace_id: 'EpTxMJ40fUus7aGY' },
      value: 6,
      timestamp: 1600096945479,
      seriesLabels: { __name__: 'test_exemplar_metric_total', instance: 'localhost:8090', job: 'prometheus', service: 'bar' },
    });
    assert.deepEqual(ex.map((e) => e.labels.trace_id), ['EpTxMJ40fUus7aGY', 'Olp9XHlq763ccsfa', 'hCtjygkIHwAN9vs4']);
    assert.equal(ex[2].seriesLabels?.service, 'foo');
    const form = new URLSearchParams(srv.last('/api/v1/query_exemplars').body.toString());
    assert.equal(form.get('start'), '1600096900');
  });

  test('labels and label values, values needing escaping kept verbatim', async () => {
    assert.deepEqual(await client.labels({ match: ['up'] }), ['__name__', 'env', 'instance', 'job', 'state']);
    assert.deepEqual(new URLSearchParams(srv.last('/api/v1/labels').body.toString()).getAll('match[]'), ['up']);
    assert.deepEqual(await client.labelValues('env'), ['demo', '\\x2d', 'quoted"value']);
  });
});

describe('prometheus errors', () => {
  test('error contract {status, errorType, error} → BackendError with the message verbatim', async () => {
    await assert.rejects(client.query('1 +* 2'), (e: unknown) => {
      assert.ok(e instanceof BackendError);
      assert.equal(e.backend, 'prometheus');
      assert.equal(e.status, 400);
      assert.equal(e.errorType, 'bad_data');
      assert.equal(e.message, 'invalid parameter "query": 1:4: parse error: unexpected <op:*>');
      return true;
    });
  });

  test('a non-JSON error page (a proxy) is shown as its text', async () => {
    await assert.rejects(client.series(['up']), (e: unknown) => e instanceof BackendError && e.status === 502 && e.message === '<html>Bad Gateway</html>');
  });

  test('an error envelope in a 200 response is still an error', async () => {
    await assert.rejects(
      client.metadata(),
      (e: unknown) => e instanceof BackendError && e.errorType === 'execution' && e.message === 'query processing would load too many samples',
    );
  });

  test('timeout → BackendError 504 naming prometheus', async () => {
    await assert.rejects(client.buildinfo(), (e: unknown) => e instanceof BackendError && e.status === 504 && /prometheus did not answer within 1000 ms/.test(e.message));
  });

  test("the caller's abort is rethrown as an abort, not a backend error", async () => {
    const ac = new AbortController();
    const p = client.buildinfo({ signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await assert.rejects(p, (e: unknown) => !(e instanceof BackendError) && (e as Error).name === 'AbortError');
  });

  test('unreachable server → BackendError 502 naming the URL', async () => {
    const dead = new PrometheusClient({ baseUrl: 'http://127.0.0.1:1', timeoutMs: 1000 });
    await assert.rejects(dead.labels(), (e: unknown) => e instanceof BackendError && e.status === 502 && e.message.includes('http://127.0.0.1:1'));
  });

  test('no tenant configured → no X-Scope-OrgID header', async () => {
    const plain = new PrometheusClient({ baseUrl: srv.url, timeoutMs: 1000 });
    await plain.labels();
    assert.equal(srv.last('/api/v1/labels').headers['x-scope-orgid'], undefined);
  });
});
