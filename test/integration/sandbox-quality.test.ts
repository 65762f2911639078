// Quality signals from the real sandbox: prompts of three kinds (repeated
// tokens, natural text, random bytes) land in separate prompt-entropy buckets,
// each request's span carries its entropy, perplexity and KV reuse, and a real
// Prometheus scraping the sandbox sees a hit rate per transformer block — equal
// for every block by default, and bounded by the block that keeps least when
// SANDBOX_KV_BLOCK_RETAIN says so.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PrometheusClient } from '../../lib/datasources/prometheus/client';
import { sloTemplates } from '../../lib/slo/templates';
import { awaitScrape } from '../../lib/datasources/prometheus/views';
import { readBlockHitRates } from '../../lib/runs/block-hit-rates';
import { PRESETS, prefixCacheHitRateQuery } from '../../lib/targets/presets';
import { tokenEntropyBits } from '../../workers/sandbox/model/quality';
import { encode } from '../../workers/sandbox/model/tokenizer';
import { startSandbox, type Sandbox } from '../../workers/sandbox/serve/index';
import { startPrometheus, type PrometheusHandle } from '../helpers/prometheus';
import { startSinks, type Sinks } from '../helpers/telemetry-sinks';
import { until } from '../helpers/until';

let sinks: Sinks;
let even: Sandbox;
let uneven: Sandbox;
let prom: PrometheusHandle;
let client: PrometheusClient;
let repeatCachedTokens = 0;

const KINDS = {
  repeated: 'a'.repeat(96),
  natural: 'Why was this request slow? The queue was long and the batch was full, so the first token came late. '.slice(0, 96),
  random: Buffer.from(Array.from({ length: 96 }, (_, i) => 33 + ((i * 7919 + 13) % 94))).toString('latin1'),
};

