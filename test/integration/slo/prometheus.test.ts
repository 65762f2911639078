import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { PROMTOOL } from '../../../scripts/system-tools';
import { startSandbox, type Sandbox } from '../../../workers/sandbox/serve/index';
import { appDatabaseHooks } from '../../helpers/postgres';
import { startPrometheus, type PrometheusHandle } from '../../helpers/prometheus';
import { until } from '../../helpers/until';
import type { RunView } from '../../../lib/loadruns';

// The SLO part end to end below the UI: a real Prometheus scraping the real
// sandbox, the app's route handlers, real Postgres. An SLO on the sandbox's
// request duration is created; its rule file passes promtool and loads; after a
// fast load run every status number equals an independent PromQL query the
// test writes itself, evaluated at the instant Prometheus recorded the rules;
// a deliberately slow run then fires the page alert, in Prometheus and in the
// status the page shows.

const db = appDatabaseHooks();
let sb: Sandbox;
let prom: PrometheusHandle;
type Routes = {
  slos: typeof import('../../../app/api/slos/route');
  status: typeof import('../../../app/api/slos/status/route');
  rules: typeof import('../../../app/api/slos/[id]/rules/route');
};
let routes: Routes;

const DURATION = 'gen_ai_server_request_duration_seconds';
/** 0.32 s lies between the sandbox's buckets 0.3 and 0.35: the SLI counts requests ≤ 0.3 s as good. */
const THRESHOLD = 0.32;

before(async () => {
  sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 4 });
  prom = await startPrometheus({ scrapeTargets: [new URL(sb.url).host], scrapeInterval: '1s' });
  // Before any route reads config(): the Prometheus Trisight "runs", and its rules folder.
  process.env.PROMETHEUS_URL = prom.url;
  process.env.SANDBOX_URL = sb.url;
  process.env.TRISIGHT_PROMETHEUS_RULES_DIR = prom.rulesDir;
  routes = {
    slos: await import('../../../app/api/slos/route'),
    status: await import('../../../app/api/slos/status/route'),
    rules: await import('../../../app/api/slos/[id]/rules/route'),
  };
});

after(async () => {
  await prom?.stop();
  await sb?.close();
});

const post = (body: unknown) => new Request('http://127.0.0.1/api/slos', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });


async function promQuery(expr: string, time?: number): Promise<number | null> {
  const body = new URLSearchParams({ query: expr });
  if (time !== undefined) body.set('time', String(time / 1000));
  const r = (await (await fetch(`${prom.url}/api/v1/query`, { method: 'POST', body })).json()) as { data: { result: { value: [number, string] }[] } };
  const v = r.data.result[0]?.value[1];
  return v === undefined ? null : Number(v);
}

async function load(n: number, maxTokens: number, concurrency = 4): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        next++;
        const r = await fetch(`${sb.url}/v1/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: sb.model, prompt: 'hello there', max_tokens: maxTokens, temperature: 0, ignore_eos: true, priority: 'P1' }),
        });
        assert.equal(r.status, 200);
        await r.arrayBuffer();
      }
    }),
  );
}

let sloId: string;
const totalSent = { n: 0 };

test('an SLO on the sandbox request duration: the rule file passes promtool and Prometheus loads it', { timeout: 120_000 }, async () => {
  // Prometheus must know the buckets before the threshold can be matched to one.
  await load(4, 2);
  totalSent.n += 4;
  await until('the sandbox scraped', async () => (await promQuery(`sum(${DURATION}_count)`)) === 4);
  const res = await routes.slos.POST(
    post({
      definition: {
        name: 'sandbox-latency',
        service: 'trisight-sandbox',
        objective: 99,
        window: { kind: 'rolling', duration: '30d' },
        sli: { kind: 'latency', metric: DURATION, thresholdSeconds: THRESHOLD },
        alerting: {
          name: 'SandboxLatencyBudgetBurn',
          page: { quick: { long: '1h', short: '5m', budgetPercent: 2 }, slow: { long: '6h', short: '30m', budgetPercent: 5 } },
          ticket: { quick: { long: '1d', short: '2h', budgetPercent: 10 }, slow: { long: '3d', short: '6h', budgetPercent: 10 } },
        },
      },
      message: 'first cut',
    }),
  );
  const body = (await res.json()) as { slo: { id: string; revision: number; definition: { sli: { le?: string } } }; rules: { loaded: boolean }; bucket: { le: string; exact: boolean; explanation: string } };
  assert.equal(res.status, 201, JSON.stringify(body));
  sloId = body.slo.id;
  assert.equal(body.slo.revision, 1);
  assert.equal(body.rules.loaded, true);
  // The threshold falls between two bucket bounds: the bound below is used, and the response says so.
  assert.equal(body.slo.definition.sli.le, '0.3');
  assert.equal(body.bucket.exact, false);
  assert.match(body.bucket.explanation, /between the bounds 300 ms and 350 ms/);

  const file = path.join(prom.rulesDir, 'trisight-slo-sandbox-latency.yml');
  assert.ok(existsSync(file), `rule file in ${readdirSync(prom.rulesDir)}`);
  const check = spawnSync(PROMTOOL.bin, ['check', 'rules', file], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, /SUCCESS: 17 rules found/);
  // The download is the same file.
  const dl = await routes.rules.GET(new Request(`http://127.0.0.1/api/slos/${sloId}/rules?download=1`), { params: Promise.resolve({ id: sloId }) });
  assert.equal(await dl.text(), readFileSync(file, 'utf8'));
  assert.match(dl.headers.get('content-disposition') ?? '', /trisight-slo-sandbox-latency\.yml/);

  const groups = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as { data: { groups: { name: string; rules: { health: string }[] }[] } };
  const ours = groups.data.groups.filter((g) => g.name.endsWith('trisight-sandbox-sandbox-latency'));
  assert.deepEqual(ours.map((g) => g.name).sort(), ['sloth-slo-alerts-trisight-sandbox-sandbox-latency', 'sloth-slo-meta-recordings-trisight-sandbox-sandbox-latency', 'sloth-slo-sli-recordings-trisight-sandbox-sandbox-latency']);
});

