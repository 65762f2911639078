// The SLI as PromQL: one error-ratio expression per window, with `{{.window}}`
// standing for the range as in Sloth's SLI queries. Pure.
//
// Latency SLIs on classic histograms can only count requests per bucket, so a
// threshold between two bucket bounds is measured at a bound: we use the largest
// bound at or below the threshold (never counting a request slower than the
// threshold as good) and say so (`latencyBucketChoice`). Native histograms use
// histogram_fraction, which interpolates within the bucket the threshold falls in.
import { parseLe } from '@/lib/model/histogram';
import { WINDOW_PLACEHOLDER_RE } from '@/lib/promql/validate';
import { parseDuration } from './duration';
import type { Sli, SloDefinition } from './model';

type RatioSli = Extract<Sli, { kind: 'ratio' }>;
type LatencySli = Extract<Sli, { kind: 'latency' }>;

/** `{{.window}}` replaced by a range, e.g. `5m`. */
export function renderWindow(query: string, window: string): string {
  return query.replace(WINDOW_PLACEHOLDER_RE, window);
}

/** A number as PromQL and the `le` label write it: 2 → "2", 0.1 → "0.1". */
export function promNumber(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(15)));
}

/**
 * `le="2.56"`, or for a whole number `le=~"2(\.0)?"`: Prometheus 3 writes classic
 * bucket bounds as floats ("2.0"), Prometheus 2 as the exporter did ("2").
 * (Pyrra's convertLeMatcherForPrometheus3, slo/prometheus3.go.)
 */
export function leMatcher(le: string): string {
  if (/^\d+$/.test(le)) return `le=~"${le}(\\\\.0)?"`;
  return `le=${JSON.stringify(le)}`;
}

function selector(metric: string, matchers: string, extra?: string): string {
  const parts = [matchers.trim(), extra].filter(Boolean);
  return parts.length ? `${metric}{${parts.join(', ')}}` : metric;
}

/** The SLI's error ratio over `{{.window}}` (classic latency: needs its `le`). */
export function errorRatioTemplate(sli: RatioSli | LatencySli): string {
  if (sli.kind === 'ratio') {
    if (sli.errorRatio) return `(${sli.errorRatio.trim()})`;
    // Sloth's events SLI: (error) / (total); OpenSLO's good/total becomes 1 − good/total as in Sloth's OpenSLO loader.
    if (sli.bad) return `(${sli.bad.trim()})\n/\n(${sli.total!.trim()})`;
    return `1 - (\n  (${sli.good!.trim()})\n  /\n  (${sli.total!.trim()})\n)`;
  }
  if (sli.histogram === 'native') {
    return `1 - histogram_fraction(0, ${promNumber(sli.thresholdSeconds)}, sum(rate(${selector(sli.metric, sli.matchers)}[{{.window}}])))`;
  }
  const le = sli.le ?? promNumber(sli.thresholdSeconds);
  return `1 - (\n  sum(rate(${selector(`${sli.metric}_bucket`, sli.matchers, leMatcher(le))}[{{.window}}]))\n  /\n  sum(rate(${selector(`${sli.metric}_count`, sli.matchers)}[{{.window}}]))\n)`;
}

/** The error ratio over one window, ready for Prometheus. Trace SLIs have none (Trisight evaluates them itself). */
export function errorRatioQuery(d: Pick<SloDefinition, 'sli'>, window: string): string | null {
  if (d.sli.kind === 'trace') return null;
  return renderWindow(errorRatioTemplate(d.sli), window);
}

/**
 * Bad and total event counts over a window (the editor's "budget in requests",
 * the run page's budget burned); null for raw ratios and trace SLIs. Ratio
 * queries written with rate() give events per second, so they are multiplied
 * by the window's seconds; queries without rate() are taken as counts.
 */
