// SLO arithmetic, pure and named after what it computes, so each line can be
// checked against the SRE workbook ("Alerting on SLOs", table 5-8) by hand:
//   error budget          = 1 − objective
//   burn rate             = error ratio over a window ÷ error budget
//   alert burn factor     = budget share consumed × period ÷ long window
//   time to exhaustion    = remaining budget × period ÷ burn rate
// Every duration is in milliseconds.
import { formatDuration, humanDuration, parseDuration } from './duration';
import type { AlertWindow, SloDefinition, TimeWindow } from './model';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** 12 significant digits: 1 − 0.999 is 0.001, not 0.0009999999999999432. */
export function clean(x: number): number {
  return Number(x.toPrecision(12));
}

/** 99.5 (percent) → 0.005: the share of events (or slices) allowed to be bad. */
export function errorBudgetRatio(objectivePercent: number): number {
  return clean((100 - objectivePercent) / 100);
}

/** Error ratio ÷ budget: 1 spends the budget exactly over the period. NaN (no traffic) stays NaN. */
export function burnRate(errorRatio: number, objectivePercent: number): number {
  return errorRatio / errorBudgetRatio(objectivePercent);
}

/** 1 − (error ratio over the period ÷ budget): 1 untouched, 0 spent, below 0 overspent. */
export function budgetRemaining(periodErrorRatio: number, objectivePercent: number): number {
  return 1 - burnRate(periodErrorRatio, objectivePercent);
}

/**
 * The burn rate at which `budgetPercent` % of the period's budget is gone in
 * `longMs`: the workbook's 2 % of 30 days in 1 h → 0.02 × 720 h ÷ 1 h = 14.4.
 * (Sloth's getBurnRateFactor, internal/alert/window.go, computes the same.)
 */
export function burnFactor(budgetPercent: number, periodMs: number, longMs: number): number {
  return clean(((budgetPercent / 100) * periodMs) / longMs);
}

/** At burn rate `rate`, how long until `remaining` (share of the budget, default all of it) is gone; Infinity when not burning. */
export function timeToExhaustion(rate: number, periodMs: number, remaining = 1): number {
  if (!(rate > 0)) return Infinity;
  return (Math.max(remaining, 0) * periodMs) / rate;
}

/** The budget as time: 99.5 % over 30 days allows 216 bad minutes. */
export function budgetMinutes(objectivePercent: number, periodMs: number): number {
  return clean((errorBudgetRatio(objectivePercent) * periodMs) / MINUTE_MS);
}

/** The budget as requests: 99.5 % of 120,000 requests allows 600 bad ones. */
export function budgetRequests(objectivePercent: number, totalRequests: number): number {
  return clean(errorBudgetRatio(objectivePercent) * totalRequests);
}

/** The window's nominal length: a calendar month counts as 30 days and a week as 7 (what the rolling alert windows are scaled to). */
export function periodMs(w: TimeWindow): number {
  if (w.kind === 'rolling') return parseDuration(w.duration);
  return w.unit === 'week' ? 7 * DAY_MS : 30 * DAY_MS;
}

// ---------------------------------------------------------------- alert windows

/** The workbook's table 5-8 for a 30-day SLO: budget share, long and short window per condition. */
export const WORKBOOK_30D = {
  page: { quick: { budgetPercent: 2, long: '1h', short: '5m' }, slow: { budgetPercent: 5, long: '6h', short: '30m' } },
  ticket: { quick: { budgetPercent: 10, long: '1d', short: '2h' }, slow: { budgetPercent: 10, long: '3d', short: '6h' } },
} as const satisfies Record<'page' | 'ticket', Record<'quick' | 'slow', AlertWindow>>;

/** Windows a rule can use: whole minutes to days, so sloth_window labels stay readable. */
const NICE_WINDOWS_MS = ['1m', '2m', '5m', '10m', '15m', '30m', '1h', '2h', '3h', '6h', '12h', '1d', '2d', '3d', '4d', '7d'].map(parseDuration);

/** The nice window nearest to `ms` on a log scale (so 16.8 h → 12 h, 56 min → 1 h). */
export function snapWindow(ms: number): number {
  let best = NICE_WINDOWS_MS[0];
  for (const w of NICE_WINDOWS_MS) if (Math.abs(Math.log(w / ms)) < Math.abs(Math.log(best / ms))) best = w;
  return best;
}

/**
 * Default alert windows for a period: the workbook's windows scaled by
 * period ÷ 30 days and snapped to nice durations, keeping its budget shares
 * (2 %, 5 %, 10 %, 10 %); the burn factors follow from the snapped windows
 * (burnFactor). 30 days gives the workbook exactly (14.4, 6, 3, 1); 28 days
 * snaps back to the same windows and gives 13.44, 5.6, 2.8, 0.93 — what
 * Sloth's google-28d windows give.
 */
export function defaultAlertWindows(period: number): Record<'page' | 'ticket', Record<'quick' | 'slow', AlertWindow>> {
  const scale = period / (30 * DAY_MS);
  const one = (w: AlertWindow): AlertWindow => {
    const long = snapWindow(parseDuration(w.long) * scale);
    let short = snapWindow(parseDuration(w.short) * scale);
    // Snapping may meet the long window on short periods; the short one stays shorter.
    if (short >= long) short = [...NICE_WINDOWS_MS].reverse().find((x) => x < long) ?? long / 2;
    return { budgetPercent: w.budgetPercent, long: formatDuration(long), short: formatDuration(short) };
  };
  return {
    page: { quick: one(WORKBOOK_30D.page.quick), slow: one(WORKBOOK_30D.page.slow) },
    ticket: { quick: one(WORKBOOK_30D.ticket.quick), slow: one(WORKBOOK_30D.ticket.slow) },
  };
}

