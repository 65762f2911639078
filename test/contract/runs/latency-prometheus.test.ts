// The run page's latency panel with PROMETHEUS_URL set: the target preset's metric
// names and model label reach Prometheus as PromQL over the run's window, over real
// HTTP, and Prometheus's answers come back as the panel's histogram and exemplars.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { RunView } from '../../../lib/loadruns/store';
import { decodeHistogram } from '../../../lib/model/json';
import { latencyPanel } from '../../../lib/runs/panels';

const T0 = Date.UTC(2026, 10, 22, 6, 0, 0);
const KNOWN = new Set(['gen_ai_server_request_duration_seconds', 'vllm:time_to_first_token_seconds', 'vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds']);
const queries: { path: string; query: string; time?: string; start?: string; end?: string }[] = [];
let server: http.Server;

/** A Prometheus HTTP API stand-in: classic histogram buckets, sum, count, and one exemplar. */
function answer(path: string, p: URLSearchParams): unknown {
  const q = p.get('query') ?? '';
  const t = Number(p.get('time'));
  // What the metadata API knows: this vLLM has dropped the per-request TPOT histogram's
  // predecessors except the two per-token names, so TPOT falls back to inter-token latency.
  if (path === '/api/v1/metadata') {
    const m = p.get('metric') ?? '';
    return KNOWN.has(m) ? { [m]: [{ type: 'histogram', help: '', unit: '' }] } : {};
  }
  if (path === '/api/v1/series') return [];
  if (path === '/api/v1/query_exemplars') {
    return [{ seriesLabels: { __name__: 'x_bucket', le: '0.5' }, exemplars: [{ labels: { trace_id: 'ab'.repeat(16) }, value: '0.3', timestamp: (T0 + 1500) / 1000 }] }];
  }
  const vector = (result: { metric: Record<string, string>; v: number }[]) => ({ resultType: 'vector', result: result.map((r) => ({ metric: r.metric, value: [t, String(r.v)] })) });
  if (q.startsWith('sum by (le)')) {
    return vector([
      { metric: { le: '0.1' }, v: 4 },
      { metric: { le: '0.5' }, v: 9 },
      { metric: { le: '+Inf' }, v: 10 },
    ]);
  }
  return vector([{ metric: {}, v: q.includes('_sum') ? 2.5 : 10 }]);
}

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', 'http://x');
      const p = new URLSearchParams(body || u.search);
      queries.push({ path: u.pathname, query: p.get('query') ?? '', time: p.get('time') ?? undefined, start: p.get('start') ?? undefined, end: p.get('end') ?? undefined });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: answer(u.pathname, p) }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // Set before the first config() call, which happens inside latencyPanel.
  process.env.PROMETHEUS_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.LOAD_TARGETS = 'my-vllm=http://127.0.0.1:9/v1|vllm,my-tgi=http://127.0.0.1:9|tgi';
  delete process.env.TEMPO_URL;
  delete process.env.PYROSCOPE_URL;
});

after(() => new Promise<void>((r) => server.close(() => r())));

function run(target: string, model: string | null): RunView {
  return {
    id: '0f0e9a2c-1b7d-4c55-9e61-3f5d2a1b0c9d',
    target,
    params: {} as RunView['params'],
    createdBy: 'local',
    status: 'succeeded',
    error: null,
    model,
    summary: null,
    done: 2,
    failed: 0,
    createdAt: new Date(T0 - 1000).toISOString(),
    startedAt: new Date(T0).toISOString(),
    finishedAt: new Date(T0 + 10_000).toISOString(),
    samples: {
      v: 1, t0: T0, index: [0, 1], priority: ['P0', 'P1'], traceId: ['a'.repeat(32), 'b'.repeat(32)], startOffsetMs: [0, 5], ok: [true, true], errors: {},
      ttftMs: [20, 30], e2eMs: [90, 400], tpotMs: [5, 6], promptTokens: [8, 8], outputTokens: [8, 8],
    },
  };
}

