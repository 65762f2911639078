import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parser } from '@grafana/lezer-traceql';
import { samplingWeight } from '../../../lib/model/sampling';
import {
  errorRatiosFromCounts,
  goDurationMs,
  limitPlan,
  maxRangeFromTempoError,
  planIntervals,
  slowerThan,
  traceqlDuration,
  traceSliQueries,
  weightedCount,
  windowCounts,
} from '../../../lib/slo/trace-metrics';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const STATUS = { '5m': 5 * 60_000, '1h': H, '6h': 6 * H, '1d': D, '3d': 3 * D };

/** No error nodes: Grafana's own TraceQL grammar reads the whole query. */
function parsesCleanly(q: string): boolean {
  let ok = true;
  parser.parse(q).iterate({
    enter: (n) => {
      if (n.type.isError) ok = false;
    },
  });
  return ok;
}

test('thresholds are written exactly, to the nanosecond, as the embedded store compares them', () => {
  const table: [number, string][] = [
    [2000, '2000ms'],
    [250, '250ms'],
    [0.5, '500us'],
    [1.2345, '1234500ns'],
    [86_400_000, '86400000ms'],
  ];
  for (const [ms, text] of table) assert.equal(traceqlDuration(ms), text, `${ms} ms`);
});

test('the slow-span filter: inside the braces for one span set, a pipeline stage otherwise', () => {
  const table: [string, string][] = [
    ['{ resource.service.name = "trisight-sandbox" && kind = server }', '{ (resource.service.name = "trisight-sandbox" && kind = server) && duration > 2000ms }'],
    // An || must stay grouped: without the parentheses `a || b && slow` would let every `a` span count as slow.
    ['{ span.a = 1 || span.b = 2 }', '{ (span.a = 1 || span.b = 2) && duration > 2000ms }'],
    ['{}', '{ duration > 2000ms }'],
    ['{ }', '{ duration > 2000ms }'],
    // Structural: Tempo reads it, the embedded store does not; the stage keeps the matched spans that are slow.
    ['{ kind = server } >> { name = "decode" }', '{ kind = server } >> { name = "decode" } | { duration > 2000ms }'],
  ];
  for (const [filter, slow] of table) {
    assert.equal(slowerThan(filter, 2000), slow, filter);
    assert.ok(parsesCleanly(`${slow} | count_over_time()`), `TraceQL grammar refuses ${slow}`);
  }
});

test('the two queries count per recorded sampling probability, and Grafana’s grammar reads both', () => {
  const q = traceSliQueries({ kind: 'trace', filter: '{ resource.service.name = "trisight-sandbox" && kind = server }', thresholdMs: 2000 });
  assert.equal(q.total, '{ resource.service.name = "trisight-sandbox" && kind = server } | count_over_time() by (span.trisight.sampling.probability)');
  assert.equal(q.bad, '{ (resource.service.name = "trisight-sandbox" && kind = server) && duration > 2000ms } | count_over_time() by (span.trisight.sampling.probability)');
  assert.ok(parsesCleanly(q.total) && parsesCleanly(q.bad));
});

test('weights: 1 ÷ the recorded probability; Tempo’s nil group, strings and out-of-range values count once', () => {
  const g = (p: number | string | null, value: number) => ({ attributes: { 'span.trisight.sampling.probability': p }, value });
  // 3 spans at p = 1, 1 at p = 0.25 (stands for 4), 1 without a probability (Tempo's "nil" group).
  assert.equal(weightedCount([g(1, 3), g(0.25, 1), g('nil', 1)]), 8);
  // A probability written as a string is not one (the embedded store reads numbers only); 0 and 2 are no probabilities.
  assert.equal(weightedCount([g('0.5', 2), g(0, 1), g(2, 1)]), 4);
  // NaN is "no value", not zero spans times a weight.
  assert.equal(weightedCount([g(0.5, Number.NaN), g(0.5, 1)]), 2);
  assert.equal(samplingWeight(0.05), 20);
});

test('error ratios: bad ÷ total, and no events is no data rather than a perfect score', () => {
  assert.deepEqual(errorRatiosFromCounts({ a: { total: 8, bad: 4 }, b: { total: 0, bad: 0 } }), { a: 0.5, b: null });
});

test('windows cut into ranges Tempo accepts: every window a union of whole ranges, each range queried once', () => {
  const plan = planIntervals({ ...STATUS, period: 30 * D }, NOW, D);
  // 5m, 1h, 6h, 1d, then 1d–2d, 2d–3d, then 27 days to 30d.
  assert.equal(plan.intervals.length, 33);
  // Ranges meet and never exceed a day; newest first.
  for (let i = 0; i < plan.intervals.length; i++) {
    const r = plan.intervals[i];
    assert.ok(r.to - r.from <= D && r.to > r.from);
    assert.equal(r.to, i === 0 ? NOW : plan.intervals[i - 1].from);
  }
  assert.equal(plan.intervals.at(-1)!.from, NOW - 30 * D);
  const table: [string, number][] = [
    ['5m', 1],
    ['1h', 2],
    ['6h', 3],
    ['1d', 4],
    ['3d', 6],
    ['period', 33],
  ];
  for (const [w, n] of table) {
    assert.equal(plan.windows[w].length, n, w);
    const covered = plan.windows[w].reduce((a, i) => a + plan.intervals[i].to - plan.intervals[i].from, 0);
    assert.equal(covered, w === 'period' ? 30 * D : STATUS[w as keyof typeof STATUS], `${w} covers exactly its length`);
  }
  // Sums: with 1 bad of 2 in the newest range and 0 of 2 elsewhere, 5m = 1/2, 1h = 1/4, period = 1/66.
  const per = plan.intervals.map((_, i) => ({ total: 2, bad: i === 0 ? 1 : 0 }));
  const c = windowCounts(plan, per);
  assert.deepEqual(c['5m'], { total: 2, bad: 1 });
  assert.deepEqual(c['1h'], { total: 4, bad: 1 });
  assert.deepEqual(c.period, { total: 66, bad: 1 });
});

test('a 3-hour Tempo limit: the windows that would need too many queries are dropped by name', () => {
  const plan = planIntervals({ ...STATUS, period: 30 * D }, NOW, 3 * H);
  // 5m; 5m–1h; 1h–4h, 4h–6h; then 3 h steps: 6 to 1d, 16 to 3d, 216 to 30d = 242 ranges.
  assert.equal(plan.intervals.length, 242);
  const { plan: kept, dropped } = limitPlan(plan, 64);
  assert.deepEqual(dropped, ['period']);
  assert.equal(kept.intervals.length, 64);
  // 3d = 26 ranges: still evaluated.
  assert.equal(kept.windows['3d'].length, 26);
  assert.ok(kept.windows['3d'].every((i) => i < 64));
});

test('Tempo’s range limit read from its refusal, current and older wording', () => {
  assert.equal(maxRangeFromTempoError('metrics query time range exceeds the maximum allowed duration of 24h0m0s'), D);
  assert.equal(maxRangeFromTempoError('range specified by start and end exceeds 3h0m0s. received start=1 end=2'), 3 * H);
  assert.equal(maxRangeFromTempoError('invalid TraceQL query: parse error'), null);
  assert.equal(goDurationMs('1h30m0s'), 1.5 * H);
  assert.equal(goDurationMs('500ms'), 500);
  assert.equal(goDurationMs('soon'), null);
});
