// The data behind a load run's side-by-side page: the latency histogram of the
// run's window (Prometheus, or span metrics from the embedded store), the CPU
// flame graph of the same window (Pyroscope or embedded), the traces of one
// bucket, one trace, and one span's own CPU profile. Route handlers validate
// and call these; every result names its data source.
import { NotFound } from '@/lib/api-errors';
import { config } from '@/lib/config';
import { bucketTraceQL, spanProfileIds, spanWindow, type LatencyBucket } from '@/lib/correlate';
import { BROWSER_TARGET } from '@/lib/browser-run/schema';
import { embeddedSpanMetrics, profileSource, spanMetricsSource, traceSource } from '@/lib/datasources';
import { streamTraceJson } from '@/lib/datasources/embedded/trace-stream';
import { configuredSensitivity } from '@/lib/redaction/policy';
import { withholdSpan } from '@/lib/redaction/sensitivity';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { pgPool } from '@/lib/db';
import { latencyHistogram as promLatencyHistogram, windowHistogram } from '@/lib/datasources/prometheus/views';
import { loadRuns, type RunView } from '@/lib/loadruns';
import { encodeHistogram, encodeTrace, type HistogramSeriesJson, type TraceJson } from '@/lib/model/json';
import { grandTotal, type FlameModel } from '@/lib/model/flame';
import { exactPercentiles, interpolatedPercentiles, weightedPercentiles, type Percentile } from '@/lib/model/percentiles';
import type { Labels, ProfileType, TimeRange, Trace } from '@/lib/model/types';
import { findTarget, latencyMetric, resolveFigure, type LoadTarget } from '@/lib/targets';
import { fromColumns } from '@/lib/loadruns/samples';
import { mapLimited } from '@/lib/map-limited';
import { allFailed, allFailedNote, clockTime, requestWindow, serverCounts, settling, SPAN_WINDOW_SLACK_MS, SPANS_SETTLE_MS, type ServerCounts } from './latency';
import { readBlockHitRates } from './block-hit-rates';
import { pickRequests, promptKindOf, QUALITY_ENTROPY_ATTRIBUTE, QUALITY_SIGNALS, qualityNote, qualityOf, summarizeSignal, prefixCacheInfo, type PrefixCacheInfo, type QualityCounts, type QualityRequest, type SignalSummary } from './quality';
import {
  clientLatenciesMs,
  METRIC_LABELS,
  pickProfileType,
  runServiceName,
  profilesMayStillArrive,
  profileSourceLabel,
  profileKinds,
  profileSpanIds,
  requestsInBucket,
  rowsFromSamples,
  rowsFromSearch,
  runRange,
  SANDBOX_BOUNDS,
  SERVED_BY_LABELS,
  servedBy,
  serviceSelector,
  slowestFirst,
  TIMING_ATTRIBUTES,
  traceSourceLabel,
  type LatencyMetric,
  type ProfileKind,
  type ServedBy,
  type SourceLabel,
  type StoredRequest,
  type TraceRow,
} from './views';

type Signal = { signal?: AbortSignal };

/** A run id that does not exist, or a trace / span that is not stored: the routes answer 404. */

/** The run with its per-request samples, or NotFound. */
export async function runWithSamples(id: string): Promise<RunView> {
  const svc = loadRuns();
  await svc.recoverInterrupted();
  const run = await svc.get(id, { samples: true });
  if (!run) throw new NotFound(`no load run ${JSON.stringify(id)}`);
  return run;
}

function targetOf(run: RunView): LoadTarget | undefined {
  return findTarget(config(), run.target);
}

const serviceOf = (run: RunView): string | null => runServiceName(run.target);

// ---------------------------------------------------------------- latency histogram

export interface LatencyPanel {
  source: SourceLabel;
  window: TimeRange;
  metric: LatencyMetric;
  /** the server's histogram for the run (seconds); null when there is no server-side source */
  histogram: HistogramSeriesJson | null;
  /** how many requests the server histogram holds, and how sure that number is */
  counts: ServerCounts | null;
  /** server percentiles: exact from every request's value, estimated from sampled spans, or interpolated in a bucket */
  serverPercentiles: Percentile[];
  /** what the load generator measured for the same requests, ms (successful requests only) */
  clientLatenciesMs: number[];
  clientPercentiles: Percentile[];
  /** the run's failed requests (not drawn: they have no latency to compare) */
  failed: number;
  /** why the histogram is missing, or how to read it */
  note?: string;
  /** the run ended so recently that data may still be on its way (the panel polls) */
  pending: boolean;
}


