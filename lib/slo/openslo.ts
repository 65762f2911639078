// OpenSLO v1 (github.com/OpenSLO/OpenSLO README, "Specification") in and out.
// Export writes three objects per SLO — Service, SLI, SLO (indicatorRef) — and
// keeps what OpenSLO has no field for (latency and trace SLIs, the alert
// windows, the owner) in `trisight.dev/*` annotations, so a round trip is
// lossless while other tools still read plain ratioMetric queries. Import
// accepts what the spec allows that Trisight can evaluate: inline or referenced
// SLIs, good/bad/total or raw ratio metrics from Prometheus, rolling or calendar
// windows, Occurrences / Timeslices / RatioTimeslices budgeting, several
// objectives (one Trisight SLO each, named `<name>-<index>` as Sloth does), and
// names what it cannot, with the path of the field. Pure.
import { z } from 'zod';
import { checkPromQL } from '@/lib/promql/validate';
import { defaultAlertWindows, periodMs } from './maths';
import { Alerting, defaultAlertName, type Sli, SLO_NAME_RE, type SloDefinition, type SloDefinitionInput, type TimeWindow } from './model';
import { errorRatioTemplate, promNumber } from './sli';
import type { ImportProblem } from './sloth';

export const OPENSLO_KINDS = ['SLO', 'SLI', 'Service', 'DataSource', 'AlertPolicy', 'AlertCondition', 'AlertNotificationTarget'] as const;
export const ANNOTATION = { sli: 'trisight.dev/sli', alerting: 'trisight.dev/alerting', owner: 'trisight.dev/owner', labels: 'trisight.dev/labels' } as const;

type Doc = Record<string, unknown>;

// ---------------------------------------------------------------- export

/** An RFC 1123 object name for a service name ("Trisight.Sandbox" → "trisight-sandbox"). */
export function objectName(s: string): string {
  const n = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return n || 'service';
}

function metricSource(type: string, query: string) {
  return { metricSource: { type, spec: { query } } };
}

function ratioMetricFor(d: SloDefinition): Doc {
  const s = d.sli;
  if (s.kind === 'ratio') {
    if (s.errorRatio) return { rawType: 'failure', raw: metricSource('Prometheus', s.errorRatio) };
    return { counter: true, ...(s.good ? { good: metricSource('Prometheus', s.good) } : { bad: metricSource('Prometheus', s.bad!) }), total: metricSource('Prometheus', s.total!) };
  }
  if (s.kind === 'latency') {
    // The error ratio template reads "1 - (good / total)"; OpenSLO wants good and total apart.
    if (s.histogram === 'native') {
      const h = `sum(rate(${s.metric}${s.matchers ? `{${s.matchers}}` : ''}[{{.window}}]))`;
      return { counter: true, good: metricSource('Prometheus', `histogram_fraction(0, ${promNumber(s.thresholdSeconds)}, ${h}) * histogram_count(${h})`), total: metricSource('Prometheus', `histogram_count(${h})`) };
    }
    const [, good, total] = /sum\(rate\((.*_bucket\{.*\})\[\{\{\.window\}\}\]\)\)\s*\/\s*sum\(rate\((.*)\[\{\{\.window\}\}\]\)\)/s.exec(errorRatioTemplate(s))!;
    return { counter: true, good: metricSource('Prometheus', `sum(rate(${good}[{{.window}}]))`), total: metricSource('Prometheus', `sum(rate(${total}[{{.window}}]))`) };
  }
  const ms = `${promNumber(s.thresholdMs)}ms`;
  const inner = s.filter.trim().replace(/^\{|\}$/g, '').trim();
  return { counter: true, good: metricSource('Tempo', `{ ${inner} && duration <= ${ms} } | rate()`), total: metricSource('Tempo', `{ ${inner} } | rate()`) };
}

function timeWindowFor(w: TimeWindow): Doc[] {
  if (w.kind === 'rolling') return [{ duration: w.duration, isRolling: true }];
  // A calendar window needs a start; 2024-01-01 was a Monday and a 1st, so it starts weeks and months alike.
  return [{ duration: w.unit === 'week' ? '1w' : '1M', isRolling: false, calendar: { startTime: '2024-01-01 00:00:00', timeZone: w.timeZone } }];
}

