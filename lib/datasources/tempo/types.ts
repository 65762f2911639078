import type { Attributes, Exemplar, HistogramSeries, Labels, TimeRange, TraceSummary } from '@/lib/model/types';

// Wire shapes of Tempo's HTTP API (docs/sources/tempo/api_docs), field names as
// Tempo spells them, and the typed results our client returns.

/** OTLP JSON AnyValue as Tempo writes it (int64 as a string). */
export interface WireAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number | string;
  boolValue?: boolean;
  arrayValue?: { values?: WireAnyValue[] };
  kvlistValue?: { values?: WireKeyValue[] };
  bytesValue?: string;
}
export interface WireKeyValue {
  key: string;
  value?: WireAnyValue;
}

/** GET /api/v2/traces/<id> */
export interface WireTraceByIdV2 {
  trace?: unknown;
  status?: 'COMPLETE' | 'PARTIAL' | number;
  message?: string;
}

/** GET /api/search */
export interface WireSearchResponse {
  traces?: {
    traceID: string;
    rootServiceName?: string;
    rootTraceName?: string;
    startTimeUnixNano?: string;
    durationMs?: number;
    spanSet?: WireSpanSet;
    spanSets?: WireSpanSet[];
  }[];
  metrics?: Record<string, unknown>;
}
export interface WireSpanSet {
  spans?: { spanID: string; name?: string; startTimeUnixNano?: string; durationNanos?: string; attributes?: WireKeyValue[] }[];
  matched?: number;
}

/** GET /api/metrics/query_range */
export interface WireMetricsResponse {
  series?: {
    labels?: WireKeyValue[];
    samples?: { timestampMs: string; value?: number }[];
    exemplars?: { labels?: WireKeyValue[]; value?: number; timestampMs: string }[];
  }[];
  metrics?: Record<string, unknown>;
}

/** GET /api/metrics/query (tempopb.QueryInstantResponse as proto3 JSON) */
export interface WireInstantResponse {
  series?: { labels?: WireKeyValue[]; value?: number | string }[];
  metrics?: Record<string, unknown>;
  /** "PARTIAL" when Tempo stopped early (e.g. the series limit); omitted when COMPLETE */
  status?: string | number;
  message?: string;
}

// ---- request options and results ----

export interface SearchParams {
  /** TraceQL, e.g. `{ resource.service.name="sandbox" && duration > 250ms }` */
  q?: string;
  /** logfmt tags for the older tags-based search, e.g. `service.name="sandbox"` */
  tags?: string;
  range?: TimeRange;
  limit?: number;
  /** spans per span set */
  spss?: number;
  /** trace duration bounds as Tempo durations ("250ms", "2s"); Tempo applies them to tags-based search */
  minDuration?: string;
  maxDuration?: string;
}

export interface SearchResult {
  traces: TraceSummary[];
  /** Tempo's search metrics (inspectedBytes, totalBlocks, …) as numbers */
  metrics: Record<string, number>;
}

export type TagScope = 'resource' | 'span' | 'intrinsic' | 'event' | 'link' | 'instrumentation';

export interface TagValue {
  type: string;
  value: string;
}

/** A TraceQL metrics series, e.g. one `__bucket` of histogram_over_time(duration). */
export interface TraceQLMetricSeries {
  labels: Labels;
  /** [unix ms, value] */
  values: [number, number][];
  exemplars: Exemplar[];
}

export type TraceQLMetricsResult =
  | { supported: true; series: TraceQLMetricSeries[] }
  /** The server refused TraceQL metrics (older Tempo, or no local-blocks processor). */
  | { supported: false; status: number; reason: string };

export type TraceQLHistogramResult =
  | { supported: true; histograms: HistogramSeries[] }
  | { supported: false; status: number; reason: string };

/** One series of an instant TraceQL metrics query, e.g. one group of `count_over_time() by (…)`. */
export interface TraceQLInstantSeries {
  /** the labels as text (numbers written as numbers) */
  labels: Labels;
  /** the same labels with their TraceQL types kept (a double stays a number, Tempo's nil group is the string "nil") */
  attributes: Attributes;
  /** NaN when Tempo had no value */
  value: number;
}

export type TraceQLInstantResult =
  | {
      supported: true;
      series: TraceQLInstantSeries[];
      /** Tempo's message when it answered PARTIAL (values may be incomplete) */
      partial?: string;
    }
  | { supported: false; status: number; reason: string };
