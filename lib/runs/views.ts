// The pure half of a run's side-by-side panels: which query parameters the
// routes take, the run's window, which client-side measures go beside the
// server's histogram, which requests fall in a bucket, which profile type to
// show, and how trace rows are joined. No I/O here (lib/runs/panels.ts does it).
import { z } from 'zod';
import { MAX_BUCKET_SECONDS, parseBucketParam, runWindow, type LatencyBucket } from '@/lib/correlate';
import { fromColumns, type SampleColumns, type SampleRow } from '@/lib/loadruns/samples';
import { BROWSER_SERVICE, BROWSER_TARGET } from '@/lib/browser-run/schema';
import type { ProfileType, TimeRange, Trace, TraceSummary } from '@/lib/model/types';
import { SANDBOX_TARGET } from '@/lib/targets/targets';
import { REQUEST_DURATION_BUCKETS, TPOT_BUCKETS, TTFT_BUCKETS } from '@/workers/sandbox/telemetry/buckets';
import { qualityOf, type QualitySignal } from './quality';

/** The histogram tabs: end-to-end request latency, time to first token, time per output token. */
export const LATENCY_METRICS = ['e2e', 'ttft', 'tpot'] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

export const METRIC_LABELS: Record<LatencyMetric, string> = { e2e: 'End-to-end', ttft: 'TTFT', tpot: 'TPOT' };

/**
 * The bundled sandbox's OTel service.name and Pyroscope application name
 * (workers/sandbox/telemetry SERVICE_NAME; a unit test keeps them equal). Kept
 * here so the app does not import the sandbox's telemetry SDK.
 */
export const SANDBOX_SERVICE = 'trisight-sandbox';

/**
 * The service name a run's server-side telemetry is stored under: the bundled
 * sandbox's and a browser run's are known; another target's is its operator's.
 */
export function runServiceName(target: string): string | null {
  if (target === BROWSER_TARGET) return BROWSER_SERVICE;
  return target === SANDBOX_TARGET ? SANDBOX_SERVICE : null;
}

/** Root-span attributes (ms) the sandbox records TTFT and TPOT in. */
export const TIMING_ATTRIBUTES: Record<Exclude<LatencyMetric, 'e2e'>, string> = {
  ttft: 'trisight.timings.ttft_ms',
  tpot: 'trisight.timings.tpot_ms',
};

/**
 * Bucket bounds (s) for the embedded histograms: the ones the sandbox's own
 * Prometheus histograms use (a module without the telemetry SDK), so both
 * sources bucket alike.
 */
export const SANDBOX_BOUNDS: Record<LatencyMetric, number[]> = { e2e: REQUEST_DURATION_BUCKETS, ttft: TTFT_BUCKETS, tpot: TPOT_BUCKETS };

/** Where a panel's data came from, as the page shows it. */
export type SourceLabel = 'Prometheus' | 'embedded (spans)' | 'Tempo' | 'Pyroscope' | 'embedded' | 'load generator';

export const traceSourceLabel = (backend: 'tempo' | 'embedded'): SourceLabel => (backend === 'tempo' ? 'Tempo' : 'embedded');
export const profileSourceLabel = (backend: 'pyroscope' | 'embedded'): SourceLabel => (backend === 'pyroscope' ? 'Pyroscope' : 'embedded');

// ---------------------------------------------------------------- query parameters

const metric = z.enum(LATENCY_METRICS, { error: 'metric must be one of e2e, ttft, tpot' }).default('e2e');
const hex = (n: number, what: string) => z.string().regex(new RegExp(`^[0-9a-fA-F]{1,${n}}$`), `${what} must be up to ${n} hex digits`).transform((s) => s.toLowerCase().padStart(n, '0'));

export const LatencyQuery = z.object({ metric });

