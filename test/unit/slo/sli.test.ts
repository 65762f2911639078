import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPromQL } from '../../../lib/promql/validate';
import { SloDefinition } from '../../../lib/slo/model';
import { errorRatioQuery, eventQueries, exactEventQueries, latencyBucketChoice, leMatcher } from '../../../lib/slo/sli';
import { sloTemplates } from '../../../lib/slo/templates';
import { PRESET_IDS } from '../../../lib/targets/presets';

// The sandbox's request-duration buckets as Prometheus 2 shows them (prom-client writes 0.01, 2.56 …).
const SANDBOX_LES = ['0.01', '0.02', '0.04', '0.08', '0.16', '0.32', '0.64', '1.28', '2.56', '5.12', '10.24', '20.48', '40.96', '81.92', '+Inf'];
// vLLM-style integer bounds as Prometheus 3 normalises them ("1.0").
const FLOAT_LES = ['0.5', '1.0', '2.0', '5.0', '10.0', '+Inf'];

test('latency thresholds between bucket bounds use the bound below and say what that does', () => {
  const table: { t: number; les: string[]; le: string | null; exact: boolean; says: RegExp }[] = [
    { t: 2.56, les: SANDBOX_LES, le: '2.56', exact: true, says: /exactly the requests that took at most 2\.56 s/ },
    // 2 s lies between 1.28 and 2.56: requests of 1.28–2 s count as bad (a lower bound).
    { t: 2, les: SANDBOX_LES, le: '1.28', exact: false, says: /between the bounds 1\.28 s and 2\.56 s\. The SLI uses le="1\.28": requests that took between 1\.28 s and 2 s count as bad, so the SLI is a lower bound/ },
    // LLM requests past the largest finite bucket: measured at 81.92 s, with the fix named.
    { t: 120, les: SANDBOX_LES, le: '81.92', exact: false, says: /above the largest finite bound 81\.92 s.*Add a bucket at 120 s/ },
    { t: 0.005, les: SANDBOX_LES, le: null, exact: false, says: /5 ms is below the smallest bucket bound \(10 ms\)/ },
    { t: 2, les: FLOAT_LES, le: '2.0', exact: true, says: /bucket bound at 2 s \(le="2\.0"\)/ },
    { t: 0.1, les: ['0.05', '0.1', '+Inf'], le: '0.1', exact: true, says: /100 ms/ },
    { t: 1, les: [], le: null, exact: false, says: /No bucket bounds were found/ },
  ];
  for (const x of table) {
    const c = latencyBucketChoice(x.t, x.les);
    assert.equal(c.le, x.le, `${x.t} s`);
    assert.equal(c.exact, x.exact, `${x.t} s exact`);
    assert.match(c.explanation, x.says, `${x.t} s: ${c.explanation}`);
  }
});

test('le matchers work on Prometheus 2 and 3 (Pyrra’s migration rule)', () => {
  assert.equal(leMatcher('2'), 'le=~"2(\\\\.0)?"');
  assert.equal(leMatcher('2.56'), 'le="2.56"');
  assert.equal(leMatcher('2.0'), 'le="2.0"');
});

const base = {
  name: 'x',
  service: 'svc',
  objective: 99,
  window: { kind: 'rolling', duration: '30d' },
  alerting: { name: 'X', page: { quick: { long: '1h', short: '5m', budgetPercent: 2 }, slow: { long: '6h', short: '30m', budgetPercent: 5 } }, ticket: { quick: { long: '1d', short: '2h', budgetPercent: 10 }, slow: { long: '3d', short: '6h', budgetPercent: 10 } } },
};

