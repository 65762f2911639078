import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SampleRow } from '../../../lib/loadruns/samples';
import { mapLimited } from '../../../lib/map-limited';
import { seriesDeltas } from '../../../lib/datasources/prometheus/scrape-deltas';
import {
  axisExtent,
  blockHitRates,
  byQuality,
  formatQuality,
  binCountsByKind,
  correlationWords,
  distribution,
  niceStep,
  pearson,
  pickRequests,
  prefixCacheInfo,
  qualityNote,
  promptKindOf,
  qualityOf,
  ranks,
  signalAxis,
  spearman,
  summarizeSignal,
  type QualityRequest,
} from '../../../lib/runs/quality';
import { PRESETS } from '../../../lib/targets/presets';
import { planRequest } from '../../../lib/loadgen/prompt';

const row = (index: number, priority: 'P0' | 'P1', ok = true): SampleRow => ({
  index,
  priority,
  traceId: index.toString(16).padStart(32, '0'),
  startMs: index,
  ok,
  ttftMs: 1,
  e2eMs: 10,
  tpotMs: 1,
  promptTokens: 8,
  outputTokens: 4,
});

test('qualityOf reads the sandbox attributes; KV reuse is reused / (reused + computed); missing or non-numeric ones are left out', () => {
  assert.deepEqual(
    qualityOf({
      'trisight.prompt.entropy_bits': 3.5,
      'trisight.output.perplexity': 12,
      'trisight.output.perplexity_window_std_max': 4.25,
      'trisight.kv_cache.blocks_reused': 3,
      'trisight.kv_cache.blocks_computed': 1,
    }),
    { entropy: 3.5, perplexity: 12, perplexity_std: 4.25, kv_reuse: 0.75 },
  );
  // A short output has no window std; a prompt under one block has no blocks.
  assert.deepEqual(qualityOf({ 'trisight.prompt.entropy_bits': 0, 'trisight.kv_cache.blocks_reused': 0, 'trisight.kv_cache.blocks_computed': 0 }), { entropy: 0 });
  assert.deepEqual(qualityOf({ 'trisight.output.perplexity': '12', 'trisight.prompt.entropy_bits': NaN, 'http.route': '/v1/completions' }), {});
});

test('pickRequests: successful requests only, P0 first, each priority spread over the run, at most the cap, in run order', () => {
  const rows = [...Array.from({ length: 100 }, (_, i) => row(i, i % 10 === 0 ? 'P0' : 'P1')), row(100, 'P0', false)];
  assert.equal(pickRequests(rows, 1000).length, 100, 'all successful ones under the cap');
  const picked = pickRequests(rows, 30);
  assert.equal(picked.length, 30);
  assert.equal(picked.filter((r) => r.priority === 'P0').length, 10, 'every P0 request (always traced) is read');
  assert.ok(!picked.some((r) => r.index === 100), 'not the failed one');
  const p1 = picked.filter((r) => r.priority === 'P1').map((r) => r.index);
  assert.ok(p1[0] < 10 && p1[p1.length - 1] > 85, `P1 requests spread from the start to the end: ${p1.join(',')}`);
  assert.deepEqual(picked.map((r) => r.index), [...picked.map((r) => r.index)].sort((a, b) => a - b));
  assert.equal(new Set(picked.map((r) => r.index)).size, 30, 'no request twice');
  // More P0 requests than the cap: P0 only, spread.
  const allP0 = pickRequests(Array.from({ length: 1000 }, (_, i) => row(i, 'P0')), 500);
  assert.equal(allP0.length, 500);
  assert.equal(allP0[1].index - allP0[0].index, 2);
});

test('promptKindOf is the kind the load generator drew for that request', () => {
  const params = { seed: 11, promptLength: { mode: 'range' as const, min: 8, max: 32 }, p0Fraction: 0.5, promptMix: { natural: 40, repeated: 30, random: 30 } };
  const kinds = Array.from({ length: 200 }, (_, i) => promptKindOf(params, i));
  for (const [i, k] of kinds.entries()) assert.equal(k, planRequest(params, i).kind);
  assert.deepEqual(new Set(kinds), new Set(['natural', 'repeated', 'random']));
});

test('niceStep: 1, 2 or 5 × 10^k', () => {
  assert.equal(niceStep(8, 20), 0.5);
  assert.equal(niceStep(100, 20), 5);
  assert.equal(niceStep(1, 20), 0.05);
  assert.equal(niceStep(30, 20), 2);
  assert.equal(niceStep(0, 20), 1);
});