/** How many of this run's requests a tab's histogram should hold (the client measured each one). */
const expectedCount = (client: readonly number[]) => client.length;

export async function latencyPanel(run: RunView, metric: LatencyMetric, opts: Signal = {}): Promise<LatencyPanel> {
  const window = runRange(run);
  const client = clientLatenciesMs(run.samples, metric);
  const base = { window, metric, clientLatenciesMs: client, clientPercentiles: exactPercentiles(client), failed: run.failed, serverPercentiles: [] as Percentile[] };
  const span = requestWindow(run);
  // A browser run's spans reach only the app's own receivers: its histogram comes from them, Prometheus has none.
  const spans = run.target === BROWSER_TARGET ? embeddedSpanMetrics() : spanMetricsSource();
  const source: SourceLabel = spans ? 'embedded (spans)' : 'Prometheus';
  if (allFailed(run)) {
    return { ...base, source, histogram: null, counts: null, pending: false, note: allFailedNote(run) };
  }
  if (!spans) {
    const target = targetOf(run);
    const none = { ...base, source, histogram: null, counts: null, pending: false };
    if (!target) return { ...none, note: `Target ${JSON.stringify(run.target)} is no longer configured, so its metric names are unknown.` };
    if (!latencyMetric(target.preset, metric)) return { ...none, note: `${target.preset.label} exports no ${METRIC_LABELS[metric]} histogram; only the client-side latencies are shown.` };
    if (!span) return { ...none, pending: run.finishedAt === null, note: 'The run has no window yet: its first request was never sent.' };
    const labels: Labels = { ...(target.preset.modelLabel && run.model ? { [target.preset.modelLabel]: run.model } : {}), ...(metric === 'e2e' ? target.preset.requestDurationSuccess : {}) };
    const client_ = PrometheusClient.fromConfig();
    // The server's current name, or an older one it still exports (Prometheus's metadata says which).
    const figure = await resolveFigure(client_, target.preset, metric, opts.signal);
    const name = figure.metric ?? latencyMetric(target.preset, metric)!;
    const used = figure.metric ? figure.note : `${figure.note} Reading ${name}.`;
    const r = await windowHistogram(client_, { metric: name, labels, baseUrl: target.url, startMs: span.startMs, endMs: span.endMs }, opts.signal);
    if (r.status === 'pending') return { ...none, pending: true, note: r.reason };
    if (r.status === 'exact') {
      const h = r.histogram;
      return {
        ...base,
        source,
        histogram: encodeHistogram(h),
        counts: serverCounts('exact', h.count, expectedCount(client), `the server's own counters, between its scrapes at ${clockTime(r.scrapes.before)} and ${clockTime(r.scrapes.after)}`),
        serverPercentiles: interpolatedPercentiles(h.buckets),
        pending: false,
        note: `${used} What the server counted from the scrape before the run's first request to the scrape after its last response.`,
      };
    }
    // No bracketing scrapes (not scraped, or not before the run): increase() over the window, an estimate.
    const est = await promLatencyHistogram(client_, { metric: name, labels, range: window }, opts.signal);
    return {
      ...base,
      source,
      histogram: encodeHistogram(est.histogram),
      counts: serverCounts('estimate', est.histogram.count, expectedCount(client), 'increase() over the window, which extrapolates to its edges'),
      serverPercentiles: interpolatedPercentiles(est.histogram.buckets),
      pending: settling(run, 35_000),
      note: `${used} ${r.reason} The counts are increase() estimates of ${name}.`,
    };
  }
  const service = serviceOf(run);
  if (!service) {
    return {
      ...base,
      source,
      pending: false,
      histogram: null,
      counts: null,
      note: `The embedded store only receives the bundled sandbox's telemetry. Set PROMETHEUS_URL to a Prometheus that scrapes ${JSON.stringify(run.target)} to see its server-side histogram; the client-side latencies are shown alone.`,
    };
  }
  const range = span ? { from: span.startMs - SPAN_WINDOW_SLACK_MS, to: span.endMs + SPAN_WINDOW_SLACK_MS } : window;
  const q = {
    service,
    kind: 'server' as const,
    range,
    bounds: SANDBOX_BOUNDS[metric],
    okOnly: true,
    ...(metric === 'e2e' ? {} : { valueAttributeMs: TIMING_ATTRIBUTES[metric] }),
  };
  const [h, v] = await Promise.all([spans.latencyHistogram(q), spans.latencyValues(q)]);
  const everyOne = !v.truncated && v.weights.every((w) => w === 1);
  return {
    ...base,
    source,
    histogram: encodeHistogram(h.histogram),
    counts: serverCounts(
      everyOne ? 'exact' : 'estimate',
      h.histogram.count,
      expectedCount(client),
      everyOne ? `${h.spans} request spans, every one traced` : `${h.spans} sampled request spans, each counted 1/its sampling probability`,
      h.spans,
    ),
    serverPercentiles: weightedPercentiles(
      v.values.map((x) => x * 1000),
      v.weights,
    ),
    pending: settling(run, SPANS_SETTLE_MS),
    note:
      metric === 'e2e'
        ? "Server: the sandbox's request spans that started within the run's window, their durations."
        : `Server: the ${TIMING_ATTRIBUTES[metric]} attribute of the sandbox's request spans that started within the run's window.`,
  };
}