interface Status {
  prometheus: string;
  statuses: {
    id: string;
    source: string;
    at: number;
    sli: number | null;
    errorRatios: Record<string, number | null>;
    burnRates: Record<string, number | null>;
    budgetRemaining: number | null;
    alerts: { severity: string; state: string }[];
    state: string;
  }[];
}
const status = async () => {
  const r = await routes.status.GET(new Request('http://127.0.0.1/api/slos/status'));
  assert.equal(r.status, 200);
  const s = (await r.json()) as Status;
  return s.statuses.find((x) => x.id === sloId)!;
};

/** The test's own SLI: error ratio over `w` from the raw histogram, written here and not by lib/slo. */
const independentErrorRatio = (w: string) => `1 - sum(rate(${DURATION}_bucket{le="0.3"}[${w}])) / sum(rate(${DURATION}_count[${w}]))`;

test('after a fast run, every status number equals an independent PromQL query at the recorded instant', { timeout: 120_000 }, async () => {
  // The test's own counts before and after the run, for the run page's numbers below.
  const good = `sum(${DURATION}_bucket{le="0.3"})`;
  const before = { total: await promQuery(`sum(${DURATION}_count)`), good: await promQuery(good) };
  const runFrom = Date.now();
  await load(20, 2);
  totalSent.n += 20;
  await until('the run scraped', async () => (await promQuery(`sum(${DURATION}_count)`)) === totalSent.n);
  const runTo = Date.now();
  const afterGood = await promQuery(good);
  // The run page's "SLOs this run touched": exactly the run's 20 requests and its slow ones, from counter deltas.
  const { runImpact } = await import('../../../lib/slo/run-impact');
  const { listSlos } = await import('../../../lib/slo/store');
  const { prisma } = await import('../../../lib/db');
  const impact = (await runImpact(await listSlos(prisma()), { counters: { from: runFrom, to: runTo }, spans: { from: runFrom, to: runTo } })).impacts.find((i) => i.id === sloId)!;
  assert.equal(before.total, 4);
  assert.equal(impact.total, 20);
  assert.equal(impact.bad, 20 - (afterGood! - before.good!));
  assert.equal(impact.method, 'events');
  // Rules are evaluated every second; wait for an evaluation after the last scrape.
  const seenAt = Date.now();
  const s = await until('a recorded evaluation after the run', async () => {
    const x = await status();
    return x.at > seenAt + 1000 && x.errorRatios['5m'] !== null ? x : null;
  });
  assert.equal(s.source, 'rules');
  for (const w of ['5m', '1h', '6h', '1d', '3d'] as const) {
    const theirs = await promQuery(independentErrorRatio(w), s.at);
    assert.ok(theirs !== null && Math.abs(s.errorRatios[w]! - theirs) <= 1e-12, `error ratio ${w}: status ${s.errorRatios[w]} vs query ${theirs}`);
    assert.ok(Math.abs(s.burnRates[w]! - theirs / 0.01) <= 1e-9, `burn rate ${w}`);
  }
  const period = await promQuery(independentErrorRatio('30d'), s.at);
  assert.ok(period !== null && Math.abs(s.sli! - (1 - period)) <= 1e-12, `SLI over 30d: ${s.sli} vs ${1 - period!}`);
  assert.ok(Math.abs(s.budgetRemaining! - (1 - period! / 0.01)) <= 1e-9, `budget remaining ${s.budgetRemaining}`);
  // Sloth's own budget series agrees too (evaluated by Prometheus' meta rules).
  const recordedRemaining = await promQuery('slo:period_error_budget_remaining:ratio{sloth_slo="sandbox-latency"}');
  assert.ok(recordedRemaining !== null && Number.isFinite(recordedRemaining));
});