export const TracesQuery = z.object({
  metric,
  bucket: z
    .string({ error: 'bucket is required, e.g. 0.25-0.5 (seconds; "inf" for the last bucket)' })
    .transform((s, ctx) => {
      const b = parseBucketParam(s);
      if (!b) ctx.addIssue({ code: 'custom', message: `bucket must look like 0.25-0.5 or 10-inf (seconds, lower < upper, at most ${MAX_BUCKET_SECONDS}), not ${JSON.stringify(s.slice(0, 40))}` });
      return b ?? { lower: 0, upper: 0 };
    }),
  limit: z.coerce.number({ error: 'limit must be a number' }).int('limit must be a whole number').min(1, 'limit must be at least 1').max(200, 'limit must be at most 200').default(50),
});

/** What a flame graph shows: CPU time, GPU kernel time (WebGPU backend), or in-use heap memory. */
export const PROFILE_KINDS = ['cpu', 'gpu', 'memory'] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];
export const PROFILE_KIND_LABELS: Record<ProfileKind, string> = { cpu: 'CPU', gpu: 'GPU', memory: 'Memory' };
const kind = z.enum(PROFILE_KINDS, { error: 'kind must be one of cpu, gpu, memory' }).default('cpu');

export const FlameQuery = z.object({ compare: z.uuid({ error: 'compare must be a run id' }).optional(), kind });

/** A span's own profile: CPU or GPU (heap samples carry no span ids). */
export const SpanProfileQuery = z.object({ trace: hex(32, 'trace'), span: hex(16, 'span'), kind: z.enum(['cpu', 'gpu'], { error: 'kind must be cpu or gpu' }).default('cpu') });

export const TraceParams = z.object({ traceId: hex(32, 'traceId') });

/** 2262-04-11: the last millisecond whose nanoseconds fit in a signed 64-bit integer (Postgres bigint, OTLP). */
export const MAX_UNIX_MS = 9_223_372_036_854;
const unixMs = (name: string) =>
  z.coerce
    .number({ error: `${name} must be unix ms` })
    .int(`${name} must be unix ms`)
    .min(0, `${name} must be unix ms`)
    .max(MAX_UNIX_MS, `${name} must be unix ms up to ${MAX_UNIX_MS} (2262-04-11; nanoseconds must fit in 64 bits)`)
    .optional();
export const TraceQuery = z
  .object({ from: unixMs('from'), to: unixMs('to') })
  .refine((q) => (q.from === undefined) === (q.to === undefined), { message: 'give both from and to, or neither', path: ['to'] })
  .refine((q) => q.from === undefined || q.to === undefined || q.to > q.from, { message: 'to must be after from', path: ['to'] });

/** URLSearchParams → a plain object for zod (first value of each key). */
export function queryObject(url: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URL(url).searchParams) if (!(k in out)) out[k] = v;
  return out;
}

// ---------------------------------------------------------------- the run's window and samples