// ---------------------------------------------------------------- flame graph

export interface FlamePanel {
  source: SourceLabel;
  window: TimeRange;
  /** what this graph shows, and which kinds the window has profiles of */
  kind: ProfileKind;
  kinds: ProfileKind[];
  /** the backend (and GPU adapter) that served the run, from its profiles' labels */
  served: ServedBy | null;
  profileType: ProfileType | null;
  /** the flat flame model as the profile source produced it (at most MAX_NODES nodes); null when empty */
  flame: FlameModel | null;
  /**
   * compare: the diff of the earlier run ("before", left) against the later one
   * ("after", right), whichever of the two the page belongs to; `runId` and
   * `window` are the other run's.
   */
  compare?: {
    runId: string;
    window: TimeRange;
    before: { runId: string; window: TimeRange };
    after: { runId: string; window: TimeRange };
    diff: FlameModel;
    leftTicks: number;
    rightTicks: number;
  };
  /** profiles for this window may still be on their way (the panel polls) */
  pending: boolean;
  flushIntervalS: number;
  note?: string;
}

const MAX_NODES = 16_384;

/** The window's profile type of that kind (CPU: CPU time before wall time). */
async function profileTypeFor(range: TimeRange, kind: ProfileKind, opts: Signal): Promise<ProfileType | null> {
  return pickProfileType(await profileSource().profileTypes(range, opts), kind);
}

/** Which backend and adapter served: the labels of the service's profiles in the window. */
async function servedIn(service: string, range: TimeRange, opts: Signal): Promise<ServedBy> {
  const profiles = profileSource();
  const matchers = [serviceSelector(service)];
  const values = await Promise.all(SERVED_BY_LABELS.map((l) => profiles.labelValues(l, { matchers, range, ...opts })));
  return servedBy(Object.fromEntries(SERVED_BY_LABELS.map((l, i) => [l, values[i]])));
}

