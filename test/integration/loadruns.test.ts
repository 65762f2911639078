// Load runs end to end below the browser: route handlers → lifecycle → real Postgres,
// with the load generator streaming from a real OpenAI-compatible SSE server.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { startOpenAiSseServer, type OpenAiSseServer } from '../helpers/openai-sse-server';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres';
import { startSandbox } from '../../workers/sandbox/serve/index';
import { PRESETS } from '../../lib/targets/presets';
import { LoadParams } from '../../lib/loadgen/params';

let pg: TestPostgres;
let fast: OpenAiSseServer; // the "sandbox" target
let slow: OpenAiSseServer; // a vLLM-preset target, slow enough to cancel
let deadPort: number;
// Route handlers and the lib are imported after the environment is set (config() reads it once).
let routes: {
  runs: typeof import('../../app/api/runs/route');
  run: typeof import('../../app/api/runs/[id]/route');
  events: typeof import('../../app/api/runs/[id]/events/route');
  cancel: typeof import('../../app/api/runs/[id]/cancel/route');
  targets: typeof import('../../app/api/targets/route');
};
let lib: typeof import('../../lib/loadruns');
let db: typeof import('../../lib/db');

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

before(async () => {
  pg = await startTestPostgres();
  fast = await startOpenAiSseServer({ model: 'tiny-test', tokenDelayMs: 1, fail: (b) => (String(b.prompt).length < 16 ? 503 : undefined) });
  slow = await startOpenAiSseServer({ model: 'org/llama', tokenDelayMs: 100 });
  deadPort = await closedPort();
  process.env.DATABASE_URL = pg.url;
  process.env.SANDBOX_URL = fast.url;
  process.env.LOAD_TARGETS = `slowvllm=${slow.url}|vllm,dead=http://127.0.0.1:${deadPort}|sglang`;
  routes = {
    runs: await import('../../app/api/runs/route'),
    run: await import('../../app/api/runs/[id]/route'),
    events: await import('../../app/api/runs/[id]/events/route'),
    cancel: await import('../../app/api/runs/[id]/cancel/route'),
    targets: await import('../../app/api/targets/route'),
  };
  lib = await import('../../lib/loadruns');
  db = await import('../../lib/db');
});

