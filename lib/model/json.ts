// The model over HTTP between our route handlers and the browser. JSON has no
// bigint (span times are ns) and no Infinity (the +Inf bucket), so those are
// encoded as strings here, and decoded back into the model on the client.
import type { HistogramSeries, Span, Trace, TraceSummary } from './types';

type Jsonify<T> = T extends bigint ? string : T extends number ? number | string : T extends (infer U)[] ? Jsonify<U>[] : T extends object ? { [K in keyof T]: Jsonify<T[K]> } : T;

export type TraceJson = Jsonify<Trace>;
export type TraceSummaryJson = Jsonify<TraceSummary>;
export type HistogramSeriesJson = Jsonify<HistogramSeries>;

const bigintsToStrings = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

export function encodeTrace(t: Trace): TraceJson {
  return JSON.parse(JSON.stringify(t, bigintsToStrings));
}

export function decodeTrace(j: TraceJson): Trace {
  return {
    ...j,
    spans: j.spans.map(
      (s): Span => ({
        ...(s as unknown as Span),
        startTimeUnixNano: BigInt(s.startTimeUnixNano),
        endTimeUnixNano: BigInt(s.endTimeUnixNano),
        events: s.events.map((e) => ({ ...(e as unknown as Span['events'][number]), timeUnixNano: BigInt(e.timeUnixNano) })),
      }),
    ),
  };
}

export function encodeTraceSummaries(ts: TraceSummary[]): TraceSummaryJson[] {
  return JSON.parse(JSON.stringify(ts, bigintsToStrings));
}

export function decodeTraceSummaries(js: TraceSummaryJson[]): TraceSummary[] {
  return js.map((j) => ({
    ...(j as unknown as TraceSummary),
    startTimeUnixNano: BigInt(j.startTimeUnixNano),
    spans: j.spans?.map((s) => ({ ...(s as unknown as NonNullable<TraceSummary['spans']>[number]), startTimeUnixNano: BigInt(s.startTimeUnixNano), durationNanos: BigInt(s.durationNanos) })),
  }));
}

const inf = (n: number) => (n === Infinity ? '+Inf' : n === -Infinity ? '-Inf' : n);
const fromInf = (n: number | string) => (n === '+Inf' ? Infinity : n === '-Inf' ? -Infinity : Number(n));

export function encodeHistogram(h: HistogramSeries): HistogramSeriesJson {
  return { ...h, buckets: h.buckets.map((b) => ({ lower: inf(b.lower), upper: inf(b.upper), count: b.count })) } as HistogramSeriesJson;
}

export function decodeHistogram(j: HistogramSeriesJson): HistogramSeries {
  return {
    ...(j as unknown as HistogramSeries),
    count: Number(j.count),
    sum: Number(j.sum),
    buckets: j.buckets.map((b) => ({ lower: fromInf(b.lower), upper: fromInf(b.upper), count: Number(b.count) })),
  };
}
