// The data behind a load run's side-by-side page: the latency histogram of the
// run's window (Prometheus, or span metrics from the embedded store), the CPU
// flame graph of the same window (Pyroscope or embedded), the traces of one
// bucket, one trace, and one span's own CPU profile. Route handlers validate
// and call these; every result names its data source.
import { config } from '@/lib/config';
import { bucketTraceQL, spanProfileIds, spanWindow, type LatencyBucket } from '@/lib/correlate';
import { profileSource, spanMetricsSource, traceSource } from '@/lib/datasources';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { latencyHistogram as promLatencyHistogram } from '@/lib/datasources/prometheus/views';
import { loadRuns, type RunView } from '@/lib/loadruns';
import { encodeHistogram, encodeTrace, type HistogramSeriesJson, type TraceJson } from '@/lib/model/json';
import { grandTotal, type FlameModel } from '@/lib/model/flame';
import type { Labels, ProfileType, TimeRange, Trace } from '@/lib/model/types';
import { latencyMetric, loadTargets, type LoadTarget } from '@/lib/targets';
import {
  clientLatenciesMs,
  pickProfileType,
  profileFlushIntervalMs,
  profilesMayStillArrive,
  profileSourceLabel,
  profileKinds,
  profileSpanIds,
  requestsInBucket,
  rowsFromSamples,
  rowsFromSearch,
  runRange,
  SANDBOX_BOUNDS,
  SANDBOX_SERVICE,
  SERVED_BY_LABELS,
  servedBy,
  serviceSelector,
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
export class NotFound extends Error {}

/** The run with its per-request samples, or NotFound. */
export async function runWithSamples(id: string): Promise<RunView> {
  const svc = loadRuns();
  await svc.recoverInterrupted();
  const run = await svc.get(id, { samples: true });
  if (!run) throw new NotFound(`no load run ${JSON.stringify(id)}`);
  return run;
}

function targetOf(run: RunView): LoadTarget | undefined {
  return loadTargets(config()).find((t) => t.name === run.target);
}

/** The service name the run's server-side telemetry is stored under; only the bundled sandbox's is known. */
function serviceOf(run: RunView): string | null {
  return targetOf(run)?.builtin ? SANDBOX_SERVICE : null;
}

// ---------------------------------------------------------------- latency histogram

export interface LatencyPanel {
  source: SourceLabel;
  window: TimeRange;
  metric: LatencyMetric;
  /** the server's histogram for the window (seconds); null when there is no server-side source */
  histogram: HistogramSeriesJson | null;
  /** what the load generator measured for the same requests, ms */
  clientLatenciesMs: number[];
  /** why the histogram is missing, or how to read it */
  note?: string;
  /** the run ended so recently that data may still be on its way (the panel polls) */
  pending: boolean;
}

/**
 * How long after a run's end its server-side numbers may still change: the
 * sandbox exports spans every 2 s (BatchSpanProcessor), Prometheus scrapes
 * every 15 s or so.
 */
const SETTLE_MS = { spans: 8_000, prometheus: 35_000 };

const settling = (run: RunView, ms: number, now = Date.now()) => run.finishedAt === null || now < Date.parse(run.finishedAt) + ms;

export async function latencyPanel(run: RunView, metric: LatencyMetric, opts: Signal = {}): Promise<LatencyPanel> {
  const window = runRange(run);
  const client = clientLatenciesMs(run.samples, metric);
  const spans = spanMetricsSource();
  if (!spans) {
    const target = targetOf(run);
    const base = { source: 'Prometheus' as const, window, metric, clientLatenciesMs: client, pending: settling(run, SETTLE_MS.prometheus) };
    if (!target) return { ...base, histogram: null, pending: false, note: `Target ${JSON.stringify(run.target)} is no longer configured, so its metric names are unknown.` };
    const name = latencyMetric(target.preset, metric);
    if (!name) return { ...base, histogram: null, pending: false, note: `${target.preset.label} exports no ${metric.toUpperCase()} histogram; only the client-side latencies are shown.` };
    const labels: Labels = target.preset.modelLabel && run.model ? { [target.preset.modelLabel]: run.model } : {};
    const r = await promLatencyHistogram(PrometheusClient.fromConfig(), { metric: name, labels, range: window }, opts.signal);
    return {
      ...base,
      histogram: encodeHistogram(r.histogram),
      note: `${name} over the run's window. Counts come from increase() and may be fractional (extrapolated to the window's edges); other traffic to the same server in the window is counted too.`,
    };
  }
  const service = serviceOf(run);
  const base = { source: 'embedded (spans)' as const, window, metric, clientLatenciesMs: client, pending: settling(run, SETTLE_MS.spans) };
  if (!service) {
    return {
      ...base,
      pending: false,
      histogram: null,
      note: `The embedded store only receives the bundled sandbox's telemetry. Set PROMETHEUS_URL to a Prometheus that scrapes ${JSON.stringify(run.target)} to see its server-side histogram; the client-side latencies are shown alone.`,
    };
  }
  const r = await spans.latencyHistogram({
    service,
    kind: 'server',
    range: window,
    bounds: SANDBOX_BOUNDS[metric],
    ...(metric === 'e2e' ? {} : { valueAttributeMs: TIMING_ATTRIBUTES[metric] }),
  });
  return {
    ...base,
    histogram: encodeHistogram(r.histogram),
    note:
      metric === 'e2e'
        ? 'Server: request-span durations, each weighted by 1/its sampling probability.'
        : `Server: the request spans' ${TIMING_ATTRIBUTES[metric]} attribute, weighted by 1/sampling probability.`,
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
  /** compare: the other run's window (the "before" side) and the diff model */
  compare?: { runId: string; window: TimeRange; diff: FlameModel; leftTicks: number; rightTicks: number };
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
  const flushMs = profileFlushIntervalMs(process.env);
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
    const d = await profiles.diff({ ...sel, range: otherWindow }, sel, { maxNodes: MAX_NODES, ...opts });
    return { ...base, kinds, served, profileType: type, flame: null, pending, compare: { runId: other.id, window: otherWindow, diff: d.flame, leftTicks: d.leftTicks, rightTicks: d.rightTicks } };
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
  traces: TraceRow[];
  note?: string;
}

/** The request span of a stored trace: the server span, else the root. */
function requestSpan(t: Trace) {
  return t.spans.find((s) => s.kind === 'server') ?? t.spans.find((s) => !s.parentSpanId) ?? t.spans[0];
}

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
    const r = await traces.search({ q, range: window, limit, spss: 1 }, opts);
    return { source, window, metric, method: 'trace search', query: q, traces: rowsFromSearch(r.traces, run.samples, metric) };
  }
  const rows = requestsInBucket(run.samples, metric, bucket).slice(0, limit);
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
    note: `Requests of this run whose client-measured ${metric.toUpperCase()} falls in the bucket, with the trace id each one sent.`,
  };
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
  const flushMs = profileFlushIntervalMs(process.env);
  const spanIds = spanProfileIds(t, spanId);
  const { ids, shared } = profileSpanIds(t, spanIds);
  const base = { source: profileSourceLabel(profiles.backend), window, spanIds, batchSpanIds: shared, flushIntervalS: flushMs / 1000, pending: profilesMayStillArrive(window.to, flushMs) };
  const type = await profileTypeFor(window, opts.kind ?? 'cpu', opts);
  if (!type) return { ...base, profileType: null, flame: null };
  const r = await profiles.spanProfile({ profileTypeId: type.id, labelSelector: serviceSelector(span.service), range: window }, ids, { maxNodes: MAX_NODES, ...opts });
  return { ...base, profileType: type, flame: grandTotal(r.flame) > 0 ? r.flame : null };
}
