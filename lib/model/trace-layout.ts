// Pure layout for a trace waterfall: the span tree in display order (depth-first,
// siblings by start time), each row's depth and its bar's position on the
// trace's shared time axis. The component only draws what this returns.

import type { Span, Trace } from './types';

export interface WaterfallRow {
  span: Span;
  depth: number;
  /** Parent id as given, but the span is drawn as a root because that parent is not in the trace. */
  orphan: boolean;
  /** Number of direct children shown under this row. */
  childCount: number;
  /** ms from the trace start to this span's start. */
  offsetMs: number;
  durationMs: number;
  /** Bar position and width as fractions (0–1) of the trace's time axis. */
  left: number;
  width: number;
}

export interface WaterfallLayout {
  rows: WaterfallRow[];
  /** Earliest span start, unix ns. */
  startUnixNano: bigint;
  /** Latest span end minus earliest start, ms. */
  durationMs: number;
}

const nsToMs = (ns: bigint) => Number(ns) / 1e6;

function byStart(a: Span, b: Span): number {
  if (a.startTimeUnixNano !== b.startTimeUnixNano) return a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1;
  // Stable, deterministic order for spans that start together.
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

export function layoutTrace(trace: Trace): WaterfallLayout {
  const spans = trace.spans;
  if (!spans.length) return { rows: [], startUnixNano: 0n, durationMs: 0 };

  let start = spans[0].startTimeUnixNano;
  let end = spans[0].endTimeUnixNano;
  const byId = new Map<string, Span>();
  for (const s of spans) {
    if (s.startTimeUnixNano < start) start = s.startTimeUnixNano;
    // A span whose end precedes its start (clock skew, bad data) still counts from its start.
    // biome-ignore lint/complexity/useMathMinMax: bigint nanoseconds; Math.max takes numbers only
    const e = s.endTimeUnixNano > s.startTimeUnixNano ? s.endTimeUnixNano : s.startTimeUnixNano;
    if (e > end) end = e;
    if (!byId.has(s.spanId)) byId.set(s.spanId, s);
  }
  const totalMs = nsToMs(end - start);

  const children = new Map<string, Span[]>();
  const roots: Span[] = [];
  for (const s of byId.values()) {
    const p = s.parentSpanId;
    if (p && p !== s.spanId && byId.has(p)) {
      const list = children.get(p);
      if (list) list.push(s);
      else children.set(p, [s]);
    } else roots.push(s);
  }
  for (const list of children.values()) list.sort(byStart);
  roots.sort(byStart);

  const rows: WaterfallRow[] = [];
  const placed = new Set<string>();
  const row = (span: Span, depth: number): WaterfallRow => {
    const offsetMs = nsToMs(span.startTimeUnixNano - start);
    const durationMs = Math.max(0, nsToMs(span.endTimeUnixNano - span.startTimeUnixNano));
    const left = totalMs > 0 ? offsetMs / totalMs : 0;
    const width = totalMs > 0 ? durationMs / totalMs : 1;
    return {
      span,
      depth,
      orphan: depth === 0 && !!span.parentSpanId && span.parentSpanId !== span.spanId,
      childCount: 0,
      offsetMs,
      durationMs,
      left,
      width: Math.min(width, 1 - left),
    };
  };
  // Iterative depth-first walk: real traces can be thousands of spans deep in
  // recursive code, which would overflow a recursive walk.
  const walk = (root: Span) => {
    const stack: [Span, number][] = [[root, 0]];
    while (stack.length) {
      const [span, depth] = stack.pop()!;
      if (placed.has(span.spanId)) continue;
      placed.add(span.spanId);
      const r = row(span, depth);
      const kids = (children.get(span.spanId) ?? []).filter((k) => !placed.has(k.spanId));
      r.childCount = kids.length;
      rows.push(r);
      for (let i = kids.length - 1; i >= 0; i--) stack.push([kids[i], depth + 1]);
    }
  };
  for (const r of roots) walk(r);
  // Spans in a parent cycle (a→b→a) have no root; show them rather than drop them.
  for (const s of [...byId.values()].sort(byStart)) if (!placed.has(s.spanId)) walk(s);

  return { rows, startUnixNano: start, durationMs: totalMs };
}

/** Rows left visible when the spans in `collapsed` have their subtrees hidden. */
export function visibleRows(rows: WaterfallRow[], collapsed: ReadonlySet<string>): WaterfallRow[] {
  if (!collapsed.size) return rows;
  const out: WaterfallRow[] = [];
  let hideBelow = Infinity; // depth of the collapsed ancestor we are inside
  for (const r of rows) {
    if (r.depth > hideBelow) continue;
    hideBelow = Infinity;
    out.push(r);
    if (collapsed.has(r.span.spanId) && r.childCount > 0) hideBelow = r.depth;
  }
  return out;
}

/** "Nice" tick positions (ms) for an axis of `totalMs`, about `target` of them. */
export function timeTicks(totalMs: number, target = 5): number[] {
  if (!(totalMs > 0)) return [0];
  const raw = totalMs / target;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const ticks: number[] = [];
  for (let t = 0; t <= totalMs + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/** Compact duration text: 850 µs, 12.3 ms, 1.25 s. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
