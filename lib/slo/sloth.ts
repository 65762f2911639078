// Sloth's `prometheus/v1` spec (and its Kubernetes PrometheusServiceLevel,
// whose spec is the same) → Trisight definitions. Field names from Sloth's
// pkg/prometheus/api/v1/v1.go. A Sloth spec has no window of its own (the CLI's
// default is 30 days), so imports take the 30-day window and the workbook's
// alert windows unless told otherwise. Pure.
import { z } from 'zod';
import { defaultAlertWindows, periodMs } from './maths';
import { defaultAlertName, type SloDefinitionInput, type TimeWindow } from './model';

const labels = z.record(z.string(), z.string()).optional();
const SlothAlert = z.object({ disable: z.boolean().optional(), labels, annotations: labels }).strict().optional();

const SlothSlo = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    objective: z.number(),
    labels,
    sli: z
      .object({
        events: z.object({ error_query: z.string(), total_query: z.string() }).strict().optional(),
        raw: z.object({ error_ratio_query: z.string() }).strict().optional(),
        plugin: z.unknown().optional(),
      })
      .strict(),
    alerting: z
      .object({ name: z.string().optional(), labels, annotations: labels, page_alert: SlothAlert, ticket_alert: SlothAlert })
      .strict()
      .optional(),
    plugins: z.unknown().optional(),
  })
  .strict();

export const SlothSpec = z
  .object({
    version: z.literal('prometheus/v1', { error: 'Sloth specs have version: prometheus/v1' }),
    service: z.string(),
    labels,
    slo_plugins: z.unknown().optional(),
    slos: z.array(SlothSlo).min(1, 'a Sloth spec lists at least one SLO'),
  })
  .strict();

/** A Kubernetes PrometheusServiceLevel carries the same spec (without `version`). */
export const SlothK8s = z.object({
  apiVersion: z.literal('sloth.slok.dev/v1'),
  kind: z.literal('PrometheusServiceLevel'),
  metadata: z.object({ name: z.string() }).passthrough(),
  spec: z.object({}).passthrough(),
});

export interface ImportProblem {
  /** where in the document, e.g. "slos[1].sli.plugin" */
  path: string;
  message: string;
}

export type Converted = { ok: true; definitions: SloDefinitionInput[] } | { ok: false; problems: ImportProblem[] };

const pathText = (path: readonly PropertyKey[]) => path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');

/** Sloth prometheus/v1 → definitions (not yet validated against SloDefinition: the caller does, with the paths). */
export function fromSloth(doc: unknown, opts: { window?: TimeWindow } = {}): Converted {
  const k8s = SlothK8s.safeParse(doc);
  const input = k8s.success ? { version: 'prometheus/v1', ...k8s.data.spec } : doc;
  const prefix = k8s.success ? 'spec.' : '';
  const r = SlothSpec.safeParse(input);
  if (!r.success) return { ok: false, problems: r.error.issues.map((i) => ({ path: prefix + pathText(i.path), message: i.message })) };
  const spec = r.data;
  const window: TimeWindow = opts.window ?? { kind: 'rolling', duration: '30d' };
  const windows = defaultAlertWindows(periodMs(window));
  const problems: ImportProblem[] = [];
  const definitions: SloDefinitionInput[] = [];
  spec.slos.forEach((s, i) => {
    if (s.sli.plugin !== undefined) {
      problems.push({ path: `${prefix}slos[${i}].sli.plugin`, message: 'Sloth SLI plugins cannot be imported: write the SLI as events (error_query, total_query) or raw (error_ratio_query)' });
      return;
    }
    const sli = s.sli.events
      ? { kind: 'ratio' as const, bad: s.sli.events.error_query, total: s.sli.events.total_query }
      : s.sli.raw
        ? { kind: 'ratio' as const, errorRatio: s.sli.raw.error_ratio_query }
        : undefined;
    if (!sli) {
      problems.push({ path: `${prefix}slos[${i}].sli`, message: 'the SLI needs events or raw' });
      return;
    }
    const a = s.alerting ?? {};
    definitions.push({
      name: s.name,
      service: spec.service,
      description: s.description ?? '',
      labels: { ...spec.labels, ...s.labels },
      sli,
      objective: s.objective,
      window,
      alerting: {
        name: a.name ?? defaultAlertName(s.name),
        labels: a.labels ?? {},
        annotations: a.annotations ?? {},
        page: { enabled: !a.page_alert?.disable, ...windows.page, labels: a.page_alert?.labels ?? {}, annotations: a.page_alert?.annotations ?? {} },
        ticket: { enabled: !a.ticket_alert?.disable, ...windows.ticket, labels: a.ticket_alert?.labels ?? {}, annotations: a.ticket_alert?.annotations ?? {} },
      },
    });
  });
  return problems.length ? { ok: false, problems } : { ok: true, definitions };
}
