// The run page's quality panel against the real parts: a load run mixing natural
// text, a repeated word and random bytes, fired through the app's POST /api/runs
// at the real sandbox (every request traced), its spans exported to the app's
// receivers into a real Postgres, read back through GET /api/runs/:id/quality.
// The entropy signal separates the prompt kinds; every point is one of the
// run's requests with its server-side latency.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { QualityPanel } from '../../../lib/runs/panels';
import type { RunView } from '../../../lib/loadruns/store';
import { fromColumns } from '../../../lib/loadruns/samples';
import { startTestPostgres, type TestPostgres } from '../../helpers/postgres';
import { startReceivers, type Receivers } from '../../helpers/receivers';
import { startSandbox, type Sandbox } from '../../../workers/sandbox/serve/index';
import { until } from '../../helpers/until';

const REQUESTS = 30;

let db: TestPostgres;
let receivers: Receivers;
let sb: Sandbox;
let run: RunView;
let quality: typeof import('../../../app/api/runs/[id]/quality/route');

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });


async function getQuality(id: string): Promise<{ status: number; body: QualityPanel & { error?: { message: string } } }> {
  const r = await quality.GET(new Request(`http://app/api/runs/${id}/quality`), ctx(id));
  return { status: r.status, body: await r.json() };
}

before(async () => {
  db = await startTestPostgres();
  process.env.DATABASE_URL = db.url;
  receivers = await startReceivers();
  sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 4, telemetry: { otlpEndpoint: receivers.url, exportDelayMs: 100 } });
  process.env.SANDBOX_URL = sb.url;
  const runs = await import('../../../app/api/runs/route');
  const one = await import('../../../app/api/runs/[id]/route');
  quality = await import('../../../app/api/runs/[id]/quality/route');
  const res = await runs.POST(
    new Request('http://app/api/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'http://app' },
      body: JSON.stringify({
        target: 'sandbox',
        requests: REQUESTS,
        concurrency: 4,
        promptLength: { mode: 'range', min: 48, max: 96 },
        promptMix: { natural: 34, repeated: 33, random: 33 },
        maxTokens: 20,
        temperature: 0.8,
        // every request P0: every request traced
        p0Fraction: 1,
        seed: 5,
        maxDurationS: 120,
        requestTimeoutS: 60,
        slo: {},
      }),
    }),
  );
  assert.equal(res.status, 201, await res.clone().text());
  const { id } = (await res.json()) as { id: string };
  run = await until('the run to finish', async () => {
    const r = (await (await one.GET(new Request(`http://app/api/runs/${id}?samples=1`), ctx(id))).json()) as RunView;
    return r.finishedAt ? r : null;
  }, 120_000);
  assert.equal(run.status, 'succeeded', run.error ?? '');
});

after(async () => {
  const { loadRuns } = await import('../../../lib/loadruns');
  await loadRuns().shutdown();
  await sb?.close();
  await receivers?.stop();
  const { closeDatabase } = await import('../../../lib/db');
  await closeDatabase();
  await db?.stop();
});

/** The panel once every request's span is stored. */
async function settled(): Promise<QualityPanel> {
  return until('every request span stored', async () => {
    const { status, body } = await getQuality(run.id);
    assert.equal(status, 200, body.error?.message);
    return body.requests.stored === REQUESTS ? body : null;
  });
}

test('every request of the run is read, each carries its signals, and its point is its own server latency', async () => {
  const p = await settled();
  assert.equal(p.source, 'embedded');
  assert.deepEqual(p.requests, { ok: REQUESTS, read: REQUESTS, stored: REQUESTS, withSignals: REQUESTS });
  assert.equal(p.note, undefined);
  assert.deepEqual(p.signals.map((s) => s.signal), ['entropy', 'perplexity', 'perplexity_std', 'kv_reuse']);
  const rows = new Map(fromColumns(run.samples!).map((r) => [r.traceId, r]));
  const entropy = p.signals.find((s) => s.signal === 'entropy')!;
  assert.equal(entropy.count, REQUESTS, 'every request span has its prompt entropy');
  assert.equal(new Set(entropy.points.map((x) => x.traceId)).size, REQUESTS);
  for (const pt of entropy.points) {
    const r = rows.get(pt.traceId);
    assert.ok(r, `point ${pt.traceId} is one of the run's requests`);
    assert.ok(pt.e2eMs > 0 && pt.e2eMs <= r.e2eMs, `server ${pt.e2eMs} ms lies within the client's ${r.e2eMs} ms`);
  }
  const perplexity = p.signals.find((s) => s.signal === 'perplexity')!;
  assert.equal(perplexity.count, REQUESTS, 'every request emitted at least one token');
  assert.ok(perplexity.points.every((x) => x.value >= 1), 'perplexity is at least 1');
  const kv = p.signals.find((s) => s.signal === 'kv_reuse')!;
  assert.ok(kv.count > 0 && kv.points.every((x) => x.value >= 0 && x.value <= 1));
  for (const s of p.signals) {
    assert.equal(s.distribution.reduce((a, b) => a + b.count, 0), s.count, `${s.signal}: the distribution holds every value`);
    if (s.count >= 3 && s.correlation !== null) assert.ok(s.correlation >= -1 && s.correlation <= 1);
  }
});

test('random-byte prompts have higher entropy than natural text, and natural text than a repeated word', async () => {
  const p = await settled();
  const entropy = p.signals.find((s) => s.signal === 'entropy')!;
  const of = (kind: string) => entropy.points.filter((x) => x.kind === kind).map((x) => x.value);
  const [repeated, natural, random] = [of('repeated'), of('natural'), of('random')];
  assert.ok(repeated.length > 0 && natural.length > 0 && random.length > 0, `kinds: ${repeated.length} repeated, ${natural.length} natural, ${random.length} random`);
  assert.equal(repeated.length + natural.length + random.length, REQUESTS);
  // Separated, not just on average: the distributions do not overlap.
  assert.ok(Math.max(...repeated) < Math.min(...natural), `repeated ≤ ${Math.max(...repeated)} bits, natural ≥ ${Math.min(...natural)}`);
  assert.ok(Math.max(...natural) < Math.min(...random), `natural ≤ ${Math.max(...natural)} bits, random ≥ ${Math.min(...random)}`);
  const median = Object.fromEntries(entropy.byKind.map((k) => [k.kind, k.median]));
  assert.ok(median.random > median.natural && median.natural > median.repeated, JSON.stringify(entropy.byKind));
});

test('an unknown run is a 404, a malformed id too', async () => {
  const missing = await getQuality('00000000-0000-4000-8000-000000000000');
  assert.equal(missing.status, 404);
  assert.match(missing.body.error!.message, /no load run/);
  const bad = await quality.GET(new Request('http://app/api/runs/nope/quality'), ctx('nope'));
  assert.equal(bad.status, 404);
});
