// The sandbox over real HTTP with the real CPU model (tiny preset): validation
// (400/404), back-pressure (429 + Retry-After), deadlines (504, KV cache freed),
// SSE streaming, responsiveness under load and graceful drain.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../workers/sandbox/serve/index';

const post = (sb: Sandbox, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${sb.url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('sandbox serving', () => {
  let sb: Sandbox;
  before(async () => {
    sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 4, maxQueue: 16 });
  });
  after(() => sb?.close());

  test('completion returns text, usage and timings', async () => {
    const r = await post(sb, { model: sb.model, prompt: 'The quick brown fox', max_tokens: 8, temperature: 0 });
    assert.equal(r.status, 200);
    const j = await r.json();
    assert.equal(j.object, 'text_completion');
    assert.equal(j.model, sb.model);
    assert.equal(typeof j.choices[0].text, 'string');
    assert.ok(['length', 'stop'].includes(j.choices[0].finish_reason));
    assert.equal(j.usage.prompt_tokens, 'The quick brown fox'.length + 1); // bytes + BOS
    assert.ok(j.usage.completion_tokens >= 1 && j.usage.completion_tokens <= 8);
    assert.equal(j.usage.total_tokens, j.usage.prompt_tokens + j.usage.completion_tokens);
    for (const k of ['queue', 'ttft', 'tpot', 'total']) assert.equal(typeof j.timings[k], 'number', k);
    assert.ok(j.timings.ttft <= j.timings.total && j.timings.queue <= j.timings.ttft);
  });

  test('a repeated prompt prefix is served from the prefix KV cache', async () => {
    const system = 'You are a helpful assistant. Answer briefly and precisely. ';
    const a = await (await post(sb, { model: sb.model, prompt: `${system}Question one?`, max_tokens: 4, temperature: 0 })).json();
    const b = await (await post(sb, { model: sb.model, prompt: `${system}Question two?`, max_tokens: 4, temperature: 0 })).json();
    assert.equal(a.usage.prompt_tokens_details.cached_tokens, 0);
    // BOS + the shared system text (up to where the questions differ) is reused.
    assert.equal(b.usage.prompt_tokens_details.cached_tokens, 1 + `${system}Question `.length);
    const m = await (await fetch(`${sb.url}/metrics`)).text();
    const ratio = Number(/^sandbox_prefix_cache_hit_ratio (\S+)$/m.exec(m)?.[1]);
    assert.ok(ratio > 0 && ratio < 1, `hit ratio ${ratio}`);
    // Reused KV gives the same greedy continuation as computing the prompt afresh.
    const fresh = await startSandbox({ preset: 'tiny', backend: 'cpu', prefixCacheEntries: 0 });
    try {
      const c = await (await post(fresh, { model: fresh.model, prompt: `${system}Question two?`, max_tokens: 4, temperature: 0 })).json();
      assert.equal(c.usage.prompt_tokens_details.cached_tokens, 0);
      assert.equal(b.choices[0].text, c.choices[0].text);
    } finally {
      await fresh.close();
    }
  });

  test('same seed gives the same text; greedy is deterministic', async () => {
    const body = { model: sb.model, prompt: 'seeded', max_tokens: 12, temperature: 0.9, top_k: 20, seed: 42 };
    const [a, b] = await Promise.all([post(sb, body).then((r) => r.json()), post(sb, body).then((r) => r.json())]);
    assert.equal(a.choices[0].text, b.choices[0].text);
  });

  const BAD: [string, unknown, string, RegExp][] = [
    ['malformed JSON', '{"model": ', 'body', /not valid JSON/],
    ['max_tokens over the limit', { prompt: 'x', max_tokens: 100000 }, 'max_tokens', /at most 255/],
    ['max_tokens zero', { prompt: 'x', max_tokens: 0 }, 'max_tokens', /at least 1/],
    ['temperature too high', { prompt: 'x', temperature: 9 }, 'temperature', /at most 2/],
    ['prompt missing', { max_tokens: 3 }, 'prompt', /prompt/],
    ['bad priority', { prompt: 'x', priority: 'P7' }, 'priority', /"P0" or "P1"/],
    ['stream not boolean', { prompt: 'x', stream: 'yes' }, 'stream', /boolean/],
    ['prompt over the context', { prompt: 'y'.repeat(300) }, 'prompt', /301 tokens; the limit is 255 tokens/],
    ['prompt + max_tokens over the context', { prompt: 'y'.repeat(200), max_tokens: 100 }, 'max_tokens', /context length of 256/],
  ];
  for (const [name, body, param, message] of BAD) {
    test(`400 for ${name}, naming ${param}`, async () => {
      const payload = typeof body === 'string' ? body : { model: sb.model, ...(body as object) };
      const r = await post(sb, payload);
      assert.equal(r.status, 400);
      const j = await r.json();
      assert.equal(j.error.type, 'invalid_request_error');
      if (param !== 'body') assert.equal(j.error.param, param);
      assert.match(j.error.message, message);
      assert.match(j.error.message, new RegExp(param));
    });
  }

  test('404 for an unknown model, naming the served one', async () => {
    const r = await post(sb, { model: 'gpt-4', prompt: 'x' });
    assert.equal(r.status, 404);
    const j = await r.json();
    assert.equal(j.error.param, 'model');
    assert.match(j.error.message, new RegExp(sb.model));
  });

  test('GET /v1/models and /healthz', async () => {
    const m = await (await fetch(`${sb.url}/v1/models`)).json();
    assert.equal(m.data[0].id, sb.model);
    assert.equal(m.data[0].max_model_len, 256);
    const h = await (await fetch(`${sb.url}/healthz`)).json();
    assert.equal(h.status, 'ok');
    assert.equal(h.backend, 'cpu');
    assert.equal(h.preset, 'tiny');
    assert.equal(h.adapter, null);
  });

  test('SSE stream: one event per token, final finish_reason, usage and [DONE]', async () => {
    const r = await post(sb, { model: sb.model, prompt: 'stream me', max_tokens: 10, temperature: 0, stream: true, stream_options: { include_usage: true } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
    const text = await r.text();
    const events = text.split('\n\n').filter(Boolean);
    assert.ok(events.every((e) => e.startsWith('data: ')));
    assert.equal(events.at(-1), 'data: [DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
    const usage = chunks.at(-1);
    assert.deepEqual(usage.choices, []);
    assert.equal(usage.usage.prompt_tokens, 10);
    const final = chunks.at(-2);
    assert.ok(['length', 'stop'].includes(final.choices[0].finish_reason));
    assert.equal(typeof final.timings.ttft, 'number');
    const streamed = chunks.slice(0, -2).map((c) => c.choices[0].text).join('');
    // The same request without streaming yields the same greedy text.
    const whole = await (await post(sb, { model: sb.model, prompt: 'stream me', max_tokens: 10, temperature: 0 })).json();
    assert.equal(streamed, whole.choices[0].text);
  });

  test('health and metrics answer while the model is busy', async () => {
    const load = Array.from({ length: 8 }, (_, i) => post(sb, { model: sb.model, prompt: `load ${i} `.repeat(10), max_tokens: 120, temperature: 0.5, ignore_eos: true }).then((r) => r.text()));
    await new Promise((r) => setTimeout(r, 50));
    let busySeen = false;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const h = await (await fetch(`${sb.url}/healthz`)).json();
      const m = await fetch(`${sb.url}/metrics`);
      await m.text();
      const ms = performance.now() - t0;
      if (h.running > 0) busySeen = true;
      // A decode step of the tiny model takes a few ms; a blocked event loop would take the whole load.
      assert.ok(ms < 1000, `health + scrape took ${ms} ms`);
    }
    assert.ok(busySeen, 'the scrapes ran while requests were running');
    await Promise.all(load);
  });
});

describe('sandbox limits', () => {
  test('full queue → 429 with Retry-After; queued requests still complete', async () => {
    const sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 1, maxQueue: 2, prefixCacheEntries: 0 });
    try {
      const body = { model: sb.model, prompt: 'busy', max_tokens: 200, temperature: 0.7, ignore_eos: true };
      const running = post(sb, body);
      await new Promise((r) => setTimeout(r, 30));
      const queued = [post(sb, body), post(sb, body)];
      await new Promise((r) => setTimeout(r, 30));
      const rejected = await post(sb, body);
      assert.equal(rejected.status, 429);
      const retry = Number(rejected.headers.get('retry-after'));
      assert.ok(Number.isInteger(retry) && retry >= 1, `Retry-After ${retry}`);
      const j = await rejected.json();
      assert.equal(j.error.code, 'queue_full');
      const done = await Promise.all([running, ...queued]);
      assert.deepEqual(done.map((r) => r.status), [200, 200, 200]);
      const metrics = await (await fetch(`${sb.url}/metrics`)).text();
      assert.match(metrics, /sandbox_requests_total\{priority="P1",outcome="queue_full"\} 1/);
    } finally {
      await sb.close();
    }
  });

  test('deadline → 504 and the KV cache is freed', async () => {
    const sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 2, prefixCacheEntries: 0, requestTimeoutMs: 60 });
    try {
      const r = await post(sb, { model: sb.model, prompt: 'long', max_tokens: 250, temperature: 0.7, ignore_eos: true });
      assert.equal(r.status, 504);
      const j = await r.json();
      assert.equal(j.error.code, 'deadline_exceeded');
      assert.match(j.error.message, /60 ms/);
      const st = sb.stats();
      assert.equal(st.running, 0);
      assert.equal(st.liveSequences, 0, 'no KV cache left allocated');
      // A streamed request past its deadline gets the error in-band after its 200.
      const s = await post(sb, { model: sb.model, prompt: 'long', max_tokens: 250, temperature: 0.7, ignore_eos: true, stream: true });
      const text = await s.text();
      if (s.status === 200) assert.match(text, /deadline_exceeded/);
      else assert.equal(s.status, 504);
      assert.equal(sb.stats().liveSequences, 0);
    } finally {
      await sb.close();
    }
  });

  test('a client that disconnects mid-stream frees its slot and KV cache', async () => {
    const sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 2, prefixCacheEntries: 0 });
    try {
      const ac = new AbortController();
      const r = await fetch(`${sb.url}/v1/completions`, {
        method: 'POST',
        signal: ac.signal,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: sb.model, prompt: 'bye', max_tokens: 250, ignore_eos: true, stream: true }),
      });
      const reader = r.body!.getReader();
      await reader.read(); // first token arrived
      ac.abort();
      const t0 = performance.now();
      while (sb.stats().liveSequences > 0 && performance.now() - t0 < 5000) await new Promise((x) => setTimeout(x, 5));
      assert.equal(sb.stats().liveSequences, 0);
      assert.equal(sb.stats().running, 0);
      const m = await (await fetch(`${sb.url}/metrics`)).text();
      assert.match(m, /sandbox_requests_total\{priority="P1",outcome="cancelled"\} 1/);
    } finally {
      await sb.close();
    }
  });

  test('close() drains in-flight requests, refusing new ones', async () => {
    const sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 2 });
    const inflight = post(sb, { model: sb.model, prompt: 'drain me', max_tokens: 60, temperature: 0, ignore_eos: true });
    while (sb.stats().running === 0) await new Promise((r) => setTimeout(r, 2));
    const closing = sb.close();
    // A new request is refused (503 on a kept-alive connection, or no connection at all).
    const late = await post(sb, { model: sb.model, prompt: 'late', max_tokens: 2 }).then((x) => x.status, () => 'refused');
    assert.ok(late === 503 || late === 'refused', `late request got ${late}`);
    const r = await inflight;
    assert.equal(r.status, 200);
    const j = await r.json();
    assert.equal(j.usage.completion_tokens, 60, 'ran to the end, not cut off');
    await closing;
    await assert.rejects(fetch(`${sb.url}/healthz`));
  });
});