export interface RunTimes {
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** The run's window (unix ms, padded at the edges): what every panel of the page reads. */
export function runRange(run: RunTimes, now = Date.now()): TimeRange {
  const d = (s: string | null) => (s === null ? null : new Date(s));
  return runWindow({ createdAt: new Date(run.createdAt), startedAt: d(run.startedAt), finishedAt: d(run.finishedAt) }, now);
}

/** A request's client-measured value for a tab, in ms (null when it has none, e.g. failed or one token). */
export function sampleValueMs(row: SampleRow, m: LatencyMetric): number | null {
  if (!row.ok) return null;
  return m === 'e2e' ? row.e2eMs : m === 'ttft' ? row.ttftMs : row.tpotMs;
}

/** The load generator's own measurements for a tab, in ms, successful requests only. */
export function clientLatenciesMs(samples: SampleColumns | null | undefined, m: LatencyMetric): number[] {
  if (!samples) return [];
  const out: number[] = [];
  for (const row of fromColumns(samples)) {
    const v = sampleValueMs(row, m);
    if (v !== null) out.push(v);
  }
  return out;
}

/** Whether a value in seconds falls in the bucket, `(lower, upper]` as `le` means it. */
export const inBucket = (seconds: number, b: LatencyBucket) => seconds > b.lower && seconds <= b.upper;

/** The run's requests whose client-measured value falls in the bucket, slowest first. */
export function requestsInBucket(samples: SampleColumns | null | undefined, m: LatencyMetric, b: LatencyBucket): SampleRow[] {
  if (!samples) return [];
  const rows = fromColumns(samples).filter((r) => {
    const v = sampleValueMs(r, m);
    return v !== null && inBucket(v / 1000, b);
  });
  return rows.sort((a, b2) => (sampleValueMs(b2, m) ?? 0) - (sampleValueMs(a, m) ?? 0));
}

// ---------------------------------------------------------------- profiles

/** Sample types each kind shows, best first. */
const KIND_SAMPLE_TYPES: Record<ProfileKind, readonly string[]> = {
  // Pyroscope's process_cpu or the Node SDK's wall profile's `cpu` sample type, then wall time (then any other non-GPU, non-memory type)
  cpu: ['cpu', 'wall'],
  // the sandbox's GPU profile (workers/sandbox/telemetry/gpu-profile.ts)
  gpu: ['gpu_time'],
  // what is held now, then what was allocated
  memory: ['inuse_space', 'alloc_space', 'inuse_objects', 'alloc_objects'],
};

/**
 * Each type's kind: GPU or memory when it, or another sample type of the same
 * profile (same name), is one of that kind's sample types, so a profile's
 * other types (the GPU profile's dispatches) go with it. Pyroscope names the
 * GPU profile after its last sample type (`dispatches:gpu_time:…`), not "gpu".
 */
function kindsOf(types: readonly ProfileType[]): (t: ProfileType) => ProfileKind {
  const byName = new Map<string, ProfileKind>();
  for (const t of types) {
    if (KIND_SAMPLE_TYPES.gpu.includes(t.sampleType)) byName.set(t.name, 'gpu');
    else if (KIND_SAMPLE_TYPES.memory.includes(t.sampleType) && !byName.has(t.name)) byName.set(t.name, 'memory');
  }
  return (t) => byName.get(t.name) ?? (t.name === 'gpu' ? 'gpu' : t.name === 'memory' ? 'memory' : 'cpu');
}

/**
 * The profile type a flame graph of `kind` shows: for CPU, CPU time first
 * (process_cpu before the Node SDK's `cpu`), then wall time, then whatever
 * else is neither GPU nor memory; for GPU, kernel time; for memory, in-use
 * bytes first. Null when no such profile was stored.
 */
export function pickProfileType(types: readonly ProfileType[], kind: ProfileKind = 'cpu'): ProfileType | null {
  const order = KIND_SAMPLE_TYPES[kind];
  const pos = (t: ProfileType) => (order.includes(t.sampleType) ? order.indexOf(t.sampleType) : order.length);
  const rank = (t: ProfileType) => pos(t) * 2 + (t.name === 'process_cpu' ? 0 : 1);
  const kindOf = kindsOf(types);
  return [...types].filter((t) => kindOf(t) === kind).sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id))[0] ?? null;
}

/** The profile kinds a window has data for. */
export function profileKinds(types: readonly ProfileType[]): ProfileKind[] {
  return PROFILE_KINDS.filter((k) => pickProfileType(types, k) !== null);
}

/** Which backend served a run, from the labels the sandbox puts on its profiles (and resource attributes). */
export interface ServedBy {
  backend: string | null;
  preset: string | null;
  gpuAdapter: string | null;
  /** the adapter's isFallbackAdapter: true for a software rasteriser such as SwiftShader */
  fallbackAdapter: boolean | null;
  /** how GPU time was measured: timestamp-query, or submission (includes queueing) */
  gpuTiming: string | null;
  /** with timestamp queries: one forward pass in this many was timed per dispatch (the kernel split) */
  gpuKernelSampleEvery: number | null;
  /** CPU backend: threads computing the matrix products; above 1 a helper's share is one unlabelled frame of the CPU profile */
  cpuThreads: number | null;
  /** more than one value of a label in the window (e.g. the sandbox restarted with another backend) */
  mixed: boolean;
}

/** Profile labels the sandbox sets, read by servedBy. */
export const SERVED_BY_LABELS = ['backend', 'preset', 'gpu_adapter', 'gpu_fallback_adapter', 'gpu_timing', 'gpu_kernel_sample_every', 'cpu_threads'] as const;

