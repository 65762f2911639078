// Request metrics computed from stored spans, for when no Prometheus is
// configured: a latency histogram (with exemplars pointing at real traces)
// and RED series (rate, errors, duration percentiles). Head sampling drops
// whole requests, so each span counts 1/p where p is its recorded
// trisight.sampling.probability: sampled-out requests are still counted.
// Every result says where its numbers come from.
import type pg from 'pg';
import { histogramQuantile } from '@/lib/model/histogram';
import type { Exemplar, HistogramBucket, HistogramSeries, Series, SpanKind, TimeRange } from '@/lib/model/types';

/** Shown next to every number these functions produce. */
export const SPAN_METRICS_SOURCE = 'embedded (spans)' as const;

/**
 * Latency bucket upper bounds in seconds: the OTel GenAI semantic conventions'
 * advisory boundaries for gen_ai.server.request.duration, which the sandbox's
 * Prometheus histogram uses too, so both sources bucket alike.
 */
export const DEFAULT_LATENCY_BOUNDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

export interface SpanMetricsQuery {
  service: string;
  /** only spans of this name */
  spanName?: string;
  /** which spans are requests; server spans by default */
  kind?: SpanKind;
  range: TimeRange;
  /** bucket upper bounds in seconds (ascending); +Inf is added */
  bounds?: number[];
  /**
   * latencyHistogram only: bucket this numeric span attribute (milliseconds, e.g.
   * `trisight.timings.ttft_ms`) instead of the span's duration; spans without a
   * numeric value for it are left out. TTFT and TPOT exist only as attributes.
   */
  valueAttributeMs?: string;
  /** only spans whose status is not error (successful requests) */
  okOnly?: boolean;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const msToNs = (ms: number) => (BigInt(Math.round(ms)) * 1_000_000n).toString();

function where(q: SpanMetricsQuery, params: unknown[]): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  const w = [`service = ${p(q.service)}`, `kind = ${p(q.kind ?? 'server')}`, `start_ns >= ${p(msToNs(q.range.from))}`, `start_ns < ${p(msToNs(q.range.to))}`];
  if (q.spanName) w.push(`name = ${p(q.spanName)}`);
  if (q.valueAttributeMs !== undefined) w.push(`jsonb_typeof(attributes -> ${p(q.valueAttributeMs)}) = 'number'`);
  if (q.okOnly) w.push(`status <> 'error'`);
  return w.join(' AND ');
}

function boundsNs(bounds: number[]): string[] {
  for (let i = 1; i < bounds.length; i++) if (!(bounds[i] > bounds[i - 1])) throw new Error('bucket bounds must ascend');
  return bounds.map((b) => String(Math.round(b * 1e9)));
}

/**
 * Bucket index of a span's duration with Prometheus's `le` semantics (upper
 * bound inclusive): the number of bounds strictly below it. Durations are
 * whole nanoseconds, so "bounds < d" is "bounds <= d - 1", which width_bucket counts.
 */
const BUCKET_SQL = (boundsParam: string, valueNs = 'duration_ns') => `width_bucket(${valueNs} - 1, ${boundsParam}::bigint[])`;

/** The measured value in whole ns: the span's duration, or a ms attribute's value (see valueAttributeMs). */
function valueNsSql(q: SpanMetricsQuery, params: unknown[]): string {
  if (q.valueAttributeMs === undefined) return 'duration_ns';
  return `round((attributes ->> $${params.push(q.valueAttributeMs)})::float8 * 1e6)::bigint`;
}

/** Inverse sampling probability: the number of requests one stored span stands for. */
// float8 throughout: a numeric literal or bigint division would make Postgres sum in (slow) numeric.
const WEIGHT_SQL = '1.0::float8 / coalesce(sampling_probability, 1.0::float8)';

function toBuckets(bounds: number[], counts: Map<number, number>): HistogramBucket[] {
  return [...bounds, Infinity].map((upper, i) => ({ lower: i === 0 ? 0 : bounds[i - 1], upper, count: counts.get(i) ?? 0 }));
}

export interface LatencyHistogramResult {
  source: typeof SPAN_METRICS_SOURCE;
  histogram: HistogramSeries;
  /** spans stored in the range (each standing for 1/p requests) */
  spans: number;
}

/** The latency histogram of a service's requests over a range, re-weighted for sampling; one exemplar (the latest request) per bucket. */
export async function latencyHistogram(db: Queryable, q: SpanMetricsQuery): Promise<LatencyHistogramResult> {
  const bounds = q.bounds ?? DEFAULT_LATENCY_BOUNDS;
  const params: unknown[] = [boundsNs(bounds)];
  const v = valueNsSql(q, params);
  const r = await db.query<{ b: number; w: number; s: number; n: number; trace_id: string; span_id: string; dur: string; start: string }>(
    `SELECT ${BUCKET_SQL('$1', v)} AS b, sum(${WEIGHT_SQL})::float8 AS w, sum((${v})::float8 / 1e9 * ${WEIGHT_SQL}) AS s, count(*)::int AS n,
            (array_agg(trace_id ORDER BY start_ns DESC))[1] AS trace_id, (array_agg(span_id ORDER BY start_ns DESC))[1] AS span_id,
            (array_agg(${v} ORDER BY start_ns DESC))[1]::text AS dur, (array_agg(start_ns ORDER BY start_ns DESC))[1]::text AS start
     FROM embedded_span WHERE ${where(q, params)} GROUP BY 1 ORDER BY 1`,
    params,
  );
  const counts = new Map(r.rows.map((x) => [x.b, x.w]));
  const exemplars: Exemplar[] = r.rows.map((x) => ({
    labels: { trace_id: x.trace_id, span_id: x.span_id },
    value: Number(BigInt(x.dur)) / 1e9,
    timestamp: Number(BigInt(x.start) / 1_000_000n),
  }));
  const labels: Record<string, string> = { service: q.service };
  if (q.spanName) labels.span_name = q.spanName;
  return {
    source: SPAN_METRICS_SOURCE,
    histogram: {
      labels,
      buckets: toBuckets(bounds, counts),
      count: r.rows.reduce((a, x) => a + x.w, 0),
      sum: r.rows.reduce((a, x) => a + x.s, 0),
      exemplars,
    },
    spans: r.rows.reduce((a, x) => a + x.n, 0),
  };
}

