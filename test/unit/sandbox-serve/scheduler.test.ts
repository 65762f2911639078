import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Scheduler,
  type AbortReason,
  type FinishInfo,
  type RequestTrace,
  type SchedulerOptions,
  type SchedulerRequest,
  type SchedulerTelemetry,
} from '../../../workers/sandbox/serve/scheduler';
import { FakeRunner, argmax } from './fake-runner';

interface Outcome {
  tokens: number[];
  finish?: FinishInfo;
  abort?: AbortReason;
  done: Promise<void>;
}

function setup(opts: Partial<SchedulerOptions> = {}) {
  const runner = new FakeRunner();
  const sched = new Scheduler(runner, {
    maxBatch: 2,
    maxQueue: 4,
    prefixCacheEntries: 0,
    now: () => runner.clock,
    ...opts,
  });
  const submit = (prompt: number[], maxTokens: number, extra: Partial<SchedulerRequest> = {}) => {
    let resolve!: () => void;
    const out: Outcome = { tokens: [], done: new Promise((r) => (resolve = r)) };
    const res = sched.submit({
      prompt: Int32Array.from(prompt),
      maxTokens,
      priority: 'P1',
      arrivalMs: runner.clock,
      deadlineMs: runner.clock + 10_000,
      sample: argmax,
      onToken: (t) => out.tokens.push(t),
      onFinish: (f) => {
        out.finish = f;
        resolve();
      },
      onAbort: (r) => {
        out.abort = r;
        resolve();
      },
      ...extra,
    });
    return { out, res };
  };
  return { runner, sched, submit };
}

test('generates max_tokens tokens and reports usage and timings', async () => {
  const { runner, submit } = setup();
  const { out } = submit([1, 2, 3], 4);
  await out.done;
  assert.deepEqual(out.tokens, [4, 5, 6, 7]);
  assert.equal(out.finish?.finishReason, 'length');
  assert.equal(out.finish?.promptTokens, 3);
  assert.equal(out.finish?.completionTokens, 4);
  // 1 prefill + 3 decode steps of 10 ms on the fake clock
  assert.deepEqual(out.finish?.timings, { queue: 0, ttft: 10, tpot: 10, total: 40 });
  assert.equal(runner.allocs, runner.frees);
});

test('stops at the end-of-sequence token', async () => {
  const { submit } = setup({ eosToken: 6 });
  const { out } = submit([3], 10);
  await out.done;
  assert.deepEqual(out.tokens, [4, 5]);
  assert.equal(out.finish?.finishReason, 'stop');
});

test('admits a new sequence between decode steps and decodes running sequences together', async () => {
  const { runner, submit } = setup({ maxBatch: 3 });
  const a = submit([1], 6);
  // Let a few decode steps of A run alone, then B arrives.
  while (runner.decodeBatches.length < 2) await new Promise((r) => setImmediate(r));
  const b = submit([10], 3);
  await Promise.all([a.out.done, b.out.done]);
  const sizes = runner.decodeBatches.map((x) => x.length);
  assert.equal(sizes[0], 1);
  assert.ok(sizes.includes(2), `expected a shared step, got ${sizes}`);
  assert.deepEqual(b.out.tokens, [11, 12, 13]);
  assert.deepEqual(a.out.tokens, [2, 3, 4, 5, 6, 7]);
});

test('never runs more than maxBatch sequences at once; the rest wait', async () => {
  const { runner, sched, submit } = setup({ maxBatch: 2 });
  const all = [submit([1], 5), submit([2], 5), submit([3], 5)];
  assert.equal(sched.stats().waiting, 3);
  await Promise.all(all.map((x) => x.out.done));
  assert.ok(runner.decodeBatches.every((b) => b.length <= 2));
  assert.ok(all.every((x) => x.out.tokens.length === 5));
  // The third was queued until a slot freed.
  assert.ok(all[2].out.finish!.timings.queue > 0);
});

