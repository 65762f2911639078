// One SLO over a time range, for its page: the SLI and the error budget left
// over time (Prometheus range queries of the recorded series, or the live
// expressions where no rules are loaded), the stretches where the budget burned
// faster than it lasts, and the load runs that overlap each stretch.
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { chooseStep } from '@/lib/datasources/prometheus/step';
import { prisma } from '@/lib/db';
import type { TimeRange } from '@/lib/model/types';
import { formatDuration, parseDuration } from './duration';
import { errorBudgetRatio, periodMs, recordedWindows } from './maths';
import { idFilter, SLI_ERROR_METRIC } from './rules';
import { errorRatioQuery } from './sli';
import { type BurningPeriod, burningPeriods, finiteOrNull } from './state';
import { type SloStatus, sloStatuses } from './status';
import type { StoredSlo } from './store';

export interface SloDetail {
  status: SloStatus;
  range: TimeRange;
  /** seconds between points */
  step: number;
  /** the rate window each SLI point covers */
  sliWindow: string;
  sli: [number, number | null][];
  budgetRemaining: [number, number | null][];
  burning: (BurningPeriod & { runs: { id: string; target: string; startedAt: string | null }[] })[];
  note?: string;
}

/** The smallest recorded window at least as long as the step (an SLI point then covers its whole step). */
export function sliWindowFor(windows: readonly string[], stepS: number): string {
  return windows.find((w) => parseDuration(w) >= stepS * 1000) ?? windows[windows.length - 1];
}

export async function sloDetail(slo: StoredSlo, range: TimeRange, signal?: AbortSignal): Promise<SloDetail> {
  const d = slo.definition;
  const [status] = (await sloStatuses([slo], { signal })).statuses;
  const step = chooseStep({ range, widthPx: 900, minStepS: 15 });
  const out: SloDetail = { status, range, step, sliWindow: '', sli: [], budgetRemaining: [], burning: [] };
  if (d.sli.kind === 'trace' || !config().PROMETHEUS_URL || status.source === 'none') {
    out.note = d.sli.kind === 'trace' ? 'Trace-based SLIs show their current numbers only; the charts need Prometheus series.' : status.reason;
    return out;
  }
  const client = PrometheusClient.fromConfig();
  const values = async (expr: string) => {
    const r = await client.queryRange(expr, range, { step, signal });
    return (r.series[0]?.values ?? []).map(([t, v]) => [t, finiteOrNull(v)] as [number, number | null]);
  };
  const budget = errorBudgetRatio(d.objective);
  const filter = idFilter(d);
  if (status.source === 'rules') {
    const w = sliWindowFor(recordedWindows(d), step);
    out.sliWindow = w;
    [out.sli, out.budgetRemaining] = await Promise.all([values(`1 - ${SLI_ERROR_METRIC}${w}${filter}`), values(`slo:period_error_budget_remaining:ratio${filter}`)]);
  } else {
    const w = formatDuration(Math.max(300_000, step * 1000));
    out.sliWindow = w;
    const period = formatDuration(periodMs(d.window));
    [out.sli, out.budgetRemaining] = await Promise.all([values(`1 - (${errorRatioQuery(d, w)})`), values(`1 - (${errorRatioQuery(d, period)}) / ${budget}`)]);
  }
  const burn = out.sli.filter((p): p is [number, number] => p[1] !== null).map(([t, v]) => [t, (1 - v) / budget] as [number, number]);
  const periods = burningPeriods(burn, step * 1000, periodMs(d.window));
  // The load runs whose requests a burning stretch counted: each point is an error ratio over the
  // SLI window before it (and recording rules lag by their evaluation interval), so a run that
  // ended up to one window before the stretch began burned it. Their page has that time's traces and profiles.
  const lookback = parseDuration(out.sliWindow);
  const runs = periods.length
    ? await prisma().loadRun.findMany({
        where: { startedAt: { lte: new Date(Math.max(...periods.map((p) => p.to))) }, OR: [{ finishedAt: null }, { finishedAt: { gte: new Date(Math.min(...periods.map((p) => p.from)) - lookback) } }] },
        select: { id: true, target: true, startedAt: true, finishedAt: true },
        orderBy: { startedAt: 'asc' },
        take: 200,
      })
    : [];
  out.burning = periods.map((p) => ({
    ...p,
    runs: runs
      .filter((r) => r.startedAt && r.startedAt.getTime() <= p.to && (r.finishedAt?.getTime() ?? Infinity) >= p.from - lookback)
      .map((r) => ({ id: r.id, target: r.target, startedAt: r.startedAt?.toISOString() ?? null })),
  }));
  return out;
}
