// The SLO definition Trisight stores (slo.spec / slo_revision.spec) and edits.
// Field names follow OpenSLO where it has one (budgetingMethod, timeSlice…) and
// Sloth where the rule output needs one (service, labels, alerting.name), so
// both conversions (openslo.ts, sloth.ts) are plain mappings. Pure: zod only,
// plus the PromQL check the editor also runs.
import { z } from 'zod';
import { checkPromQL, describeProblem } from '@/lib/promql/validate';
import { isDuration, parseDuration } from './duration';

/** OpenSLO metadata.name: RFC 1123 label (lower-case letters, digits, '-'), at most 63 characters. */
export const SLO_NAME_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** Sloth's NameRegexp, which its sloth_service / sloth_id labels rely on. */
export const SERVICE_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,98}[A-Za-z0-9])?$/;
const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** A Prometheus metric name (colons allowed: vllm:e2e_request_latency_seconds). */
const METRIC_NAME_RE = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export const ROLLING_WINDOWS = ['7d', '28d', '30d'] as const;
export type RollingWindow = (typeof ROLLING_WINDOWS)[number];

const name = z.string().trim().regex(SLO_NAME_RE, 'use a lower-case DNS label: a-z, 0-9 and "-", at most 63 characters, starting and ending with a letter or digit');

/** A PromQL SLI query: valid, instant-valued, with `{{.window}}` where each window's range goes. */
const sliQuery = z
  .string()
  .max(4000, 'at most 4000 characters')
  .superRefine((q, ctx) => {
    const [p] = checkPromQL(q, { windowPlaceholder: true, instant: true });
    if (p) ctx.addIssue({ code: 'custom', message: `invalid PromQL at ${describeProblem(p)}` });
    else if (!/\{\{\s*\.window\s*\}\}/.test(q)) ctx.addIssue({ code: 'custom', message: 'must contain {{.window}} where the range goes, e.g. rate(http_requests_total[{{.window}}])' });
  });

export const RatioSli = z
  .object({
    kind: z.literal('ratio'),
    /** good events over {{.window}} (OpenSLO ratioMetric.good) */
    good: sliQuery.optional(),
    /** bad events over {{.window}} (OpenSLO ratioMetric.bad, Sloth events.error_query) */
    bad: sliQuery.optional(),
    /** all events over {{.window}} */
    total: sliQuery.optional(),
    /** an error ratio computed by the query itself (Sloth raw.error_ratio_query) */
    errorRatio: sliQuery.optional(),
  })
  .superRefine((s, ctx) => {
    const n = [s.good, s.bad, s.errorRatio].filter((x) => x !== undefined).length;
    if (n !== 1) ctx.addIssue({ code: 'custom', path: ['good'], message: 'give exactly one of good, bad or errorRatio' });
    if (s.errorRatio === undefined && s.total === undefined) ctx.addIssue({ code: 'custom', path: ['total'], message: 'total is required with good or bad' });
    if (s.errorRatio !== undefined && s.total !== undefined) ctx.addIssue({ code: 'custom', path: ['total'], message: 'total is not used with errorRatio (the query is already a ratio)' });
  });

export const LatencySli = z.object({
  kind: z.literal('latency'),
  /** histogram name without _bucket/_count (classic) or the native histogram's name */
  metric: z.string().trim().regex(METRIC_NAME_RE, 'not a metric name'),
  /** label matchers inside the braces, e.g. gen_ai_request_model="tiny" (may be empty) */
  matchers: z.string().trim().max(1000).default(''),
  histogram: z.enum(['classic', 'native']).default('classic'),
  /** a request is good when it took at most this long */
  thresholdSeconds: z.number().positive('must be above 0').max(86_400, 'at most one day'),
  /**
   * Classic histograms: the `le` bound the rules use, as Prometheus shows it —
   * the largest bucket bound at or below the threshold (see sli.ts). Chosen
   * from the live buckets when the editor saves; absent when none were known.
   */
  le: z.string().max(40).optional(),
});

export const TraceSli = z.object({
  kind: z.literal('trace'),
  /** a TraceQL span set selecting the spans that count, e.g. { resource.service.name = "trisight-sandbox" && kind = server } */
  filter: z.string().trim().min(3).max(2000),
  /** a span is good when it took at most this long */
  thresholdMs: z.number().positive('must be above 0').max(86_400_000, 'at most one day'),
});

export const Sli = z.discriminatedUnion('kind', [RatioSli, LatencySli, TraceSli], { error: 'kind must be ratio, latency or trace' });
export type Sli = z.infer<typeof Sli>;

export const TimeWindow = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('rolling'), duration: z.enum(ROLLING_WINDOWS, { error: `unknown window; use one of ${ROLLING_WINDOWS.join(', ')}` }) }),
    z.object({
      kind: z.literal('calendar'),
      unit: z.enum(['week', 'month'], { error: 'a calendar window is a week or a month' }),
      timeZone: z
        .string()
        .default('UTC')
        .refine((tz) => {
          try {
            new Intl.DateTimeFormat('en', { timeZone: tz });
            return true;
          } catch {
            return false;
          }
        }, 'not an IANA time zone (e.g. Europe/Berlin)'),
    }),
  ],
  { error: 'window kind must be rolling or calendar' },
);
export type TimeWindow = z.infer<typeof TimeWindow>;

