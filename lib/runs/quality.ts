// The pure half of a run's quality panel: which of the run's requests to read
// (bounded), what each request span says about its prompt, output and KV-cache
// reuse (the sandbox's `trisight.*` attributes, docs/sandbox-telemetry.md), and
// per signal the values, a distribution, the points against end-to-end latency
// and how strongly the two go together. No I/O here (lib/runs/panels.ts reads
// the spans).
import type { SampleRow } from '@/lib/loadruns/samples';
import { sumBy } from '@/lib/datasources/prometheus/scrape-deltas';
import { sampleQuantile } from '@/lib/model/percentiles';
import { prefixCacheHitRateQuery, type ServingMetricsPreset } from '@/lib/targets/presets';
import { planRequest } from '@/lib/loadgen/prompt';
import type { LoadParams, PromptKind } from '@/lib/loadgen/params';

/** The attribute every request span of the sandbox carries (the others depend on the output and the prompt's length). */
export const QUALITY_ENTROPY_ATTRIBUTE = 'trisight.prompt.entropy_bits';

export const QUALITY_SIGNALS = ['entropy', 'perplexity', 'perplexity_std', 'kv_reuse'] as const;
export type QualitySignal = (typeof QUALITY_SIGNALS)[number];

export interface QualitySignalInfo {
  label: string;
  /** axis name, with its unit */
  axis: string;
  /** the span attribute(s) it is read from */
  attributes: string[];
  /** what a value means, in one line */
  help: string;
}

export const QUALITY_SIGNAL_INFO: Record<QualitySignal, QualitySignalInfo> = {
  entropy: {
    label: 'Prompt entropy',
    axis: 'prompt entropy (bits)',
    attributes: [QUALITY_ENTROPY_ATTRIBUTE],
    help: 'Shannon entropy of the prompt’s token distribution: low for repeated tokens (injection padding), high for random bytes (junk traffic), natural text between; at most log₂ of the prompt’s length in tokens.',
  },
  perplexity: {
    label: 'Output perplexity',
    axis: 'output perplexity',
    attributes: ['trisight.output.perplexity'],
    help: 'exp of the mean negative log-probability the model gave the tokens it emitted: higher is less sure.',
  },
  perplexity_std: {
    label: 'Perplexity window std',
    axis: 'max window std of per-token perplexity',
    attributes: ['trisight.output.perplexity_window_std_max'],
    help: 'The largest standard deviation of per-token perplexity over a sliding window of output tokens: a rise flags an unstable stretch. Outputs shorter than one window have none.',
  },
  kv_reuse: {
    label: 'KV-cache reuse',
    axis: 'prompt KV blocks reused (share)',
    attributes: ['trisight.kv_cache.blocks_reused', 'trisight.kv_cache.blocks_computed'],
    help: 'The share of the prompt’s KV-cache blocks served from the prefix cache instead of computed.',
  },
};

