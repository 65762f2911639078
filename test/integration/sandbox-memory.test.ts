// Memory stays flat under a long run of requests: the heap after GC must not grow
// with the number of requests served (KV caches pooled, prefix cache bounded,
// no per-request state left behind in the scheduler, telemetry or HTTP layer).
// Bounded in time: it stops at 10,000 requests or 45 s, whichever comes first,
// and requires at least 2,000 measured requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { startSandbox, type Sandbox } from '../../workers/sandbox/serve/index';
import { startSinks } from '../helpers/telemetry-sinks';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const heapMb = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

async function drive(sb: Sandbox, n: number, concurrency: number, until: number): Promise<number> {
  let started = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (started < n && performance.now() < until) {
        const k = started++;
        const r = await fetch(`${sb.url}/v1/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          // Varied short prompts: some share prefixes (prefix cache churn), P0 and P1 mixed.
          body: JSON.stringify({ model: sb.model, prompt: `m${k % 97}`, max_tokens: 1 + (k % 2), priority: k % 10 ? 'P1' : 'P0' }),
        });
        assert.equal(r.status, 200);
        await r.arrayBuffer();
        done++;
      }
    }),
  );
  return done;
}

test('memory stays flat over many requests', { timeout: 180_000 }, async () => {
  const sinks = await startSinks({ decode: false });
  // Traces on (P0 always, 1 request in 10; P1 never) into a sink that only counts;
  // metrics with exemplars on.
  const sb = await startSandbox({
    preset: 'tiny',
    backend: 'cpu',
    maxBatch: 8,
    maxQueue: 256,
    telemetry: { otlpEndpoint: sinks.url, sampling: { p1Base: 0, minProbability: 0 } },
  });
  try {
    await drive(sb, 500, 16, performance.now() + 30_000);
    const before = heapMb();
    const n = await drive(sb, 10_000, 16, performance.now() + 45_000);
    const afterRun = heapMb();
    console.log(`# ${n} requests measured; heap ${before.toFixed(1)} → ${afterRun.toFixed(1)} MiB`);
    assert.ok(n >= 2000, `only ${n} requests in the time budget`);
    assert.ok(afterRun - before < 4, `heap grew by ${(afterRun - before).toFixed(1)} MiB over ${n} requests`);
    const st = sb.stats();
    assert.equal(st.running + st.waiting, 0);
    assert.ok(st.liveSequences <= 8, 'only the prefix cache holds KV caches');
  } finally {
    await sb.close();
    await sinks.close();
  }
  assert.ok((sinks.counts['/v1/traces'] ?? 0) > 0, 'P0 requests were traced and exported');
});
