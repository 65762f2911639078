// SLO status as the list and detail pages show it. Where Prometheus evaluates
// the SLO's rules, every number is read from its recorded series
// (slo:sli_error:ratio_rate<window>) and the alert state from /api/v1/alerts —
// what production alerting sees. Where the rules are not loaded (a remote
// Prometheus the user has not deployed them to) the same error ratios are
// computed by live queries and no alert state exists. Trace-based SLIs are
// counted by Tempo's TraceQL metrics when TEMPO_URL is set, else from the
// embedded span store (trace-sli.ts).
import { config } from '@/lib/config';
import { PrometheusClient } from '@/lib/datasources/prometheus/client';
import type { ActiveAlert, InstantSample } from '@/lib/datasources/prometheus/types';
import { formatDuration, parseDuration } from './duration';
import { NO_PROMETHEUS, rulesDeployment } from './deploy';
import { burnRate, calendarPeriodStart, errorBudgetRatio, periodMs, STATUS_WINDOWS, type Severity } from './maths';
import { slothId, type SloDefinition } from './model';
import { GROUP_PREFIX, SLI_ERROR_METRIC } from './rules';
import { errorRatioQuery } from './sli';
import { type AlertState, finiteOrNull, type SloState, sloState } from './state';
import type { StoredSlo } from './store';
import { traceWindows } from './trace-sli';

export type StatusWindow = (typeof STATUS_WINDOWS)[number];
export type StatusSource = 'rules' | 'live' | 'traces' | 'tempo' | 'none';

export interface SloStatus {
  id: string;
  name: string;
  displayName?: string;
  service: string;
  objective: number;
  sliKind: SloDefinition['sli']['kind'];
  source: StatusSource;
  /** why the numbers come from where they do, when it is not the rules */
  sourceNote?: string;
  /** unix ms of the evaluation the numbers come from (the recorded samples' timestamp) */
  at: number | null;
  /** the period's window as Prometheus writes it (30d, 4w…); calendar windows: the time since the period began */
  periodWindow: string;
  /** 1 − error ratio over the period */
  sli: number | null;
  errorRatios: Record<StatusWindow | 'period', number | null>;
  burnRates: Record<StatusWindow, number | null>;
  budgetRemaining: number | null;
  alerts: AlertState[];
  state: SloState;
  reason: string;
}

export interface StatusReport {
  prometheus: 'ok' | 'unreachable' | 'none';
  /** what to do when Prometheus is missing or unreachable */
  prometheusNote?: string;
  deployment: ReturnType<typeof rulesDeployment>['mode'];
  /** set when Tempo could not count a trace-based SLI: what it answered and the fix */
  tempoNote?: string;
  statuses: SloStatus[];
}

const key = (id: string, window: string) => `${id}\u0000${window}`;

/** The window the period's error ratio is read over: the rolling period, or (calendar) the time since it began, in whole minutes. */
export function periodWindow(d: SloDefinition, now: number): { window: string; recorded: boolean } {
  if (d.window.kind === 'rolling') return { window: formatDuration(periodMs(d.window)), recorded: true };
  const elapsed = Math.max(60_000, Math.ceil((now - calendarPeriodStart(d.window, now)) / 60_000) * 60_000);
  return { window: formatDuration(elapsed), recorded: false };
}

function numbersFrom(d: SloDefinition, ratios: Record<StatusWindow | 'period', number | null>) {
  const burnRates = Object.fromEntries(STATUS_WINDOWS.map((w) => [w, ratios[w] === null ? null : finiteOrNull(burnRate(ratios[w], d.objective))])) as Record<StatusWindow, number | null>;
  const period = ratios.period;
  return { sli: period === null ? null : 1 - period, burnRates, budgetRemaining: period === null ? null : 1 - period / errorBudgetRatio(d.objective) };
}

function alertsOf(id: string, alerts: readonly ActiveAlert[]): AlertState[] {
  return alerts
    .filter((a) => a.labels.sloth_id === id && (a.labels.sloth_severity === 'page' || a.labels.sloth_severity === 'ticket'))
    .map((a) => ({ severity: a.labels.sloth_severity as Severity, state: a.state, activeAt: a.activeAt }));
}

function finish(s: StoredSlo, source: StatusSource, at: number | null, periodW: string, ratios: Record<StatusWindow | 'period', number | null>, alerts: AlertState[], sourceNote?: string): SloStatus {
  const d = s.definition;
  const n = numbersFrom(d, ratios);
  const st = sloState({ budgetRemaining: n.budgetRemaining, alerts });
  return {
    id: s.id,
    name: d.name,
    displayName: d.displayName,
    service: d.service,
    objective: d.objective,
    sliKind: d.sli.kind,
    source,
    sourceNote,
    at,
    periodWindow: periodW,
    sli: n.sli,
    errorRatios: ratios,
    burnRates: n.burnRates,
    budgetRemaining: n.budgetRemaining,
    alerts,
    ...st,
  };
}

/** The windows a trace-based SLI is counted over: the status windows and the period. */
export function traceWindowsMs(periodWindowText: string): Record<StatusWindow | 'period', number> {
  const out = Object.fromEntries(STATUS_WINDOWS.map((w) => [w, parseDuration(w)])) as Record<StatusWindow | 'period', number>;
  out.period = parseDuration(periodWindowText);
  return out;
}

const emptyRatios = (): Record<StatusWindow | 'period', number | null> => ({ '5m': null, '1h': null, '6h': null, '1d': null, '3d': null, period: null });