/** A value as people read it: bits, a perplexity, a share. */
export function formatQuality(signal: QualitySignal, v: number): string {
  if (signal === 'entropy') return `${v.toFixed(2)} bits`;
  if (signal === 'kv_reuse') return `${Math.round(v * 100)} %`;
  return v >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

/** Rows by a quality signal, highest first; rows without it keep their order, last. */
export function byQuality<T extends { quality: Partial<Record<QualitySignal, number>> }>(rows: readonly T[], signal: QualitySignal): T[] {
  const withIt = rows.filter((r) => r.quality[signal] !== undefined);
  const without = rows.filter((r) => r.quality[signal] === undefined);
  return [...withIt.sort((a, b) => (b.quality[signal] ?? 0) - (a.quality[signal] ?? 0)), ...without];
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A request span's quality values; signals it does not carry are left out. */
export function qualityOf(a: Readonly<Record<string, unknown>>): Partial<Record<QualitySignal, number>> {
  const out: Partial<Record<QualitySignal, number>> = {};
  const entropy = finite(a[QUALITY_ENTROPY_ATTRIBUTE]);
  const ppl = finite(a['trisight.output.perplexity']);
  const std = finite(a['trisight.output.perplexity_window_std_max']);
  const reused = finite(a['trisight.kv_cache.blocks_reused']);
  const computed = finite(a['trisight.kv_cache.blocks_computed']);
  if (entropy !== null) out.entropy = entropy;
  if (ppl !== null) out.perplexity = ppl;
  if (std !== null) out.perplexity_std = std;
  // A prompt shorter than one block has no blocks at all: no share to show.
  if (reused !== null && computed !== null && reused >= 0 && computed >= 0 && reused + computed > 0) out.kv_reuse = reused / (reused + computed);
  return out;
}

/** Requests one panel reads at most: each is one trace lookup. */
export const MAX_QUALITY_REQUESTS = 500;

/**
 * The run's successful requests to read, at most `cap`: P0 requests first (the
 * sandbox always traces them, P1 ones are sampled), each priority spread evenly
 * over the run so a capped read still covers its whole length.
 */
export function pickRequests(rows: readonly SampleRow[], cap = MAX_QUALITY_REQUESTS): SampleRow[] {
  const ok = rows.filter((r) => r.ok);
  const out: SampleRow[] = [];
  for (const priority of ['P0', 'P1'] as const) {
    const group = ok.filter((r) => r.priority === priority);
    const room = cap - out.length;
    if (room <= 0) break;
    if (group.length <= room) out.push(...group);
    else for (let i = 0; i < room; i++) out.push(group[Math.floor((i * group.length) / room)]);
  }
  return out.sort((a, b) => a.index - b.index);
}

/** The kind of prompt request `index` of a run sent: the load generator draws it from the run's seed, so it is known without storing it. */
export function promptKindOf(params: Pick<LoadParams, 'seed' | 'promptLength' | 'p0Fraction' | 'promptMix'>, index: number): PromptKind {
  return planRequest(params, index).kind;
}

/** One request read from its trace. */
export interface QualityRequest {
  traceId: string;
  /** the request span's duration, ms */
  e2eMs: number;
  kind: PromptKind | null;
  values: Partial<Record<QualitySignal, number>>;
}

export interface QualityPoint {
  traceId: string;
  value: number;
  e2eMs: number;
  kind: PromptKind | null;
}

export interface DistributionBin {
  /** inclusive lower bound (the last bin also includes its upper bound) */
  lower: number;
  upper: number;
  count: number;
}

export interface KindStats {
  kind: PromptKind;
  count: number;
  median: number;
}

export interface SignalSummary {
  signal: QualitySignal;
  /** requests whose span carries this signal */
  count: number;
  /** p50/p90/p99 of the values (null without values) */
  percentiles: { p50: number; p90: number; p99: number } | null;
  distribution: DistributionBin[];
  /** one per request: the signal against its end-to-end latency */
  points: QualityPoint[];
  /** Spearman rank correlation of the signal with E2E latency (null under 3 points or when either is constant) */
  correlation: number | null;
  /** the median per prompt kind, when the run mixed kinds */
  byKind: KindStats[];
}

/** A step of 1, 2 or 5 × 10^k that splits `span` into about `target` bins. */
export function niceStep(span: number, target: number): number {
  if (!(span > 0) || !(target > 0)) return 1;
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

/** Round away the float noise of multiplying a nice step (0.30000000000000004 → 0.3). */
const tidy = (x: number) => Number(x.toPrecision(12));

/**
 * Values counted in equal bins with round bounds (about `target` of them) from
 * a multiple of the step at or below the smallest value to one past the largest.
 * A single distinct value gets one bin around it.
 */
export function distribution(values: readonly number[], target = 20): DistributionBin[] {
  const xs = values.filter((v) => Number.isFinite(v));
  if (!xs.length) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const step = niceStep(max - min || Math.abs(min) || 1, max > min ? target : 1);
  const start = Math.floor(min / step) * step;
  const n = Math.max(1, Math.floor((max - start) / step) + 1);
  const bins = Array.from({ length: n }, (_, i) => ({ lower: tidy(start + i * step), upper: tidy(start + (i + 1) * step), count: 0 }));
  for (const x of xs) bins[Math.min(n - 1, Math.floor((x - start) / step))].count++;
  return bins;
}

/** Ranks 1…n, ties given their average rank. */
export function ranks(xs: readonly number[]): number[] {
  const order = xs.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k][1]] = r;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation; null under 3 pairs or when either side is constant. */
export function pearson(x: readonly number[], y: readonly number[]): number | null {
  const n = Math.min(x.length, y.length);
  if (n < 3) return null;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Spearman's ρ: Pearson on ranks. Robust to the long latency tail and to
 * signals on a log-like scale (perplexity), which a plain Pearson is not.
 */
export function spearman(x: readonly number[], y: readonly number[]): number | null {
  return pearson(ranks(x), ranks(y));
}

/** Everything the panel shows for one signal. */
export function summarizeSignal(signal: QualitySignal, requests: readonly QualityRequest[]): SignalSummary {
  const points: QualityPoint[] = [];
  for (const r of requests) {
    const v = r.values[signal];
    if (v !== undefined) points.push({ traceId: r.traceId, value: v, e2eMs: r.e2eMs, kind: r.kind });
  }
  const values = points.map((p) => p.value);
  const sorted = [...values].sort((a, b) => a - b);
  const kinds = new Map<PromptKind, number[]>();
  for (const p of points) if (p.kind) kinds.set(p.kind, [...(kinds.get(p.kind) ?? []), p.value]);
  return {
    signal,
    count: points.length,
    percentiles: sorted.length ? { p50: sampleQuantile(sorted, 0.5), p90: sampleQuantile(sorted, 0.9), p99: sampleQuantile(sorted, 0.99) } : null,
    distribution: distribution(values),
    points,
    correlation: spearman(values, points.map((p) => p.e2eMs)),
    byKind:
      kinds.size > 1
        ? [...kinds].map(([kind, vs]) => ({ kind, count: vs.length, median: sampleQuantile([...vs].sort((a, b) => a - b), 0.5) }))
        : [],
  };
}

/** How many of a run's requests the quality panel got to, stage by stage. */
export interface QualityCounts {
  /** the run's successful requests */
  ok: number;
  /** how many of them were looked up (at most MAX_QUALITY_REQUESTS) */
  read: number;
  /** of those, how many have a stored request span */
  stored: number;
  /** of those, how many carry at least one quality attribute */
  withSignals: number;
}

/** Why the panel is empty, in the user's words and with what to do; or how the requests were chosen. Undefined when all is there. */
export function qualityNote(c: QualityCounts, where: { target: string; traceStore: string; builtin: boolean }): string | undefined {
  const target = JSON.stringify(where.target);
  if (c.ok === 0) return 'No request of this run succeeded, so none has quality signals.';
  if (c.stored === 0 && !where.builtin) {
    return `The request spans of ${target} are not in this trace store (${where.traceStore}), so there are no quality signals to read. The bundled sandbox records them (prompt entropy, output perplexity, KV-cache reuse): run against it to see this panel.`;
  }
  if (c.stored === 0) return `None of the ${c.read} requests looked up has a stored request span: they were sampled out (P1 requests are sampled, P0 always traced) — raise the P0 share.`;
  if (c.withSignals === 0) {
    return `${target} doesn't record quality attributes (trisight.prompt.entropy_bits, trisight.output.perplexity, trisight.kv_cache.blocks_reused) on its request spans; the bundled sandbox does — run against it to see them.`;
  }
  if (c.read < c.ok) return `${c.read} of the run's ${c.ok} successful requests were read (P0 first, spread over the run; at most ${MAX_QUALITY_REQUESTS}).`;
  return undefined;
}

/** "strong positive", "weak negative", …: how a reader would say ρ. */
export function correlationWords(rho: number): string {
  const a = Math.abs(rho);
  const strength = a < 0.1 ? 'no' : a < 0.3 ? 'weak' : a < 0.6 ? 'moderate' : 'strong';
  return strength === 'no' ? 'no correlation' : `${strength} ${rho > 0 ? 'positive' : 'negative'} correlation`;
}

/** An axis from a round number at or below the smallest value to one at or above the largest (about 5 steps); `fromZero` starts it at 0. */
export function axisExtent(values: readonly number[], fromZero = false): { min: number; max: number } {
  const xs = values.filter((v) => Number.isFinite(v));
  if (!xs.length) return { min: 0, max: 1 };
  let lo = fromZero ? 0 : Math.min(...xs);
  let hi = Math.max(...xs);
  if (hi === lo) {
    const pad = Math.abs(hi) / 10 || 1;
    lo -= fromZero ? 0 : pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, 5);
  return { min: tidy(Math.floor(lo / step) * step), max: tidy(Math.ceil(hi / step) * step) };
}

/** A signal's axis on the scatter: a share always spans 0–100 %, the others their values' round extent. */
export function signalAxis(signal: QualitySignal, values: readonly number[]): { min: number; max: number } {
  return signal === 'kv_reuse' ? { min: 0, max: 1 } : axisExtent(values);
}

/** The distribution's bins counted per prompt kind (for stacked bars); points without a kind count as `unknown`. */
export function binCountsByKind(points: readonly QualityPoint[], bins: readonly DistributionBin[]): Map<PromptKind | 'unknown', number[]> {
  const out = new Map<PromptKind | 'unknown', number[]>();
  if (!bins.length) return out;
  const last = bins.length - 1;
  for (const p of points) {
    const key = p.kind ?? 'unknown';
    const counts = out.get(key) ?? bins.map(() => 0);
    out.set(key, counts);
    // Lower bounds inclusive, as distribution() counts; the last bin keeps its upper bound.
    let i = bins.findIndex((b) => p.value < b.upper);
    if (i < 0) i = last;
    counts[i]++;
  }
  return out;
}

/** Where the run's server exports its prefix-cache hit rate, as PromQL over the run's window, or why it does not. */
export interface PrefixCacheInfo {
  /** the server's preset, e.g. "vLLM" */
  server: string;
  query: string | null;
  note: string;
  /** the hit rate per `by` label value from the counters' exact growth between the scrapes that bracket the run */
  blocks?: BlockHitRates;
  /** why there are no per-block bars, in the user's words (no Prometheus, no bracketing scrapes, the metric not exported) */
  blocksNote?: string;
}

export interface BlockHitRates {
  /** the label the server counts by, e.g. "block" */
  by: string;
  /** what a lookup counts: prompt tokens or KV blocks */
  unit: 'tokens' | 'blocks';
  /** the counters the rates come from */
  hitsMetric: string;
  lookupsMetric: string;
  /** the two scrapes the counts are taken between, unix ms */
  scrapes: { before: number; after: number };
  rates: BlockHitRate[];
}

export interface BlockHitRate {
  block: string;
  /** looked up in this block's cache between the two scrapes (whole counts) */
  lookups: number;
  /** of those, held by this block's cache */
  hits: number;
  /** hits / lookups, 0–1 */
  hitRate: number;
}

type CounterGrowth = { labels: Readonly<Record<string, string>>; value: number };

/**
 * Each block's hit rate from the growth of the server's per-block hits and
 * lookups counters between two scrapes (summed over any other labels), in
 * block order (numeric where the labels are numbers). Both are exact counts,
 * so every rate is hits / lookups of the same requests; a block with no
 * lookups has no rate and is left out.
 */
export function blockHitRates(hits: readonly CounterGrowth[], lookups: readonly CounterGrowth[], by: string): BlockHitRate[] {
  const byBlock = (xs: readonly CounterGrowth[]) => new Map(sumBy(xs.filter((x) => x.labels[by] !== undefined), by).map((x) => [x.labels[by], x.value]));
  const h = byBlock(hits);
  return [...byBlock(lookups)]
    .filter(([, n]) => n > 0)
    .map(([block, n]) => ({ block, lookups: n, hits: h.get(block) ?? 0, hitRate: (h.get(block) ?? 0) / n }))
    .sort((a, b) => a.block.localeCompare(b.block, 'en', { numeric: true }));
}

export function prefixCacheInfo(preset: ServingMetricsPreset, windowS: number, model: string | null): PrefixCacheInfo {
  const h = preset.prefixCacheHitRate;
  const matchers = h.kind !== 'none' && h.byModel && preset.modelLabel && model ? { [preset.modelLabel]: model } : {};
  const query = prefixCacheHitRateQuery(preset, `${Math.max(1, Math.ceil(windowS))}s`, matchers);
  const note =
    h.kind === 'none'
      ? `${h.why} Only the per-request reuse on spans (above) is known for it.`
      : h.kind === 'gauge'
        ? `${preset.label} exports its prefix-cache hit rate as a gauge (${h.metric}); its average over the run's window:`
        : h.by
          ? `${preset.label} counts prefix-cache lookups and hits per ${h.by} (${h.unit}); the hit rate of each over the run's window:`
          : `${preset.label} counts prefix-cache lookups and hits (${h.unit}); the hit rate over the run's window:`;
  return { server: preset.label, query, note };
}
