// The common model every panel reads, whichever backend (remote or embedded)
// produced it. Wire shapes never leave lib/datasources; these do.

export type Labels = Record<string, string>;

/** A Prometheus-style series: `values` are [unix ms, value]. */
export interface Series {
  labels: Labels;
  values: [number, number][];
}

/** OpenMetrics exemplar: labels usually carry trace_id (and span_id). */
export interface Exemplar {
  labels: Labels;
  value: number;
  /** unix ms */
  timestamp: number;
  seriesLabels?: Labels;
}

/** One histogram bucket: counts are per bucket (not cumulative), upper bound `le` inclusive. */
export interface HistogramBucket {
  /** lower bound (exclusive); 0 or -Infinity for the first bucket */
  lower: number;
  /** upper bound (inclusive); Infinity for the +Inf bucket */
  upper: number;
  count: number;
}

/** Classic bucketed histogram (or a native histogram flattened into buckets) over a window. */
export interface HistogramSeries {
  labels: Labels;
  buckets: HistogramBucket[];
  count: number;
  sum: number;
  exemplars?: Exemplar[];
}

export type SpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer' | 'unspecified';
export type SpanStatus = 'unset' | 'ok' | 'error';
export type AttrValue = string | number | boolean | null | AttrValue[] | { [k: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export interface SpanEvent {
  name: string;
  timeUnixNano: bigint;
  attributes: Attributes;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  attributes: Attributes;
}

export interface Span {
  /** 32 lower-case hex */
  traceId: string;
  /** 16 lower-case hex */
  spanId: string;
  parentSpanId?: string;
  service: string;
  name: string;
  kind: SpanKind;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  status: SpanStatus;
  statusMessage?: string;
  attributes: Attributes;
  resourceAttributes: Attributes;
  events: SpanEvent[];
  links: SpanLink[];
}

export interface Trace {
  traceId: string;
  spans: Span[];
  /** Tempo v2 may say the trace was cut short */
  partial?: boolean;
  /** what was left out of the stored trace and why (an unreadable link id, an unreadable span) */
  warnings?: string[];
}

/** One row of a trace search result. */
export interface TraceSummary {
  traceId: string;
  rootServiceName: string;
  rootTraceName: string;
  startTimeUnixNano: bigint;
  durationMs: number;
  /** spans in the whole trace, when the backend says (the embedded store does; Tempo's search does not) */
  spanCount?: number;
  /** matched spans, when the backend returns them */
  spans?: { spanId: string; name?: string; startTimeUnixNano: bigint; durationNanos: bigint; attributes: Attributes }[];
}

/** Pyroscope profile type, e.g. process_cpu:cpu:nanoseconds:cpu:nanoseconds */
export interface ProfileType {
  id: string;
  name: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
}

/** A time range in unix milliseconds. */
export interface TimeRange {
  from: number;
  to: number;
}

export type Backend = 'prometheus' | 'tempo' | 'pyroscope' | 'postgres' | 'sandbox' | 'embedded';

/** The one error a datasource raises: names the backend, carries its message verbatim. */
export class BackendError extends Error {
  constructor(
    readonly backend: Backend,
    readonly status: number,
    message: string,
    readonly errorType?: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}
