import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../../lib/config';
import { findTarget, latencyMetric, loadTargets, prefixCacheHitRateQuery, PRESET_IDS, PRESETS, tokenSelector, toPublic } from '../../../lib/targets';

test('the sandbox is always a target, at SANDBOX_URL or the local SANDBOX_PORT', () => {
  const [s] = loadTargets(parseConfig({ SANDBOX_PORT: '8123' }));
  assert.equal(s.name, 'sandbox');
  assert.equal(s.url, 'http://127.0.0.1:8123');
  assert.equal(s.preset.id, 'semconv');
  assert.equal(loadTargets(parseConfig({ SANDBOX_URL: 'http://sandbox:8100/' }))[0].url, 'http://sandbox:8100');
});

test('LOAD_TARGETS entries get their preset (vLLM by default)', () => {
  const cfg = parseConfig({ LOAD_TARGETS: 'prod=http://vllm:8000,sg=http://sg:30000|sglang,t=http://tgi:80|tgi' });
  const names = loadTargets(cfg).map((t) => `${t.name}:${t.preset.id}`);
  assert.deepEqual(names, ['sandbox:semconv', 'prod:vllm', 'sg:sglang', 't:tgi']);
  assert.equal(findTarget(cfg, 'prod')?.url, 'http://vllm:8000');
  assert.equal(findTarget(cfg, 'nope'), undefined);
});

test('an unknown preset or a duplicate name is a configuration error naming it', () => {
  assert.throws(() => loadTargets(parseConfig({ LOAD_TARGETS: 'x=http://x:1|triton' })), /target "x" has unknown preset "triton"/);
  assert.throws(() => loadTargets(parseConfig({ LOAD_TARGETS: 'sandbox=http://x:1' })), /"sandbox" is used twice/);
});

test('the public view of a target has no URL', () => {
  const pub = loadTargets(parseConfig({ LOAD_TARGETS: 'prod=http://secret-host:8000' })).map(toPublic);
  assert.ok(!JSON.stringify(pub).includes('secret-host'));
  assert.ok(pub.every((t) => !('url' in t)));
});

test('presets map each latency tab to the names the server exports', () => {
  const table: [string, string, string | null][] = [
    ['vllm', 'e2e', 'vllm:e2e_request_latency_seconds'],
    ['vllm', 'ttft', 'vllm:time_to_first_token_seconds'],
    ['vllm', 'tpot', 'vllm:request_time_per_output_token_seconds'],
    ['vllm', 'queue', 'vllm:request_queue_time_seconds'],
    ['sglang', 'e2e', 'sglang:e2e_request_latency_seconds'],
    ['sglang', 'queue', 'sglang:queue_time_seconds'],
    ['tgi', 'e2e', 'tgi_request_duration'],
    ['tgi', 'ttft', null],
    ['tgi', 'tpot', 'tgi_request_mean_time_per_token_duration'],
    ['semconv', 'e2e', 'gen_ai_server_request_duration_seconds'],
    ['semconv', 'ttft', 'gen_ai_server_time_to_first_token_seconds'],
    ['semconv', 'tpot', 'gen_ai_server_time_per_output_token_seconds'],
    ['semconv', 'queue', 'sandbox_request_queue_time_seconds'],
  ];
  for (const [preset, kind, want] of table) {
    assert.equal(latencyMetric(PRESETS[preset as keyof typeof PRESETS], kind as 'e2e'), want, `${preset} ${kind}`);
  }
  for (const id of PRESET_IDS) assert.equal(PRESETS[id].id, id);
});

test('token selectors pick counters or histogram sums with their matchers', () => {
  assert.equal(tokenSelector(PRESETS.vllm.promptTokens!), 'vllm:prompt_tokens_total');
  assert.equal(tokenSelector(PRESETS.tgi.generationTokens!), 'tgi_request_generated_tokens_sum');
  assert.equal(tokenSelector(PRESETS.semconv.promptTokens!), 'gen_ai_server_tokens_total{gen_ai_token_type="input"}');
  assert.equal(PRESETS.semconv.acceptsPriority, true);
  assert.equal(PRESETS.vllm.acceptsPriority, false);
});

test('each figure lists the current name first, then older ones; the single fields are the first of each', async () => {
  const { LATENCY_FIGURES, pickFigure } = await import('../../../lib/targets');
  for (const id of PRESET_IDS) {
    const p = PRESETS[id];
    for (const kind of ['e2e', 'ttft', 'tpot', 'queue'] as const) assert.equal(latencyMetric(p, kind), p.latency[kind][0] ?? null, `${id} ${kind}`);
    for (const f of LATENCY_FIGURES) assert.equal(new Set(p.latency[f]).size, p.latency[f].length, `${id} ${f}: no name twice`);
  }
  // vLLM: the deprecated per-token name is the last resort, after the current one.
  assert.deepEqual(PRESETS.vllm.latency.itl, ['vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds']);
  const known = (...names: string[]) => new Set(names);
  assert.equal(pickFigure(PRESETS.vllm, 'tpot', known('vllm:request_time_per_output_token_seconds', 'vllm:time_per_output_token_seconds')).metric, 'vllm:request_time_per_output_token_seconds');
  const old = pickFigure(PRESETS.vllm, 'itl', known('vllm:time_per_output_token_seconds'));
  assert.equal(old.metric, 'vllm:time_per_output_token_seconds');
  assert.equal(old.note, 'Using vllm:time_per_output_token_seconds: vllm:inter_token_latency_seconds is not exported by this server.');
  assert.match(pickFigure(PRESETS.vllm, 'prefill', known()).note, /None of vllm:request_prefill_time_seconds is in Prometheus/);
  assert.match(pickFigure(PRESETS.tgi, 'ttft', known()).note, /Text Generation Inference exports no time to first token histogram/);
});

test('prefix-cache hit rate: per block for the sandbox, vLLM counters, the SGLang gauge, none from TGI', () => {
  assert.equal(
    prefixCacheHitRateQuery(PRESETS.semconv, '30s'),
    'sum by (block) (increase(sandbox_kv_cache_block_hits_tokens_total[30s])) / sum by (block) (increase(sandbox_kv_cache_block_lookups_tokens_total[30s]))',
  );
  assert.equal(
    prefixCacheHitRateQuery(PRESETS.vllm, '5m', { model_name: 'org/llama' }),
    'sum (increase(vllm:prefix_cache_hits_total{model_name="org/llama"}[5m])) / sum (increase(vllm:prefix_cache_queries_total{model_name="org/llama"}[5m]))',
  );
  assert.equal(prefixCacheHitRateQuery(PRESETS.sglang, '5m'), 'avg(avg_over_time(sglang:cache_hit_rate[5m]))');
  assert.equal(prefixCacheHitRateQuery(PRESETS.tgi, '5m'), null);
  assert.equal(PRESETS.tgi.prefixCacheHitRate.kind === 'none' && PRESETS.tgi.prefixCacheHitRate.why, 'Text Generation Inference does not export a prefix-cache hit rate.');
});
