import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport, formatReport, ItlPool, liveStats, percentile, stat, tpotMs, type RequestSample } from '../../../lib/loadgen/report';

const close = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(actual !== undefined && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);

test('percentile interpolates linearly between closest ranks (numpy default)', () => {
  const cases: [number[], number, number][] = [
    [[1, 2, 3, 4], 50, 2.5],
    [[1, 2, 3, 4], 99, 3.97], // rank 2.97
    [[1, 2, 3, 4], 0, 1],
    [[1, 2, 3, 4], 100, 4],
    [[0, 10], 25, 2.5],
    [[10], 99, 10],
    [[50, 100, 200], 99, 198], // rank 1.98
  ];
  for (const [v, p, want] of cases) close(percentile(v, p), want, `p${p} of ${v}`);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('stat sorts its input and is null for no values', () => {
  assert.deepEqual(stat([3, 1, 2]), { mean: 2, median: 2, p99: 2.98 });
  assert.equal(stat([]), null);
});

test('TPOT excludes the first token and needs at least two', () => {
  assert.equal(tpotMs({ ttftMs: 100, e2eMs: 500, outputTokens: 5 }), 100);
  assert.equal(tpotMs({ ttftMs: 200, e2eMs: 200, outputTokens: 1 }), null);
  assert.equal(tpotMs({ ttftMs: null, e2eMs: 30, outputTokens: 0 }), null);
});

const base = { priority: 'P1' as const, traceId: '0'.repeat(32), startMs: 0 };
// Three completed requests and one failed one, over 2 s; figures worked out by hand below.
const samples: RequestSample[] = [
  { ...base, index: 0, ok: true, ttftMs: 100, e2eMs: 500, itlMs: [100, 100, 100, 100], promptTokens: 10, outputTokens: 5 }, // TPOT 100
  { ...base, index: 1, ok: true, ttftMs: 200, e2eMs: 200, itlMs: [], promptTokens: 20, outputTokens: 1 }, // no TPOT
  { ...base, index: 2, ok: true, ttftMs: 50, e2eMs: 410, itlMs: [50, 100, 210], promptTokens: 30, outputTokens: 4 }, // TPOT 360/3 = 120
  { ...base, index: 3, ok: false, error: 'HTTP 429', ttftMs: null, e2eMs: 30, itlMs: [], promptTokens: 40, outputTokens: 0 },
];

test('the report counts, throughputs and latency figures match hand-worked values', () => {
  const r = buildReport(samples, 2);
  assert.equal(r.completed, 3);
  assert.equal(r.failed, 1);
  assert.equal(r.totalInputTokens, 60); // failed request's 40 not counted
  assert.equal(r.totalOutputTokens, 10);
  close(r.requestThroughput, 1.5, 'req/s');
  close(r.inputThroughput, 30, 'in tok/s');
  close(r.outputThroughput, 5, 'out tok/s');
  close(r.totalTokenThroughput, 35, 'total tok/s');
  // TTFT [50, 100, 200]
  close(r.ttftMs?.mean, 350 / 3, 'ttft mean');
  close(r.ttftMs?.median, 100, 'ttft median');
  close(r.ttftMs?.p99, 198, 'ttft p99');
  // TPOT [100, 120]
  close(r.tpotMs?.mean, 110, 'tpot mean');
  close(r.tpotMs?.median, 110, 'tpot median');
  close(r.tpotMs?.p99, 119.8, 'tpot p99');
  // ITL pooled [50, 100×5, 210]: p99 rank 5.94 → 100 + 0.94·110
  close(r.itlMs?.mean, 760 / 7, 'itl mean');
  close(r.itlMs?.median, 100, 'itl median');
  close(r.itlMs?.p99, 203.4, 'itl p99');
  // E2E [200, 410, 500]
  close(r.e2eMs?.mean, 370, 'e2e mean');
  close(r.e2eMs?.median, 410, 'e2e median');
  close(r.e2eMs?.p99, 498.2, 'e2e p99');
  assert.equal(r.goodput, null);
  assert.equal(r.goodputRatio, null);
});

test('goodput counts completed requests meeting every SLO target', () => {
  const cases: { slo: Parameters<typeof buildReport>[2]; goodput: number; ratio: number }[] = [
    // A meets both; B's TTFT 200 > 150; C's TPOT 120 > 110
    { slo: { ttftMs: 150, tpotMs: 110 }, goodput: 0.5, ratio: 1 / 3 },
    // a one-token request has TPOT 0, so B is good here
    { slo: { tpotMs: 105 }, goodput: 1, ratio: 2 / 3 },
    { slo: { e2eMs: 450 }, goodput: 1, ratio: 2 / 3 },
    { slo: { ttftMs: 10 }, goodput: 0, ratio: 0 },
    { slo: { ttftMs: 1000, tpotMs: 1000, e2eMs: 1000 }, goodput: 1.5, ratio: 1 },
  ];
  for (const c of cases) {
    const r = buildReport(samples, 2, c.slo);
    close(r.goodput ?? undefined, c.goodput, `goodput ${JSON.stringify(c.slo)}`);
    close(r.goodputRatio ?? undefined, c.ratio, `ratio ${JSON.stringify(c.slo)}`);
  }
});

test('a run with no completed request has no latency figures and zero throughput', () => {
  const r = buildReport([samples[3]], 0, { ttftMs: 1 });
  assert.equal(r.completed, 0);
  assert.equal(r.failed, 1);
  assert.equal(r.requestThroughput, 0);
  assert.equal(r.ttftMs, null);
  assert.equal(r.e2eMs, null);
  assert.equal(r.goodput, 0);
});

test('the printed report carries benchmark_serving labels and values', () => {
  const text = formatReport(buildReport(samples, 2, { ttftMs: 150 }));
  assert.match(text, /^Successful requests:\s+3$/m);
  assert.match(text, /^Request throughput \(req\/s\):\s+1\.50$/m);
  assert.match(text, /^Request goodput \(req\/s\):\s+1$/m);
  assert.match(text, /^P99 TTFT \(ms\):\s+198$/m);
  assert.match(text, /^Median E2EL \(ms\):\s+410$/m);
});

test('live stats give p50/p99 of completed E2E and tokens per second', () => {
  const s = liveStats([200, 410, 500], { done: 3, failed: 1, inFlight: 2, total: 10, outputTokens: 10 }, 2);
  assert.deepEqual(s, { done: 3, failed: 1, inFlight: 2, total: 10, elapsedS: 2, p50Ms: 410, p99Ms: 498.2, tokensPerS: 5 });
  assert.equal(liveStats([], { done: 0, failed: 0, inFlight: 0, total: 1, outputTokens: 0 }, 0).p50Ms, null);
});

test('the ITL pool is exact under its capacity and keeps an exact mean over it', () => {
  const small = new ItlPool(10);
  for (const v of [50, 100, 100, 100, 100, 100, 210]) small.add(v);
  assert.deepEqual(small.stat(), stat([50, 100, 100, 100, 100, 100, 210]));
  // Pooled gaps give the same report as gaps left on the samples.
  const pool = new ItlPool();
  for (const s of samples) if (s.ok) for (const g of s.itlMs) pool.add(g);
  assert.deepEqual(buildReport(samples, 2, {}, pool).itlMs, buildReport(samples, 2).itlMs);

  const big = new ItlPool(10_000, 7);
  for (let i = 0; i < 100_000; i++) big.add(i);
  assert.equal(big.count, 100_000);
  const s = big.stat()!;
  close(s.mean, 49_999.5, 'mean is exact');
  // A uniform 10% sample: the median and p99 land within 2% of the range of the truth.
  assert.ok(Math.abs(s.median - 50_000) < 2_000, `median ${s.median}`);
  assert.ok(Math.abs(s.p99 - 99_000) < 2_000, `p99 ${s.p99}`);
  assert.equal(new ItlPool().stat(), null);
});

test('failure reasons read as words: JSON error bodies become their message', async () => {
  const { errorBodyText, readableFailure } = await import('../../../lib/loadgen/error-text');
  assert.equal(errorBodyText('{"error":{"message":"prompt is 513 tokens; the limit is 255 tokens","type":"invalid_request_error"}}'), 'prompt is 513 tokens; the limit is 255 tokens');
  assert.equal(errorBodyText('{"detail":"Not Found"}'), 'Not Found');
  assert.equal(errorBodyText('<html>Bad Gateway</html>'), '<html>Bad Gateway</html>');
  assert.equal(
    readableFailure('all 60 request(s) failed; first: HTTP 400: {"error":{"message":"max_tokens: prompt (513 tokens) + max_tokens (32) exceeds the context length of 256 tokens","code":"context_length_exceeded"}}'),
    'all 60 request(s) failed; first: HTTP 400: max_tokens: prompt (513 tokens) + max_tokens (32) exceeds the context length of 256 tokens',
  );
});