test('a full queue rejects with queue_full and a Retry-After estimate', () => {
  const { submit } = setup({ maxQueue: 2 });
  assert.equal(submit([1], 2).res.accepted, true);
  assert.equal(submit([1], 2).res.accepted, true);
  const third = submit([1], 2).res;
  assert.equal(third.accepted, false);
  if (!third.accepted) {
    assert.equal(third.reason, 'queue_full');
    assert.ok(third.retryAfterS >= 1 && third.retryAfterS <= 60);
  }
});

test('P0 is admitted before P1 that arrived earlier', async () => {
  const { runner, submit } = setup({ maxBatch: 1 });
  const p1 = submit([1], 1);
  const p0 = submit([20], 1, { priority: 'P0' });
  await Promise.all([p1.out.done, p0.out.done]);
  assert.deepEqual(runner.prefills[0], [20]);
});

test('deadline during decode aborts the request and frees its KV cache', async () => {
  const { runner, sched, submit } = setup({ prefixCacheEntries: 4 });
  const { out } = submit([1, 2, 3], 50, { deadlineMs: 35 });
  await out.done;
  assert.equal(out.abort, 'deadline');
  assert.ok(out.tokens.length > 0 && out.tokens.length < 50);
  assert.equal(runner.frees, runner.allocs, 'KV cache freed, not cached');
  assert.equal(sched.stats().liveSequences, 0);
  assert.equal(sched.stats().running, 0);
});

test('deadline while queued aborts without allocating', async () => {
  const { runner, submit } = setup({ maxBatch: 1 });
  const a = submit([1], 10);
  const b = submit([2], 10, { deadlineMs: 15 });
  await Promise.all([a.out.done, b.out.done]);
  assert.equal(b.out.abort, 'deadline');
  assert.deepEqual(b.out.tokens, []);
  assert.equal(runner.allocs, 1);
});

test('cancel frees the sequence at the next step boundary', async () => {
  const { runner, submit } = setup();
  const { out, res } = submit([1], 40);
  while (out.tokens.length < 3) await new Promise((r) => setImmediate(r));
  if (res.accepted) res.cancel();
  await out.done;
  assert.equal(out.abort, 'cancelled');
  assert.equal(runner.allocs, runner.frees);
});

test('per-block retention: each block counts what it held, and reuse is bounded by the block that held least', async () => {
  // The fake model has 3 blocks; block 2 keeps only the first 6 positions of a cached entry.
  const { runner, sched, submit } = setup({ prefixCacheEntries: 2, prefixMinTokens: 4, kvBlockRetain: [Infinity, Infinity, 6] });
  const shared = [5, 6, 7, 8, 9, 10, 11, 12];
  await submit([...shared, 1, 2], 2).out.done;
  const b = submit([...shared, 3], 2);
  await b.out.done;
  assert.equal(b.out.finish?.cachedTokens, 6, 'only what every block held is reused');
  assert.deepEqual(runner.prefills[1], [11, 12, 3]);
  assert.deepEqual(b.out.tokens, [4, 5], 'same continuation as without the cache');
  const st = sched.stats();
  assert.deepEqual(st.blockQueriedTokens, [19, 19, 19]);
  assert.deepEqual(st.blockHitTokens, [8, 8, 6]);
  assert.equal(st.prefixCacheHitTokens, 6);
  // The default policy: every block holds the whole match, so every block shows the same rate.
  const even = setup({ prefixCacheEntries: 2, prefixMinTokens: 4 });
  await even.submit([...shared, 1, 2], 2).out.done;
  await even.submit([...shared, 3], 2).out.done;
  assert.deepEqual(even.sched.stats().blockHitTokens, [8, 8, 8]);
});