export type Severity = 'page' | 'ticket';

/** One multiwindow condition with its maths, as the editor shows it and the rules use it. */
export interface AlertCondition {
  severity: Severity;
  speed: 'quick' | 'slow';
  long: string;
  short: string;
  budgetPercent: number;
  /** burn rate both windows must exceed */
  factor: number;
  /** the error ratio that burn rate stands for: factor × error budget */
  errorRatioThreshold: number;
  /** at that burn rate, a full budget lasts this long */
  exhaustsInMs: number;
  /** "Page when 2 % of the 30-day budget burns within 1 h (burn rate 14.4, error ratio above 7.2 %): at this rate the budget is gone in 2.1 days." */
  meaning: string;
}

/** The four conditions of a definition (disabled severities left out). */
export function alertConditions(d: Pick<SloDefinition, 'objective' | 'window' | 'alerting'>): AlertCondition[] {
  const period = periodMs(d.window);
  const budget = errorBudgetRatio(d.objective);
  const out: AlertCondition[] = [];
  for (const severity of ['page', 'ticket'] as const) {
    const s = d.alerting[severity];
    if (!s.enabled) continue;
    for (const speed of ['quick', 'slow'] as const) {
      // Windows in Prometheus' own spelling (24h → 1d): the recording rules are named with it.
      const w = { ...s[speed], long: formatDuration(parseDuration(s[speed].long)), short: formatDuration(parseDuration(s[speed].short)) };
      const factor = burnFactor(w.budgetPercent, period, parseDuration(w.long));
      const errorRatioThreshold = clean(factor * budget);
      const exhaustsInMs = timeToExhaustion(factor, period);
      const verb = severity === 'page' ? 'Page' : 'Open a ticket';
      out.push({
        severity,
        speed,
        long: w.long,
        short: w.short,
        budgetPercent: w.budgetPercent,
        factor,
        errorRatioThreshold,
        exhaustsInMs,
        meaning: `${verb} when ${w.budgetPercent} % of the ${periodAdjective(period)} budget burns within ${humanDuration(parseDuration(w.long))} (burn rate above ${factor}, error ratio above ${percent(errorRatioThreshold)} over both ${w.long} and ${w.short}): at this rate the budget is gone in ${humanDuration(exhaustsInMs)}.`,
      });
    }
  }
  return out;
}

/** 30 days → "30-day", 7 days → "7-day" (as in "the 30-day budget"). */
function periodAdjective(ms: number): string {
  return ms % DAY_MS === 0 ? `${ms / DAY_MS}-day` : humanDuration(ms);
}

/** 0.072 → "7.2 %", 0.00005 → "0.005 %". */
export function percent(ratio: number): string {
  const p = ratio * 100;
  return `${Number(p.toPrecision(p >= 1 ? 3 : 2))} %`;
}

/** The editor's arithmetic, ready to print. */
export interface BudgetMaths {
  errorBudgetRatio: number;
  periodMs: number;
  /** the budget as bad minutes (time-slice reading) */
  budgetMinutes: number;
  /** with `totalRequests` known (a preview over the window): the budget as bad requests */
  budgetRequests?: number;
  conditions: AlertCondition[];
}

export function budgetMaths(d: Pick<SloDefinition, 'objective' | 'window' | 'alerting'>, totalRequests?: number): BudgetMaths {
  const period = periodMs(d.window);
  return {
    errorBudgetRatio: errorBudgetRatio(d.objective),
    periodMs: period,
    budgetMinutes: budgetMinutes(d.objective, period),
    budgetRequests: totalRequests === undefined ? undefined : budgetRequests(d.objective, totalRequests),
    conditions: alertConditions(d),
  };
}

/** Every window a rule set records: the alert windows, the status page's fixed ones and the period. */
export const STATUS_WINDOWS = ['5m', '1h', '6h', '1d', '3d'] as const;

export function recordedWindows(d: Pick<SloDefinition, 'window' | 'alerting'>): string[] {
  const ms = new Set<number>(STATUS_WINDOWS.map(parseDuration));
  for (const severity of ['page', 'ticket'] as const) {
    for (const speed of ['quick', 'slow'] as const) {
      const w = d.alerting[severity][speed];
      ms.add(parseDuration(w.long));
      ms.add(parseDuration(w.short));
    }
  }
  ms.add(periodMs(d.window));
  return [...ms].sort((a, b) => a - b).map(formatDuration);
}

/** The start of the calendar period containing `now` (Monday 00:00 or the 1st 00:00, in the window's time zone), unix ms. */
export function calendarPeriodStart(w: Extract<TimeWindow, { kind: 'calendar' }>, now: number): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: w.timeZone, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' })
      .formatToParts(new Date(now))
      .map((p) => [p.type, p.value]),
  );
  const y = Number(parts.year);
  const m = Number(parts.month);
  let d = Number(parts.day);
  if (w.unit === 'week') d -= (['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(parts.weekday) + 7) % 7;
  else d = 1;
  // Local midnight of that day → UTC: guess with UTC, then correct by the zone's offset at that instant.
  const guess = Date.UTC(y, m - 1, d);
  return guess - zoneOffsetMs(w.timeZone, guess);
}

/** The zone's offset from UTC at instant `t` (positive east of Greenwich). */
function zoneOffsetMs(timeZone: string, t: number): number {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' })
      .formatToParts(new Date(t))
      .map((x) => [x.type, x.value]),
  );
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(t / 1000) * 1000;
}