export async function flamePanel(run: RunView, compareId: string | undefined, opts: Signal & { kind?: ProfileKind } = {}): Promise<FlamePanel> {
  const profiles = profileSource();
  const window = runRange(run);
  const flushMs = config().PYROSCOPE_FLUSH_INTERVAL_MS;
  const kind = opts.kind ?? 'cpu';
  const base = { source: profileSourceLabel(profiles.backend), window, flushIntervalS: flushMs / 1000, kind };
  const service = serviceOf(run);
  if (!service) {
    return {
      ...base,
      kinds: [],
      served: null,
      profileType: null,
      flame: null,
      pending: false,
      note: `Only the bundled sandbox's profiles are known to Trisight; ${JSON.stringify(run.target)} has none here.`,
    };
  }
  const pending = run.finishedAt === null || profilesMayStillArrive(window.to, flushMs);
  const [types, served] = await Promise.all([profiles.profileTypes(window, opts), servedIn(service, window, opts)]);
  const type = pickProfileType(types, kind);
  const kinds = profileKinds(types);
  if (!type) return { ...base, kinds, served, profileType: null, flame: null, pending };
  const sel = { profileTypeId: type.id, labelSelector: serviceSelector(service), range: window };
  if (compareId) {
    const other = await runWithSamples(compareId);
    const otherWindow = runRange(other);
    // The earlier run is "before" whichever of the two pages the comparison was chosen from.
    const [before, after] = otherWindow.from <= window.from ? [{ runId: other.id, window: otherWindow }, { runId: run.id, window }] : [{ runId: run.id, window }, { runId: other.id, window: otherWindow }];
    const d = await profiles.diff({ ...sel, range: before.window }, { ...sel, range: after.window }, { maxNodes: MAX_NODES, ...opts });
    return { ...base, kinds, served, profileType: type, flame: null, pending, compare: { runId: other.id, window: otherWindow, before, after, diff: d.flame, leftTicks: d.leftTicks, rightTicks: d.rightTicks } };
  }
  const r = await profiles.selectMergeStacktraces(sel, { maxNodes: MAX_NODES, ...opts });
  return { ...base, kinds, served, profileType: type, flame: grandTotal(r.flame) > 0 ? r.flame : null, pending };
}

// ---------------------------------------------------------------- traces of a bucket

export interface TracesPanel {
  source: SourceLabel;
  window: TimeRange;
  metric: LatencyMetric;
  /** how the rows were found */
  method: 'trace search' | 'client-side values';
  query?: string;
  /** the rows listed: the slowest `limit` of the bucket's, slowest first */
  traces: TraceRow[];
  /** how many the bucket holds (stored traces for a trace search, the run's requests otherwise) */
  total: number;
  /** the search stopped at its cap: `total` is a lower bound */
  capped: boolean;
  /** spans of a run that just ended may still be arriving: ask again shortly */
  pending: boolean;
  note?: string;
}

/** The request span of a stored trace: the server span, else the root. */
function requestSpan(t: Trace) {
  return t.spans.find((s) => s.kind === 'server') ?? t.spans.find((s) => !s.parentSpanId) ?? t.spans[0];
}

/** Traces a bucket search reads to count and sort them, however few it lists. */
const BUCKET_SEARCH_CAP = 1000;

export async function bucketTraces(
  run: RunView,
  metric: LatencyMetric,
  bucket: LatencyBucket,
  limit: number,
  { revealSensitive, ...opts }: Signal & { revealSensitive?: boolean } = {},
): Promise<TracesPanel> {
  const traces = traceSource({ revealSensitive });
  const window = runRange(run);
  const source = traceSourceLabel(traces.backend);
  const service = serviceOf(run);
  // End-to-end is a span duration: a duration-bounded search finds exactly the bucket's
  // server-side requests. TTFT / TPOT are not span durations, so the run's own
  // requests whose client-measured value falls in the bucket are listed instead.
  if (metric === 'e2e' && service) {
    const q = bucketTraceQL(service, bucket);
    const r = await traces.search({ q, range: window, limit: BUCKET_SEARCH_CAP, spss: 1 }, opts);
    const rows = slowestFirst(rowsFromSearch(r.traces, run.samples, metric), (t) => t.durationMs);
    return { source, window, metric, method: 'trace search', query: q, traces: rows.slice(0, limit), total: rows.length, capped: r.traces.length >= BUCKET_SEARCH_CAP, pending: settling(run, SPANS_SETTLE_MS) };
  }
  const all = requestsInBucket(run.samples, metric, bucket);
  const rows = all.slice(0, limit);
  const stored = new Map<string, StoredRequest>();
  // One lookup per row; rows are few (limit ≤ 200, the page asks for 50).
  await Promise.all(
    rows.map(async (r) => {
      const t = await traces.traceById(r.traceId, { range: window, ...opts });
      const s = t && requestSpan(t);
      if (s) {
        stored.set(r.traceId, {
          durationMs: Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6,
          startMs: Number(s.startTimeUnixNano / 1_000_000n),
          attributes: s.attributes,
        });
      }
    }),
  );
  return {
    source,
    window,
    metric,
    method: 'client-side values',
    traces: rowsFromSamples(rows, stored, metric),
    total: all.length,
    capped: false,
    pending: settling(run, SPANS_SETTLE_MS),
    note: `Requests of this run whose client-measured ${METRIC_LABELS[metric]} falls in the bucket, with the trace id each one sent.`,
  };
}