test("a run that starts right after another: the run page's SLO counts are its own requests, read between the sandbox's scrapes around it", { timeout: 120_000 }, async () => {
  const { runSloImpact } = await import('../../../lib/runs/slo-impact');
  const { awaitScrape } = await import('../../../lib/datasources/prometheus/views');
  const { PrometheusClient } = await import('../../../lib/datasources/prometheus/client');
  const { listSlos } = await import('../../../lib/slo/store');
  const { prisma } = await import('../../../lib/db');
  // Run A, then run B at once, as the load-run service starts one: after a scrape that follows A.
  await load(6, 2);
  totalSent.n += 6;
  assert.equal((await awaitScrape(PrometheusClient.fromConfig(), sb.url)).status, 'scraped');
  const startMs = Date.now();
  await load(10, 2);
  const endMs = Date.now();
  totalSent.n += 10;
  // B began within a scrape interval of A's end: a window padded by 2 s before B's start would hold some of A's requests.
  const run = { id: 'b', target: 'sandbox', createdAt: new Date(startMs).toISOString(), startedAt: new Date(startMs).toISOString(), finishedAt: new Date(endMs).toISOString(), summary: { window: { startMs, endMs } } } as unknown as RunView;
  const impact = await until('the scrape after run B', async () => {
    const r = await runSloImpact(run, await listSlos(prisma()));
    return r.pending ? null : r;
  });
  const mine = impact.impacts.find((i) => i.id === sloId)!;
  assert.equal(mine.total, 10);
  assert.equal(impact.counted, 'scrapes');
  assert.equal(mine.method, 'events');
});

test('a deliberately slow run fires the page alert, in Prometheus and in the status', { timeout: 240_000 }, async () => {
  // 16 requests of 200 generated tokens sent at once to a sandbox that batches 4: one request
  // takes ~0.3-0.5 s here (its decode steps shared with three others), so the 12 that queue
  // behind a whole batch wait that long before they start. A request's duration counts from
  // its arrival, so those 12 are beyond the 0.3 s bound however fast the kernels get.
  const slowBefore = await promQuery(`sum(${DURATION}_count) - sum(${DURATION}_bucket{le="0.3"})`);
  await load(16, 200, 16);
  totalSent.n += 16;
  await until('the slow run scraped', async () => (await promQuery(`sum(${DURATION}_count)`)) === totalSent.n);
  const scrapedAt = Date.now();
  const slow = (await promQuery(`sum(${DURATION}_count) - sum(${DURATION}_bucket{le="0.3"})`))! - slowBefore!;
  assert.ok(slow >= 12, `the slow run made ${slow} requests over 0.3 s, expected at least the 12 that queued`);
  const firing = await until('the page alert firing in Prometheus', async () => {
    const r = (await (await fetch(`${prom.url}/api/v1/alerts`)).json()) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
    return r.data.alerts.find((a) => a.labels.alertname === 'SandboxLatencyBudgetBurn' && a.labels.sloth_severity === 'page' && a.state === 'firing');
  });
  assert.equal(firing.labels.sloth_slo, 'sandbox-latency');
  assert.equal(firing.labels.sloth_service, 'trisight-sandbox');
  // The status reads the recorded burn rates: wait for an evaluation after the scrape that held
  // the whole slow run (the alert may fire earlier, on the 6h/30m pair and part of the run).
  const s = await until('the status to show it', async () => {
    const x = await status();
    return x.state === 'burning' && x.at > scrapedAt + 1000 ? x : null;
  });
  assert.ok(s.alerts.some((a) => a.severity === 'page' && a.state === 'firing'));
  // At least 12 of the 56 requests so far are slow (21 %): the 1h burn rate is above the page factor 14.4.
  assert.equal(totalSent.n, 56);
  assert.ok(s.burnRates['1h']! > 14.4, `1h burn rate ${s.burnRates['1h']} (${slow} slow of ${totalSent.n})`);
});

