import type { HistogramBucket, Labels, Series } from '@/lib/model/types';

// Wire shapes of the Prometheus HTTP API (docs/querying/api.md), field names as
// Prometheus spells them, and the typed results our client returns.

export type PromStatus = 'success' | 'error';

/** Every response: `{status, data}` on success, `{status, errorType, error}` on failure. */
export interface PromEnvelope<T = unknown> {
  status: PromStatus;
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
  infos?: string[];
}

/** [unix seconds (float), "value"] */
export type WireSample = [number, string];
/** Native histogram buckets: [boundary rule, left, right, count]. */
export type WireNativeBucket = [number, string, string, string];
export interface WireNativeHistogram {
  count: string;
  sum: string;
  buckets?: WireNativeBucket[];
}

export interface WireVectorSample {
  metric: Labels;
  value?: WireSample;
  histogram?: [number, WireNativeHistogram];
}
export interface WireMatrixSeries {
  metric: Labels;
  values?: WireSample[];
  histograms?: [number, WireNativeHistogram][];
}

export type WireQueryData =
  | { resultType: 'vector'; result: WireVectorSample[] }
  | { resultType: 'matrix'; result: WireMatrixSeries[] }
  | { resultType: 'scalar'; result: WireSample }
  | { resultType: 'string'; result: WireSample };

export interface WireExemplarSeries {
  seriesLabels: Labels;
  exemplars: { labels: Labels; value: string; timestamp: number }[];
}

/** One entry of /api/v1/targets' `activeTargets`. */
export interface WireActiveTarget {
  discoveredLabels?: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl?: string;
  lastError: string;
  /** RFC 3339 */
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  /** e.g. "1s" (2.30+) */
  scrapeInterval?: string;
  scrapeTimeout?: string;
}

export interface WireMetricMetadata {
  type: string;
  help: string;
  unit: string;
}

// ---- results (our model) ----

/** A native histogram sample flattened into buckets (boundary inclusivity is dropped). */
export interface NativeHistogramSample {
  /** unix ms */
  timestamp: number;
  count: number;
  sum: number;
  buckets: HistogramBucket[];
}

/** One series of an instant query: the value at the evaluation time. */
export interface InstantSample {
  labels: Labels;
  /** unix ms */
  timestamp: number;
  /** NaN when the sample is a native histogram */
  value: number;
  histogram?: NativeHistogramSample;
}

/** A range series; `histograms` holds native histogram points, if any. */
export interface RangeSeries extends Series {
  histograms?: NativeHistogramSample[];
}

export type InstantQueryResult =
  | { resultType: 'vector'; samples: InstantSample[]; warnings: string[] }
  | { resultType: 'matrix'; series: RangeSeries[]; warnings: string[] }
  | { resultType: 'scalar' | 'string'; timestamp: number; value: string; warnings: string[] };

export interface RangeQueryResult {
  series: RangeSeries[];
  /** the step the query ran with, seconds */
  step: number;
  warnings: string[];
}

export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

/** A target Prometheus scrapes, as /api/v1/targets reports it. */
export interface ActiveTarget {
  /** target labels after relabelling: job, instance and any static labels */
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  /** unix ms of the last scrape's start (its samples' timestamp); 0 before the first */
  lastScrapeMs: number;
  /** seconds; NaN when Prometheus does not report it (before 2.30) */
  scrapeIntervalS: number;
}

export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  buildUser: string;
  buildDate: string;
  goVersion: string;
}


/** An entry of /api/v1/alerts: a pending or firing alert instance. */
export interface ActiveAlert {
  labels: Labels;
  annotations: Labels;
  state: 'pending' | 'firing';
  /** unix ms */
  activeAt: number;
  value: number;
}

/** A rule group as /api/v1/rules lists it (only what the SLO pages read). */
export interface LoadedRuleGroup {
  name: string;
  file: string;
  rules: { name: string; type: 'recording' | 'alerting'; health: string; lastError?: string }[];
}
