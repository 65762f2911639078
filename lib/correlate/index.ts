// Pure joins between the three signals: a histogram bucket becomes a trace
// query, a span becomes the set of span ids whose CPU samples are its profile,
// a load run becomes the time window every panel reads.
import type { Span, TimeRange, Trace } from '@/lib/model/types';

/** A run's window, padded so scrapes and profile pushes at the edges are included. */
export function runWindow(run: { createdAt: Date; startedAt: Date | null; finishedAt: Date | null }, now = Date.now(), padMs = 2_000): TimeRange {
  const from = (run.startedAt ?? run.createdAt).getTime() - padMs;
  const to = run.finishedAt ? run.finishedAt.getTime() + padMs : now;
  return { from, to: Math.max(to, from + 1) };
}

/** Latency bucket in seconds, `(lower, upper]` as Prometheus's `le` buckets mean it. */
export interface LatencyBucket {
  lower: number;
  upper: number;
}

/** URL form `0.25-0.5` (seconds; `inf` for the last bucket). */
export function formatBucketParam(b: LatencyBucket): string {
  return `${trimNum(b.lower)}-${Number.isFinite(b.upper) ? trimNum(b.upper) : 'inf'}`;
}

/** Bucket bounds above this many seconds (11.6 days) are no latency; `inf` stands for the last bucket. */
export const MAX_BUCKET_SECONDS = 1_000_000;

export function parseBucketParam(s: string | null | undefined): LatencyBucket | null {
  const m = /^(\d+(?:\.\d+)?(?:e-?\d+)?)-(\d+(?:\.\d+)?(?:e-?\d+)?|inf)$/.exec(s ?? '');
  if (!m) return null;
  const lower = Number(m[1]);
  const upper = m[2] === 'inf' ? Infinity : Number(m[2]);
  // 1e308 parses, and 1e309 is Infinity: both would reach the backends as absurd durations.
  if (lower > MAX_BUCKET_SECONDS || (m[2] !== 'inf' && upper > MAX_BUCKET_SECONDS)) return null;
  return upper > lower ? { lower, upper } : null;
}

function trimNum(n: number): string {
  return String(Number(n.toPrecision(12)));
}

/** TraceQL duration literal; TraceQL takes ns/us/ms/s/m/h units. */
export function traceqlDuration(seconds: number): string {
  const us = Math.round(seconds * 1e6);
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1000 === 0) return `${us / 1000}ms`;
  return `${us}us`;
}

/** A TraceQL string literal: quotes and backslashes escaped (service names are untrusted). */
export function traceqlString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * The traces of one histogram bucket: server spans of `service` (the request
 * span; its parent is often the caller's, outside this service) whose duration
 * falls in (lower, upper] — how a bucket becomes a Tempo search.
 */
export function bucketTraceQL(service: string, b: LatencyBucket, spanName?: string): string {
  const conds = [`resource.service.name = ${traceqlString(service)}`, 'kind = server'];
  if (spanName) conds.push(`name = ${traceqlString(spanName)}`);
  if (b.lower > 0) conds.push(`duration > ${traceqlDuration(b.lower)}`);
  if (Number.isFinite(b.upper)) conds.push(`duration <= ${traceqlDuration(b.upper)}`);
  return `{ ${conds.join(' && ')} }`;
}

/**
 * Span ids whose samples make up a span's own CPU profile: the span and its
 * descendants in the same service (work done in child spans is part of it).
 */
export function spanProfileIds(trace: Trace, spanId: string): string[] {
  const children = new Map<string, Span[]>();
  for (const s of trace.spans) {
    if (!s.parentSpanId) continue;
    const list = children.get(s.parentSpanId) ?? [];
    list.push(s);
    children.set(s.parentSpanId, list);
  }
  const root = trace.spans.find((s) => s.spanId === spanId);
  if (!root) return [];
  const out: string[] = [];
  const stack = [root];
  while (stack.length) {
    const s = stack.pop()!;
    if (s.service !== root.service) continue;
    out.push(s.spanId);
    stack.push(...(children.get(s.spanId) ?? []));
  }
  return out;
}

/** The time range to search a span's samples in: its own start and end, in ms, widened slightly. */
export function spanWindow(span: Span, padMs = 1_000): TimeRange {
  return { from: Number(span.startTimeUnixNano / 1_000_000n) - padMs, to: Number(span.endTimeUnixNano / 1_000_000n) + padMs };
}