export function eventQueries(sli: Sli, window: string): { total: string; bad: string } | null {
  if (sli.kind === 'trace') return null;
  if (sli.kind === 'ratio') {
    if (!sli.total) return null;
    const seconds = parseDuration(window) / 1000;
    const count = (q: string) => {
      const rendered = renderWindow(q.trim(), window);
      return /\b(i?rate)\s*\(/.test(q) ? `(${rendered}) * ${seconds}` : `(${rendered})`;
    };
    const total = count(sli.total);
    return { total, bad: sli.bad ? count(sli.bad) : `${total} - ${count(sli.good!)}` };
  }
  if (sli.histogram === 'native') {
    const h = `sum(increase(${selector(sli.metric, sli.matchers)}[${window}]))`;
    return { total: `histogram_count(${h})`, bad: `histogram_count(${h}) * (1 - histogram_fraction(0, ${promNumber(sli.thresholdSeconds)}, ${h}))` };
  }
  const le = sli.le ?? promNumber(sli.thresholdSeconds);
  const total = `sum(increase(${selector(`${sli.metric}_count`, sli.matchers)}[${window}]))`;
  return { total, bad: `${total} - sum(increase(${selector(`${sli.metric}_bucket`, sli.matchers, leMatcher(le))}[${window}]))` };
}

/**
 * Exact event counts over a window ending at the query time, for classic
 * histograms: the counters' values now minus their values a window ago (no
 * rate() extrapolation, so a run of 24 requests counts 24). A series born
 * inside the window counts from zero. Other SLIs: null (use eventQueries).
 */
export function exactEventQueries(sli: Sli, window: string): { total: string; bad: string } | null {
  if (sli.kind !== 'latency' || sli.histogram !== 'classic') return null;
  const delta = (sel: string) => `(sum(${sel}) - (sum(${sel} offset ${window}) or vector(0)))`;
  const le = sli.le ?? promNumber(sli.thresholdSeconds);
  const total = delta(selector(`${sli.metric}_count`, sli.matchers));
  return { total, bad: `${total} - ${delta(selector(`${sli.metric}_bucket`, sli.matchers, leMatcher(le)))}` };
}

// ---------------------------------------------------------------- bucket bounds

export interface BucketChoice {
  /** the `le` label value the SLI uses, as Prometheus shows it; null when no bound is at or below the threshold */
  le: string | null;
  bound: number | null;
  /** the next bound above the threshold (what a user could switch to), if any */
  nextLe: string | null;
  exact: boolean;
  /** what the choice does to the SLI, in words */
  explanation: string;
}

const secondsText = (s: number) => (s < 1 ? `${promNumber(Math.round(s * 1e6) / 1e3)} ms` : `${promNumber(s)} s`);

/**
 * Which classic bucket bound measures "≤ threshold", given the bucket bounds
 * Prometheus has (its `le` label values, "+Inf" included or not).
 */
export function latencyBucketChoice(thresholdSeconds: number, les: readonly string[]): BucketChoice {
  const bounds = les
    .map((le) => ({ le, v: parseLe(le) }))
    .filter((b) => Number.isFinite(b.v))
    .sort((a, b) => a.v - b.v);
  const t = thresholdSeconds;
  if (!bounds.length) {
    return { le: null, bound: null, nextLe: null, exact: false, explanation: 'No bucket bounds were found for this histogram: check the metric name and matchers (Prometheus must have scraped it).' };
  }
  // Float labels ("2.56") compare exactly; a tiny tolerance covers "0.1" vs 0.1000000001.
  const atOrBelow = bounds.filter((b) => b.v <= t * (1 + 1e-9));
  const below = atOrBelow.at(-1);
  const above = bounds.find((b) => b.v > t * (1 + 1e-9));
  if (below && Math.abs(below.v - t) <= t * 1e-9) {
    return { le: below.le, bound: below.v, nextLe: above?.le ?? null, exact: true, explanation: `The histogram has a bucket bound at ${secondsText(t)} (le="${below.le}"): the SLI counts exactly the requests that took at most ${secondsText(t)}.` };
  }
  if (!below) {
    return {
      le: null,
      bound: null,
      nextLe: above?.le ?? null,
      exact: false,
      explanation: `${secondsText(t)} is below the smallest bucket bound (${secondsText(bounds[0].v)}): the histogram cannot tell which requests were that fast. Raise the threshold to ${secondsText(bounds[0].v)} or add a smaller bucket to the server's histogram.`,
    };
  }
  const gap = above ? `between the bounds ${secondsText(below.v)} and ${secondsText(above.v)}` : `above the largest finite bound ${secondsText(below.v)}`;
  const fix = above
    ? `Set the threshold to ${secondsText(below.v)} or ${secondsText(above.v)} to measure exactly, or use a native histogram (histogram_fraction interpolates).`
    : `Add a bucket at ${secondsText(t)} to the server's histogram, or use a native histogram, to measure it exactly.`;
  return {
    le: below.le,
    bound: below.v,
    nextLe: above?.le ?? null,
    exact: false,
    explanation: `${secondsText(t)} falls ${gap}. The SLI uses le="${below.le}": requests that took between ${secondsText(below.v)} and ${secondsText(t)} count as bad, so the SLI is a lower bound (it never counts a request slower than ${secondsText(t)} as good). ${fix}`,
  };
}
