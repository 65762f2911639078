import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PrometheusClient } from '../../../lib/datasources/prometheus/client';
import { classicHistograms, histogramQuantile, parseLe } from '../../../lib/model/histogram';
import { startSandbox, type Sandbox } from '../../../workers/sandbox/serve/index';
import { startPrometheus, type PrometheusHandle } from '../../helpers/prometheus';
import { startSinks, type Sinks } from '../../helpers/telemetry-sinks';
import { until } from '../../helpers/until';

// The Prometheus client against a real Prometheus scraping the real sandbox
// (OpenMetrics with exemplars): the test fires a known load and checks request
// counts, token totals and exemplar trace ids against what it generated.

const REQ = 'gen_ai_server_request_duration_seconds';
const N = 10;

let sinks: Sinks;
let sb: Sandbox;
let prom: PrometheusHandle;
let client: PrometheusClient;
const traceIds = new Set<string>();
let promptTokens = 0;
let completionTokens = 0;
const startedAt = Date.now();


const scalar = async (expr: string) => {
  const r = await client.query(expr);
  return r.resultType === 'vector' ? r.samples[0]?.value : undefined;
};

before(async () => {
  sinks = await startSinks();
  // P0 requests are always traced, so every request's exemplar carries its trace id.
  sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 4, telemetry: { otlpEndpoint: sinks.url, exportDelayMs: 100 } });
  prom = await startPrometheus({ scrapeTargets: [new URL(sb.url).host], scrapeInterval: '1s' });
  client = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 5_000 });
  await Promise.all(
    Array.from({ length: N }, async (_, i) => {
      const r = await fetch(`${sb.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: sb.model, prompt: `request number ${i} `.repeat(1 + (i % 3)), max_tokens: 4 + i, temperature: 0, ignore_eos: true, priority: 'P0' }),
      });
      const j = (await r.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
      assert.equal(r.status, 200);
      promptTokens += j.usage.prompt_tokens;
      completionTokens += j.usage.completion_tokens;
      // W3C trace-context `traceresponse: 00-<trace id>-<span id>-<flags>`
      const tr = r.headers.get('traceresponse');
      if (tr) traceIds.add(tr.split('-')[1]);
    }),
  );
  await until('Prometheus to scrape all requests', async () => ((await scalar(`sum(${REQ}_count)`)) === N ? true : undefined));
});

after(async () => {
  await prom?.stop();
  await sb?.close();
  await sinks?.close();
});

test('request count and token totals equal the load the test sent', async () => {
  assert.equal(traceIds.size, N, 'every P0 request was traced');
  assert.equal(await scalar(`sum(${REQ}_count)`), N);
  assert.equal(await scalar(`sum(gen_ai_server_tokens_total{gen_ai_token_type="output"})`), completionTokens);
  assert.equal(await scalar(`sum(gen_ai_server_tokens_total{gen_ai_token_type="input"})`), promptTokens);
});

test('request-duration histogram: N observations, our quantiles equal histogram_quantile', async () => {
  const r = await client.query(`sum by (le) (${REQ}_bucket)`);
  assert.equal(r.resultType, 'vector');
  if (r.resultType !== 'vector') return;
  const [h] = classicHistograms(r.samples);
  assert.equal(h.count, N);
  for (const q of [0.5, 0.9, 0.99]) {
    const theirs = await scalar(`histogram_quantile(${q}, sum by (le) (${REQ}_bucket))`);
    assert.ok(Math.abs(histogramQuantile(q, h.buckets) - theirs!) < 1e-9, `q=${q}`);
  }
});

test("exemplars carry the requests' trace ids, each in its value's bucket", async () => {
  const ex = await until('exemplars', async () => {
    const e = await client.queryExemplars(`${REQ}_bucket`, { from: startedAt - 60_000, to: Date.now() + 60_000 });
    return e.length ? e : undefined;
  });
  for (const e of ex) {
    assert.ok(traceIds.has(e.labels.trace_id), `exemplar trace_id ${e.labels.trace_id} is one of our requests`);
    assert.match(e.labels.span_id, /^[0-9a-f]{16}$/);
    assert.ok(e.value <= parseLe(e.seriesLabels!.le), `exemplar ${e.value} within le=${e.seriesLabels!.le}`);
  }
});

test('metadata and series of the sandbox metrics', async () => {
  const md = await client.metadata({ metric: REQ });
  assert.equal(md[REQ]?.[0]?.type, 'histogram');
  const series = await client.series([`${REQ}_count`]);
  assert.ok(series.length >= 1 && series.every((s) => s.gen_ai_request_model === sb.model));
});