// ---------------------------------------------------------------- quality signals

export interface QualityPanel {
  source: SourceLabel;
  window: TimeRange;
  requests: QualityCounts;
  signals: SignalSummary[];
  /** spans of a run that just ended may still be arriving (the panel polls) */
  pending: boolean;
  /** why there is nothing to show, or how the requests were chosen */
  note?: string;
  /** the server's own prefix-cache hit rate metric for the run's window (null when the target is no longer configured) */
  prefixCache: PrefixCacheInfo | null;
}

/** Trace lookups in flight at once for one quality panel. */
const QUALITY_FETCH_CONCURRENCY = 8;

/**
 * Per quality signal, the run's requests as their request spans record them,
 * against each one's end-to-end latency (the span's duration): read from the
 * same trace store as the bucket trace lists, one lookup per request, at most
 * MAX_QUALITY_REQUESTS of them, 8 at a time, cancelled with the request.
 */
export async function qualityPanel(run: RunView, opts: Signal = {}): Promise<QualityPanel> {
  const traces = traceSource();
  const window = runRange(run);
  const rows = run.samples ? fromColumns(run.samples) : [];
  const ok = rows.filter((r) => r.ok).length;
  const picked = pickRequests(rows);
  const read = await mapLimited(
    picked,
    QUALITY_FETCH_CONCURRENCY,
    async (r): Promise<QualityRequest | null> => {
      const t = await traces.traceById(r.traceId, { range: window, ...opts });
      // The server span that carries the signals (a proxy in front may add another server span).
      const s = t?.spans.find((x) => x.kind === 'server' && QUALITY_ENTROPY_ATTRIBUTE in x.attributes) ?? t?.spans.find((x) => x.kind === 'server');
      if (!s) return null;
      return { traceId: r.traceId, e2eMs: Number(s.endTimeUnixNano - s.startTimeUnixNano) / 1e6, kind: promptKindOf(run.params, r.index), values: qualityOf(s.attributes) };
    },
    opts.signal,
  );
  const stored = read.filter((r): r is QualityRequest => r !== null);
  const withSignals = stored.filter((r) => Object.keys(r.values).length > 0).length;
  const base = { source: traceSourceLabel(traces.backend), window, requests: { ok, read: picked.length, stored: stored.length, withSignals }, pending: settling(run, SPANS_SETTLE_MS) };
  const target = targetOf(run);
  const note = qualityNote(base.requests, { target: run.target, traceStore: base.source, builtin: target?.builtin ?? false });
  const blocks = target ? await withBlockHitRates(run, target, prefixCacheInfo(target.preset, (window.to - window.from) / 1000, run.model), opts.signal) : null;
  return { ...base, pending: base.pending || (blocks?.pending ?? false), prefixCache: blocks?.info ?? null, signals: withSignals ? QUALITY_SIGNALS.map((sig) => summarizeSignal(sig, stored)) : [], ...(note ? { note } : {}) };
}

/**
 * The per-block hit rate as bars when the server counts per block
 * (./block-hit-rates.ts), or a note saying why there are none. A failed query
 * costs the bars, not the panel.
 */
