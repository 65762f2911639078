import { classicHistograms, type LabeledValue } from '@/lib/model/histogram';
import type { Exemplar, HistogramSeries, Labels, TimeRange } from '@/lib/model/types';
import type { PrometheusClient } from './client';
import { bracketingScrapes, coveringRange, findTarget, seriesDeltas, sumBy } from './scrape-deltas';
import { promDuration } from './step';
import type { ActiveTarget, InstantQueryResult } from './types';

// Panel-level reads built on the client: the Prometheus-backed counterparts of
// the embedded store's span metrics (lib/datasources/embedded/span-metrics.ts),
// returning the same model so a panel does not care which one answered.

/** Shown next to every number these functions produce. */
export const PROMETHEUS_SOURCE = 'prometheus' as const;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * `name{k="v",…}` with every value quoted and escaped, so label values that
 * come from telemetry (model names, routes) cannot change the query.
 */
export function selector(metric: string, labels: Labels = {}): string {
  if (!METRIC_NAME.test(metric)) throw new Error(`not a Prometheus metric name: ${JSON.stringify(metric)}`);
  const m = Object.entries(labels).map(([k, v]) => {
    if (!LABEL_NAME.test(k)) throw new Error(`not a Prometheus label name: ${JSON.stringify(k)}`);
    // JSON string escapes (\" \\ \n \uXXXX) are valid PromQL string escapes.
    return `${k}=${JSON.stringify(v)}`;
  });
  return m.length ? `${metric}{${m.join(',')}}` : metric;
}

export interface PromLatencyQuery {
  /** histogram base name, e.g. gen_ai_server_request_duration_seconds (values in seconds) */
  metric: string;
  /** equality matchers, e.g. {gen_ai_request_model: "trisight-tiny"} */
  labels?: Labels;
  range: TimeRange;
}

export interface PromLatencyHistogramResult {
  source: typeof PROMETHEUS_SOURCE;
  histogram: HistogramSeries;
}

/** The PromQL a latency histogram over `q.range` is read with (evaluated at q.range.to). */
export function latencyQueries(q: PromLatencyQuery): { buckets: string; sum: string; count: string; exemplars: string } {
  const w = promDuration(Math.max(1, Math.round((q.range.to - q.range.from) / 1000)));
  const buckets = selector(`${q.metric}_bucket`, q.labels);
  return {
    buckets: `sum by (le) (increase(${buckets}[${w}]))`,
    sum: `sum(increase(${selector(`${q.metric}_sum`, q.labels)}[${w}]))`,
    count: `sum(increase(${selector(`${q.metric}_count`, q.labels)}[${w}]))`,
    exemplars: buckets,
  };
}

/** Pure: the answers to latencyQueries → the histogram with the range's exemplars. */
export function latencyHistogramFrom(
  q: PromLatencyQuery,
  r: { buckets: LabeledValue[]; sums: LabeledValue[]; counts: LabeledValue[]; exemplars: Exemplar[] },
): PromLatencyHistogramResult {
  const [h] = classicHistograms(r.buckets, { sums: r.sums, counts: r.counts });
  const histogram: HistogramSeries = h ?? { labels: {}, buckets: [], count: 0, sum: 0 };
  histogram.labels = { __name__: q.metric, ...q.labels };
  histogram.exemplars = r.exemplars.filter((e) => e.timestamp >= q.range.from && e.timestamp <= q.range.to);
  return { source: PROMETHEUS_SOURCE, histogram };
}

/**
 * The latency histogram of the observations made during `range`, with the
 * exemplars Prometheus holds for it. Counts come from increase() over the
 * range, so like every Prometheus increase they are extrapolated to the range
 * edges and may be fractional; their ratios (shape, quantiles, mean) are exact.
 */
export async function latencyHistogram(client: PrometheusClient, q: PromLatencyQuery, signal?: AbortSignal): Promise<PromLatencyHistogramResult> {
  const qs = latencyQueries(q);
  const at = { time: q.range.to, signal };
  const [b, s, c, exemplars] = await Promise.all([
    client.query(qs.buckets, at),
    client.query(qs.sum, at),
    client.query(qs.count, at),
    client.queryExemplars(qs.exemplars, q.range, { signal }),
  ]);
  return latencyHistogramFrom(q, { buckets: vectorOf(b), sums: vectorOf(s), counts: vectorOf(c), exemplars });
}