test('error-ratio queries per SLI kind, valid PromQL for every window', () => {
  const table: { sli: unknown; window: string; expect: string }[] = [
    { sli: { kind: 'ratio', bad: 'sum(rate(e[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))' }, window: '5m', expect: '(sum(rate(e[5m])))\n/\n(sum(rate(t[5m])))' },
    { sli: { kind: 'ratio', good: 'sum(rate(g[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))' }, window: '1h', expect: '1 - (\n  (sum(rate(g[1h])))\n  /\n  (sum(rate(t[1h])))\n)' },
    { sli: { kind: 'ratio', errorRatio: 'avg_over_time(err_ratio[{{.window}}])' }, window: '6h', expect: '(avg_over_time(err_ratio[6h]))' },
    {
      sli: { kind: 'latency', metric: 'gen_ai_server_time_to_first_token_seconds', matchers: 'gen_ai_request_model="tiny"', thresholdSeconds: 2, le: '2.5' },
      window: '5m',
      expect:
        '1 - (\n  sum(rate(gen_ai_server_time_to_first_token_seconds_bucket{gen_ai_request_model="tiny", le="2.5"}[5m]))\n  /\n  sum(rate(gen_ai_server_time_to_first_token_seconds_count{gen_ai_request_model="tiny"}[5m]))\n)',
    },
    { sli: { kind: 'latency', metric: 'req_seconds', histogram: 'native', thresholdSeconds: 0.25 }, window: '1d', expect: '1 - histogram_fraction(0, 0.25, sum(rate(req_seconds[1d])))' },
  ];
  for (const t of table) {
    const d = SloDefinition.parse({ ...base, sli: t.sli });
    const q = errorRatioQuery(d, t.window)!;
    assert.equal(q, t.expect);
    assert.deepEqual(checkPromQL(q, { instant: true }), [], q);
  }
  assert.equal(errorRatioQuery(SloDefinition.parse({ ...base, sli: { kind: 'trace', filter: '{ kind = server }', thresholdMs: 500 } }), '5m'), null);
});

test('event counts: rate() queries times the window, histogram counts by increase()', () => {
  const ratio = SloDefinition.parse({ ...base, sli: { kind: 'ratio', bad: 'sum(rate(e[{{.window}}]))', total: 'sum(rate(t[{{.window}}]))' } });
  assert.deepEqual(eventQueries(ratio.sli, '1h'), { total: '(sum(rate(t[1h]))) * 3600', bad: '(sum(rate(e[1h]))) * 3600' });
  const lat = SloDefinition.parse({ ...base, sli: { kind: 'latency', metric: 'm', thresholdSeconds: 1, le: '1' } });
  const q = eventQueries(lat.sli, '10m')!;
  assert.equal(q.total, 'sum(increase(m_count[10m]))');
  assert.equal(q.bad, 'sum(increase(m_count[10m])) - sum(increase(m_bucket{le=~"1(\\\\.0)?"}[10m]))');
  for (const e of [q.total, q.bad]) assert.deepEqual(checkPromQL(e, { instant: true }), []);
  // Exact counts for a run: counter now minus counter a window ago (a series born in the window counts from 0).
  const x = exactEventQueries(lat.sli, '37s')!;
  assert.equal(x.total, '(sum(m_count) - (sum(m_count offset 37s) or vector(0)))');
  for (const e of [x.total, x.bad]) assert.deepEqual(checkPromQL(e, { instant: true }), []);
  assert.equal(exactEventQueries(ratio.sli, '1m'), null);
});

test('templates: every one a server supports is a valid definition; the rest say why not', () => {
  for (const preset of PRESET_IDS) {
    for (const t of sloTemplates(preset, 'sandbox')) {
      if (!t.definition) {
        assert.ok(t.unavailable && t.unavailable.length > 10, `${preset}/${t.id} says why it is unavailable`);
        continue;
      }
      const r = SloDefinition.safeParse(t.definition);
      assert.ok(r.success, `${preset}/${t.id}: ${!r.success && JSON.stringify(r.error.issues)}`);
    }
  }
  const semconv = sloTemplates('semconv', 'sandbox');
  assert.deepEqual(
    semconv.map((t) => [t.id, t.definition?.objective, t.definition?.sli.kind === 'latency' ? t.definition.sli.thresholdSeconds : null]),
    [
      ['ttft-p95', 95, 2],
      ['availability', 99.5, null],
      ['tpot', 95, 0.1],
      ['queue-time', 99, 0.5],
      ['perplexity-drift', 99, null],
    ],
  );
  // Perplexity drift: a ratio over the sandbox's histogram, bad = all − those at or under the bound; only the sandbox exports it.
  const drift = semconv.find((t) => t.id === 'perplexity-drift')!.definition!.sli;
  assert.deepEqual(drift, {
    kind: 'ratio',
    bad: 'sum(rate(sandbox_output_perplexity_window_std_max_count[{{.window}}])) - sum(rate(sandbox_output_perplexity_window_std_max_bucket{le="64"}[{{.window}}]))',
    total: 'sum(rate(sandbox_output_perplexity_window_std_max_count[{{.window}}]))',
  });
  assert.match(sloTemplates('vllm', 's').find((t) => t.id === 'perplexity-drift')!.unavailable!, /vLLM exports no per-request output perplexity/);
  // TGI has no TTFT histogram; SGLang no outcome counter.
  assert.equal(sloTemplates('tgi', 's').find((t) => t.id === 'ttft-p95')!.definition, null);
  assert.equal(sloTemplates('sglang', 's').find((t) => t.id === 'availability')!.definition, null);
});
