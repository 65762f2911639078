import { Wire } from '@/lib/datasources/wire';
import {
  decodeOtlpJson,
  decodeTempoTraceByIdProto,
  decodeTempoTraceProto,
  normalizeSpanId,
  normalizeTraceId,
  OtlpDecodeError,
  type DecodeOptions,
  type OtlpDecodeResult,
} from '@/lib/otlp/decode';
import { BackendError, type AttrValue, type Attributes, type Exemplar, type HistogramBucket, type HistogramSeries, type Labels, type Trace, type TraceSummary } from '@/lib/model/types';
import type { SearchResult, TagValue, TraceQLInstantSeries, TraceQLMetricSeries } from './types';

// Pure: Tempo HTTP API bodies → our model. OTLP itself (JSON or tempopb
// protobuf) is decoded by lib/otlp, shared with the embedded OTLP receiver.

const w = new Wire('tempo');

export { normalizeTraceId };

/**
 * Reading a stored trace: a span whose link has an unreadable id is kept
 * without that link (and `warnings` says so), and a body of an unknown shape
 * is refused rather than shown as an empty trace.
 */
const READ: DecodeOptions = { badLinks: 'drop-link', refuseUnknownShape: true };

function fromOtlp(decode: () => OtlpDecodeResult & { partial?: boolean }, traceId: string, partial: boolean): Trace {
  let r: OtlpDecodeResult & { partial?: boolean };
  try {
    r = decode();
  } catch (e) {
    if (e instanceof OtlpDecodeError) throw new BackendError('tempo', 200, `unexpected tempo trace body: ${e.message}`, 'bad_response');
    throw e;
  }
  // Spans Tempo stored but we cannot read are dropped; a trace of nothing but those is an error, not an empty trace.
  if (r.spans.length === 0 && r.rejectedSpans > 0) {
    throw new BackendError('tempo', 200, `unexpected tempo trace body: ${r.errors[0] ?? 'no readable span'}`, 'bad_response');
  }
  const trace: Trace = { traceId: traceId ? normalizeTraceId(traceId) : (r.spans[0]?.traceId ?? ''), spans: r.spans };
  if (partial || r.partial) trace.partial = true;
  const warnings = [...r.warnings, ...r.errors.map((e) => `${e} (span dropped)`)];
  if (r.rejectedSpans > r.errors.length) warnings.push(`and ${r.rejectedSpans - r.errors.length} more unreadable spans dropped`);
  if (warnings.length) trace.warnings = warnings;
  return trace;
}

/**
 * A trace-by-id JSON body: v1 is the OTLP object itself (`resourceSpans`, or
 * `batches` in older Tempo); v2 wraps it as `{trace, status, message}` where
 * status PARTIAL (or 1) means Tempo cut the trace short.
 */
export function parseTraceJson(body: unknown, traceId = ''): Trace {
  const o = w.obj(body, 'body');
  if ('trace' in o || 'status' in o) {
    const partial = o.status === 'PARTIAL' || o.status === 1;
    const inner = o.trace ?? {};
    return fromOtlp(() => decodeOtlpJson(inner, READ), traceId, partial);
  }
  return fromOtlp(() => decodeOtlpJson(o, READ), traceId, false);
}

/**
 * A trace-by-id protobuf body, what Tempo sends for Accept: application/protobuf:
 * tempopb.Trace from the v1 endpoint, tempopb.TraceByIDResponse (the trace and
 * whether it was cut short) from v2.
 */
export function parseTraceProto(bytes: Uint8Array, traceId = '', api: 'v1' | 'v2' = 'v1'): Trace {
  return fromOtlp(() => (api === 'v2' ? decodeTempoTraceByIdProto(bytes, READ) : decodeTempoTraceProto(bytes, READ)), traceId, false);
}