export function servedBy(values: Partial<Record<(typeof SERVED_BY_LABELS)[number], readonly string[]>>): ServedBy {
  const one = (k: (typeof SERVED_BY_LABELS)[number]) => values[k]?.[0] ?? null;
  const fallback = one('gpu_fallback_adapter');
  return {
    backend: one('backend'),
    preset: one('preset'),
    gpuAdapter: one('gpu_adapter'),
    fallbackAdapter: fallback === null ? null : fallback === 'true',
    gpuTiming: one('gpu_timing'),
    gpuKernelSampleEvery: Number(one('gpu_kernel_sample_every')) || null,
    cpuThreads: Number(one('cpu_threads')) || null,
    mixed: SERVED_BY_LABELS.some((k) => (values[k]?.length ?? 0) > 1),
  };
}

/** "Served by webgpu on <adapter> (fallback adapter)": which backend ran the model, and how its GPU time was measured. */
export function servedText(s: ServedBy | null | undefined): string | null {
  if (!s?.backend) return null;
  let t = `Served by the ${s.backend === 'webgpu' ? 'WebGPU' : s.backend === 'cpu' ? 'CPU' : s.backend} backend`;
  if (s.gpuAdapter) t += ` on ${s.gpuAdapter}${s.fallbackAdapter ? ' (a fallback adapter: software, not a GPU)' : ''}`;
  if (s.mixed) t += ' (the window has profiles of more than one backend)';
  // SANDBOX_THREADS=2: the profiler samples the main thread only.
  if (s.cpuThreads && s.cpuThreads > 1) t += `, with ${s.cpuThreads - 1} helper thread${s.cpuThreads > 2 ? 's' : ''} for the large matrix products: its CPU time is the “Non JS threads activity” frame, not split by kernel or request, so span profiles show less of the kernels than they took`;
  return `${t}.`;
}

/** What the GPU graph's numbers are: timestamp-query GPU time (how the kernel split was measured), or submission time that includes queueing. */
export function gpuTimingText(s: ServedBy | null | undefined): string {
  if (s?.gpuTiming === 'submission') return 'GPU time per forward pass, from submission to onSubmittedWorkDone: it includes queueing (no timestamp queries on this adapter).';
  const every = s?.gpuKernelSampleEvery ?? 1;
  if (every <= 1) return 'GPU time per kernel dispatch, from timestamp queries.';
  return `GPU time of every forward pass, from timestamp queries; the split across kernels as measured per dispatch on 1 pass in ${every} (and the first of each shape).`;
}

const PROFILE_TYPE_NAMES: Record<string, string> = {
  cpu: 'CPU time',
  gpu_time: 'GPU time',
  wall: 'Wall-clock time',
  samples: 'CPU samples',
  alloc_space: 'Allocated memory',
  alloc_objects: 'Allocated objects',
  alloc_in_new_tlab_bytes: 'Allocated memory',
  inuse_space: 'Memory in use',
  inuse_objects: 'Objects in use',
  contentions: 'Lock contentions',
  delay: 'Lock wait time',
  goroutine: 'Goroutines',
  goroutines: 'Goroutines',
  exception: 'Exceptions',
};

/** A profile type as people call it ("CPU time"); the Pyroscope id goes in a tooltip. */
export function profileTypeLabel(t: Pick<ProfileType, 'name' | 'sampleType'>): string {
  return PROFILE_TYPE_NAMES[t.sampleType] ?? `${t.name} ${t.sampleType}`.trim();
}

/** Pyroscope label selector for one application; the name is quoted and escaped. */
export function serviceSelector(service: string): string {
  return `{service_name=${JSON.stringify(service)}}`;
}

/**
 * Profiles of a window can still be on their way until one flush interval (plus
 * a little for the push itself) after its end: the panel keeps polling until then.
 */
export function profilesMayStillArrive(windowEndMs: number, flushMs: number, now = Date.now()): boolean {
  return now < windowEndMs + flushMs + 3_000;
}

/**
 * The sandbox decodes requests in batches: each decode step's CPU is labelled
 * with the id of a `decode_batch` span (its own trace), which the request's
 * decode span lists in this attribute.
 */
