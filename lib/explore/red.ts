// RED figures of a trace query — request rate, errors, duration percentiles —
// per step and over the whole range, from whichever trace source answered:
// rows counted in the embedded store, or Tempo's TraceQL metrics series. Pure.
import type { Series } from '@/lib/model/types';

export interface RedTotals {
  /** matching spans in the range */
  requests: number;
  errors: number;
  /** per second over the range */
  ratePerS: number;
  /** errors / requests; null without requests */
  errorRatio: number | null;
  /** seconds; null without requests */
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

export interface RedFigures {
  stepS: number;
  /** per second, per step */
  rate: Series;
  errors: Series;
  /** seconds, per step */
  p50: Series;
  p90: Series;
  p99: Series;
  totals: RedTotals;
}

const series = (name: string): Series => ({ labels: { __name__: name }, values: [] });

function emptyFigures(stepS: number): RedFigures {
  return { stepS, rate: series('rate'), errors: series('errors'), p50: series('p50'), p90: series('p90'), p99: series('p99'), totals: { requests: 0, errors: 0, ratePerS: 0, errorRatio: null, p50: null, p90: null, p99: null } };
}

/** Embedded rows (one per step, plus the whole range with column null) → figures; steps without spans have rate 0 and no percentiles. */
export function redFromRows(
  rows: readonly { column: number | null; count: number; errors: number; p50: number | null; p90: number | null; p99: number | null }[],
  range: { from: number; to: number },
  stepS: number,
): RedFigures {
  const out = emptyFigures(stepS);
  const stepMs = stepS * 1000;
  const columns = Math.max(1, Math.ceil((range.to - range.from) / stepMs));
  const byColumn = new Map(rows.filter((r) => r.column !== null).map((r) => [r.column!, r]));
  for (let i = 0; i < columns; i++) {
    const t = range.from + i * stepMs;
    const r = byColumn.get(i);
    out.rate.values.push([t, (r?.count ?? 0) / stepS]);
    out.errors.values.push([t, (r?.errors ?? 0) / stepS]);
    if (r?.p50 != null) out.p50.values.push([t, r.p50]);
    if (r?.p90 != null) out.p90.values.push([t, r.p90]);
    if (r?.p99 != null) out.p99.values.push([t, r.p99]);
  }
  const all = rows.find((r) => r.column === null);
  if (all && all.count > 0) {
    out.totals = {
      requests: all.count,
      errors: all.errors,
      ratePerS: all.count / ((range.to - range.from) / 1000),
      errorRatio: all.errors / all.count,
      p50: all.p50,
      p90: all.p90,
      p99: all.p99,
    };
  }
  return out;
}

type TempoSeries = { labels: Record<string, string>; values: [number, number][] };

const isErrorStatus = (labels: Record<string, string>) => Object.entries(labels).some(([k, v]) => /status$/.test(k) && /^(error|STATUS_CODE_ERROR|2)$/.test(v));
const quantileOf = (labels: Record<string, string>) => Number(labels.p ?? labels.quantile);

/**
 * Tempo: `{…} | rate() by (status)` and `{…} | quantile_over_time(duration, .5, .9, .99)`
 * per step, and the same quantiles over the whole range (one step).
 */
export function redFromTempo(rateByStatus: readonly TempoSeries[], quantiles: readonly TempoSeries[], wholeRangeQuantiles: readonly TempoSeries[], range: { from: number; to: number }, stepS: number): RedFigures {
  const out = emptyFigures(stepS);
  const rate = new Map<number, number>();
  const errors = new Map<number, number>();
  for (const s of rateByStatus) {
    const err = isErrorStatus(s.labels);
    for (const [t, v] of s.values) {
      if (!Number.isFinite(v)) continue;
      rate.set(t, (rate.get(t) ?? 0) + v);
      if (err) errors.set(t, (errors.get(t) ?? 0) + v);
    }
  }
  const ts = [...rate.keys()].sort((a, b) => a - b);
  out.rate.values = ts.map((t) => [t, rate.get(t)!]);
  out.errors.values = ts.map((t) => [t, errors.get(t) ?? 0]);
  for (const s of quantiles) {
    const q = quantileOf(s.labels);
    const target = q === 0.5 ? out.p50 : q === 0.9 ? out.p90 : q === 0.99 ? out.p99 : null;
    if (target) target.values = s.values.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => [t, v]);
  }
  const requests = ts.reduce((a, t) => a + rate.get(t)! * stepS, 0);
  const errs = ts.reduce((a, t) => a + (errors.get(t) ?? 0) * stepS, 0);
  const whole = (q: number) => {
    const s = wholeRangeQuantiles.find((x) => quantileOf(x.labels) === q);
    const v = s?.values.find(([, x]) => Number.isFinite(x))?.[1];
    return v === undefined ? null : v;
  };
  out.totals = {
    requests: Math.round(requests),
    errors: Math.round(errs),
    ratePerS: requests / ((range.to - range.from) / 1000),
    errorRatio: requests > 0 ? errs / requests : null,
    p50: requests > 0 ? whole(0.5) : null,
    p90: requests > 0 ? whole(0.9) : null,
    p99: requests > 0 ? whole(0.99) : null,
  };
  return out;
}
