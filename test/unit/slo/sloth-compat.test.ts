import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import YAML from 'yaml';
import { importDocuments } from '../../../lib/slo/import';
import type { SloDefinition, TimeWindow } from '../../../lib/slo/model';
import { ruleFileYaml, type Rule, type RuleGroup } from '../../../lib/slo/rules';

// Our rule generator against Sloth's own golden files (test/fixtures/sloth):
// Sloth's input spec goes through our Sloth importer, our rules are compared
// group by group, rule by rule with Sloth's expected output. Names, labels,
// annotations and alert expressions must be identical (numbers compared as
// numbers: Sloth writes 1-0.9990000000000001, we write 0.001). The only
// differences allowed are the ones listed in DIFFERENCES, each on purpose.

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures', 'sloth');
const read = (f: string) => readFileSync(path.join(FIXTURES, f), 'utf8');

/** Sloth's template placeholders, rendered as its test does. */
const renderSloth = (tpl: string) => tpl.replace(/\{\{ \.version \}\}/g, 'v-test').replace(/\{\{"(\{\{\$labels\.\w+\}\})"\}\}/g, '$1');

/** Whitespace out, numbers canonical, `vector(a-b)` evaluated: the form two equal expressions share. */
function canonical(expr: string): string {
  const vectorArith = /vector\(([\d.+\-*/ ]+)\)/g;
  const evaluated = expr.replace(vectorArith, (_m, a: string) => `vector(${Function(`return (${a})`)()})`);
  return evaluated.replace(/\s+/g, '').replace(/(?<![\w.:])(\d+\.\d+|\d+)(?![\w.])/g, (n) => String(Number(Number(n).toPrecision(10))));
}

const DIFFERENCES = {
  /** Sloth's default period SLI averages the 5m ratios (sum_over_time ÷ count_over_time); ours is the event ratio over the period (Sloth's disableOptimized). */
  periodSli: (record: string, period: string) => record === `slo:sli_error:ratio_rate${period}`,
  /** sloth_slo_info says who generated the rules. */
  infoLabels: ['sloth_mode', 'sloth_spec', 'sloth_version'],
};

function compare(ours: RuleGroup[], theirs: RuleGroup[], period: string, defs: SloDefinition[]) {
  assert.deepEqual(
    ours.map((g) => g.name),
    theirs.map((g) => g.name),
    'the same rule groups in the same order',
  );
  const differences: string[] = [];
  for (const [gi, g] of theirs.entries()) {
    const mine = ours[gi];
    assert.deepEqual(
      mine.rules.map((r) => r.record ?? r.alert),
      g.rules.map((r) => r.record ?? r.alert),
      `${g.name}: the same rules in the same order`,
    );
    for (const [ri, r] of g.rules.entries()) {
      const m: Rule = mine.rules[ri];
      const what = `${g.name} ${r.record ?? r.alert}${r.labels?.sloth_severity ? ` (${r.labels.sloth_severity})` : ''}`;
      const theirLabels = { ...r.labels };
      const myLabels = { ...m.labels };
      if (r.record === 'sloth_slo_info') {
        for (const k of DIFFERENCES.infoLabels) {
          assert.ok(k in theirLabels && k in myLabels, `${what}: ${k} present`);
          delete theirLabels[k];
          delete myLabels[k];
        }
        differences.push(`${what}: ${DIFFERENCES.infoLabels.join(', ')}`);
      }
      assert.deepEqual(myLabels, theirLabels, `${what}: labels`);
      assert.deepEqual(m.annotations ?? {}, r.annotations ?? {}, `${what}: annotations`);
      if (r.record && DIFFERENCES.periodSli(r.record, period)) {
        assert.match(r.expr, /sum_over_time\(slo:sli_error:ratio_rate5m\{.*\}\[\w+\]\)\s*\/ ignoring \(sloth_window\)\s*count_over_time/, `${what}: Sloth averages the 5m ratios`);
        const d = defs.find((x) => x.name === r.labels?.sloth_slo)!;
        assert.ok(!m.expr.includes('sum_over_time'), `${what}: ours is the event ratio`);
        assert.ok(m.expr.includes(`[${period}]`) && (d.sli.kind !== 'ratio' || m.expr.includes('http_request_duration_seconds_count')), `${what}: ours reads the raw series over ${period}`);
        differences.push(`${what}: event ratio over the period instead of the mean of 5m ratios`);
        continue;
      }
      assert.equal(canonical(m.expr), canonical(r.expr), `${what}: expression`);
    }
  }
  return differences;
}

function ours(window: TimeWindow, windows?: SloDefinition['alerting']['page'] extends infer _ ? Record<'page' | 'ticket', Record<'quick' | 'slow', { long: string; short: string; budgetPercent: number }>> | undefined : never) {
  const r = importDocuments(read('in-base.yaml'), { slothWindow: window });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const defs = r.definitions.map((d) =>
    windows
      ? {
          ...d,
          alerting: { ...d.alerting, page: { ...d.alerting.page, ...windows.page }, ticket: { ...d.alerting.ticket, ...windows.ticket } },
        }
      : d,
  );
  const groups = (YAML.parse(ruleFileYaml(defs, { version: 'v-test' })) as { groups: RuleGroup[] }).groups;
  return { defs, groups };
}

const theirs = (file: string) => (YAML.parse(renderSloth(read(file))) as { groups: RuleGroup[] }).groups;

test('Sloth in-base, 30-day default: identical rules except the period SLI and the info labels', () => {
  const { defs, groups } = ours({ kind: 'rolling', duration: '30d' });
  const diffs = compare(groups, theirs('out-base.yaml.tpl'), '30d', defs);
  // Two SLOs: one period rule and one info rule each.
  assert.equal(diffs.length, 4, diffs.join('\n'));
});

test('Sloth in-base, 28 days: the same windows, factors 13.44 / 5.6 / 2.8 / 0.93, period window 4w', () => {
  const { defs, groups } = ours({ kind: 'rolling', duration: '28d' });
  const diffs = compare(groups, theirs('out-base-28d.yaml.tpl'), '4w', defs);
  assert.equal(diffs.length, 4, diffs.join('\n'));
});

test('Sloth in-base, 7 days with Sloth’s custom windows (8, 12.5, 20, 42 %): factors 13.44 / 3.5 / 1.4 / 0.98', () => {
  const w = YAML.parse(read('windows-7d.yaml')).spec;
  const windows = {
    page: { quick: { long: w.page.quick.longWindow, short: w.page.quick.shortWindow, budgetPercent: w.page.quick.errorBudgetPercent }, slow: { long: w.page.slow.longWindow, short: w.page.slow.shortWindow, budgetPercent: w.page.slow.errorBudgetPercent } },
    ticket: {
      quick: { long: w.ticket.quick.longWindow, short: w.ticket.quick.shortWindow, budgetPercent: w.ticket.quick.errorBudgetPercent },
      slow: { long: w.ticket.slow.longWindow, short: w.ticket.slow.shortWindow, budgetPercent: w.ticket.slow.errorBudgetPercent },
    },
  };
  // Sloth writes 24h and 72h as 1d and 3d: our parser reads both.
  const { defs, groups } = ours({ kind: 'rolling', duration: '7d' }, windows);
  const diffs = compare(groups, theirs('out-base-custom-windows-7d.yaml.tpl'), '1w', defs);
  assert.equal(diffs.length, 4, diffs.join('\n'));
});
