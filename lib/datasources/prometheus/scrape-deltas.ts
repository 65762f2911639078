// Exact counts of what a server observed during a window, from its own
// counters: the difference between two scrapes that bracket the window (the
// last one at or before its start, the first one at or after its end). Unlike
// increase(), nothing is extrapolated to the window's edges, so a run of 40
// requests counts 40, not 43.84. Pure: the I/O is in ./views.ts.
import type { Labels } from '@/lib/model/types';
import type { ActiveTarget } from './types';

/** The two scrapes around a window, unix ms; either may be missing. */
export interface Bracket {
  /** last successful scrape at or before the window's start */
  before: number | null;
  /** first successful scrape at or after the window's end */
  after: number | null;
}

/**
 * The target Prometheus scrapes for a server's base URL: same scheme, host and
 * port, and a scrape path under the base URL's path. `localhost` and 127.0.0.1
 * are not taken for each other (a remote Prometheus's "localhost" is not ours).
 */
export function findTarget(targets: readonly ActiveTarget[], baseUrl: string): ActiveTarget | undefined {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch {
    return undefined;
  }
  const prefix = base.pathname.replace(/\/+$/, '');
  return targets.find((t) => {
    try {
      const u = new URL(t.scrapeUrl);
      return u.protocol === base.protocol && u.host === base.host && u.pathname.startsWith(`${prefix}/`);
    } catch {
      return false;
    }
  });
}

/**
 * The scrapes bracketing [startMs, endMs], from the timestamps of the
 * target's `up` samples (one per scrape; a failed scrape has up = 0 and
 * collected nothing, so it does not count).
 */
export function bracketingScrapes(up: readonly [number, number][], startMs: number, endMs: number): Bracket {
  let before: number | null = null;
  let after: number | null = null;
  for (const [t, v] of up) {
    if (v !== 1) continue;
    if (t <= startMs && (before === null || t > before)) before = t;
    if (t >= endMs && (after === null || t < after)) after = t;
  }
  return { before, after };
}

export interface CounterSeries {
  labels: Labels;
  /** [unix ms, value], any order */
  values: [number, number][];
}

/**
 * How much one counter grew from the scrape at `fromMs` to the one at `toMs`.
 * A series with no sample at `fromMs` did not exist yet (prom-client creates a
 * labelled series at its first observation), so it grew from 0. A drop is a
 * counter reset (the server restarted): the value after it is all growth,
 * as Prometheus's own increase() treats it.
 */
export function counterDelta(values: readonly [number, number][], fromMs: number, toMs: number): number {
  const inWindow = values.filter(([t]) => t >= fromMs && t <= toMs).sort((a, b) => a[0] - b[0]);
  if (!inWindow.length) return 0;
  const [t0, v0] = inWindow[0];
  let delta = t0 === fromMs ? 0 : v0;
  let prev = v0;
  for (const [, v] of inWindow.slice(1)) {
    delta += v >= prev ? v - prev : v;
    prev = v;
  }
  return delta;
}

/** Each series' growth between the two scrapes, labels kept (for grouping by `le`, `__name__`). */
export function seriesDeltas(series: readonly CounterSeries[], fromMs: number, toMs: number): { labels: Labels; value: number }[] {
  return series.map((s) => ({ labels: s.labels, value: counterDelta(s.values, fromMs, toMs) }));
}

/** Per-series growth summed by one label's value (e.g. `le` for a histogram's buckets), or in total. */
export function sumBy(deltas: readonly { labels: Labels; value: number }[], key?: string): { labels: Labels; value: number }[] {
  const m = new Map<string, number>();
  for (const d of deltas) {
    const k = key ? (d.labels[key] ?? '') : '';
    m.set(k, (m.get(k) ?? 0) + d.value);
  }
  return [...m].map(([k, value]) => ({ labels: key ? { [key]: k } : {}, value }));
}

/**
 * A Prometheus range-selector duration covering exactly [fromMs, toMs] when
 * evaluated at toMs: Prometheus 2.x selects [t − d, t] and 3.x (t − d, t], so
 * one extra millisecond keeps the scrape at fromMs in both (scrapes are at
 * least a second apart, so the one before it stays out).
 */
export function coveringRange(fromMs: number, toMs: number): string {
  return `${Math.max(1, Math.round(toMs - fromMs) + 1)}ms`;
}