export interface RedResult {
  source: typeof SPAN_METRICS_SOURCE;
  stepS: number;
  /** requests per second, per step */
  rate: Series;
  /** failed requests (span status error) per second, per step */
  errors: Series;
  /** duration quantiles in seconds per step, interpolated in the histogram as Prometheus's histogram_quantile does */
  duration: { p50: Series; p90: Series; p99: Series };
}

/** RED series over a range: one point per step (steps with no requests have rate 0 and no quantiles). */
export async function redSeries(db: Queryable, q: SpanMetricsQuery & { stepS: number }): Promise<RedResult> {
  if (!(q.stepS > 0)) throw new Error('stepS must be positive');
  const bounds = q.bounds ?? DEFAULT_LATENCY_BOUNDS;
  const stepNs = String(Math.round(q.stepS * 1e9));
  const params: unknown[] = [boundsNs(bounds), stepNs, msToNs(q.range.from)];
  const r = await db.query<{ t: number; b: number; w: number; e: number }>(
    `SELECT ((start_ns - $3::bigint) / $2::bigint)::int AS t, ${BUCKET_SQL('$1')} AS b,
            sum(${WEIGHT_SQL})::float8 AS w, coalesce(sum(${WEIGHT_SQL}) FILTER (WHERE status = 'error'), 0)::float8 AS e
     FROM embedded_span WHERE ${where(q, params)} GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  const steps = Math.ceil((q.range.to - q.range.from) / (q.stepS * 1000));
  const perStep = new Map<number, { counts: Map<number, number>; errors: number }>();
  for (const x of r.rows) {
    let s = perStep.get(x.t);
    if (!s) perStep.set(x.t, (s = { counts: new Map(), errors: 0 }));
    s.counts.set(x.b, (s.counts.get(x.b) ?? 0) + x.w);
    s.errors += x.e;
  }
  const labels = { service: q.service, ...(q.spanName ? { span_name: q.spanName } : {}) };
  const out: RedResult = {
    source: SPAN_METRICS_SOURCE,
    stepS: q.stepS,
    rate: { labels, values: [] },
    errors: { labels, values: [] },
    duration: { p50: { labels: { ...labels, quantile: '0.5' }, values: [] }, p90: { labels: { ...labels, quantile: '0.9' }, values: [] }, p99: { labels: { ...labels, quantile: '0.99' }, values: [] } },
  };
  for (let i = 0; i < steps; i++) {
    // Points are stamped at the end of their step, as a Prometheus rate over that window would be.
    const t = Math.min(q.range.from + (i + 1) * q.stepS * 1000, q.range.to);
    const s = perStep.get(i);
    const total = s ? [...s.counts.values()].reduce((a, b) => a + b, 0) : 0;
    out.rate.values.push([t, total / q.stepS]);
    out.errors.values.push([t, (s?.errors ?? 0) / q.stepS]);
    if (!s) continue;
    const buckets = toBuckets(bounds, s.counts);
    out.duration.p50.values.push([t, histogramQuantile(0.5, buckets)]);
    out.duration.p90.values.push([t, histogramQuantile(0.9, buckets)]);
    out.duration.p99.values.push([t, histogramQuantile(0.99, buckets)]);
  }
  return out;
}

export interface LatencyValuesResult {
  source: typeof SPAN_METRICS_SOURCE;
  /** seconds, ascending */
  values: number[];
  /** requests each value stands for (1 / its sampling probability), same order */
  weights: number[];
  /** more spans matched than `limit`: the values are the first `limit` by start time */
  truncated: boolean;
}

/**
 * Each stored request's measured value (its duration, or the valueAttributeMs
 * attribute) with its weight: what exact percentiles are computed from. At most
 * `limit` spans are read (a run has at most 10,000 requests).
 */
export async function latencyValues(db: Queryable, q: SpanMetricsQuery, limit = 20_000): Promise<LatencyValuesResult> {
  const params: unknown[] = [];
  const v = valueNsSql(q, params);
  const r = await db.query<{ v: string; w: number }>(
    `SELECT (${v})::text AS v, ${WEIGHT_SQL} AS w FROM embedded_span WHERE ${where(q, params)} ORDER BY start_ns LIMIT ${Math.max(1, Math.floor(limit)) + 1}`,
    params,
  );
  const rows = r.rows.slice(0, limit).map((x) => ({ v: Number(BigInt(x.v)) / 1e9, w: x.w })).sort((a, b) => a.v - b.v);
  return { source: SPAN_METRICS_SOURCE, values: rows.map((x) => x.v), weights: rows.map((x) => x.w), truncated: r.rows.length > limit };
}

/** Weighted duration quantiles over the whole range, from the histogram. */
export async function latencyQuantiles(db: Queryable, q: SpanMetricsQuery, qs = [0.5, 0.9, 0.99]): Promise<{ source: typeof SPAN_METRICS_SOURCE; quantiles: Record<string, number>; count: number }> {
  const h = await latencyHistogram(db, q);
  return { source: SPAN_METRICS_SOURCE, quantiles: Object.fromEntries(qs.map((x) => [String(x), histogramQuantile(x, h.histogram.buckets)])), count: h.histogram.count };
}