// ---------------------------------------------------------------- exact counts of a window

/** A server's own counters over a window: whose, and which window. */
export interface WindowQuery {
  /** base URL of the server whose own counters are read (the load target) */
  baseUrl: string;
  /** unix ms: the window's first request sent, last response received */
  startMs: number;
  endMs: number;
  now?: number;
}

export interface WindowHistogramQuery extends WindowQuery {
  /** histogram base name, values in seconds */
  metric: string;
  /** equality matchers; an empty value matches series without the label (e.g. error_type="" = successes) */
  labels?: Labels;
}

/** The two scrapes that bracket a window, and the scrape target's job and instance. */
export interface ScrapeWindow {
  /** unix ms */
  scrapes: { before: number; after: number };
  /** job and instance of the scrape target */
  target: Labels;
  /** the server's host:port, for notes */
  host: string;
}

/** Why a window's counters cannot be read (yet). */
export type NotBracketed =
  /** the scrape after the window's end has not happened yet: ask again shortly */
  | { status: 'pending'; reason: string }
  /** the counters cannot bracket the window; `reason` says why, in the user's words */
  | { status: 'unavailable'; reason: string };

export type WindowHistogramResult = ({ status: 'exact'; histogram: HistogramSeries } & ScrapeWindow) | NotBracketed;

/** How far around the window the bracketing scrapes are looked for: a few scrape intervals. */
function lookaroundMs(intervalS: number): number {
  return Math.max(10_000, 3_000 * (Number.isFinite(intervalS) && intervalS > 0 ? intervalS : 15));
}

const vectorOf = (r: InstantQueryResult) => (r.resultType === 'vector' ? r.samples : []);
const matrixOf = (r: InstantQueryResult) => (r.resultType === 'matrix' ? r.series : []);

/**
 * The scrapes of the server at `q.baseUrl` that bracket [startMs, endMs]: the
 * last successful one at or before the first request and the first at or after
 * the last response (read from the target's `up` samples). Counters read between
 * them (windowGrowth) hold exactly what the server counted in the window.
 */
export async function bracketWindow(client: PrometheusClient, q: WindowQuery, signal?: AbortSignal): Promise<({ status: 'bracketed' } & ScrapeWindow) | NotBracketed> {
  const now = q.now ?? Date.now();
  const target = findTarget(await client.targets({ signal }), q.baseUrl);
  const host = (() => {
    try {
      return new URL(q.baseUrl).host;
    } catch {
      return q.baseUrl;
    }
  })();
  if (!target) return { status: 'unavailable', reason: `Prometheus does not scrape ${host}, so the server's own counters are not available.` };
  const around = lookaroundMs(target.scrapeIntervalS);
  if (target.lastScrapeMs < q.endMs) {
    return now < q.endMs + around
      ? { status: 'pending', reason: "Waiting for Prometheus's first scrape after the run's last response." }
      : { status: 'unavailable', reason: `Prometheus has not scraped ${host} since the run ended${target.lastError ? ` (last error: ${target.lastError})` : ''}.` };
  }
  const id: Labels = {};
  for (const k of ['job', 'instance']) if (target.labels[k] !== undefined) id[k] = target.labels[k];
  const from = q.startMs - around;
  const to = q.endMs + around;
  const up = matrixOf(await client.query(`${selector('up', id)}[${coveringRange(from, to)}]`, { time: to, signal }));
  const scrapes = bracketingScrapes(up.flatMap((s) => s.values), q.startMs, q.endMs);
  if (scrapes.before === null) return { status: 'unavailable', reason: `Prometheus has no successful scrape of ${host} from before the run started, so the counts cannot start from zero.` };
  if (scrapes.after === null) {
    return now < q.endMs + around
      ? { status: 'pending', reason: "Waiting for Prometheus's first scrape after the run's last response." }
      : { status: 'unavailable', reason: `Prometheus has no successful scrape of ${host} soon after the run ended.` };
  }
  return { status: 'bracketed', scrapes: { before: scrapes.before, after: scrapes.after }, target: id, host };
}

/**
 * Each series of `metric` (with `labels` and the window's scrape target) and
 * how much it grew between the window's two scrapes (./scrape-deltas.ts):
 * whole counts, nothing extrapolated. No series: the server does not export it.
 */
