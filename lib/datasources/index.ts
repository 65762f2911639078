// One place that decides, per signal, whether the app reads a remote backend
// (its URL is configured) or the embedded Postgres store. Panels and route
// handlers ask for a TraceSource / ProfileSource and never learn which one
// they got, except through `backend`, which they show as the data's source.
import { config, durationToMs } from '@/lib/config';
import { pgPool } from '@/lib/db';
import type { FlameModel } from '@/lib/model/flame';
import { BackendError, type ProfileType, type TimeRange, type Trace } from '@/lib/model/types';
import { PyroscopeClient } from './pyroscope/client';
import type { FlameGraphResult, ProfileSelector } from './pyroscope/types';
import { TempoClient } from './tempo/client';
import type { SearchParams, SearchResult, TagValue } from './tempo/types';
import * as profiles from './embedded/profiles';
import { startRetention, type CleanupResult } from './embedded/retention';
import * as spanMetrics from './embedded/span-metrics';
import * as spans from './embedded/spans';
import { withholdingSensitive } from './sensitive';
import { configuredSensitivity } from '@/lib/redaction/policy';
import * as traceqlMetrics from './embedded/traceql-metrics';
import { parseTraceQL, TraceQLError } from './embedded/traceql';
import type { TraceQLMetricSeries } from './tempo/types';

type Signal = { signal?: AbortSignal };

/** Traces: Tempo's API shape, served by Tempo or by the embedded store. */
export interface TraceSource {
  readonly backend: 'tempo' | 'embedded';
  traceById(id: string, opts?: { range?: TimeRange } & Signal): Promise<Trace | null>;
  /** TraceQL (`q`; the embedded store runs one `{ … && … }` span set) or tags search */
  search(params: SearchParams, opts?: Signal): Promise<SearchResult>;
  /** values of `resource.service.name`, `name`, `span.<attr>`, …; `withoutTag`: not from spans carrying it (embedded store only) */
  tagValues(scopedName: string, opts?: { q?: string; range?: TimeRange; withoutTag?: { key: string; value: string } } & Signal): Promise<TagValue[]>;
}

/** Profiles: Pyroscope's querier shape, served by Pyroscope or by the embedded store. */
export interface ProfileSource {
  readonly backend: 'pyroscope' | 'embedded';
  profileTypes(range: TimeRange, opts?: Signal): Promise<ProfileType[]>;
  labelNames(opts?: { matchers?: string[]; range?: TimeRange } & Signal): Promise<string[]>;
  labelValues(name: string, opts?: { matchers?: string[]; range?: TimeRange } & Signal): Promise<string[]>;
  /** the flat flame model, at most `maxNodes` nodes (the rest folded into "other", as Pyroscope does) */
  selectMergeStacktraces(sel: ProfileSelector, opts?: { maxNodes?: number; spanSelector?: string[] } & Signal): Promise<FlameGraphResult>;
  /** only samples labelled span_id ∈ spanIds */
  spanProfile(sel: ProfileSelector, spanIds: string[], opts?: { maxNodes?: number } & Signal): Promise<FlameGraphResult>;
  /** one diff model: `value` / `self` from `left` (before), `right` from `right` (after) */
  diff(left: ProfileSelector, right: ProfileSelector, opts?: { maxNodes?: number } & Signal): Promise<{ flame: FlameModel; leftTicks: number; rightTicks: number }>;
}

/**
 * Request metrics computed from stored spans (embedded mode only; with a
 * Prometheus configured, panels query it with PromQL). Results carry
 * `source: 'embedded (spans)'` for the UI to show.
 */
export interface SpanMetricsSource {
  readonly backend: 'embedded';
  latencyHistogram(q: spanMetrics.SpanMetricsQuery): Promise<spanMetrics.LatencyHistogramResult>;
  /** each stored request's value and weight, for exact percentiles */
  latencyValues(q: spanMetrics.SpanMetricsQuery): Promise<spanMetrics.LatencyValuesResult>;
  redSeries(q: spanMetrics.SpanMetricsQuery & { stepS: number }): Promise<spanMetrics.RedResult>;
}

const lastHour = (): TimeRange => ({ from: Date.now() - 3_600_000, to: Date.now() });

export function embeddedTraceSource(db = pgPool()): TraceSource {
  return {
    backend: 'embedded',
    traceById: (id, opts = {}) => spans.getTrace(db, id, { ...opts, maxSpans: config().TRACE_MAX_SPANS }),
    search: (params, opts = {}) => spans.searchTraces(db, params, opts),
    tagValues: (name, opts = {}) => spans.tagValues(db, name, opts),
  };
}

export function embeddedProfileSource(db = pgPool()): ProfileSource {
  return {
    backend: 'embedded',
    profileTypes: (range, opts = {}) => profiles.profileTypes(db, range, opts),
    labelNames: (opts = {}) => profiles.labelNames(db, { ...opts, range: opts.range ?? lastHour() }),
    labelValues: (name, opts = {}) => profiles.labelValues(db, name, { ...opts, range: opts.range ?? lastHour() }),
    selectMergeStacktraces: (sel, opts = {}) => profiles.selectMergeStacktraces(db, sel, opts),
    spanProfile: (sel, spanIds, opts = {}) => profiles.spanProfile(db, sel, spanIds, opts),
    diff: (l, r, opts = {}) => profiles.diff(db, l, r, opts),
  };
}

export function embeddedSpanMetrics(db = pgPool()): SpanMetricsSource {
  return {
    backend: 'embedded',
    latencyHistogram: (q) => spanMetrics.latencyHistogram(db, q),
    latencyValues: (q) => spanMetrics.latencyValues(db, q),
    redSeries: (q) => spanMetrics.redSeries(db, q),
  };
}