/** OTLP JSON AnyValue → attribute value; int64 strings become numbers when exact. */
export function anyValue(v: unknown, path: string, depth = 0): AttrValue {
  if (v === undefined || v === null) return null;
  const o = w.obj(v, path);
  if (depth > 16) w.fail(path, 'nested at most 16 deep', '…');
  if (o.stringValue !== undefined) return w.str(o.stringValue, `${path}.stringValue`);
  if (o.boolValue !== undefined) return o.boolValue === true;
  if (o.intValue !== undefined) {
    const b = w.big(o.intValue, `${path}.intValue`);
    return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString();
  }
  if (o.doubleValue !== undefined) return w.num(o.doubleValue, `${path}.doubleValue`);
  if (o.arrayValue !== undefined) {
    return w.optArr(w.obj(o.arrayValue, `${path}.arrayValue`).values, `${path}.arrayValue.values`).map((x, i) => anyValue(x, `${path}.arrayValue.values[${i}]`, depth + 1));
  }
  if (o.kvlistValue !== undefined) return attributes(w.obj(o.kvlistValue, `${path}.kvlistValue`).values, `${path}.kvlistValue.values`, depth + 1);
  if (o.bytesValue !== undefined) return w.str(o.bytesValue, `${path}.bytesValue`);
  return null;
}

/** OTLP JSON KeyValue list → attributes. */
export function attributes(v: unknown, path: string, depth = 0): Attributes {
  const out: Attributes = {};
  w.optArr(v, path).forEach((kv, i) => {
    const o = w.obj(kv, `${path}[${i}]`);
    out[w.str(o.key, `${path}[${i}].key`)] = anyValue(o.value, `${path}[${i}].value`, depth);
  });
  return out;
}

/** Attributes as Prometheus-style labels (every value as text). */
function labelsOf(v: unknown, path: string): Labels {
  const out: Labels = {};
  for (const [k, val] of Object.entries(attributes(v, path))) out[k] = typeof val === 'string' ? val : JSON.stringify(val);
  return out;
}

function ids(v: unknown, path: string, f: (s: string) => string): string {
  const s = w.str(v, path);
  try {
    return f(s);
  } catch (e) {
    return w.fail(path, 'a hex or base64 id', `${s} (${(e as Error).message})`);
  }
}

/** GET /api/search body → trace summaries with their matched spans (deduplicated across span sets). */
export function parseSearch(body: unknown): SearchResult {
  const o = w.obj(body, 'body');
  const traces: TraceSummary[] = w.optArr(o.traces, 'traces').map((t, i) => {
    const x = w.obj(t, `traces[${i}]`);
    const p = `traces[${i}]`;
    const summary: TraceSummary = {
      // Tempo prints ids without their leading zeros; the model keeps 32 hex chars.
      traceId: ids(x.traceID, `${p}.traceID`, normalizeTraceId),
      rootServiceName: w.optStr(x.rootServiceName, `${p}.rootServiceName`) ?? '',
      rootTraceName: w.optStr(x.rootTraceName, `${p}.rootTraceName`) ?? '',
      startTimeUnixNano: w.big0(x.startTimeUnixNano, `${p}.startTimeUnixNano`),
      // proto3 JSON omits a zero duration
      durationMs: w.num0(x.durationMs, `${p}.durationMs`),
    };
    const sets = [...(x.spanSet ? [x.spanSet] : []), ...w.optArr(x.spanSets, `${p}.spanSets`)];
    if (sets.length) {
      const seen = new Map<string, NonNullable<TraceSummary['spans']>[number]>();
      sets.forEach((set, j) => {
        const sp = `${p}.spanSets[${j}]`;
        w.optArr(w.obj(set, sp).spans, `${sp}.spans`).forEach((s, k) => {
          const so = w.obj(s, `${sp}.spans[${k}]`);
          const spanId = ids(so.spanID, `${sp}.spans[${k}].spanID`, normalizeSpanId);
          if (seen.has(spanId)) return;
          const name = w.optStr(so.name, `${sp}.spans[${k}].name`);
          seen.set(spanId, {
            spanId,
            ...(name !== undefined ? { name } : {}),
            startTimeUnixNano: w.big0(so.startTimeUnixNano, `${sp}.spans[${k}].startTimeUnixNano`),
            durationNanos: w.big0(so.durationNanos, `${sp}.spans[${k}].durationNanos`),
            attributes: attributes(so.attributes, `${sp}.spans[${k}].attributes`),
          });
        });
      });
      summary.spans = [...seen.values()];
    }
    return summary;
  });
  return { traces, metrics: numbers(o.metrics) };
}