test('rules that Prometheus refuses roll the save back: 422, no row, no file', { timeout: 60_000 }, async () => {
  const before = (await db.pool.query('SELECT count(*)::int AS n FROM slo')).rows[0].n;
  const filesBefore = readdirSync(prom.rulesDir).sort();
  // histogram_avg is PromQL that our parser knows and Prometheus 2.42 does not.
  const res = await routes.slos.POST(
    post({
      definition: {
        name: 'refused',
        service: 'trisight-sandbox',
        objective: 99,
        window: { kind: 'rolling', duration: '30d' },
        sli: { kind: 'ratio', errorRatio: `histogram_avg(sum(rate(${DURATION}[{{.window}}])))` },
        alerting: {
          name: 'Refused',
          page: { quick: { long: '1h', short: '5m', budgetPercent: 2 }, slow: { long: '6h', short: '30m', budgetPercent: 5 } },
          ticket: { quick: { long: '1d', short: '2h', budgetPercent: 10 }, slow: { long: '3d', short: '6h', budgetPercent: 10 } },
        },
      },
    }),
  );
  const body = (await res.json()) as { error: { message: string } };
  assert.equal(res.status, 422, JSON.stringify(body));
  assert.match(body.error.message, /Prometheus rejected the generated rules, nothing was saved: .*histogram_avg/);
  assert.equal((await db.pool.query('SELECT count(*)::int AS n FROM slo')).rows[0].n, before);
  assert.deepEqual(readdirSync(prom.rulesDir).sort(), filesBefore);
  // Prometheus still evaluates the good SLO's rules.
  const groups = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as { data: { groups: { name: string }[] } };
  assert.ok(groups.data.groups.some((g) => g.name === 'sloth-slo-sli-recordings-trisight-sandbox-sandbox-latency'));
});

test('every SLI kind and budgeting method makes a rule file promtool accepts (Prometheus 2.42)', async () => {
  const { SloDefinition } = await import('../../../lib/slo/model');
  const { ruleFileFor } = await import('../../../lib/slo/deploy');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const os = await import('node:os');
  const base = {
    service: 'svc',
    objective: 99.5,
    window: { kind: 'rolling', duration: '28d' },
    alerting: {
      name: 'Burn',
      page: { quick: { long: '1h', short: '5m', budgetPercent: 2 }, slow: { long: '6h', short: '30m', budgetPercent: 5 } },
      ticket: { quick: { long: '1d', short: '2h', budgetPercent: 10 }, slow: { long: '3d', short: '6h', budgetPercent: 10 } },
    },
  };
  const cases = [
    { name: 'ratio-good', sli: { kind: 'ratio', good: 'sum(rate(x{code!~"5.."}[{{.window}}]))', total: 'sum(rate(x[{{.window}}]))' } },
    { name: 'ratio-raw', sli: { kind: 'ratio', errorRatio: 'avg_over_time(err_ratio[{{.window}}])' } },
    { name: 'latency-classic-int-le', sli: { kind: 'latency', metric: 'vllm:e2e_request_latency_seconds', matchers: 'model_name="m"', thresholdSeconds: 2, le: '2' } },
    { name: 'latency-native', sli: { kind: 'latency', metric: 'req_seconds', histogram: 'native', thresholdSeconds: 0.25 } },
    { name: 'timeslices', budgetingMethod: 'Timeslices', timeSlice: { window: '1m', target: 0.95 }, sli: { kind: 'latency', metric: DURATION, thresholdSeconds: 1, le: '1' } },
    { name: 'ratio-timeslices', budgetingMethod: 'RatioTimeslices', timeSlice: { window: '5m' }, sli: { kind: 'latency', metric: DURATION, thresholdSeconds: 1, le: '1' } },
    { name: 'calendar-month', window: { kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' }, sli: { kind: 'latency', metric: DURATION, thresholdSeconds: 1, le: '1' } },
    { name: 'seven-days', window: { kind: 'rolling', duration: '7d' }, sli: { kind: 'latency', metric: DURATION, thresholdSeconds: 1, le: '1' } },
  ];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trisight-slo-rules-'));
  try {
    for (const c of cases) {
      const file = path.join(dir, `${c.name}.yml`);
      writeFileSync(file, ruleFileFor(SloDefinition.parse({ ...base, ...c })));
      const check = spawnSync(PROMTOOL.bin, ['check', 'rules', file], { encoding: 'utf8' });
      assert.equal(check.status, 0, `${c.name}: ${check.stdout}${check.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('our latency SLI equals Pyrra’s expression for the same objective, on the same data', async () => {
  // Pyrra (slo/rules.go, Latency): (total − success) / total over the window (its Prometheus-3 le rewrite leaves 0.3 as it is).
  const pyrra = `(sum(rate(${DURATION}_count[1h])) - sum(rate(${DURATION}_bucket{le="0.3"}[1h]))) / sum(rate(${DURATION}_count[1h]))`;
  const { errorRatioQuery } = await import('../../../lib/slo/sli');
  const { getSlo } = await import('../../../lib/slo/store');
  const { prisma } = await import('../../../lib/db');
  const ours = errorRatioQuery((await getSlo(prisma(), sloId)).definition, '1h')!;
  const at = Date.now() - 2000;
  const [a, b] = [await promQuery(pyrra, at), await promQuery(ours, at)];
  assert.ok(a !== null && b !== null && Math.abs(a - b) < 1e-12, `Pyrra ${a} vs ours ${b}`);
});