function tempoTraceSource(): TraceSource {
  const c = TempoClient.fromConfig();
  return {
    backend: 'tempo',
    traceById: (id, opts) => c.traceById(id, opts),
    search: (params, opts) => c.search(params, opts),
    tagValues: (name, opts) => c.tagValues(name, opts),
  };
}

/**
 * Tempo when TEMPO_URL is set, else the embedded store. Values marked
 * sensitive (SENSITIVITY_TAG, SENSITIVE_KEYS) are withheld unless
 * `revealSensitive` (the viewer is an admin: mayReveal(await getViewer(req))).
 */
export function traceSource(opts: { revealSensitive?: boolean } = {}): TraceSource {
  const source = config().TEMPO_URL ? tempoTraceSource() : embeddedTraceSource();
  return opts.revealSensitive ? source : withholdingSensitive(source, configuredSensitivity());
}

/** Pyroscope when PYROSCOPE_URL is set, else the embedded store. */
export function profileSource(): ProfileSource {
  if (!config().PYROSCOPE_URL) return embeddedProfileSource();
  const c = PyroscopeClient.fromConfig();
  return {
    backend: 'pyroscope',
    profileTypes: (range, opts) => c.profileTypes(range, opts),
    labelNames: (opts) => c.labelNames(opts),
    labelValues: (name, opts) => c.labelValues(name, opts),
    selectMergeStacktraces: (sel, opts) => c.selectMergeStacktraces(sel, opts),
    spanProfile: (sel, ids, opts) => c.spanProfile(sel, ids, opts),
    diff: (l, r, opts) => c.diff(l, r, opts),
  };
}

/**
 * TraceQL metrics for the spans a query matches: Tempo's /api/metrics/query_range,
 * or the same figures counted in the embedded store. `series` answers are
 * Tempo-shaped (`histogram_over_time` buckets in `__bucket`, quantiles in `p`).
 */
export type TraceMetricsSource =
  | {
      readonly backend: 'tempo';
      /** a TraceQL metrics query; `supported: false` when this Tempo cannot run them (no local-blocks processor, older release) */
      metricsQuery(q: string, range: TimeRange, stepS: number, opts?: Signal): Promise<{ supported: true; series: TraceQLMetricSeries[] } | { supported: false; reason: string }>;
    }
  | {
      readonly backend: 'embedded';
      /** span counts per step and duration bucket (bounds in seconds, +Inf added) */
      durationCells(q: string, range: TimeRange, stepS: number, bounds: readonly number[], opts?: Signal): Promise<traceqlMetrics.DurationCell[]>;
      /** count, errors, exact percentiles per step and for the whole range */
      redRows(q: string, range: TimeRange, stepS: number, opts?: Signal): Promise<traceqlMetrics.RedRow[]>;
    };

/** The embedded store's TraceQL subset as a span filter; what it cannot run is a 400 naming the part. */
function embeddedFilter(q: string) {
  try {
    return parseTraceQL(q);
  } catch (e) {
    if (e instanceof TraceQLError) throw new BackendError('embedded', 400, e.message, 'bad_request');
    throw e;
  }
}

export function traceMetricsSource(): TraceMetricsSource {
  if (config().TEMPO_URL) {
    const c = TempoClient.fromConfig();
    return { backend: 'tempo', metricsQuery: (q, range, stepS, opts = {}) => c.metricsQueryRange(q, range, { stepS, signal: opts.signal }) };
  }
  const db = pgPool();
  return {
    backend: 'embedded',
    durationCells: (q, range, stepS, bounds, opts = {}) => traceqlMetrics.durationCells(db, embeddedFilter(q), range, stepS, bounds, opts.signal),
    redRows: (q, range, stepS, opts = {}) => traceqlMetrics.redRows(db, embeddedFilter(q), range, stepS, opts.signal),
  };
}

/** Span-derived request metrics when PROMETHEUS_URL is not set; null when Prometheus serves metrics. */
export function spanMetricsSource(): SpanMetricsSource | null {
  return config().PROMETHEUS_URL ? null : embeddedSpanMetrics();
}

/** Which signals the embedded stores serve (for the health page and for starting retention). */
export function embeddedSignals(): { traces: boolean; profiles: boolean; metrics: boolean } {
  const c = config();
  return { traces: !c.TEMPO_URL, profiles: !c.PYROSCOPE_URL, metrics: !c.PROMETHEUS_URL };
}

/**
 * Starts EMBEDDED_RETENTION cleanup when any embedded store is in use. The
 * app calls this once at start; the returned stop() ends it.
 */
export function startEmbeddedRetention(log: (m: string) => void = () => {}): { stop(): void; runOnce(): Promise<CleanupResult | undefined> } | null {
  const s = embeddedSignals();
  if (!s.traces && !s.profiles) return null;
  const retentionMs = durationToMs(config().EMBEDDED_RETENTION);
  return startRetention(pgPool(), {
    retentionMs,
    maxBytes: config().EMBEDDED_MAX_BYTES || undefined,
    onResult: (r) => {
      if (r.spans || r.profiles || r.stacks) log(`embedded retention: deleted ${r.spans} spans, ${r.profiles} profiles, ${r.stacks} stacks`);
      if (r.bySize?.spans || r.bySize?.profiles) log(`embedded retention: ${(r.bySize.bytesBefore / 1e6).toFixed(0)} MB stored exceeded EMBEDDED_MAX_BYTES; the oldest ${r.bySize.spans} spans and ${r.bySize.profiles} profiles went`);
    },
    onError: (e) => log(`embedded retention failed: ${(e as Error).message}`),
  });
}
