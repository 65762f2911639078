// Query parameters of the Explore API routes, validated once at the edge
// (zod), each bad value named in the 400. Pure. Bounds keep every request's
// work finite: a query's length, a range of at most 90 days, result limits.
import { z } from 'zod';
import { LabelSyntaxError, parseLabelSelector } from '@/lib/profiles/labels';
import { MAX_RANGE_MS } from '@/lib/time-range';

const unixMs = (name: string) =>
  z.coerce
    .number({ error: `${name} must be unix ms` })
    .int(`${name} must be unix ms`)
    .min(946_684_800_000, `${name} must be unix ms (after 2000)`)
    .max(4_102_444_800_000, `${name} must be unix ms (before 2100)`);

/** `from` and `to` (unix ms), to after from, at most 90 days apart. */
export const RangeFields = { from: unixMs('from'), to: unixMs('to') };

type WithRange = { from: number; to: number };
const rangeChecks = <T extends z.ZodType<WithRange>>(s: T) =>
  s
    .refine((q) => q.to > q.from, { message: 'to must be after from', path: ['to'] })
    .refine((q) => q.to - q.from <= MAX_RANGE_MS, { message: 'the range may be at most 90 days', path: ['to'] });

/** Chart width in px: about one point per pixel. */
const width = z.coerce.number({ error: 'width must be a number of pixels' }).int().min(50, 'width must be at least 50').max(4000, 'width must be at most 4000').default(1000);

export const MAX_QUERY_CHARS = 8192;
const promql = z.string({ error: 'query is required' }).trim().min(1, 'query is required').max(MAX_QUERY_CHARS, `query must be at most ${MAX_QUERY_CHARS} characters`);
const traceql = z.string().trim().max(4096, 'q must be at most 4096 characters').default('{}');

export const PromRangeQuery = rangeChecks(
  z.object({
    query: promql,
    ...RangeFields,
    step: z.coerce.number({ error: 'step must be seconds' }).positive('step must be positive').max(86_400, 'step must be at most a day').optional(),
    width,
  }),
);
export const PromInstantQuery = z.object({ query: promql, time: unixMs('time').optional() });
export const PromExemplarsQuery = rangeChecks(z.object({ query: promql, ...RangeFields }));
export const PresetQuery = z.object({ preset: z.enum(['semconv', 'vllm', 'sglang', 'tgi'], { error: 'preset must be one of semconv, vllm, sglang, tgi' }) });

/** A histogram to draw as a heatmap: one series selector, e.g. `http_server_duration_seconds{job="api"}`. */
export const PromHeatmapQuery = rangeChecks(z.object({ selector: promql, ...RangeFields, width }));

export const TraceSearchQuery = rangeChecks(
  z.object({
    q: traceql,
    ...RangeFields,
    limit: z.coerce.number({ error: 'limit must be a number' }).int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500').default(50),
    spss: z.coerce.number({ error: 'spss must be a number' }).int().min(1).max(50, 'spss must be at most 50').default(3),
  }),
);
export const TraceMetricsQuery = rangeChecks(z.object({ q: traceql, ...RangeFields, width }));
/** Explore's quality panel: one service's request spans (all services' when empty) over the range. */
export const TraceQualityQuery = rangeChecks(z.object({ svc: z.string().trim().max(500, 'svc must be at most 500 characters').default(''), ...RangeFields }));
export const TagValuesQuery = z
  .object({ q: traceql.optional(), from: unixMs('from').optional(), to: unixMs('to').optional() })
  .refine((v) => (v.from === undefined) === (v.to === undefined), { message: 'give both from and to, or neither', path: ['to'] });
export const TagName = z.string().min(1).max(200).regex(/^(resource\.|span\.|\.)?[A-Za-z0-9_.:/-]+$/, 'not a tag name like resource.service.name, span.http.route or name');
export const TagValuesName = z.object({ name: TagName });

const selectorText = z
  .string()
  .trim()
  .max(2000, 'selector must be at most 2000 characters')
  .superRefine((s, ctx) => {
    try {
      parseLabelSelector(s);
    } catch (e) {
      if (e instanceof LabelSyntaxError) ctx.addIssue({ code: 'custom', message: e.message });
      else throw e;
    }
  });
const selector = selectorText.default('{}');
const profileType = z.string({ error: 'type is required (a profile type id)' }).regex(/^[A-Za-z0-9_.-]+(:[A-Za-z0-9_.-]*){4}$/, 'type must be a profile type id like process_cpu:cpu:nanoseconds:cpu:nanoseconds');
const maxNodes = z.coerce.number({ error: 'maxNodes must be a number' }).int().min(16, 'maxNodes must be at least 16').max(65_536, 'maxNodes must be at most 65536').default(8192);

export const ProfileTypesQuery = rangeChecks(z.object({ ...RangeFields }));
export const ProfileLabelsQuery = rangeChecks(z.object({ selector, ...RangeFields }));
export const ProfileLabelValuesQuery = rangeChecks(z.object({ name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/, 'name must be a label name'), selector, ...RangeFields }));
/** A flame graph; `type` omitted: CPU if stored, else what there is. */
export const FlameQuery = rangeChecks(z.object({ type: profileType.optional(), selector, ...RangeFields, maxNodes }));
/** A diff: the baseline is another range and/or another selector (defaults: the same). */
export const DiffQuery = rangeChecks(
  z.object({
    type: profileType.optional(),
    selector,
    ...RangeFields,
    baseSelector: selectorText.optional(),
    baseFrom: unixMs('baseFrom').optional(),
    baseTo: unixMs('baseTo').optional(),
    maxNodes,
  }),
)
  .refine((q) => (q.baseFrom === undefined) === (q.baseTo === undefined), { message: 'give both baseFrom and baseTo, or neither', path: ['baseTo'] })
  .refine((q) => q.baseFrom === undefined || q.baseTo === undefined || q.baseTo > q.baseFrom, { message: 'baseTo must be after baseFrom', path: ['baseTo'] })
  .refine((q) => q.baseFrom === undefined || q.baseTo === undefined || q.baseTo - q.baseFrom <= MAX_RANGE_MS, { message: 'the baseline range may be at most 90 days', path: ['baseTo'] })
  .refine((q) => q.baseSelector !== undefined || q.baseFrom !== undefined, { message: 'give a baseline: baseSelector and/or baseFrom/baseTo', path: ['baseFrom'] });

const hex = (n: number, what: string) =>
  z
    .string({ error: `${what} is required` })
    .regex(new RegExp(`^[0-9a-fA-F]{1,${n}}$`), `${what} must be up to ${n} hex digits`)
    .transform((s) => s.toLowerCase().padStart(n, '0'));

export const SpanProfileQuery = rangeChecks(z.object({ trace: hex(32, 'trace'), span: hex(16, 'span'), ...RangeFields, maxNodes }));
export const SlowFastQuery = rangeChecks(
  z.object({
    q: traceql,
    ...RangeFields,
    /** requests on each side */
    n: z.coerce.number({ error: 'n must be a number' }).int().min(1, 'n must be at least 1').max(25, 'n must be at most 25').default(10),
    /** how many of the most recent matching traces to rank */
    pool: z.coerce.number().int().min(10).max(500).default(200),
    maxNodes,
  }),
);

/** URL search parameters → a plain object for zod: first value per key; keys ending in [] keep every value. */
export function searchObject(url: string | URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URL(url).searchParams) {
    if (k.endsWith('[]')) out[k] = [...((out[k] as string[] | undefined) ?? []), v];
    else if (!(k in out)) out[k] = v;
  }
  return out;
}