test('prefix cache reuses a shared prompt prefix and reports the hit ratio', async () => {
  const { runner, sched, submit } = setup({ prefixCacheEntries: 2, prefixMinTokens: 4 });
  const shared = [5, 6, 7, 8, 9, 10, 11, 12];
  const a = submit([...shared, 1, 2], 2);
  await a.out.done;
  const b = submit([...shared, 3], 2);
  await b.out.done;
  assert.equal(b.out.finish?.cachedTokens, 8);
  assert.deepEqual(runner.prefills[1], [3], 'only the new suffix is prefilled');
  assert.equal(runner.copies.length, 1);
  assert.equal(runner.copies[0].n, 8);
  // Same continuation as without the cache.
  assert.deepEqual(b.out.tokens, [4, 5]);
  const st = sched.stats();
  assert.equal(st.prefixCacheQueriedTokens, 10 + 9);
  assert.equal(st.prefixCacheHitTokens, 8);
  assert.ok(Math.abs(st.prefixCacheHitRatio - 8 / 19) < 1e-9);
  assert.ok(st.kvCacheUsage > 0);
  // KV bytes: the two cached sequences, prompt + first generated token each (the last token
  // sampled never enters the cache): (10 + 1) + (9 + 1) positions at the runner's bytes per position.
  assert.equal(st.kvUsedBytes, (11 + 10) * runner.info.kvBytesPerPosition);
  assert.equal(st.prefixCacheBytes, st.kvUsedBytes, 'nothing running: all in use is cached');
  assert.equal(st.kvReservedBytes, 2 * runner.info.maxSeqLen * runner.info.kvBytesPerPosition);
  // Capacity bounds the pool: 2 cached entries at most, the rest freed.
  for (let i = 0; i < 5; i++) await submit([40 + i, 1, 2, 3, 4, 5, 6, 7, 8], 1).out.done;
  assert.ok(sched.stats().liveSequences <= 2);
  await sched.drain(1000);
  assert.equal(runner.allocs, runner.frees, 'drain releases the prefix cache');
});

test('an identical prompt still prefills its last token to get logits', async () => {
  const { runner, submit } = setup({ prefixCacheEntries: 2, prefixMinTokens: 2 });
  const p = [1, 2, 3, 4, 5];
  await submit(p, 1).out.done;
  const b = submit(p, 1);
  await b.out.done;
  assert.equal(b.out.finish?.cachedTokens, 4);
  assert.deepEqual(runner.prefills[1], [5]);
});

test('drain finishes in-flight requests and refuses new ones', async () => {
  const { sched, submit } = setup();
  const a = submit([1], 5);
  const drained = sched.drain(10_000);
  const late = submit([2], 5).res;
  assert.equal(late.accepted, false);
  if (!late.accepted) assert.equal(late.reason, 'shutting_down');
  await drained;
  assert.equal(a.out.finish?.completionTokens, 5);
});

test('drain timeout aborts what is left with shutdown', async () => {
  const { runner, sched, submit } = setup();
  runner.stepMs = 0;
  // A long request on a real clock-independent budget: drain gives it 1 ms.
  const a = submit([1], 60);
  await sched.drain(1);
  assert.ok(a.out.abort === 'shutdown' || a.out.finish, 'finished or aborted, never hanging');
  assert.equal(runner.allocs, runner.frees);
});