/** A single value of an instant query (NaN and absence both null). */
async function scalarQuery(client: PrometheusClient, expr: string, time: number | undefined, signal?: AbortSignal): Promise<number | null> {
  const r = await client.query(expr, { time, signal });
  if (r.resultType === 'scalar') return finiteOrNull(Number(r.value));
  if (r.resultType !== 'vector' || !r.samples.length) return null;
  return finiteOrNull(r.samples[0].value);
}

/** Status of every given SLO, as of now. */
export async function sloStatuses(slos: readonly StoredSlo[], opts: { signal?: AbortSignal; now?: number } = {}): Promise<StatusReport> {
  const now = opts.now ?? Date.now();
  const deployment = rulesDeployment().mode;
  const hasProm = !!config().PROMETHEUS_URL;
  const statuses: SloStatus[] = [];
  let tempoNote: string | undefined;
  let prometheus: StatusReport['prometheus'] = hasProm ? 'ok' : 'none';
  let prometheusNote: string | undefined = hasProm ? undefined : NO_PROMETHEUS;

  // Recorded series and alerts, once for all SLOs.
  const recorded = new Map<string, { value: number; at: number }>();
  let loadedGroups = new Set<string>();
  let alerts: ActiveAlert[] = [];
  const client = hasProm ? PrometheusClient.fromConfig() : null;
  if (client && slos.some((s) => s.definition.sli.kind !== 'trace')) {
    try {
      const selector = `{__name__=~"${SLI_ERROR_METRIC}.+"}`;
      const [values, times, rules, active] = await Promise.all([
        client.query(selector, { signal: opts.signal }),
        client.query(`timestamp(${selector})`, { signal: opts.signal }),
        client.rules({ signal: opts.signal }),
        client.alerts({ signal: opts.signal }),
      ]);
      const samples = (r: typeof values): InstantSample[] => (r.resultType === 'vector' ? r.samples : []);
      const timeOf = new Map(samples(times).map((x) => [key(x.labels.sloth_id ?? '', x.labels.sloth_window ?? ''), x.value * 1000]));
      for (const x of samples(values)) {
        const k = key(x.labels.sloth_id ?? '', x.labels.sloth_window ?? '');
        recorded.set(k, { value: x.value, at: timeOf.get(k) ?? x.timestamp });
      }
      loadedGroups = new Set(rules.map((g) => g.name));
      alerts = active;
    } catch (e) {
      prometheus = 'unreachable';
      prometheusNote = `Prometheus did not answer (${(e as Error).message}). ${deployment === 'embedded' ? 'The launcher restarts it; reload in a moment.' : 'Check PROMETHEUS_URL.'}`;
    }
  }

  for (const s of slos) {
    const d = s.definition;
    const id = slothId(d);
    const pw = periodWindow(d, now);
    if (d.sli.kind === 'trace') {
      const t = await traceWindows(d.sli, traceWindowsMs(pw.window), now, opts.signal);
      const ratios = t.ratios as Record<StatusWindow | 'period', number | null>;
      if (t.failure) {
        tempoNote ??= t.failure.message;
        statuses.push({ ...finish(s, t.source, null, pw.window, ratios, [], t.note), state: 'no data', reason: t.failure.message });
        continue;
      }
      const st = finish(s, t.source, now, pw.window, ratios, [], t.note);
      // A period Tempo could not be asked for is "no data" for a reason worth saying.
      statuses.push(ratios.period === null && t.counts.period === undefined ? { ...st, reason: t.note } : st);
      continue;
    }
    if (!client || prometheus !== 'ok') {
      statuses.push({ ...finish(s, 'none', null, pw.window, emptyRatios(), []), state: 'no data', reason: prometheusNote ?? NO_PROMETHEUS });
      continue;
    }
    if (loadedGroups.has(`${GROUP_PREFIX.sli}${id}`)) {
      const ratios = emptyRatios();
      let at: number | null = null;
      for (const w of STATUS_WINDOWS) {
        const r = recorded.get(key(id, w));
        ratios[w] = r ? finiteOrNull(r.value) : null;
        if (r) at = r.at;
      }
      if (pw.recorded) ratios.period = finiteOrNull(recorded.get(key(id, pw.window))?.value);
      // A calendar period is not a rolling window Prometheus can record: one live query at the same instant.
      else ratios.period = await scalarQuery(client, errorRatioQuery(d, pw.window)!, at ?? undefined, opts.signal).catch(() => null);
      statuses.push(finish(s, 'rules', at, pw.window, ratios, alertsOf(id, alerts), pw.recorded ? undefined : `the calendar period (${pw.window} so far) is a live query; Prometheus rules record rolling windows only`));
      continue;
    }
    // Rules not loaded here: the same error ratios by live queries at one instant.
    const ratios = emptyRatios();
    await Promise.all([
      ...STATUS_WINDOWS.map(async (w) => {
        ratios[w] = await scalarQuery(client, errorRatioQuery(d, w)!, now, opts.signal);
      }),
      (async () => {
        ratios.period = await scalarQuery(client, errorRatioQuery(d, pw.window)!, now, opts.signal);
      })(),
    ]);
    const note =
      deployment === 'remote'
        ? 'computed by live queries: this Prometheus does not have the SLO’s rules (download the rule file and add it to its rule_files to get recorded values and alerts)'
        : 'computed by live queries: Prometheus has not loaded the rules yet';
    statuses.push(finish(s, 'live', now, pw.window, ratios, [], note));
  }
  return { prometheus, prometheusNote, deployment, tempoNote, statuses };
}
