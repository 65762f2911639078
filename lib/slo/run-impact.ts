// Which SLOs a load run touched and how much of their error budget it burned:
// the SLI's bad and total events counted over exactly the run's window, against
// the budget of the period that ends with the run (occurrences: bad events in
// the run ÷ (error budget × all events in the period)). SLIs that are a ratio
// only (no event counts) get the time-based reading instead: the run's burn
// rate × its duration ÷ the period.
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { pgPool } from '@/lib/db';
import type { TimeRange } from '@/lib/model/types';
import { formatDuration } from './duration';
import { errorBudgetRatio, periodMs } from './maths';
import { errorRatioQuery, eventQueries, exactEventQueries } from './sli';
import { finiteOrNull } from './state';
import type { StoredSlo } from './store';
import { traceEventCounts } from './trace-sli';

export interface RunImpact {
  id: string;
  name: string;
  objective: number;
  /** events in the run's window (null for ratio-only SLIs) */
  total: number | null;
  bad: number | null;
  errorRatio: number | null;
  /** share of the period's error budget the run consumed */
  budgetBurned: number | null;
  method: 'events' | 'time';
}

/**
 * How long after a run's window ends its counts can still grow: the embedded
 * Prometheus scrapes every 5 s (the sandbox every 2 s), a remote one typically every
 * 15 s, and increase() only sees requests up to the last scrape before `to`.
 */
export const RUN_IMPACT_SETTLE_MS = 20_000;

/** Whether a finished run's window has had time for the scrapes after it. */
export const impactSettled = (range: TimeRange, finished: boolean, now = Date.now()) => finished && now >= range.to + RUN_IMPACT_SETTLE_MS;

/** The window to the millisecond (Prometheus ranges and offsets are durations ending at `to`). */
const windowOf = (range: TimeRange) => formatDuration(Math.max(1, range.to - range.from));

/** Where a run's events are counted. */
export interface ImpactWindows {
  /**
   * The two instants the SLIs' counters are read at: the run target's own
   * scrapes around its requests when Prometheus scrapes it (a counter's growth
   * between them is exactly what the server counted), else the padded run window.
   */
  counters: TimeRange;
  /** The run's requests by span start time (trace-based SLIs). */
  spans: TimeRange;
}

export async function runImpact(slos: readonly StoredSlo[], windows: ImpactWindows, signal?: AbortSignal): Promise<{ impacts: RunImpact[]; note?: string }> {
  const client = config().PROMETHEUS_URL ? PrometheusClient.fromConfig() : null;
  const range = windows.counters;
  const w = windowOf(range);
  const one = async (expr: string) => {
    const r = await client!.query(expr, { time: range.to, signal });
    return r.resultType === 'vector' && r.samples.length ? finiteOrNull(r.samples[0].value) : null;
  };
  const impacts: RunImpact[] = [];
  for (const s of slos) {
    const d = s.definition;
    const period = periodMs(d.window);
    const budget = errorBudgetRatio(d.objective);
    const base = { id: s.id, name: d.name, objective: d.objective };
    if (d.sli.kind === 'trace') {
      const c = await traceEventCounts(pgPool(), d.sli, { run: windows.spans.to - windows.spans.from, period }, windows.spans.to);
      if (c.run.total > 0) impacts.push({ ...base, total: c.run.total, bad: c.run.bad, errorRatio: c.run.bad / c.run.total, budgetBurned: c.period.total > 0 ? c.run.bad / (budget * c.period.total) : null, method: 'events' });
      continue;
    }
    if (!client) continue;
    const run = exactEventQueries(d.sli, w) ?? eventQueries(d.sli, w);
    if (run) {
      const [total, bad, periodTotal] = await Promise.all([one(run.total), one(run.bad), one(eventQueries(d.sli, formatDuration(period))!.total)]);
      if (total && total > 0) impacts.push({ ...base, total, bad, errorRatio: bad === null ? null : bad / total, budgetBurned: bad !== null && periodTotal ? bad / (budget * periodTotal) : null, method: 'events' });
      continue;
    }
    const ratio = await one(errorRatioQuery(d, w)!);
    if (ratio !== null) impacts.push({ ...base, total: null, bad: null, errorRatio: ratio, budgetBurned: ((ratio / budget) * (range.to - range.from)) / period, method: 'time' });
  }
  return { impacts, note: client ? undefined : 'No Prometheus is configured: only trace-based SLOs can be matched to this run.' };
}