export async function windowGrowth(client: PrometheusClient, w: ScrapeWindow, metric: string, labels: Labels = {}, signal?: AbortSignal): Promise<{ labels: Labels; value: number }[]> {
  const { before, after } = w.scrapes;
  const r = await client.query(`${selector(metric, { ...labels, ...w.target })}[${coveringRange(before, after)}]`, { time: after, signal });
  return seriesDeltas(matrixOf(r), before, after);
}

/**
 * The histogram of exactly what the server observed between the scrapes that
 * bracket [startMs, endMs] (bracketWindow), from each counter's growth between
 * them (windowGrowth). Counts are whole numbers; requests other clients sent in
 * the same window are in them too.
 */
export async function windowHistogram(client: PrometheusClient, q: WindowHistogramQuery, signal?: AbortSignal): Promise<WindowHistogramResult> {
  const w = await bracketWindow(client, q, signal);
  if (w.status !== 'bracketed') return w;
  const labels = { ...q.labels, ...w.target };
  const [b, s, c, exemplars] = await Promise.all([
    windowGrowth(client, w, `${q.metric}_bucket`, q.labels, signal),
    windowGrowth(client, w, `${q.metric}_sum`, q.labels, signal),
    windowGrowth(client, w, `${q.metric}_count`, q.labels, signal),
    client.queryExemplars(selector(`${q.metric}_bucket`, labels), { from: q.startMs, to: q.endMs }, { signal }),
  ]);
  const [h] = classicHistograms(sumBy(b, 'le'), { sums: sumBy(s), counts: sumBy(c) });
  const histogram: HistogramSeries = h ?? { labels: {}, buckets: [], count: 0, sum: 0 };
  histogram.labels = { __name__: q.metric, ...labels };
  histogram.exemplars = exemplars;
  return { ...w, status: 'exact', histogram };
}

export type AwaitScrapeResult = { status: 'scraped' } | { status: 'not-scraped' | 'timed-out'; reason: string };

/**
 * Waits (bounded) until Prometheus has scraped the server at `baseUrl`
 * successfully at or after `sinceMs`, so a load run that starts now has a scrape
 * before its first request and its counts are exact from zero (windowHistogram).
 * Returns at once when Prometheus does not scrape that server or cannot be
 * asked: the run then goes ahead and its page says the counts are estimates.
 * `reason` says, in the user's words, why no scrape was awaited.
 */
export async function awaitScrape(client: PrometheusClient, baseUrl: string, opts: { sinceMs?: number; maxWaitMs?: number; pollMs?: number; signal?: AbortSignal } = {}): Promise<AwaitScrapeResult> {
  const since = opts.sinceMs ?? Date.now();
  let deadline = since + (opts.maxWaitMs ?? 10_000);
  let bounded = false;
  for (;;) {
    let targets: ActiveTarget[];
    try {
      targets = await client.targets({ signal: opts.signal });
    } catch (e) {
      return { status: 'not-scraped', reason: `Prometheus could not list its targets: ${(e as Error).message}` };
    }
    const target = findTarget(targets, baseUrl);
    if (!target) {
      // No target at all: a Prometheus that has just started, whose service discovery hands the
      // scrape manager its first targets up to 5 s later. Any other list without ours is final.
      if (targets.length || Date.now() >= deadline || opts.signal?.aborted) return { status: 'not-scraped', reason: targets.length ? `Prometheus does not scrape ${baseUrl}` : 'Prometheus lists no scrape targets yet' };
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
      continue;
    }
    if (target.health === 'up' && target.lastScrapeMs >= since) return { status: 'scraped' };
    // Two intervals and a second of slack is enough for the next scrape; never more than maxWaitMs.
    if (!bounded && Number.isFinite(target.scrapeIntervalS) && target.scrapeIntervalS > 0) {
      deadline = Math.min(deadline, since + 2 * target.scrapeIntervalS * 1000 + 1000);
      bounded = true;
    }
    if (Date.now() >= deadline || opts.signal?.aborted) {
      const last = target.lastScrapeMs > 0 ? `its last scrape ${new Date(target.lastScrapeMs).toISOString()} was ${target.health}` : 'it has not been scraped yet';
      return { status: 'timed-out', reason: `no successful scrape of ${baseUrl} in ${Date.now() - since} ms (${last}${target.lastError ? `: ${target.lastError}` : ''})` };
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
}
