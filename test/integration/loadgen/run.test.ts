// The bounded load generator against a real streaming HTTP server on 127.0.0.1:
// concurrency bound, time cap, per-request timeout, cancellation and bad streams.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startOpenAiSseServer } from '../../helpers/openai-sse-server';
import { LoadParams, type LoadParamsInput } from '../../../lib/loadgen/params';
import { runLoad } from '../../../lib/loadgen/run';
import type { LiveStats } from '../../../lib/loadgen/report';

const base: LoadParamsInput = { requests: 20, concurrency: 3, promptLength: { mode: 'fixed', tokens: 24 }, maxTokens: 4, temperature: 0, p0Fraction: 0.5, model: 'm' };

test('never more than `concurrency` requests in flight; every request measured', async () => {
  const srv = await startOpenAiSseServer({ tokenDelayMs: 5 });
  try {
    const progress: LiveStats[] = [];
    const r = await runLoad({ baseUrl: srv.url, params: LoadParams.parse(base), sendPriority: true, onProgress: (s) => progress.push(s), progressIntervalMs: 20 });
    assert.equal(srv.maxActive(), 3);
    assert.equal(srv.received.length, 20);
    assert.equal(r.stopReason, 'completed');
    assert.equal(r.report.completed, 20);
    assert.equal(r.report.totalOutputTokens, 80);
    assert.ok(r.samples.every((s) => s.ok && s.ttftMs !== null && s.e2eMs >= s.ttftMs));
    // 3 gaps per request, each about the server's 5 ms token delay.
    assert.ok(r.report.itlMs && r.report.itlMs.median >= 4, JSON.stringify(r.report.itlMs));
    assert.ok(progress.every((p) => p.inFlight <= 3));
    assert.deepEqual({ ...progress.at(-1)!, elapsedS: 0, p50Ms: 0, p99Ms: 0, tokensPerS: 0 }, { done: 20, failed: 0, inFlight: 0, total: 20, elapsedS: 0, p50Ms: 0, p99Ms: 0, tokensPerS: 0 });
  } finally {
    await srv.stop();
  }
});

test('the time cap stops the run and aborts what is in flight', async () => {
  const srv = await startOpenAiSseServer({ tokenDelayMs: 400 });
  try {
    const t0 = Date.now();
    const r = await runLoad({ baseUrl: srv.url, params: LoadParams.parse({ ...base, requests: 50, maxDurationS: 1 }), sendPriority: true });
    assert.ok(Date.now() - t0 < 3000, 'stopped near the 1 s cap');
    assert.equal(r.stopReason, 'time-cap');
    assert.equal(r.report.completed + r.report.failed + r.aborted, 50);
    assert.ok(r.aborted >= 47);
  } finally {
    await srv.stop();
  }
});

test('a request past its timeout fails alone; HTTP errors and broken streams are failures with a reason', async () => {
  const srv = await startOpenAiSseServer({
    tokenDelayMs: 2,
    fail: (_b, n) => (n === 1 ? 429 : undefined),
    corrupt: (n) => (n === 2 ? '{not json' : n === 3 ? JSON.stringify({ error: { message: 'kv cache full' } }) : undefined),
  });
  try {
    const r = await runLoad({ baseUrl: srv.url, params: LoadParams.parse({ ...base, requests: 6, concurrency: 1 }), sendPriority: false });
    const errors = r.samples.map((s) => s.error ?? 'ok');
    assert.deepEqual(errors, ['ok', 'HTTP 429: refused with 429', 'malformed stream chunk', 'stream error: kv cache full', 'ok', 'ok']);
    assert.ok(srv.received.every((q) => !('priority' in q.body)));
  } finally {
    await srv.stop();
  }
  const slow = await startOpenAiSseServer({ tokenDelayMs: 1500 });
  try {
    const r = await runLoad({ baseUrl: slow.url, params: LoadParams.parse({ ...base, requests: 2, concurrency: 2, requestTimeoutS: 1 }), sendPriority: true });
    assert.equal(r.stopReason, 'completed');
    assert.deepEqual(r.samples.map((s) => s.error), ['timeout after 1000 ms', 'timeout after 1000 ms']);
  } finally {
    await slow.stop();
  }
});

test('cancelling stops issuing requests and counts the rest as aborted', async () => {
  const srv = await startOpenAiSseServer({ tokenDelayMs: 50 });
  try {
    const ac = new AbortController();
    const p = runLoad({ baseUrl: srv.url, params: LoadParams.parse({ ...base, requests: 100, concurrency: 4 }), sendPriority: true, signal: ac.signal });
    while (srv.received.length < 6) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    const r = await p;
    assert.equal(r.stopReason, 'cancelled');
    assert.equal(r.report.completed + r.report.failed + r.aborted, 100);
    assert.ok(srv.received.length < 20);
    assert.equal(r.report.failed, 0, 'aborted requests are not failures');
  } finally {
    await srv.stop();
  }
});
