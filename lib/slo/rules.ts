// Prometheus rules for an SLO, named and labelled as Sloth names them, so
// dashboards and alert routes written for Sloth work unchanged. Followed from
// slok/sloth (commit 0e395d8):
//   internal/plugin/slo/core/sli_rules_v1/plugin.go       slo:sli_error:ratio_rate<window> per window
//   internal/plugin/slo/core/metadata_rules_v1/plugin.go  slo:objective:ratio … sloth_slo_info
//   internal/plugin/slo/core/alert_rules_v1/plugin.go     the multiwindow-multiburn alert expression
//   pkg/common/conventions/*.go                           metric, label and group names
//   internal/alert/window.go, windows/google-30d.yaml     burn factors from budget shares
// and from pyrra-dev/pyrra (commit 1ba95af) slo/prometheus3.go: the `le` matcher
// that works on Prometheus 2 and 3 (see sli.ts).
//
// Where we differ, on purpose (see docs/slos.md for the case-by-case comparison):
// - The period SLI (slo:sli_error:ratio_rate30d) is the exact event ratio over
//   the period (Sloth's `disableOptimized`), not Sloth's default average of the
//   5m ratios: that average weighs an idle minute like a busy one, and one idle
//   5m window (0/0 = NaN) makes Sloth's sum_over_time NaN for the whole period —
//   the normal state of a sandbox between load runs.
// - Every window the status page shows (5m 1h 6h 1d 3d) is recorded, not only
//   the alert windows, so status reads Prometheus' own evaluations.
// - Timeslices / RatioTimeslices budgeting (OpenSLO) record a per-slice ratio
//   first and average over slices; Sloth has only event ratios.
// Pure.
import YAML from 'yaml';
import { formatDuration, parseDuration } from './duration';
import { alertConditions, errorBudgetRatio, periodMs, recordedWindows } from './maths';
import { slothId, type SloDefinition } from './model';
import { errorRatioTemplate, promNumber, renderWindow } from './sli';

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  rules: Rule[];
}

export const SLI_ERROR_METRIC = 'slo:sli_error:ratio_rate';
/** Timeslices budgeting: each slice's own error ratio, which the window rules average. Trisight's, not Sloth's. */
export const SLICE_ERROR_METRIC = 'slo:sli_error_slice:ratio_rate';

export const GROUP_PREFIX = { sli: 'sloth-slo-sli-recordings-', meta: 'sloth-slo-meta-recordings-', alerts: 'sloth-slo-alerts-' } as const;

/** The labels that identify an SLO's series (conventions.GetSLOIDPromLabels). */
export function idLabels(d: Pick<SloDefinition, 'service' | 'name'>): Record<string, string> {
  return { sloth_id: slothId(d), sloth_service: d.service, sloth_slo: d.name };
}

/** `{sloth_id="svc-slo", sloth_service="svc", sloth_slo="slo"}` (prometheus model.LabelSet.String order: sorted). */
export function idFilter(d: Pick<SloDefinition, 'service' | 'name'>): string {
  const l = idLabels(d);
  return `{${Object.keys(l)
    .sort()
    .map((k) => `${k}=${JSON.stringify(l[k])}`)
    .join(', ')}}`;
}

const sorted = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/** The expression of slo:sli_error:ratio_rate<window> for this definition's budgeting method. */
export function sliWindowExpr(d: SloDefinition, window: string): string {
  if (d.sli.kind === 'trace') throw new Error('trace-based SLIs have no Prometheus rules');
  const template = errorRatioTemplate(d.sli);
  if (d.budgetingMethod === 'Occurrences' || !d.timeSlice) return renderWindow(template, window);
  const slice = d.timeSlice.window;
  const base = `${SLICE_ERROR_METRIC}${slice}${idFilter(d)}`;
  // RatioTimeslices: the mean of the slices' error ratios; idle slices (0/0 = NaN) are left out by `>= 0`.
  // Timeslices: the share of bad slices (error ratio above 1 − timeSliceTarget); an idle slice is not bad.
  const perSlice = d.budgetingMethod === 'RatioTimeslices' ? `${base} >= 0` : `${base} > bool ${promNumber(Number((1 - d.timeSlice.target!).toPrecision(12)))}`;
  return `avg_over_time((${perSlice})[${window}:${slice}])`;
}

export interface RuleOptions {
  /** sloth_version label of sloth_slo_info, e.g. "trisight-0.1.0" */
  version: string;
}