after(async () => {
  await lib?.loadRuns().shutdown();
  await db?.prisma().$disconnect();
  await fast?.stop();
  await slow?.stop();
  await pg?.stop();
});

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });
const post = (body: unknown) =>
  routes.runs.POST(new Request('http://app/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
const params = { requests: 12, concurrency: 3, promptLength: { mode: 'range', min: 8, max: 40 }, maxTokens: 5, temperature: 0.5, p0Fraction: 0.5, seed: 3, slo: { ttftMs: 10_000 } };

async function readEvents(id: string): Promise<{ event?: string; data: Record<string, unknown> }[]> {
  const res = await routes.events.GET(new Request(`http://app/api/runs/${id}/events`), ctx(id));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
  const out: { event?: string; data: Record<string, unknown> }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return out;
    out.push({ event: value.event, data: JSON.parse(value.data) });
  }
}

async function countRuns(): Promise<number> {
  return db.prisma().loadRun.count();
}

test('targets are listed by name and preset, never with a URL', async () => {
  const res = await routes.targets.GET();
  const { targets } = (await res.json()) as { targets: { name: string; preset: { id: string } }[] };
  assert.deepEqual(targets.map((t) => `${t.name}:${t.preset.id}`), ['sandbox:semconv', 'slowvllm:vllm', 'dead:sglang']);
  const text = JSON.stringify(targets);
  assert.ok(!text.includes('127.0.0.1') && !text.includes('http'), text);
});

test('bad input is a 400 naming the field or limit, and nothing is stored', async () => {
  const before = await countRuns();
  const cases: [unknown, RegExp][] = [
    [{ ...params, target: 'sandbox', url: 'http://169.254.169.254/' }, /unknown field\(s\) "url"/],
    [{ ...params, target: 'http://127.0.0.1:1/' }, /target: unknown target "http:\/\/127\.0\.0\.1:1\/"; configured: sandbox, slowvllm, dead/],
    [{ ...params, target: 'sandbox', requests: 10_001 }, /requests must be at most 10,000/],
    [{ ...params, target: 'sandbox', concurrency: 65 }, /concurrency must be at most 64/],
    [{ ...params, target: 'sandbox', promptLength: { mode: 'range', min: 9, max: 2 } }, /promptLength\.min must not exceed promptLength\.max/],
    [{ ...params }, /target/],
  ];
  for (const [body, want] of cases) {
    const res = await post(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    const j = (await res.json()) as { error: { message: string; issues: { path: string }[] } };
    assert.match(j.error.message, want);
    assert.ok(j.error.issues.length >= 1);
  }
  const notJson = await routes.runs.POST(new Request('http://app/api/runs', { method: 'POST', body: '{oops' }));
  assert.equal(notJson.status, 400);
  const huge = await post({ ...params, target: 'sandbox', pad: 'x'.repeat(100_000) });
  assert.equal(huge.status, 413);
  assert.match(((await huge.json()) as { error: { message: string } }).error.message, /exceeds the limit of 16384 bytes/);
  assert.equal(await countRuns(), before);
});

test('a run against the sandbox target streams progress, then stores the report and samples', async () => {
  const res = await post({ ...params, target: 'sandbox' });
  assert.equal(res.status, 201);
  const { id } = (await res.json()) as { id: string };
  const events = await readEvents(id);
  const end = events.at(-1)!;
  assert.equal(end.event, 'end');
  assert.equal(end.data.status, 'succeeded');
  const progress = events.filter((e) => e.event === 'progress').map((e) => (e.data as { stats: { done: number; failed: number; total: number } }).stats);
  assert.ok(progress.length >= 1, 'at least the final progress');
  assert.equal(progress.at(-1)!.done + progress.at(-1)!.failed, 12);
  assert.ok(progress.every((p, i) => i === 0 || p.done + p.failed >= progress[i - 1].done + progress[i - 1].failed), 'progress never goes back');

  const got = await routes.run.GET(new Request(`http://app/api/runs/${id}?samples=1`), ctx(id));
  assert.equal(got.status, 200);
  const run = (await got.json()) as import('../../lib/loadruns').RunView;
  assert.equal(run.status, 'succeeded');
  assert.equal(run.model, 'tiny-test');
  assert.ok(run.startedAt && run.finishedAt);
  const r = run.summary!.report;
  // Prompts under 16 bytes are refused by the server (503): they count as failed.
  const served = fast.received.slice(-12);
  const refused = served.filter((q) => String(q.body.prompt).length < 16).length;
  assert.ok(refused > 0 && refused < 12, `seed 3 gives some refusals (${refused})`);
  assert.equal(r.completed + r.failed, 12);
  assert.equal(r.failed, refused);
  assert.equal(run.done, r.completed);
  assert.equal(r.totalOutputTokens, r.completed * 5);
  assert.equal(r.totalInputTokens, served.filter((q) => String(q.body.prompt).length >= 16).reduce((n, q) => n + String(q.body.prompt).length, 0));
  assert.ok(r.ttftMs && r.tpotMs && r.itlMs && r.e2eMs);
  assert.ok(r.ttftMs.median <= r.e2eMs.median);
  assert.equal(r.goodputRatio, 1);
  assert.deepEqual(run.summary!.stopReason, 'completed');
  assert.ok(run.summary!.window.endMs >= run.summary!.window.startMs);

  // Every request carried a traceparent whose trace id is stored with that request's sample.
  const s = run.samples!;
  assert.equal(s.traceId.length, 12);
  const sentTraceIds = served.map((q) => /^00-([0-9a-f]{32})-[0-9a-f]{16}-00$/.exec(q.traceparent ?? '')?.[1]);
  assert.ok(sentTraceIds.every(Boolean), 'traceparent on every request');
  assert.deepEqual([...s.traceId].sort(), [...sentTraceIds].sort());
  // The sandbox preset takes the priority field; the mix is the seeded plan's.
  assert.deepEqual(served.map((q) => q.body.priority).sort(), [...s.priority].sort());
  assert.ok(s.priority.includes('P0') && s.priority.includes('P1'));
  assert.deepEqual(s.index, [...Array(12).keys()]);
  assert.equal(Object.keys(s.errors).length, refused);

  // The history lists it, without the samples.
  const list = (await (await routes.runs.GET(new Request('http://app/api/runs'))).json()) as { runs: { id: string; samples?: unknown }[] };
  const listed = list.runs.find((x) => x.id === id);
  assert.ok(listed && !('samples' in listed));
  // The stream of a finished run says how it ended at once.
  const again = await readEvents(id);
  assert.deepEqual(again.map((e) => e.event), ['end']);
});

test('a vLLM target gets no priority field; a run can be cancelled, once', async () => {
  const res = await post({ ...params, target: 'slowvllm', requests: 40, concurrency: 2, maxTokens: 20 });
  assert.equal(res.status, 201);
  const { id } = (await res.json()) as { id: string };
  // Wait until requests are in flight.
  while (slow.received.length < 2) await new Promise((r) => setTimeout(r, 20));
  // While running, the row already says which model the run addresses and when it began.
  let mid: import('../../lib/loadruns').RunView | undefined;
  for (let i = 0; i < 50 && !mid?.model; i++) {
    mid = (await (await routes.run.GET(new Request(`http://app/api/runs/${id}`), ctx(id))).json()) as import('../../lib/loadruns').RunView;
    if (!mid.model) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(mid?.status, 'running');
  assert.equal(mid?.model, 'org/llama');
  assert.ok(mid?.startedAt);
  const c = await routes.cancel.POST(new Request(`http://app/api/runs/${id}/cancel`, { method: 'POST' }), ctx(id));
  assert.equal(c.status, 200);
  const run = (await c.json()) as import('../../lib/loadruns').RunView;
  assert.equal(run.status, 'cancelled');
  assert.equal(run.summary?.stopReason, 'cancelled');
  assert.ok(run.summary!.aborted > 0 && run.summary!.aborted <= 40);
  assert.ok(slow.received.length < 40);
  assert.ok(slow.received.every((q) => !('priority' in q.body) && q.body.model === 'org/llama'));
  const twice = await routes.cancel.POST(new Request(`http://app/api/runs/${id}/cancel`, { method: 'POST' }), ctx(id));
  assert.equal(twice.status, 409);
});

test('at most MAX_ACTIVE_RUNS runs go on at once; the next is a 429 and is not stored', async () => {
  const ids: string[] = [];
  try {
    for (let i = 0; i < lib.MAX_ACTIVE_RUNS; i++) {
      const res = await post({ ...params, target: 'slowvllm', requests: 4, concurrency: 1, maxTokens: 50 });
      assert.equal(res.status, 201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const before = await countRuns();
    const res = await post({ ...params, target: 'slowvllm', requests: 4, concurrency: 1 });
    assert.equal(res.status, 429);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /4 load runs are already running/);
    assert.equal(await countRuns(), before);
  } finally {
    for (const id of ids) await routes.cancel.POST(new Request(`http://app/api/runs/${id}/cancel`, { method: 'POST' }), ctx(id));
  }
});

test('an unreachable target fails the run with the reason', async () => {
  const res = await post({ ...params, target: 'dead' });
  const { id } = (await res.json()) as { id: string };
  const events = await readEvents(id);
  assert.equal(events.at(-1)?.data.status, 'failed');
  const run = (await (await routes.run.GET(new Request(`http://app/api/runs/${id}`), ctx(id))).json()) as { status: string; error: string };
  assert.equal(run.status, 'failed');
  assert.match(run.error, /GET \/v1\/models: ECONNREFUSED/);
});

test('unknown or malformed ids are 404', async () => {
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    assert.equal((await routes.run.GET(new Request(`http://app/api/runs/${id}`), ctx(id))).status, 404);
    assert.equal((await routes.events.GET(new Request(`http://app/api/runs/${id}/events`), ctx(id))).status, 404);
    assert.equal((await routes.cancel.POST(new Request(`http://app/api/runs/${id}/cancel`, { method: 'POST' }), ctx(id))).status, 404);
  }
});

test('after a restart, runs left running are marked failed', async () => {
  const client = db.createPrisma(pg.url);
  try {
    const orphan = await client.loadRun.create({ data: { target: 'sandbox', params: {}, status: 'running', createdAt: new Date(Date.now() - 60_000), startedAt: new Date() } });
    const svc = new lib.LoadRunService({ db: client, targets: () => [] });
    assert.ok((await svc.recoverInterrupted()) >= 1);
    const row = await client.loadRun.findUniqueOrThrow({ where: { id: orphan.id } });
    assert.equal(row.status, 'failed');
    assert.equal(row.error, lib.INTERRUPTED);
    assert.ok(row.finishedAt);
  } finally {
    await client.$disconnect();
  }
});

test('a run against the real sandbox: client-side counts match the server\'s own metrics', async () => {
  const sandbox = await startSandbox({ preset: 'tiny', backend: 'cpu', telemetry: { metrics: true } });
  const client = db.createPrisma(pg.url);
  try {
    const svc = new lib.LoadRunService({ db: client, targets: () => [{ name: 'sandbox', url: sandbox.url, preset: PRESETS.semconv, builtin: true }] });
    const p = LoadParams.parse({ requests: 10, concurrency: 4, promptLength: { mode: 'range', min: 16, max: 48 }, maxTokens: 8, temperature: 0.7, p0Fraction: 0.5, seed: 5 });
    const run = await svc.start('sandbox', p);
    await svc.settle();
    const done = (await svc.get(run.id, { samples: true }))!;
    assert.equal(done.status, 'succeeded', done.error ?? '');
    assert.equal(done.model, sandbox.model);
    const r = done.summary!.report;
    assert.equal(r.completed, 10);
    assert.equal(r.failed, 0);
    assert.ok(r.totalOutputTokens > 0 && r.totalOutputTokens <= 80);
    // The sandbox counts every request and token it served; the client's totals (from usage) must agree.
    const metrics = await (await fetch(`${sandbox.url}/metrics`)).text();
    const value = (re: RegExp) => Number(re.exec(metrics)?.[1]);
    assert.equal(value(/^gen_ai_server_request_duration_seconds_count\{[^}]*\} (\d+)/m), 10);
    assert.equal(value(/^gen_ai_server_tokens_total\{[^}]*gen_ai_token_type="input"[^}]*\} (\d+)/m), r.totalInputTokens);
    assert.equal(value(/^gen_ai_server_tokens_total\{[^}]*gen_ai_token_type="output"[^}]*\} (\d+)/m), r.totalOutputTokens);
    // P0 and P1 both reached the sandbox's scheduler (it counts requests by priority).
    assert.match(metrics, /^sandbox_requests_total\{[^}]*priority="P0"/m);
    assert.match(metrics, /^sandbox_requests_total\{[^}]*priority="P1"/m);
  } finally {
    await client.$disconnect();
    await sandbox.close();
  }
});