async function complete(sb: Sandbox, prompt: string, maxTokens = 24) {
  const r = await fetch(`${sb.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: sb.model, prompt, max_tokens: maxTokens, temperature: 0.8, seed: 3, ignore_eos: true, priority: 'P0' }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()) as { usage: { prompt_tokens_details: { cached_tokens: number } } };
}


before(async () => {
  sinks = await startSinks();
  even = await startSandbox({ preset: 'tiny', backend: 'cpu', telemetry: { otlpEndpoint: sinks.url, exportDelayMs: 100 } });
  // The tiny preset has 4 blocks; block 3 keeps only the first 32 positions of a cached prompt.
  uneven = await startSandbox({ preset: 'tiny', backend: 'cpu', kvBlockRetain: [Infinity, Infinity, Infinity, 32], telemetry: { metrics: true } });
  prom = await startPrometheus({ scrapeTargets: [new URL(even.url).host, new URL(uneven.url).host], scrapeInterval: '1s' });
  client = new PrometheusClient({ baseUrl: prom.url, timeoutMs: 5_000 });
  for (const sb of [even, uneven]) {
    for (const p of Object.values(KINDS)) await complete(sb, p);
    // The same natural prompt again, a little longer: the prefix cache serves its shared part.
    const again = await complete(sb, `${KINDS.natural}and more`);
    if (sb === even) repeatCachedTokens = again.usage.prompt_tokens_details.cached_tokens;
  }
});

after(async () => {
  await prom?.stop();
  await even?.close();
  await uneven?.close();
  await sinks?.close();
});

test('each request span carries prompt entropy, output perplexity, its window std and KV reuse', async () => {
  const roots = await until('four request spans', async () => {
    const r = sinks.spans.filter((s) => s.attributes['trisight.prompt.entropy_bits'] !== undefined);
    return r.length >= 4 ? r : undefined;
  });
  const byEntropy = roots.map((s) => s.attributes['trisight.prompt.entropy_bits'] as number).sort((a, b) => a - b);
  // Against the same maths on the same tokens (BOS excluded).
  const expected = Object.values(KINDS).map((p) => tokenEntropyBits(encode(p, { bos: true }).subarray(1)));
  for (const e of expected) assert.ok(byEntropy.some((v) => Math.abs(v - e) < 1e-9), `entropy ${e} recorded (${byEntropy})`);
  assert.equal(byEntropy[0], 0, 'one repeated byte: zero bits');
  assert.ok(Math.max(...byEntropy) > 6, 'random bytes: high entropy');
  for (const s of roots) {
    const a = s.attributes;
    assert.ok((a['trisight.output.perplexity'] as number) >= 1, 'perplexity ≥ 1');
    assert.equal(typeof a['trisight.output.perplexity_window_std_max'], 'number', '24 tokens ≥ one 16-token window');
    assert.equal(a['trisight.output.perplexity_window_tokens'], 16);
    assert.equal(a['trisight.kv_cache.block_size_tokens'], 16);
  }
  const reused = roots.filter((s) => (s.attributes['trisight.kv_cache.blocks_reused'] as number) > 0);
  assert.equal(reused.length, 1, 'the repeated natural prompt reused whole KV blocks');
  assert.ok(repeatCachedTokens >= 96, `BOS and the 96 shared bytes were cached (${repeatCachedTokens})`);
  assert.equal(reused[0].attributes['trisight.kv_cache.blocks_reused'], Math.floor(repeatCachedTokens / 16));
});

test('prompt kinds separate in the entropy histogram; a hit rate per block in Prometheus, bounded by the weakest block', async () => {
  const job = (sb: Sandbox) => `instance="${new URL(sb.url).host}"`;
  // Scraped: 4 requests observed per sandbox.
  await until('both sandboxes scraped after the load', async () => {
    const r = await client.query(`sum by (instance) (sandbox_prompt_entropy_bits_count)`);
    return r.resultType === 'vector' && r.samples.length === 2 && r.samples.every((s) => s.value === 4) ? true : undefined;
  });
  const bucket = async (le: string) => {
    const r = await client.query(`sandbox_prompt_entropy_bits_bucket{${job(even)},le="${le}"}`);
    return r.resultType === 'vector' ? r.samples[0]?.value : undefined;
  };
  assert.equal(await bucket('0.5'), 1, 'only the repeated-token prompt is below half a bit');
  assert.equal((await bucket('6')) ?? 0, 3, 'natural text stays below 6 bits');
  assert.equal(await bucket('+Inf'), 4);

  const rates = async (sb: Sandbox) => {
    const r = await client.query(
      `sum by (block) (sandbox_kv_cache_block_hits_tokens_total{${job(sb)}}) / sum by (block) (sandbox_kv_cache_block_lookups_tokens_total{${job(sb)}})`,
    );
    assert.equal(r.resultType, 'vector');
    return Object.fromEntries(r.resultType === 'vector' ? r.samples.map((s) => [s.labels.block, s.value]) : []);
  };
  const e = await rates(even);
  assert.deepEqual(Object.keys(e).sort(), ['0', '1', '2', '3']);
  assert.ok(e['0'] > 0 && new Set(Object.values(e)).size === 1, `every block the same rate by default: ${JSON.stringify(e)}`);
  const u = await rates(uneven);
  assert.ok(u['3'] < u['0'], `block 3 keeps 32 positions and shows a lower rate: ${JSON.stringify(u)}`);
  assert.equal(u['0'], u['1']);
  // The weakest block bounds what was reused: the sandbox's own hit tokens equal block 3's.
  const hits = await client.query(`sandbox_prefix_cache_hits_tokens_total{${job(uneven)}}`);
  const block3 = await client.query(`sandbox_kv_cache_block_hits_tokens_total{${job(uneven)},block="3"}`);
  assert.ok(hits.resultType === 'vector' && block3.resultType === 'vector');
  assert.equal(hits.samples[0].value, block3.samples[0].value);
});

test("the app's queries over these series: the preset's per-block hit rate, and the perplexity-drift SLO template's ratio", async () => {
  // increase() needs the counters to move between two scrapes: the load above ran before the first one.
  for (const sb of [even, uneven]) await complete(sb, `${KINDS.natural}and more again`);
  const instance = (sb: Sandbox) => new URL(sb.url).host;
  // Until both new requests' lookups are in Prometheus (each sandbox scrapes on its own).
  await until(
    'a scrape of each sandbox after its new request',
    async () => {
      const r = await client.query('sum by (instance) (increase(sandbox_kv_cache_block_lookups_tokens_total[10m])) > 0');
      return r.resultType === 'vector' && r.samples.length === 2 ? true : null;
    },
    30_000,
    250,
  );
  const rates = async (sb: Sandbox) => {
    const r = await client.query(prefixCacheHitRateQuery(PRESETS.semconv, '10m', { instance: instance(sb) })!);
    return Object.fromEntries(r.resultType === 'vector' ? r.samples.map((x) => [x.labels.block, x.value]) : []);
  };
  // The new request reuses the cached natural prompt: every block hit; on the uneven sandbox block 3
  // (32 positions kept) least. (Not checked against 100 %: the series start inside the window, and
  // increase() extrapolates each towards zero by its own first value; on long-lived counters that cancels.)
  const e = await rates(even);
  assert.deepEqual(Object.keys(e).sort(), ['0', '1', '2', '3']);
  assert.ok(e['0'] > 0 && new Set(Object.values(e)).size === 1, JSON.stringify(e));
  const u = await rates(uneven);
  assert.ok(u['3'] > 0 && u['3'] < u['0'] && u['0'] === u['1'], JSON.stringify(u));
  const sli = sloTemplates('semconv', 'sandbox').find((t) => t.id === 'perplexity-drift')!.definition!.sli;
  assert.ok(sli.kind === 'ratio' && sli.bad && sli.total, 'a ratio SLI with bad and total queries');
  // Both at one instant: a 10-minute rate moves between two evaluations.
  const time = Date.now();
  const at = async (q: string) => {
    const r = await client.query(q.replaceAll('{{.window}}', '10m'), { time });
    return r.resultType === 'vector' ? r.samples[0]?.value : undefined;
  };
  const total = await at(sli.total);
  const bad = await at(sli.bad);
  assert.ok(total !== undefined && total > 0, `requests per second with a perplexity window std: ${total}`);
  assert.ok(bad !== undefined && bad >= 0 && bad <= total, `bad ${bad} of ${total}`);
});

test("the run page's per-block bars: each block's hits and lookups between the scrapes around a run equal what the sandbox counted, every rate in [0, 1]", async (t) => {
  // A "run" on the uneven sandbox (block 3 keeps 32 positions), with a successful scrape before it.
  assert.equal((await awaitScrape(client, uneven.url, { sinceMs: Date.now() })).status, 'scraped');
  const before = uneven.stats();
  const startMs = Date.now();
  for (const p of [`${KINDS.natural}and then some`, KINDS.random, `${KINDS.random} twice`, `${KINDS.natural}and then some more`]) await complete(uneven, p, 4);
  const endMs = Date.now();
  const after = uneven.stats();
  const h = PRESETS.semconv.prefixCacheHitRate;
  assert.ok(h.kind === 'counters' && h.by === 'block');
  const counters = { ...h, by: h.by };
  // As the run page reads them (lib/runs/panels.ts): pending until Prometheus scrapes after the run.
  const read = await until(
    'the scrape after the run',
    async () => {
      const r = await readBlockHitRates(client, { baseUrl: uneven.url, startMs, endMs, counters });
      assert.notEqual(r.status, 'none', JSON.stringify(r));
      return r.status === 'exact' ? r : undefined;
    },
    30_000,
    250,
  );
  const bars = read.blocks.rates;
  const counted = (key: 'blockHitTokens' | 'blockQueriedTokens') => after[key].map((v, b) => v - before[key][b]);
  assert.deepEqual(
    bars.map((b) => b.lookups),
    counted('blockQueriedTokens'),
    'lookups per block, as the sandbox counted them',
  );
  assert.deepEqual(
    bars.map((b) => b.hits),
    counted('blockHitTokens'),
    'hits per block, as the sandbox counted them',
  );
  assert.deepEqual(
    bars.map((b) => b.block),
    ['0', '1', '2', '3'],
  );
  assert.ok(bars.every((b) => b.hitRate >= 0 && b.hitRate <= 1), JSON.stringify(bars));
  assert.ok(bars[3].hitRate > 0 && bars[3].hitRate < bars[0].hitRate, `block 3 keeps 32 positions: ${JSON.stringify(bars)}`);
  t.diagnostic(`per block (hits / lookups): ${bars.map((b) => `${b.block}: ${b.hits} / ${b.lookups} = ${(b.hitRate * 100).toFixed(1)} %`).join(', ')}`);

  // A server Prometheus scrapes that does not export the counters the preset names: the note names the one looked for.
  const elsewhere = await readBlockHitRates(client, { baseUrl: uneven.url, startMs, endMs, counters: { ...counters, queries: 'vllm:kv_block_lookups_total' } });
  assert.deepEqual(elsewhere, {
    status: 'none',
    note: `Prometheus has no vllm:kv_block_lookups_total series from ${new URL(uneven.url).host}: this server does not export it, so there is no per-block hit rate.`,
  });
  // A server Prometheus does not scrape at all.
  const unscraped = await readBlockHitRates(client, { baseUrl: 'http://127.0.0.1:9', startMs, endMs, counters });
  assert.equal(unscraped.status, 'none');
  assert.match(unscraped.status === 'none' ? unscraped.note : '', /^Prometheus does not scrape 127\.0\.0\.1:9, so the server's own counters are not available\. The per-block hit rate is read only from/);
});