const windowDuration = z.string().refine(isDuration, 'not a duration (e.g. 5m, 1h, 3d)');

/** One multiwindow condition: fires when both windows burn faster than `budgetPercent` of the budget in `long`. */
export const AlertWindow = z
  .object({
    long: windowDuration,
    short: windowDuration,
    /** share of the period's error budget that burning for `long` at the alert's rate consumes (workbook: 2, 5, 10, 10) */
    budgetPercent: z.number().gt(0, 'must be above 0').max(100, 'at most 100'),
  })
  .superRefine((w, ctx) => {
    if (isDuration(w.long) && isDuration(w.short) && parseDuration(w.short) >= parseDuration(w.long)) {
      ctx.addIssue({ code: 'custom', path: ['short'], message: 'the short window must be shorter than the long one' });
    }
  });
export type AlertWindow = z.infer<typeof AlertWindow>;

const labelMap = z
  .record(z.string(), z.string().max(500))
  .default({})
  .superRefine((m, ctx) => {
    if (Object.keys(m).length > 20) ctx.addIssue({ code: 'custom', message: 'at most 20 labels' });
    for (const k of Object.keys(m)) {
      if (!LABEL_NAME_RE.test(k)) ctx.addIssue({ code: 'custom', path: [k], message: 'not a Prometheus label name' });
      else if (k.startsWith('__') || k.startsWith('sloth_')) ctx.addIssue({ code: 'custom', path: [k], message: 'names starting with __ or sloth_ are reserved' });
    }
  });

export const AlertSeverity = z.object({
  enabled: z.boolean().default(true),
  quick: AlertWindow,
  slow: AlertWindow,
  labels: labelMap,
  annotations: z.record(z.string(), z.string().max(2000)).default({}),
});

export const Alerting = z.object({
  /** the Prometheus alert name of both rules (Sloth's alerting.name) */
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'an alert name is letters, digits and _').max(200),
  labels: labelMap,
  annotations: z.record(z.string(), z.string().max(2000)).default({}),
  page: AlertSeverity,
  ticket: AlertSeverity,
});
export type Alerting = z.infer<typeof Alerting>;

export const BUDGETING_METHODS = ['Occurrences', 'Timeslices', 'RatioTimeslices'] as const;

export const SloDefinition = z
  .object({
    name,
    displayName: z.string().trim().max(200).optional(),
    service: z.string().trim().regex(SERVICE_RE, 'letters, digits, "-", "_" and "." (starting and ending with a letter or digit), at most 100 characters'),
    description: z.string().max(2000).default(''),
    owner: z.string().trim().max(200).default(''),
    labels: labelMap,
    sli: Sli,
    /** percent of good events (or good time slices), 0 < objective < 100 */
    objective: z.number({ error: 'the objective is a number of percent, e.g. 99.5' }).gt(0, 'must be above 0').lt(100, 'must be below 100'),
    window: TimeWindow,
    budgetingMethod: z.enum(BUDGETING_METHODS).default('Occurrences'),
    /** time slices (OpenSLO timeSliceWindow / timeSliceTarget); required with the Timeslices methods */
    timeSlice: z
      .object({
        window: z.enum(['1m', '5m'], { error: 'the slice is 1m or 5m' }),
        /** a slice is good when its own good ratio is at least this (Timeslices only), 0 < target ≤ 1 */
        target: z.number().gt(0).max(1).optional(),
      })
      .optional(),
    alerting: Alerting,
  })
  .superRefine((d, ctx) => {
    if (d.budgetingMethod !== 'Occurrences' && !d.timeSlice) ctx.addIssue({ code: 'custom', path: ['timeSlice'], message: `${d.budgetingMethod} budgeting needs a time slice window` });
    if (d.budgetingMethod === 'Timeslices' && d.timeSlice?.target === undefined) ctx.addIssue({ code: 'custom', path: ['timeSlice', 'target'], message: 'Timeslices budgeting needs the good ratio a slice must reach' });
    if (d.sli.kind === 'trace' && d.budgetingMethod !== 'Occurrences') ctx.addIssue({ code: 'custom', path: ['budgetingMethod'], message: 'trace-based SLIs are budgeted by occurrences' });
  });
export type SloDefinition = z.infer<typeof SloDefinition>;
/** What a client sends: defaults may be left out. */
export type SloDefinitionInput = z.input<typeof SloDefinition>;

/** One line per problem: "sli.good: invalid PromQL at line 1, column 16: …". */
export function issuesText(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

/** Sloth's sloth_id: `<service>-<slo name>`. */
export function slothId(d: Pick<SloDefinition, 'service' | 'name'>): string {
  return `${d.service}-${d.name}`;
}

/** "MyServiceAlert"-style default alert name from the SLO name: completion-latency → CompletionLatencyBudgetBurn. */
export function defaultAlertName(sloName: string): string {
  return `${sloName
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('')}BudgetBurn`.replace(/^(\d)/, 'Slo$1');
}