/** Service, SLI and SLO objects (openslo/v1) for each definition; Services shared by name. */
export function toOpenSLO(defs: readonly SloDefinition[]): Doc[] {
  const services = new Map<string, Doc>();
  const out: Doc[] = [];
  for (const d of defs) {
    const service = objectName(d.service);
    if (!services.has(service)) services.set(service, { apiVersion: 'openslo/v1', kind: 'Service', metadata: { name: service, displayName: d.service }, spec: { description: '' } });
    const sliName = `${d.name}-sli`.slice(0, 63).replace(/-+$/, '');
    const annotations: Record<string, string> = { [ANNOTATION.alerting]: JSON.stringify(d.alerting) };
    if (d.sli.kind !== 'ratio') annotations[ANNOTATION.sli] = JSON.stringify(d.sli);
    if (d.owner) annotations[ANNOTATION.owner] = d.owner;
    // Our service name keeps its spelling (sloth_service) even where the object name cannot.
    if (service !== d.service) annotations['trisight.dev/service'] = d.service;
    out.push({
      apiVersion: 'openslo/v1',
      kind: 'SLI',
      metadata: { name: sliName },
      spec: { description: '', ratioMetric: ratioMetricFor(d) },
    });
    const objective: Doc = { ...(d.displayName ? { displayName: d.displayName } : {}), target: Number((d.objective / 100).toPrecision(12)) };
    if (d.timeSlice) {
      objective.timeSliceWindow = d.timeSlice.window;
      if (d.timeSlice.target !== undefined) objective.timeSliceTarget = d.timeSlice.target;
    }
    out.push({
      apiVersion: 'openslo/v1',
      kind: 'SLO',
      metadata: { name: d.name, ...(d.displayName ? { displayName: d.displayName } : {}), ...(Object.keys(d.labels).length ? { labels: d.labels } : {}), annotations },
      spec: { description: d.description, service, indicatorRef: sliName, timeWindow: timeWindowFor(d.window), budgetingMethod: d.budgetingMethod, objectives: [objective] },
    });
  }
  return [...services.values(), ...out];
}

// ---------------------------------------------------------------- import