test('a batched step is labelled with the batch span; each request samples under its own span', async () => {
  const runner = new FakeRunner();
  let current: string | undefined;
  const steps: { version: number; members: (string | undefined)[]; span: string }[] = [];
  const tel: SchedulerTelemetry = {
    label(spanId, fn) {
      const prev = current;
      current = spanId;
      try {
        return fn();
      } finally {
        current = prev;
      }
    },
    batchStep(version, members) {
      const span = `batch-${version}`;
      steps.push({ version, members: members.map((m) => (m as FakeTrace | undefined)?.name), span });
      return span;
    },
    batchIdle() {},
  };
  class FakeTrace implements RequestTrace {
    sampled = true;
    constructor(readonly name: string) {}
    admitted() {}
    prefillStart() {
      return `${this.name}-prefill`;
    }
    prefillEnd() {}
    decodeStart() {
      return `${this.name}-decode`;
    }
    decodeEnd() {}
  }
  const s2 = new Scheduler(runner, { maxBatch: 2, maxQueue: 4, prefixCacheEntries: 0, now: () => runner.clock, telemetry: tel });
  const computeLabels: { kind: string; seqs: number[]; label: string | undefined; tag: string | undefined }[] = [];
  runner.onCompute = (kind, seqs, tag) => computeLabels.push({ kind, seqs, label: current, tag: tag?.spanId });
  const sampleLabels: { who: string; label: string | undefined }[] = [];
  const mk = (name: string, prompt: number[], n: number) =>
    new Promise<void>((resolve) =>
      s2.submit({
        prompt: Int32Array.from(prompt),
        maxTokens: n,
        priority: 'P1',
        arrivalMs: 0,
        deadlineMs: 1e9,
        trace: new FakeTrace(name),
        sample: (l) => {
          sampleLabels.push({ who: name, label: current });
          return argmax(l);
        },
        onToken: () => {},
        onFinish: () => resolve(),
        onAbort: () => resolve(),
      }),
    );
  await Promise.all([mk('a', [1], 4), mk('b', [2], 2)]);
  // Prefill compute and first-token sampling: the request's own prefill span.
  for (const c of computeLabels.filter((c) => c.kind === 'prefill')) assert.match(c.label!, /^[ab]-prefill$/);
  // Every shared decode step runs under the batch span returned for that step.
  const decodes = computeLabels.filter((c) => c.kind === 'decode');
  assert.equal(decodes.length, steps.length);
  decodes.forEach((d, i) => { assert.equal(d.label, steps[i].span); });
  // The backend is told the same span ids (a GPU backend times its work after the label is gone).
  for (const c of computeLabels) assert.equal(c.tag, c.label, `${c.kind} work tag`);
  // Membership changes give a new batch version: [a,b] then [a] alone.
  assert.deepEqual(steps[0].members, ['a', 'b']);
  assert.deepEqual(steps.at(-1)!.members, ['a']);
  assert.notEqual(steps[0].version, steps.at(-1)!.version);
  // Per-request sampling is never labelled with another request's span or the batch span.
  for (const s of sampleLabels) assert.ok(s.label === `${s.who}-prefill` || s.label === `${s.who}-decode`, JSON.stringify(s));
  assert.equal(sampleLabels.filter((s) => s.who === 'a').length, 4);
});

test('ignoreEos keeps generating past the end-of-sequence token', async () => {
  const { submit } = setup({ eosToken: 6 });
  const { out } = submit([3], 5, { ignoreEos: true });
  await out.done;
  assert.deepEqual(out.tokens, [4, 5, 6, 7, 8]);
  assert.equal(out.finish?.finishReason, 'length');
});

test('prefill token budget interleaves admissions with decode steps', async () => {
  const { runner, submit } = setup({ maxBatch: 4, prefillTokenBudget: 2 });
  const a = submit([1, 2], 12);
  while (runner.decodeBatches.length < 1) await new Promise((r) => setImmediate(r));
  const rest = [submit([3, 4], 4), submit([5, 6], 4), submit([7, 8], 4)];
  await Promise.all([a, ...rest].map((x) => x.out.done));
  const sizes = runner.decodeBatches.map((b) => b.length);
  const grown = sizes.slice(sizes.findIndex((x) => x > 1));
  // One 2-token prompt fits the budget per step: the batch grows 2 → 3 → 4, a step each.
  assert.deepEqual(grown.slice(0, 3), [2, 3, 4]);
});

test('without a budget all free slots are filled before the next decode step', async () => {
  const { runner, submit } = setup({ maxBatch: 4 });
  const a = submit([1, 2], 12);
  while (runner.decodeBatches.length < 1) await new Promise((r) => setImmediate(r));
  const rest = [submit([3, 4], 4), submit([5, 6], 4), submit([7, 8], 4)];
  await Promise.all([a, ...rest].map((x) => x.out.done));
  const sizes = runner.decodeBatches.map((b) => b.length);
  assert.equal(sizes.find((x) => x > 1), 4);
});
