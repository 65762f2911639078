// The editor's live preview of a draft: its arithmetic (budget, burn-rate
// thresholds and what they mean), which bucket bound a latency threshold uses,
// and the SLI measured now — by live queries, since a draft has no rules yet.
import { ApiError } from '@/lib/api-errors';
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { chooseStep } from '@/lib/datasources/prometheus/step';
import { NO_PROMETHEUS } from './deploy';
import { type BudgetMaths, budgetMaths, errorBudgetRatio, STATUS_WINDOWS } from './maths';
import type { SloDefinition } from './model';
import { parseDefinition, resolveLatencyBound } from './service';
import { type BucketChoice, errorRatioQuery, eventQueries } from './sli';
import { finiteOrNull } from './state';
import { periodWindow, traceWindowsMs } from './status';
import { traceWindows } from './trace-sli';

export interface Preview {
  definition: SloDefinition;
  maths: BudgetMaths;
  bucket: BucketChoice | null;
  /** where the measured numbers come from, or why there are none */
  source: 'prometheus' | 'traces' | 'tempo' | 'none';
  /** the TraceQL metrics queries Tempo runs for a trace-based SLI */
  traceQueries?: { total: string; bad: string };
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
  let traceQueries: Preview['traceQueries'];
  if (d.sli.kind === 'trace') {
    const t = await traceWindows(d.sli, traceWindowsMs(pw.window), now, signal);
    // The editor's field is the filter: a TraceQL Tempo refuses is bad input there, as the embedded store's 400 is.
    if (t.failure?.kind === 'query') throw new ApiError(400, t.failure.message.replace(/^Tempo refused the SLI’s TraceQL \(sli\.filter\)/, 'sli.filter: Tempo refused it'));
    traceQueries = t.queries;
    Object.assign(errorRatios, t.ratios);
    if (t.failure) {
      note = t.failure.message;
    } else {
      source = t.source;
      totalEvents = t.counts.period?.total ?? null;
      if (t.source === 'tempo') note = t.note;
    }
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
    traceQueries,
    periodWindow: pw.window,
    errorRatios,
    totalEvents,
    budgetRemaining: period === null ? null : 1 - period / errorBudgetRatio(d.objective),
    series,
  };
}