export const ATTR_BATCH_SPAN_IDS = 'trisight.batch.span_ids';

/**
 * The span ids whose CPU samples make up a span's profile: the span and its
 * same-service descendants (`own`, from lib/correlate's spanProfileIds), plus
 * the decode batches those spans took part in. A batch's CPU is shared with the
 * other requests in it, so `shared` is reported apart for the page to say so.
 */
export function profileSpanIds(trace: Trace, own: readonly string[]): { ids: string[]; shared: string[] } {
  const mine = new Set(own);
  const shared = new Set<string>();
  for (const s of trace.spans) {
    if (!mine.has(s.spanId)) continue;
    const v = s.attributes[ATTR_BATCH_SPAN_IDS];
    for (const id of Array.isArray(v) ? v : []) if (typeof id === 'string' && /^[0-9a-f]{16}$/.test(id) && !mine.has(id)) shared.add(id);
  }
  return { ids: [...own, ...shared], shared: [...shared] };
}

// ---------------------------------------------------------------- trace rows

export interface TraceRow {
  traceId: string;
  /** server-side duration of the request span, ms (null when the trace is not stored) */
  durationMs: number | null;
  /** client-measured value of the tab's metric, ms, when the request is one of this run's */
  clientMs: number | null;
  outputTokens: number | null;
  priority: string | null;
  /** unix ms */
  startMs: number | null;
  /** the trace is in the trace store (a sampled-out or external request is not) */
  stored: boolean;
  /** the request span's quality signals, where its attributes were read (the list sorts by them) */
  quality: Partial<Record<QualitySignal, number>>;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** Rows by a measure, largest first; rows without it last. */
export function slowestFirst<T>(rows: readonly T[], value: (r: T) => number | null): T[] {
  return [...rows].sort((a, b) => (value(b) ?? -Infinity) - (value(a) ?? -Infinity));
}

/** Rows from a duration-bounded trace search, filled in from the run's own requests where the trace id matches. */
export function rowsFromSearch(traces: readonly TraceSummary[], samples: SampleColumns | null | undefined, m: LatencyMetric): TraceRow[] {
  const byTrace = new Map((samples ? fromColumns(samples) : []).map((r) => [r.traceId, r]));
  return traces.map((t) => {
    const span = t.spans?.[0];
    const a = span?.attributes ?? {};
    const s = byTrace.get(t.traceId);
    return {
      traceId: t.traceId,
      durationMs: span ? Number(span.durationNanos) / 1e6 : t.durationMs,
      clientMs: s ? sampleValueMs(s, m) : null,
      outputTokens: num(a['gen_ai.usage.output_tokens']) ?? s?.outputTokens ?? null,
      priority: str(a['trisight.priority']) ?? s?.priority ?? null,
      startMs: Number((span?.startTimeUnixNano ?? t.startTimeUnixNano) / 1_000_000n),
      stored: true,
      // A trace search returns the matched span's attributes (the embedded store all of them; Tempo those selected).
      quality: qualityOf(a),
    };
  });
}

/** What is known of a stored trace for a row: its request span's duration and attributes. */
export interface StoredRequest {
  durationMs: number;
  startMs: number;
  attributes: Record<string, unknown>;
}

/** Rows for the run's own requests (client-side bucket), joined with the stored trace where there is one. */
export function rowsFromSamples(rows: readonly SampleRow[], stored: ReadonlyMap<string, StoredRequest>, m: LatencyMetric): TraceRow[] {
  return rows.map((r) => {
    const t = stored.get(r.traceId);
    return {
      traceId: r.traceId,
      durationMs: t?.durationMs ?? null,
      clientMs: sampleValueMs(r, m),
      outputTokens: num(t?.attributes['gen_ai.usage.output_tokens']) ?? r.outputTokens,
      priority: str(t?.attributes['trisight.priority']) ?? r.priority,
      startMs: t?.startMs ?? r.startMs,
      stored: !!t,
      quality: t ? qualityOf(t.attributes) : {},
    };
  });
}
