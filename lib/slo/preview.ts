// The editor's live preview of a draft: its arithmetic (budget, burn-rate
// thresholds and what they mean), which bucket bound a latency threshold uses,
// and the SLI measured now — by live queries, since a draft has no rules yet.
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { chooseStep } from '@/lib/datasources/prometheus/step';
import { pgPool } from '@/lib/db';
import { parseDuration } from './duration';
import { NO_PROMETHEUS } from './deploy';
import { type BudgetMaths, budgetMaths, errorBudgetRatio, STATUS_WINDOWS } from './maths';
import type { SloDefinition } from './model';
import { parseDefinition, resolveLatencyBound } from './service';
import { type BucketChoice, errorRatioQuery, eventQueries } from './sli';
import { finiteOrNull } from './state';
import { periodWindow } from './status';
import { traceEventCounts, traceSourceNote } from './trace-sli';

export interface Preview {
  definition: SloDefinition;
  maths: BudgetMaths;
  bucket: BucketChoice | null;
  /** where the measured numbers come from, or why there are none */
  source: 'prometheus' | 'traces' | 'none';
  note?: string;
  periodWindow: string;
  errorRatios: Record<string, number | null>;
  /** events in the period (null when the SLI has no separate total) */
  totalEvents: number | null;
  budgetRemaining: number | null;
  /** the SLI over the last 6 hours (1 − error ratio over each step), [unix ms, value] */
  series: [number, number | null][];
}

export async function preview(input: unknown, signal?: AbortSignal, now = Date.now()): Promise<Preview> {
  const { definition: d, choice } = await resolveLatencyBound(parseDefinition(input), signal);
  const pw = periodWindow(d, now);
  const errorRatios: Record<string, number | null> = {};
  let totalEvents: number | null = null;
  let series: [number, number | null][] = [];
  let source: Preview['source'] = 'none';
  let note: string | undefined;
  if (d.sli.kind === 'trace') {
    source = 'traces';
    const windows: Record<string, number> = Object.fromEntries(STATUS_WINDOWS.map((w) => [w, parseDuration(w)]));
    windows.period = parseDuration(pw.window);
    const counts = await traceEventCounts(pgPool(), d.sli, windows, now);
    for (const [k, c] of Object.entries(counts)) errorRatios[k] = c.total > 0 ? c.bad / c.total : null;
    totalEvents = counts.period.total;
    if (config().TEMPO_URL) note = traceSourceNote(config().TEMPO_URL);
  } else if (!config().PROMETHEUS_URL) {
    note = NO_PROMETHEUS;
  } else {
    source = 'prometheus';
    const client = PrometheusClient.fromConfig();
    const one = async (expr: string) => {
      const r = await client.query(expr, { time: now, signal });
      return r.resultType === 'vector' && r.samples.length ? finiteOrNull(r.samples[0].value) : null;
    };
    await Promise.all([...STATUS_WINDOWS, 'period' as const].map(async (w) => (errorRatios[w] = await one(errorRatioQuery(d, w === 'period' ? pw.window : w)!))));
    const ev = eventQueries(d.sli, pw.window);
    if (ev) totalEvents = await one(ev.total);
    const range = { from: now - 6 * 3_600_000, to: now };
    const step = chooseStep({ range, widthPx: 360, minStepS: 60 });
    const r = await client.queryRange(`1 - (${errorRatioQuery(d, `${step}s`)})`, range, { step, signal });
    series = (r.series[0]?.values ?? []).map(([t, v]) => [t, finiteOrNull(v)]);
  }
  const period = errorRatios.period ?? null;
  return {
    definition: d,
    maths: budgetMaths(d, totalEvents ?? undefined),
    bucket: choice,
    source,
    note,
    periodWindow: pw.window,
    errorRatios,
    totalEvents,
    budgetRemaining: period === null ? null : 1 - period / errorBudgetRatio(d.objective),
    series,
  };
}