test('distribution: round, equal bins from below the smallest to past the largest; every value counted once', () => {
  const bins = distribution([0.1, 0.2, 3.9, 4, 7.95]);
  assert.equal(bins[0].lower, 0);
  assert.equal(bins[0].upper, 0.5);
  assert.ok(bins.every((b, i) => i === 0 || b.lower === bins[i - 1].upper), 'contiguous');
  assert.equal(bins.at(-1)!.upper, 8);
  assert.equal(bins.reduce((a, b) => a + b.count, 0), 5);
  assert.equal(bins[0].count, 2);
  assert.equal(bins.find((b) => b.lower === 3.5)!.count, 1, '3.9 in [3.5, 4)');
  assert.equal(bins.find((b) => b.lower === 4)!.count, 1, '4 in [4, 4.5): lower bounds are inclusive');
  assert.equal(bins.find((b) => b.lower === 0.1), undefined);
  // One distinct value: one bin holding it.
  const one = distribution([5, 5, 5]);
  assert.equal(one.length, 1);
  assert.ok(one[0].lower <= 5 && one[0].upper > 5);
  assert.equal(one[0].count, 3);
  assert.deepEqual(distribution([]), []);
  // Float steps stay readable.
  assert.ok(distribution([0, 0.3, 0.7]).every((b) => String(b.lower).length <= 5), JSON.stringify(distribution([0, 0.3, 0.7])));
});

test('ranks: ties share their average rank', () => {
  assert.deepEqual(ranks([10, 30, 20, 20]), [1, 4, 2.5, 2.5]);
});

test('pearson and spearman against hand-computed cases', () => {
  assert.equal(pearson([1, 2, 3], [2, 4, 6]), 1);
  assert.equal(pearson([1, 2, 3], [6, 4, 2]), -1);
  // x = 1..4, y = 1,3,2,4: Σdxdy = 4, Σdx² = Σdy² = 5 → 0.8
  assert.ok(Math.abs(pearson([1, 2, 3, 4], [1, 3, 2, 4])! - 0.8) < 1e-12);
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), null, 'constant: undefined');
  assert.equal(pearson([1, 2], [1, 2]), null, 'under 3 points');
  // Monotone but not linear: Spearman 1, Pearson below it.
  const x = [1, 2, 3, 4, 5];
  const y = x.map((v) => Math.exp(v * 2));
  assert.equal(spearman(x, y), 1);
  assert.ok(pearson(x, y)! < 0.95);
  // Spearman with one swap among 5: 1 − 6·Σd²/(n(n²−1)) = 1 − 6·2/120 = 0.9
  assert.ok(Math.abs(spearman([1, 2, 3, 4, 5], [1, 2, 4, 3, 5])! - 0.9) < 1e-12);
});

test('summarizeSignal: points of the requests that carry the signal, percentiles, correlation with E2E and medians per prompt kind', () => {
  const req = (i: number, kind: 'natural' | 'random', entropy: number | undefined, e2eMs: number): QualityRequest => ({
    traceId: String(i).padStart(32, '0'),
    e2eMs,
    kind,
    values: entropy === undefined ? {} : { entropy },
  });
  const requests = [req(1, 'natural', 4, 100), req(2, 'natural', 4.2, 120), req(3, 'random', 7.5, 300), req(4, 'random', 7.7, 310), req(5, 'natural', undefined, 50)];
  const s = summarizeSignal('entropy', requests);
  assert.equal(s.count, 4);
  assert.deepEqual(
    s.points.map((p) => [p.traceId.slice(-1), p.value, p.e2eMs, p.kind]),
    [
      ['1', 4, 100, 'natural'],
      ['2', 4.2, 120, 'natural'],
      ['3', 7.5, 300, 'random'],
      ['4', 7.7, 310, 'random'],
    ],
  );
  assert.equal(s.percentiles!.p50, 5.85);
  assert.equal(s.correlation, 1);
  assert.deepEqual(s.byKind, [
    { kind: 'natural', count: 2, median: 4.1 },
    { kind: 'random', count: 2, median: 7.6 },
  ]);
  assert.equal(s.distribution.reduce((a, b) => a + b.count, 0), 4);
  // A signal no span carries: nothing, and no figure made up.
  const none = summarizeSignal('perplexity', requests);
  assert.deepEqual([none.count, none.percentiles, none.correlation, none.points.length, none.distribution.length], [0, null, null, 0, 0]);
  // One kind only: no per-kind split.
  assert.deepEqual(summarizeSignal('entropy', requests.filter((r) => r.kind === 'natural')).byKind, []);
});