/** Search metrics: inspectedBytes is a string (jsonpb int64) in some versions, a number in others. */
function numbers(v: unknown, prefix = ''): Record<string, number> {
  const out: Record<string, number> = {};
  if (v === undefined || v === null) return out;
  for (const [k, val] of Object.entries(w.obj(v, 'metrics'))) {
    if (val !== null && typeof val === 'object') Object.assign(out, numbers(val, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = w.num(val, `metrics.${prefix}${k}`);
  }
  return out;
}

/** GET /api/search/tags (v1) → tag names. */
export function parseTagNamesV1(body: unknown): string[] {
  return w.optArr(w.obj(body, 'body').tagNames, 'tagNames').map((x, i) => w.str(x, `tagNames[${i}]`));
}

/** GET /api/v2/search/tags → tag names by scope. */
export function parseTagNamesV2(body: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  w.optArr(w.obj(body, 'body').scopes, 'scopes').forEach((s, i) => {
    const o = w.obj(s, `scopes[${i}]`);
    out[w.str(o.name, `scopes[${i}].name`)] = w.optArr(o.tags, `scopes[${i}].tags`).map((t, j) => w.str(t, `scopes[${i}].tags[${j}]`));
  });
  return out;
}

/** GET /api/search/tag/<name>/values (v1) → values. */
export function parseTagValuesV1(body: unknown): string[] {
  return w.optArr(w.obj(body, 'body').tagValues, 'tagValues').map((x, i) => w.str(x, `tagValues[${i}]`));
}

/** GET /api/v2/search/tag/<scope.name>/values → typed values. */
export function parseTagValuesV2(body: unknown): TagValue[] {
  return w.optArr(w.obj(body, 'body').tagValues, 'tagValues').map((x, i) => {
    const o = w.obj(x, `tagValues[${i}]`);
    return { type: w.str(o.type, `tagValues[${i}].type`), value: w.optStr(o.value, `tagValues[${i}].value`) ?? '' };
  });
}

/**
 * GET /api/metrics/query_range body → series. Exemplars keep Tempo's labels
 * and also get `trace_id` (32 hex) from `trace:id`, the key Prometheus
 * exemplars use, so the correlation code reads one key for both.
 */
export function parseMetricsQueryRange(body: unknown): TraceQLMetricSeries[] {
  return w.optArr(w.obj(body, 'body').series, 'series').map((s, i) => {
    const o = w.obj(s, `series[${i}]`);
    const p = `series[${i}]`;
    const values = w.optArr(o.samples, `${p}.samples`).map((x, j): [number, number] => {
      const so = w.obj(x, `${p}.samples[${j}]`);
      return [w.num(so.timestampMs, `${p}.samples[${j}].timestampMs`), w.num0(so.value, `${p}.samples[${j}].value`)];
    });
    const exemplars = w.optArr(o.exemplars, `${p}.exemplars`).map((x, j): Exemplar => {
      const eo = w.obj(x, `${p}.exemplars[${j}]`);
      const labels = labelsOf(eo.labels, `${p}.exemplars[${j}].labels`);
      const tid = labels['trace:id'];
      if (tid && !labels.trace_id) labels.trace_id = ids(tid, `${p}.exemplars[${j}].labels.trace:id`, normalizeTraceId);
      return { labels, value: w.num0(eo.value, `${p}.exemplars[${j}].value`), timestamp: w.num(eo.timestampMs, `${p}.exemplars[${j}].timestampMs`) };
    });
    return { labels: labelsOf(o.labels, `${p}.labels`), values, exemplars };
  });
}

/**
 * GET /api/metrics/query body (tempopb.QueryInstantResponse) → one value per
 * series, labels kept typed as well as as text. A PARTIAL answer (Tempo
 * stopped early, e.g. at its series limit) is returned with Tempo's message:
 * its values may be short, so callers decide whether to use them.
 */
export function parseMetricsQueryInstant(body: unknown): { series: TraceQLInstantSeries[]; partial?: string } {
  const o = w.obj(body, 'body');
  const series = w.optArr(o.series, 'series').map((s, i): TraceQLInstantSeries => {
    const so = w.obj(s, `series[${i}]`);
    const attrs = attributes(so.labels, `series[${i}].labels`);
    return { labels: labelsOf(so.labels, `series[${i}].labels`), attributes: attrs, value: so.value === undefined ? 0 : w.float(so.value, `series[${i}].value`) };
  });
  const partial = o.status === 'PARTIAL' || o.status === 1;
  return partial ? { series, partial: w.optStr(o.message, 'message') || 'Tempo returned a partial result' } : { series };
}

/**
 * histogram_over_time series → one HistogramSeries per label set. Tempo puts
 * each value in a power-of-two bucket and names it by its upper bound in the
 * `__bucket` label (seconds for durations; -1 below 2 of the unit): bucket `b`
 * holds values in (b/2, b]. Counts are summed over the steps of the range, and
 * empty buckets between the first and the last are filled in so the buckets
 * are contiguous. Tempo reports no sum of the values: `sum` is NaN.
 */
export function histogramsFromBuckets(series: readonly TraceQLMetricSeries[]): HistogramSeries[] {
  const groups = new Map<string, { labels: Labels; counts: Map<number, number> }>();
  series.forEach((s, i) => {
    const raw = s.labels.__bucket;
    if (raw === undefined) return;
    const upper = Number(raw);
    if (!Number.isFinite(upper)) w.fail(`series[${i}].labels.__bucket`, 'a number', raw);
    const { __bucket: _, ...labels } = s.labels;
    const key = JSON.stringify(Object.entries(labels).sort());
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { labels, counts: new Map() }));
    const n = s.values.reduce((a, [, v]) => a + v, 0);
    g.counts.set(upper, (g.counts.get(upper) ?? 0) + n);
  });
  return [...groups.values()].map(({ labels, counts }) => {
    // -1 stands for values below 2 of the unit: treat it as the bucket just under the smallest real one.
    const uppers = [...counts.keys()].filter((u) => u > 0).sort((a, b) => a - b);
    const below = counts.get(-1) ?? 0;
    const buckets: HistogramBucket[] = [];
    if (uppers.length) {
      let u = uppers[0];
      const last = uppers[uppers.length - 1];
      if (below) buckets.push({ lower: 0, upper: u / 2, count: below });
      for (; u <= last * (1 + 1e-9); u *= 2) {
        const exact = uppers.find((x) => Math.abs(x - u) <= u * 1e-9);
        buckets.push({ lower: buckets.length ? buckets[buckets.length - 1].upper : u / 2, upper: u, count: exact === undefined ? 0 : counts.get(exact)! });
      }
    }
    const count = buckets.reduce((a, b) => a + b.count, 0);
    return { labels, buckets, count, sum: Number.NaN };
  });
}

/**
 * Does a failed /api/metrics/query_range mean "this Tempo cannot do TraceQL
 * metrics" (no endpoint, no local-blocks processor, generator not configured)
 * rather than "your query is wrong"? Query errors are shown as errors.
 */
export function isMetricsRefusal(status: number, body: string): boolean {
  if (/parse error|syntax error|invalid TraceQL|unknown (?:function|attribute)/i.test(body)) return false;
  // No such endpoint at all (older Tempo, or a proxy in front of one).
  if (status === 404 || status === 405 || status === 501) return true;
  // The endpoint exists but the metrics machinery behind it does not.
  return (status === 400 || status === 500) && /not (?:supported|enabled|configured|found)|local[- ]?blocks|metrics[- ]generator|empty ring/i.test(body);
}