async function withBlockHitRates(run: RunView, target: LoadTarget, info: PrefixCacheInfo, signal?: AbortSignal): Promise<{ info: PrefixCacheInfo; pending: boolean }> {
  const h = target.preset.prefixCacheHitRate;
  const none = (blocksNote: string, pending = false) => ({ info: { ...info, blocksNote }, pending });
  if (h.kind !== 'counters' || !h.by) return { info, pending: false };
  if (!config().PROMETHEUS_URL) return none(`No Prometheus is configured (PROMETHEUS_URL), so the server's per-${h.by} counters cannot be read.`);
  const span = requestWindow(run);
  if (!span) return none('The run has no window yet: its first request was never sent.', run.finishedAt === null);
  const matchers: Labels = h.byModel && target.preset.modelLabel && run.model ? { [target.preset.modelLabel]: run.model } : {};
  try {
    const r = await readBlockHitRates(PrometheusClient.fromConfig(), { baseUrl: target.url, startMs: span.startMs, endMs: span.endMs, counters: { ...h, by: h.by }, matchers }, signal);
    return r.status === 'exact' ? { info: { ...info, blocks: r.blocks }, pending: false } : none(r.note, r.status === 'pending');
  } catch (e) {
    if (signal?.aborted) throw e;
    return none(`Prometheus did not answer the per-${h.by} query: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// ---------------------------------------------------------------- one trace, one span's profile

/** One trace; values marked sensitive are withheld unless `revealSensitive` (an admin asks). */
export async function traceById(
  traceId: string,
  range: TimeRange | undefined,
  { revealSensitive, ...opts }: Signal & { revealSensitive?: boolean } = {},
): Promise<{ source: SourceLabel; trace: TraceJson }> {
  const traces = traceSource({ revealSensitive });
  const t = await traces.traceById(traceId, { range, ...opts });
  if (!t) throw new NotFound(`trace ${traceId} is not stored${range ? ' in that time range' : ''} (sampled out, or not received yet)`);
  return { source: traceSourceLabel(traces.backend), trace: encodeTrace(t) };
}

/** The same body as traceById (sensitive values withheld alike), streamed from the embedded store (which must be the trace source). */
export async function traceStream(traceId: string, range: TimeRange | undefined, { revealSensitive }: { revealSensitive?: boolean } = {}): Promise<ReadableStream<Uint8Array>> {
  const policy = revealSensitive ? null : configuredSensitivity();
  const s = await streamTraceJson(pgPool(), traceId, {
    range,
    maxSpans: config().TRACE_MAX_SPANS,
    source: traceSourceLabel('embedded'),
    mapSpan: policy ? (span) => withholdSpan(span, policy) : undefined,
  });
  if (!s) throw new NotFound(`trace ${traceId} is not stored${range ? ' in that time range' : ''} (sampled out, or not received yet)`);
  return s;
}

export interface SpanProfilePanel {
  source: SourceLabel;
  window: TimeRange;
  /** the span and its same-service descendants */
  spanIds: string[];
  /** decode batches those spans took part in (CPU shared with the other requests in them) */
  batchSpanIds: string[];
  profileType: ProfileType | null;
  flame: FlameModel | null;
  pending: boolean;
  flushIntervalS: number;
}

export async function spanProfilePanel(run: RunView, traceId: string, spanId: string, opts: Signal & { kind?: 'cpu' | 'gpu' } = {}): Promise<SpanProfilePanel> {
  const t = await traceSource().traceById(traceId, { range: runRange(run), ...opts });
  if (!t) throw new NotFound(`trace ${traceId} is not stored in this run's window`);
  const span = t.spans.find((s) => s.spanId === spanId);
  if (!span) throw new NotFound(`span ${spanId} is not in trace ${traceId}`);
  const profiles = profileSource();
  const window = spanWindow(span);
  const flushMs = config().PYROSCOPE_FLUSH_INTERVAL_MS;
  const spanIds = spanProfileIds(t, spanId);
  const { ids, shared } = profileSpanIds(t, spanIds);
  const base = { source: profileSourceLabel(profiles.backend), window, spanIds, batchSpanIds: shared, flushIntervalS: flushMs / 1000, pending: profilesMayStillArrive(window.to, flushMs) };
  const type = await profileTypeFor(window, opts.kind ?? 'cpu', opts);
  if (!type) return { ...base, profileType: null, flame: null };
  const r = await profiles.spanProfile({ profileTypeId: type.id, labelSelector: serviceSelector(span.service), range: window }, ids, { maxNodes: MAX_NODES, ...opts });
  return { ...base, profileType: type, flame: grandTotal(r.flame) > 0 ? r.flame : null };
}