test('sandbox target: semconv request duration of successful requests (error_type="") with the model label, over the padded run window', async () => {
  queries.length = 0;
  const p = await latencyPanel(run('sandbox', 'trisight-tiny'), 'e2e');
  assert.equal(p.source, 'Prometheus');
  assert.deepEqual(p.window, { from: T0 - 2000, to: T0 + 12_000 });
  // The stand-in lists no scrape targets, so the panel falls back to increase() over the window.
  assert.ok(queries.some((q) => q.path === '/api/v1/targets'));
  // (The metadata and series calls that pick the metric's name are checked in the vLLM test.)
  const sent = queries.filter((q) => q.path === '/api/v1/query' || q.path === '/api/v1/query_exemplars').map((q) => q.query).sort();
  // Only successful requests (OTel's error.type empty or absent) count towards the E2E histogram.
  assert.deepEqual(sent, [
    'gen_ai_server_request_duration_seconds_bucket{gen_ai_request_model="trisight-tiny",error_type=""}',
    'sum by (le) (increase(gen_ai_server_request_duration_seconds_bucket{gen_ai_request_model="trisight-tiny",error_type=""}[14s]))',
    'sum(increase(gen_ai_server_request_duration_seconds_count{gen_ai_request_model="trisight-tiny",error_type=""}[14s]))',
    'sum(increase(gen_ai_server_request_duration_seconds_sum{gen_ai_request_model="trisight-tiny",error_type=""}[14s]))',
  ]);
  // Evaluated at the window's end.
  assert.ok(queries.filter((q) => q.path === '/api/v1/query').every((q) => Number(q.time) === (T0 + 12_000) / 1000));
  const h = decodeHistogram(p.histogram!);
  assert.deepEqual(h.buckets.map((b) => [b.upper, b.count]), [[0.1, 4], [0.5, 5], [Infinity, 1]]);
  assert.equal(h.count, 10);
  assert.equal(h.exemplars![0].labels.trace_id, 'ab'.repeat(16));
  assert.deepEqual(p.clientLatenciesMs, [90, 400]);
  assert.equal(p.pending, false);
});

test('a vLLM target gets vLLM names and its model_name label; TGI has no TTFT histogram and says so', async () => {
  queries.length = 0;
  const v = await latencyPanel(run('my-vllm', 'meta-llama/Llama-3.1-8B'), 'ttft');
  assert.ok(queries.some((q) => q.query === 'sum by (le) (increase(vllm:time_to_first_token_seconds_bucket{model_name="meta-llama/Llama-3.1-8B"}[14s]))'), JSON.stringify(queries));
  assert.deepEqual(v.clientLatenciesMs, [20, 30]);
  assert.match(v.note!, /^Using vllm:time_to_first_token_seconds\./);

  // TPOT: the per-request histogram is not exported here, so the current per-token name is read, and the panel says so.
  queries.length = 0;
  const tpot = await latencyPanel(run('my-vllm', 'm'), 'tpot');
  assert.ok(queries.some((q) => q.query.startsWith('sum by (le) (increase(vllm:inter_token_latency_seconds_bucket{model_name="m"}')), JSON.stringify(queries));
  assert.ok(!queries.some((q) => q.query.includes('vllm:time_per_output_token_seconds_bucket')), 'the deprecated name is not read while the current one exists');
  assert.match(tpot.note!, /Using vllm:inter_token_latency_seconds: vllm:request_time_per_output_token_seconds is not exported by this server/);

  queries.length = 0;
  const t = await latencyPanel(run('my-tgi', null), 'ttft');
  assert.equal(t.histogram, null);
  assert.match(t.note!, /Text Generation Inference exports no TTFT histogram/);
  assert.deepEqual(t.clientLatenciesMs, [20, 30]);
  assert.equal(queries.length, 0, 'nothing to ask Prometheus');
});
