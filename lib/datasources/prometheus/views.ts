import { classicHistograms, type LabeledValue } from '@/lib/model/histogram';
import type { Exemplar, HistogramSeries, Labels, TimeRange } from '@/lib/model/types';
import type { PrometheusClient } from './client';
import { promDuration } from './step';
import type { InstantQueryResult } from './types';

// Panel-level reads built on the client: the Prometheus-backed counterparts of
// the embedded store's span metrics (lib/datasources/embedded/span-metrics.ts),
// returning the same model so a panel does not care which one answered.

/** Shown next to every number these functions produce. */
export const PROMETHEUS_SOURCE = 'prometheus' as const;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * `name{k="v",…}` with every value quoted and escaped, so label values that
 * come from telemetry (model names, routes) cannot change the query.
 */
export function selector(metric: string, labels: Labels = {}): string {
  if (!METRIC_NAME.test(metric)) throw new Error(`not a Prometheus metric name: ${JSON.stringify(metric)}`);
  const m = Object.entries(labels).map(([k, v]) => {
    if (!LABEL_NAME.test(k)) throw new Error(`not a Prometheus label name: ${JSON.stringify(k)}`);
    // JSON string escapes (\" \\ \n \uXXXX) are valid PromQL string escapes.
    return `${k}=${JSON.stringify(v)}`;
  });
  return m.length ? `${metric}{${m.join(',')}}` : metric;
}

export interface PromLatencyQuery {
  /** histogram base name, e.g. gen_ai_server_request_duration_seconds (values in seconds) */
  metric: string;
  /** equality matchers, e.g. {gen_ai_request_model: "trisight-tiny"} */
  labels?: Labels;
  range: TimeRange;
}

export interface PromLatencyHistogramResult {
  source: typeof PROMETHEUS_SOURCE;
  histogram: HistogramSeries;
}

/** The PromQL a latency histogram over `q.range` is read with (evaluated at q.range.to). */
export function latencyQueries(q: PromLatencyQuery): { buckets: string; sum: string; count: string; exemplars: string } {
  const w = promDuration(Math.max(1, Math.round((q.range.to - q.range.from) / 1000)));
  const buckets = selector(`${q.metric}_bucket`, q.labels);
  return {
    buckets: `sum by (le) (increase(${buckets}[${w}]))`,
    sum: `sum(increase(${selector(`${q.metric}_sum`, q.labels)}[${w}]))`,
    count: `sum(increase(${selector(`${q.metric}_count`, q.labels)}[${w}]))`,
    exemplars: buckets,
  };
}

/** Pure: the answers to latencyQueries → the histogram with the range's exemplars. */
export function latencyHistogramFrom(
  q: PromLatencyQuery,
  r: { buckets: LabeledValue[]; sums: LabeledValue[]; counts: LabeledValue[]; exemplars: Exemplar[] },
): PromLatencyHistogramResult {
  const [h] = classicHistograms(r.buckets, { sums: r.sums, counts: r.counts });
  const histogram: HistogramSeries = h ?? { labels: {}, buckets: [], count: 0, sum: 0 };
  histogram.labels = { __name__: q.metric, ...q.labels };
  histogram.exemplars = r.exemplars.filter((e) => e.timestamp >= q.range.from && e.timestamp <= q.range.to);
  return { source: PROMETHEUS_SOURCE, histogram };
}

/**
 * The latency histogram of the observations made during `range`, with the
 * exemplars Prometheus holds for it. Counts come from increase() over the
 * range, so like every Prometheus increase they are extrapolated to the range
 * edges and may be fractional; their ratios (shape, quantiles, mean) are exact.
 */
export async function latencyHistogram(client: PrometheusClient, q: PromLatencyQuery, signal?: AbortSignal): Promise<PromLatencyHistogramResult> {
  const qs = latencyQueries(q);
  const at = { time: q.range.to, signal };
  const [b, s, c, exemplars] = await Promise.all([
    client.query(qs.buckets, at),
    client.query(qs.sum, at),
    client.query(qs.count, at),
    client.queryExemplars(qs.exemplars, q.range, { signal }),
  ]);
  const vector = (r: InstantQueryResult) => (r.resultType === 'vector' ? r.samples : []);
  return latencyHistogramFrom(q, { buckets: vector(b), sums: vector(s), counts: vector(c), exemplars });
}