/** The rule groups of one SLO: SLI recordings, metadata recordings and (unless both are disabled) alerts. Trace SLIs get none. */
export function sloRuleGroups(d: SloDefinition, opts: RuleOptions): RuleGroup[] {
  if (d.sli.kind === 'trace') return [];
  const id = slothId(d);
  const labels = sorted({ ...d.labels, ...idLabels(d) });
  const filter = idFilter(d);
  const windows = recordedWindows(d);
  const sliRules: Rule[] = [];
  if (d.budgetingMethod !== 'Occurrences' && d.timeSlice) {
    sliRules.push({ record: `${SLICE_ERROR_METRIC}${d.timeSlice.window}`, expr: renderWindow(errorRatioTemplate(d.sli), d.timeSlice.window), labels: sorted({ ...labels, sloth_window: d.timeSlice.window }) });
  }
  for (const w of windows) sliRules.push({ record: `${SLI_ERROR_METRIC}${w}`, expr: sliWindowExpr(d, w), labels: sorted({ ...labels, sloth_window: w }) });

  const objective = Number((d.objective / 100).toPrecision(12));
  const period = formatDuration(periodMs(d.window));
  const burnRateExpr = (window: string) => `${SLI_ERROR_METRIC}${window}${filter}\n/ on(sloth_id, sloth_slo, sloth_service) group_left\nslo:error_budget:ratio${filter}`;
  const currentWindow = formatDuration(parseDuration(d.alerting.page.quick.short));
  const metaRules: Rule[] = [
    { record: 'slo:objective:ratio', expr: `vector(${objective})`, labels },
    { record: 'slo:error_budget:ratio', expr: `vector(${errorBudgetRatio(d.objective)})`, labels },
    { record: 'slo:time_period:days', expr: `vector(${promNumber(periodMs(d.window) / 86_400_000)})`, labels },
    { record: 'slo:current_burn_rate:ratio', expr: burnRateExpr(currentWindow), labels },
    { record: 'slo:period_burn_rate:ratio', expr: burnRateExpr(period), labels },
    { record: 'slo:period_error_budget_remaining:ratio', expr: `1 - slo:period_burn_rate:ratio${filter}`, labels },
    {
      record: 'sloth_slo_info',
      expr: 'vector(1)',
      labels: sorted({ ...labels, sloth_mode: 'trisight', sloth_objective: promNumber(d.objective), sloth_spec: 'trisight/v1', sloth_version: opts.version }),
    },
  ];

  const groups: RuleGroup[] = [
    { name: `${GROUP_PREFIX.sli}${id}`, rules: sliRules },
    { name: `${GROUP_PREFIX.meta}${id}`, rules: metaRules },
  ];
  const conditions = alertConditions(d);
  const alertRules: Rule[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const quick = conditions.find((c) => c.severity === severity && c.speed === 'quick');
    const slow = conditions.find((c) => c.severity === severity && c.speed === 'slow');
    if (!quick || !slow) continue;
    const budget = errorBudgetRatio(d.objective);
    const cond = (window: string, factor: number) => `max(${SLI_ERROR_METRIC}${window}${filter} > (${factor} * ${budget})) without (sloth_window)`;
    const s = d.alerting[severity];
    alertRules.push({
      alert: d.alerting.name,
      expr: `(\n    ${cond(quick.short, quick.factor)}\n    and\n    ${cond(quick.long, quick.factor)}\n)\nor\n(\n    ${cond(slow.short, slow.factor)}\n    and\n    ${cond(slow.long, slow.factor)}\n)`,
      labels: sorted({ ...d.alerting.labels, ...s.labels, sloth_severity: severity }),
      annotations: sorted({
        title: `(${severity}) {{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is too fast.`,
        summary: '{{$labels.sloth_service}} {{$labels.sloth_slo}} SLO error budget burn rate is over expected.',
        ...d.alerting.annotations,
        ...s.annotations,
      }),
    });
  }
  if (alertRules.length) groups.push({ name: `${GROUP_PREFIX.alerts}${id}`, rules: alertRules });
  return groups;
}

/** A Prometheus rule file (YAML) for these SLOs. */
export function ruleFileYaml(defs: readonly SloDefinition[], opts: RuleOptions): string {
  const groups = defs.flatMap((d) => sloRuleGroups(d, opts));
  const skipped = defs.filter((d) => d.sli.kind === 'trace').map((d) => d.name);
  const header = [
    `Generated by Trisight (${opts.version}) with Sloth's rule names and labels: https://github.com/slok/sloth.`,
    'DO NOT EDIT: change the SLO in Trisight and download the file again.',
    ...(skipped.length ? [`Trace-based SLOs have no Prometheus rules (Trisight evaluates them from traces): ${skipped.join(', ')}.`] : []),
  ];
  const doc = new YAML.Document({ groups });
  doc.commentBefore = header.map((l) => ` ${l}`).join('\n');
  return doc.toString({ lineWidth: 0, blockQuote: 'literal' });
}