test('correlationWords', () => {
  assert.equal(correlationWords(0.05), 'no correlation');
  assert.equal(correlationWords(0.25), 'weak positive correlation');
  assert.equal(correlationWords(-0.45), 'moderate negative correlation');
  assert.equal(correlationWords(0.9), 'strong positive correlation');
});

test('mapLimited: input order, never more than the limit in flight, stops starting calls once aborted', async () => {
  let inFlight = 0;
  let most = 0;
  const out = await mapLimited(Array.from({ length: 40 }, (_, i) => i), 8, async (x) => {
    inFlight++;
    most = Math.max(most, inFlight);
    await new Promise((r) => setImmediate(r));
    inFlight--;
    return x * 2;
  });
  assert.deepEqual(out, Array.from({ length: 40 }, (_, i) => i * 2));
  assert.equal(most, 8);
  const ac = new AbortController();
  let started = 0;
  await assert.rejects(
    mapLimited(Array.from({ length: 40 }, (_, i) => i), 4, async () => {
      if (++started === 6) ac.abort();
      await new Promise((r) => setImmediate(r));
    }, ac.signal),
    { name: 'AbortError' },
  );
  assert.ok(started < 12, `stopped after ${started} calls`);
});

test('qualityNote says why the panel is empty and what to do, or how many requests were read', () => {
  const vllm = { target: 'vllm', traceStore: 'Tempo', builtin: false };
  const sandbox = { target: 'sandbox', traceStore: 'embedded', builtin: true };
  assert.match(qualityNote({ ok: 0, read: 0, stored: 0, withSignals: 0 }, vllm)!, /No request of this run succeeded/);
  assert.match(qualityNote({ ok: 10, read: 10, stored: 0, withSignals: 0 }, vllm)!, /The request spans of "vllm" are not in this trace store \(Tempo\).*The bundled sandbox records them/);
  assert.match(qualityNote({ ok: 10, read: 10, stored: 0, withSignals: 0 }, sandbox)!, /sampled out.*raise the P0 share/);
  assert.match(qualityNote({ ok: 10, read: 10, stored: 10, withSignals: 0 }, vllm)!, /"vllm" doesn't record quality attributes.*the bundled sandbox does/);
  assert.equal(qualityNote({ ok: 600, read: 500, stored: 480, withSignals: 480 }, sandbox), "500 of the run's 600 successful requests were read (P0 first, spread over the run; at most 500).");
  assert.equal(qualityNote({ ok: 10, read: 10, stored: 9, withSignals: 9 }, sandbox), undefined);
});

test('axisExtent: round bounds around the values; from zero for latency; a single value gets room', () => {
  assert.deepEqual(axisExtent([0.3, 7.6]), { min: 0, max: 8 });
  assert.deepEqual(axisExtent([120, 480], true), { min: 0, max: 500 });
  assert.deepEqual(axisExtent([5, 5]), { min: 4.4, max: 5.6 });
  assert.deepEqual(axisExtent([]), { min: 0, max: 1 });
  // A share is drawn on 0–100 % whatever its values (all 0 would otherwise span −100 % to 100 %).
  assert.deepEqual(signalAxis('kv_reuse', [0, 0]), { min: 0, max: 1 });
  assert.deepEqual(signalAxis('entropy', [0.3, 7.6]), { min: 0, max: 8 });
});

test('binCountsByKind splits the distribution by prompt kind, with the same bins and totals', () => {
  const pt = (value: number, kind: 'natural' | 'random' | null) => ({ traceId: 'x', value, e2eMs: 1, kind });
  const points = [pt(0.1, 'natural'), pt(0.6, 'natural'), pt(7.9, 'random'), pt(8, 'random'), pt(0.2, null)];
  const bins = distribution(points.map((p) => p.value));
  const byKind = binCountsByKind(points, bins);
  assert.deepEqual([...byKind.keys()], ['natural', 'random', 'unknown']);
  const sum = bins.map((_, i) => [...byKind.values()].reduce((a, c) => a + c[i], 0));
  assert.deepEqual(sum, bins.map((b) => b.count));
  assert.deepEqual(byKind.get('random')!.slice(-2), [1, 1], '7.9 in [7.5, 8), 8 in [8, 8.5)');
});

test('prefixCacheInfo names the server’s hit-rate metric over the run’s window, or says it exports none', () => {
  const sandbox = prefixCacheInfo(PRESETS.semconv, 12.3, 'trisight-tiny');
  assert.equal(sandbox.server, 'OpenTelemetry GenAI semconv');
  assert.match(sandbox.note, /per block \(tokens\)/);
  assert.equal(
    sandbox.query,
    // The per-block counters carry no model label.
    'sum by (block) (increase(sandbox_kv_cache_block_hits_tokens_total[13s])) / sum by (block) (increase(sandbox_kv_cache_block_lookups_tokens_total[13s]))',
  );
  assert.equal(
    prefixCacheInfo(PRESETS.vllm, 60, 'org/llama').query,
    'sum (increase(vllm:prefix_cache_hits_total{model_name="org/llama"}[60s])) / sum (increase(vllm:prefix_cache_queries_total{model_name="org/llama"}[60s]))',
  );
  assert.match(prefixCacheInfo(PRESETS.sglang, 60, null).note, /gauge \(sglang:cache_hit_rate\)/);
  const tgi = prefixCacheInfo(PRESETS.tgi, 60, null);
  assert.equal(tgi.query, null);
  assert.match(tgi.note, /^Text Generation Inference does not export a prefix-cache hit rate/);
});

test('byQuality: highest first, rows without the signal last in their order; formatQuality', () => {
  const r = (id: string, quality: Record<string, number>) => ({ id, quality });
  const rows = [r('a', {}), r('b', { entropy: 2 }), r('c', { entropy: 7 }), r('d', {}), r('e', { entropy: 4 })];
  assert.deepEqual(byQuality(rows, 'entropy').map((x) => x.id), ['c', 'e', 'b', 'a', 'd']);
  assert.deepEqual(rows.map((x) => x.id), ['a', 'b', 'c', 'd', 'e'], 'not sorted in place');
  assert.equal(formatQuality('entropy', 3.456), '3.46 bits');
  assert.equal(formatQuality('kv_reuse', 0.754), '75 %');
  assert.equal(formatQuality('perplexity', 12.345), '12.3');
  assert.equal(formatQuality('perplexity_std', 312.7), '313');
});

test('blockHitRates: per block, hits over lookups of the same counters, in numeric block order; summed over other labels; a block without lookups and a series without the label are left out', () => {
  const g = (labels: Record<string, string>, value: number) => ({ labels, value });
  const lookups = [g({ block: '10' }, 40), g({ block: '2' }, 30), g({ block: '2', instance: 'b' }, 10), g({ block: '3' }, 0), g({}, 99), g({ block: '0' }, 16)];
  const hits = [g({ block: '10' }, 10), g({ block: '2' }, 12), g({ block: '2', instance: 'b' }, 4), g({ block: '3' }, 0), g({ block: '0' }, 16)];
  assert.deepEqual(blockHitRates(hits, lookups, 'block'), [
    { block: '0', lookups: 16, hits: 16, hitRate: 1 },
    { block: '2', lookups: 40, hits: 16, hitRate: 0.4 },
    { block: '10', lookups: 40, hits: 10, hitRate: 0.25 },
  ]);
  // A block whose hits series has not appeared yet reused nothing.
  assert.deepEqual(blockHitRates([], [g({ block: '1' }, 8)], 'block'), [{ block: '1', lookups: 8, hits: 0, hitRate: 0 }]);
  assert.deepEqual(blockHitRates([], [], 'block'), []);
});

test('blockHitRates over seriesDeltas: series born during the run count from zero, each rate is hits over lookups of the same requests', () => {
  // Two blocks scraped every 2 s, the run between the scrapes at 1000 and 7000; both hits and
  // lookups series appear at the run's first request (no zero sample before it).
  const scrapes = [3000, 5000, 7000];
  const series = (name: string, block: string, values: number[]) => ({ labels: { __name__: name, block }, values: scrapes.map((t, i): [number, number] => [t, values[i]]) });
  const lookups = [series('lookups', '0', [32, 64, 96]), series('lookups', '1', [32, 64, 96])];
  const hits = [series('hits', '0', [0, 31, 62]), series('hits', '1', [0, 8, 16])];
  const rates = blockHitRates(seriesDeltas(hits, 1000, 7000), seriesDeltas(lookups, 1000, 7000), 'block');
  assert.deepEqual(
    rates.map((r) => [r.block, r.hits, r.lookups]),
    [
      ['0', 62, 96],
      ['1', 16, 96],
    ],
  );
  assert.ok(rates.every((r) => r.hitRate >= 0 && r.hitRate <= 1));
});