const Metadata = z.object({
  name: z.string().regex(SLO_NAME_RE, 'names are RFC 1123 labels: a-z, 0-9 and "-", at most 63 characters'),
  displayName: z.string().optional(),
  labels: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

const Source = z.object({
  metricSource: z.object({
    metricSourceRef: z.string().optional(),
    type: z.string().optional(),
    spec: z.object({ query: z.string({ error: 'a Prometheus metric source needs spec.query' }) }).passthrough(),
  }),
});

const RatioMetric = z
  .object({
    counter: z.boolean().optional(),
    good: Source.optional(),
    bad: Source.optional(),
    total: Source.optional(),
    rawType: z.enum(['success', 'failure']).optional(),
    raw: Source.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.raw) {
      if (r.good || r.bad || r.total) ctx.addIssue({ code: 'custom', path: ['raw'], message: 'raw cannot be used together with good, bad or total' });
      if (!r.rawType) ctx.addIssue({ code: 'custom', path: ['rawType'], message: 'rawType (success or failure) is required with raw' });
      return;
    }
    if (!!r.good === !!r.bad) ctx.addIssue({ code: 'custom', path: ['good'], message: 'give exactly one of good and bad' });
    if (!r.total) ctx.addIssue({ code: 'custom', path: ['total'], message: 'total is required with good or bad' });
  });

const SliSpec = z.object({
  description: z.string().max(1050).optional(),
  ratioMetric: RatioMetric.optional(),
  thresholdMetric: z.unknown().optional(),
});

const SliDoc = z.object({ apiVersion: z.literal('openslo/v1'), kind: z.literal('SLI'), metadata: Metadata, spec: SliSpec });
const InlineSli = z.object({ metadata: Metadata, spec: SliSpec });

const Objective = z
  .object({
    displayName: z.string().optional(),
    op: z.string().optional(),
    value: z.number().optional(),
    target: z.number().min(0).lt(1, 'target is a ratio below 1 (0.995 for 99.5 %)').optional(),
    targetPercent: z.number().min(0).lt(100).optional(),
    timeSliceTarget: z.number().gt(0).max(1).optional(),
    timeSliceWindow: z.union([z.string(), z.number()]).optional(),
    indicator: z.unknown().optional(),
    indicatorRef: z.string().optional(),
    compositeWeight: z.number().optional(),
  })
  .superRefine((o, ctx) => {
    if ((o.target === undefined) === (o.targetPercent === undefined)) ctx.addIssue({ code: 'custom', path: ['target'], message: 'give exactly one of target and targetPercent' });
  });

const SloDoc = z.object({
  apiVersion: z.literal('openslo/v1'),
  kind: z.literal('SLO'),
  metadata: Metadata,
  spec: z.object({
    description: z.string().max(1050, 'at most 1050 characters').optional(),
    service: z.string().min(1),
    indicator: InlineSli.optional(),
    indicatorRef: z.string().optional(),
    timeWindow: z
      .array(
        z.object({
          duration: z.string().regex(/^\d+[mhdwMQY]$/, 'a duration shorthand such as 28d or 1M'),
          isRolling: z.boolean().optional(),
          calendar: z.object({ startTime: z.string(), timeZone: z.string() }).optional(),
        }),
      )
      .length(1, 'exactly one time window')
      .optional(),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices', 'RatioTimeslices'], { error: 'budgetingMethod is Occurrences, Timeslices or RatioTimeslices' }),
    objectives: z.array(Objective).min(1, 'at least one objective'),
    alertPolicies: z.array(z.unknown()).optional(),
  }),
});

const Envelope = z.object({
  apiVersion: z.literal('openslo/v1', { error: (iss) => `apiVersion must be openslo/v1, not ${JSON.stringify(iss.input)}` }),
  kind: z.enum(OPENSLO_KINDS, { error: (iss) => `unknown kind ${JSON.stringify(iss.input)}; OpenSLO v1 kinds are ${OPENSLO_KINDS.join(', ')}` }),
});

const pathText = (path: readonly PropertyKey[]) => path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/** Where each model field of an imported definition came from, for messages. */
export interface Imported {
  definition: SloDefinitionInput;
  /** model path prefix ("sli.good") → document path ("documents[2].spec.indicator.spec.ratioMetric.good.metricSource.spec.query") */
  origin: Record<string, string>;
}

export type OpenSloResult = { ok: true; imported: Imported[] } | { ok: false; problems: ImportProblem[] };

function isSelector(q: string): boolean {
  // A plain series selector: a metric name and/or {matchers}, nothing else.
  return /^\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*(\{[^{}]*\})?\s*$|^\s*\{[^{}]+\}\s*$/.test(q) && !checkPromQL(q).length;
}

/** An OpenSLO Prometheus query as a Trisight SLI query (with {{.window}}), or the reason it cannot be one. */
function windowedQuery(q: string, counter: boolean | undefined, kind: 'count' | 'ratio'): { query: string } | { error: string } {
  if (/\{\{\s*\.window\s*\}\}/.test(q)) return { query: q };
  if (!isSelector(q)) return { error: 'write the query with {{.window}} where the range goes (e.g. sum(rate(x[{{.window}}]))), or give a plain series selector that Trisight can take rate() of' };
  if (kind === 'ratio') return { query: `avg_over_time(${q.trim()}[{{.window}}])` };
  return { query: counter === false ? `sum(sum_over_time(${q.trim()}[{{.window}}]))` : `sum(rate(${q.trim()}[{{.window}}]))` };
}

function windowFrom(tw: { duration: string; isRolling?: boolean; calendar?: { timeZone: string } } | undefined): { window: TimeWindow } | { error: string; field: string } {
  if (!tw) return { window: { kind: 'rolling', duration: '30d' } };
  const rolling = tw.isRolling ?? !tw.calendar;
  if (rolling) {
    const d = { '1w': '7d', '4w': '28d' }[tw.duration] ?? tw.duration;
    if (d === '7d' || d === '28d' || d === '30d') return { window: { kind: 'rolling', duration: d } };
    return { error: `unknown window ${JSON.stringify(tw.duration)}: Trisight's rolling windows are 7d, 28d and 30d`, field: 'duration' };
  }
  const unit = tw.duration === '1w' || tw.duration === '7d' ? 'week' : tw.duration === '1M' ? 'month' : null;
  if (!unit) return { error: `unknown calendar window ${JSON.stringify(tw.duration)}: Trisight's calendar windows are 1w and 1M`, field: 'duration' };
  return { window: { kind: 'calendar', unit, timeZone: tw.calendar?.timeZone ?? 'UTC' } };
}

function sliceWindow(v: string | number | undefined): '1m' | '5m' | null {
  if (v === undefined) return null;
  const s = typeof v === 'number' ? `${v}m` : v;
  return s === '1m' || s === '5m' ? s : null;
}

/** OpenSLO v1 documents → definitions with the origin of each field, or every problem with its path. */
export function fromOpenSLO(docs: readonly unknown[]): OpenSloResult {
  const problems: ImportProblem[] = [];
  const at = (i: number, path: readonly PropertyKey[] | string) => `documents[${i}]${typeof path === 'string' ? (path ? `.${path}` : '') : path.length ? `.${pathText(path)}` : ''}`;
  const slis = new Map<string, { i: number; spec: z.infer<typeof SliSpec> }>();
  const dataSources = new Map<string, string>();
  const slos: { i: number; doc: z.infer<typeof SloDoc> }[] = [];
  docs.forEach((raw, i) => {
    const env = Envelope.safeParse(raw);
    if (!env.success) {
      for (const issue of env.error.issues) problems.push({ path: at(i, issue.path), message: issue.message });
      return;
    }
    const kind = env.data.kind;
    if (kind === 'SLI') {
      const r = SliDoc.safeParse(raw);
      if (!r.success) for (const issue of r.error.issues) problems.push({ path: at(i, issue.path), message: issue.message });
      else slis.set(r.data.metadata.name, { i, spec: r.data.spec });
    } else if (kind === 'SLO') {
      const r = SloDoc.safeParse(raw);
      if (!r.success) for (const issue of r.error.issues) problems.push({ path: at(i, issue.path), message: issue.message });
      else slos.push({ i, doc: r.data });
    } else if (kind === 'DataSource') {
      const d = raw as { metadata?: { name?: string }; spec?: { type?: string } };
      if (d.metadata?.name && d.spec?.type) dataSources.set(d.metadata.name, d.spec.type);
    }
    // Service, AlertPolicy, AlertCondition, AlertNotificationTarget: valid, nothing to store
    // (Trisight's alerting is the multiwindow burn-rate set, kept in the SLO's annotation).
  });
  if (!slos.length && !problems.length) problems.push({ path: 'documents', message: 'no SLO object found (kind: SLO)' });
  const imported: Imported[] = [];
  for (const { i, doc } of slos) {
    const { metadata, spec } = doc;
    let sliSpec: z.infer<typeof SliSpec> | undefined;
    let sliPath: string;
    if (spec.indicator) {
      sliSpec = spec.indicator.spec;
      sliPath = at(i, 'spec.indicator.spec');
    } else if (spec.indicatorRef) {
      const ref = slis.get(spec.indicatorRef);
      if (!ref) {
        problems.push({ path: at(i, 'spec.indicatorRef'), message: `no SLI named ${JSON.stringify(spec.indicatorRef)} in this import` });
        continue;
      }
      sliSpec = ref.spec;
      sliPath = at(ref.i, 'spec');
    } else {
      problems.push({ path: at(i, 'spec'), message: 'give the SLI inline (indicator) or by name (indicatorRef)' });
      continue;
    }
    if (spec.objectives.some((o) => o.indicator !== undefined || o.indicatorRef !== undefined)) {
      problems.push({ path: at(i, 'spec.objectives'), message: 'composite SLOs (an indicator per objective) are not supported; import each objective as its own SLO' });
      continue;
    }
    const annotations = metadata.annotations ?? {};
    // Our own export: the exact SLI and alert windows.
    let sli: unknown;
    const origin: Record<string, string> = {};
    if (annotations[ANNOTATION.sli]) {
      try {
        sli = JSON.parse(annotations[ANNOTATION.sli]);
        origin.sli = at(i, `metadata.annotations["${ANNOTATION.sli}"]`);
      } catch {
        problems.push({ path: at(i, `metadata.annotations["${ANNOTATION.sli}"]`), message: 'not JSON' });
        continue;
      }
    } else if (sliSpec.thresholdMetric !== undefined) {
      problems.push({ path: `${sliPath}.thresholdMetric`, message: 'threshold SLIs are not supported; write the SLI as a ratioMetric (good/bad over total)' });
      continue;
    } else if (!sliSpec.ratioMetric) {
      problems.push({ path: sliPath, message: 'the SLI needs a ratioMetric' });
      continue;
    } else {
      const rm = sliSpec.ratioMetric;
      const out: Record<string, string> = { kind: 'ratio' };
      let failed = false;
      for (const key of ['good', 'bad', 'total', 'raw'] as const) {
        const src = rm[key];
        if (!src) continue;
        const path = `${sliPath}.ratioMetric.${key}.metricSource`;
        const type = src.metricSource.type ?? (src.metricSource.metricSourceRef ? dataSources.get(src.metricSource.metricSourceRef) : undefined);
        if (type?.toLowerCase() !== 'prometheus') {
          problems.push({ path: `${path}.type`, message: `Trisight evaluates Prometheus queries; this source is ${type ? JSON.stringify(type) : 'not named (give type: Prometheus)'}` });
          failed = true;
          continue;
        }
        const w = windowedQuery(src.metricSource.spec.query, rm.counter, key === 'raw' ? 'ratio' : 'count');
        if ('error' in w) {
          problems.push({ path: `${path}.spec.query`, message: w.error });
          failed = true;
          continue;
        }
        if (key === 'raw') {
          out.errorRatio = rm.rawType === 'success' ? `1 - (${w.query})` : w.query;
          origin['sli.errorRatio'] = `${path}.spec.query`;
        } else {
          out[key] = w.query;
          origin[`sli.${key}`] = `${path}.spec.query`;
        }
      }
      if (failed) continue;
      sli = out;
    }
    const tw = windowFrom(spec.timeWindow?.[0]);
    if ('error' in tw) {
      problems.push({ path: at(i, `spec.timeWindow[0].${tw.field}`), message: tw.error });
      continue;
    }
    let alerting: unknown;
    if (annotations[ANNOTATION.alerting]) {
      try {
        alerting = Alerting.parse(JSON.parse(annotations[ANNOTATION.alerting]));
      } catch (e) {
        problems.push({ path: at(i, `metadata.annotations["${ANNOTATION.alerting}"]`), message: e instanceof z.ZodError ? e.issues.map((x) => `${pathText(x.path)}: ${x.message}`).join('; ') : 'not JSON' });
        continue;
      }
    }
    const labels = Object.fromEntries(Object.entries(metadata.labels ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
    spec.objectives.forEach((o, k) => {
      const name = spec.objectives.length === 1 ? metadata.name : `${metadata.name}-${k}`;
      const objective = o.targetPercent ?? Number(((o.target ?? 0) * 100).toPrecision(12));
      const windows = defaultAlertWindows(periodMs(tw.window));
      const slice = sliceWindow(o.timeSliceWindow);
      if (spec.budgetingMethod !== 'Occurrences' && !slice) {
        problems.push({ path: at(i, `spec.objectives[${k}].timeSliceWindow`), message: `${spec.budgetingMethod} budgeting needs timeSliceWindow 1m or 5m` });
        return;
      }
      const definition: SloDefinitionInput = {
        name,
        ...((o.displayName ?? metadata.displayName) ? { displayName: o.displayName ?? metadata.displayName } : {}),
        service: annotations['trisight.dev/service'] ?? spec.service,
        description: spec.description ?? '',
        owner: annotations[ANNOTATION.owner] ?? '',
        labels,
        sli: sli as z.input<typeof Sli>,
        objective,
        window: tw.window,
        budgetingMethod: spec.budgetingMethod,
        ...(slice ? { timeSlice: { window: slice, ...(o.timeSliceTarget !== undefined ? { target: o.timeSliceTarget } : {}) } } : {}),
        alerting: (alerting as SloDefinitionInput['alerting']) ?? {
          name: defaultAlertName(name),
          page: { enabled: true, ...windows.page },
          ticket: { enabled: true, ...windows.ticket },
        },
      };
      imported.push({
        definition,
        origin: {
          name: at(i, 'metadata.name'),
          displayName: at(i, o.displayName ? `spec.objectives[${k}].displayName` : 'metadata.displayName'),
          service: at(i, 'spec.service'),
          description: at(i, 'spec.description'),
          labels: at(i, 'metadata.labels'),
          objective: at(i, `spec.objectives[${k}].${o.targetPercent !== undefined ? 'targetPercent' : 'target'}`),
          window: at(i, 'spec.timeWindow[0]'),
          budgetingMethod: at(i, 'spec.budgetingMethod'),
          timeSlice: at(i, `spec.objectives[${k}]`),
          alerting: at(i, `metadata.annotations["${ANNOTATION.alerting}"]`),
          sli: sliPath,
          ...origin,
        },
      });
    });
  }
  return problems.length ? { ok: false, problems } : { ok: true, imported };
}

/** The document path a model path came from: the longest matching origin prefix. */
export function originOf(origin: Record<string, string>, modelPath: string): string {
  let best = '';
  for (const k of Object.keys(origin)) if ((modelPath === k || modelPath.startsWith(`${k}.`)) && k.length > best.length) best = k;
  return best ? origin[best] + (modelPath.length > best.length && !best.startsWith('sli.') ? modelPath.slice(best.length) : '') : modelPath;
}
