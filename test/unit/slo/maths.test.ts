import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, humanDuration, parseDuration } from '../../../lib/slo/duration';
import {
  alertConditions,
  budgetMinutes,
  budgetRemaining,
  budgetRequests,
  burnFactor,
  burnRate,
  calendarPeriodStart,
  DAY_MS,
  defaultAlertWindows,
  errorBudgetRatio,
  HOUR_MS,
  periodMs,
  recordedWindows,
  snapWindow,
  timeToExhaustion,
  WORKBOOK_30D,
} from '../../../lib/slo/maths';

// Every expected value below was worked out by hand (the arithmetic is in the
// comment); the workbook rows are table 5-8 of "The Site Reliability Workbook",
// chapter 5 ("Alerting on SLOs"), for a 30-day SLO.

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} ≠ ${b}`);

test('error budget, burn rate and remaining budget', () => {
  const table = [
    // objective %, error ratio, budget (1 − objective), burn rate (ratio ÷ budget), remaining (1 − burn)
    { objective: 99.9, errorRatio: 0.0005, budget: 0.001, burn: 0.5, remaining: 0.5 },
    { objective: 99.5, errorRatio: 0.005, budget: 0.005, burn: 1, remaining: 0 },
    { objective: 95, errorRatio: 0.072, budget: 0.05, burn: 1.44, remaining: -0.44 },
    { objective: 99, errorRatio: 0, budget: 0.01, burn: 0, remaining: 1 },
    { objective: 99.99, errorRatio: 0.001, budget: 0.0001, burn: 10, remaining: -9 },
  ];
  for (const t of table) {
    assert.equal(errorBudgetRatio(t.objective), t.budget, `budget of ${t.objective}`);
    close(burnRate(t.errorRatio, t.objective), t.burn, `burn at ${t.objective}`);
    close(budgetRemaining(t.errorRatio, t.objective), t.remaining, `remaining at ${t.objective}`);
  }
  // No traffic: 0/0 is NaN, and stays NaN (shown as "no data", never as a healthy 0).
  assert.ok(Number.isNaN(burnRate(Number.NaN, 99)));
});

test('burn factors: the workbook table for 30 days, Sloth’s 28-day and custom 7-day windows', () => {
  const table = [
    // budget %, period, long window, factor = budget % × period ÷ long
    { pct: 2, period: '30d', long: '1h', factor: 14.4 }, // 0.02 × 720 h ÷ 1 h
    { pct: 5, period: '30d', long: '6h', factor: 6 }, // 0.05 × 720 ÷ 6
    { pct: 10, period: '30d', long: '1d', factor: 3 }, // 0.10 × 720 ÷ 24
    { pct: 10, period: '30d', long: '3d', factor: 1 }, // 0.10 × 720 ÷ 72
    // Sloth's google-28d windows (its out-base-28d golden file: 13.44, 5.6, 2.8, 0.933…)
    { pct: 2, period: '28d', long: '1h', factor: 13.44 }, // 0.02 × 672
    { pct: 5, period: '28d', long: '6h', factor: 5.6 }, // 0.05 × 672 ÷ 6
    { pct: 10, period: '28d', long: '1d', factor: 2.8 },
    { pct: 10, period: '28d', long: '3d', factor: 0.933333333333 }, // 67.2 ÷ 72
    // Sloth's custom 7-day example (test/integration/prometheus/windows/7d.yaml: 13.44, 3.5, 1.4, 0.98)
    { pct: 8, period: '7d', long: '1h', factor: 13.44 }, // 0.08 × 168
    { pct: 12.5, period: '7d', long: '6h', factor: 3.5 },
    { pct: 20, period: '7d', long: '1d', factor: 1.4 },
    { pct: 42, period: '7d', long: '3d', factor: 0.98 }, // 0.42 × 168 ÷ 72
  ];
  for (const t of table) assert.equal(burnFactor(t.pct, parseDuration(t.period), parseDuration(t.long)), t.factor, `${t.pct} % of ${t.period} in ${t.long}`);
});

test('time to exhaustion and the budget as minutes and requests', () => {
  // At burn rate 14.4 a 30-day budget lasts 720 h ÷ 14.4 = 50 h; at 6, 5 days; at 3, 10 days; at 1, the whole period.
  assert.equal(timeToExhaustion(14.4, 30 * DAY_MS), 50 * HOUR_MS);
  assert.equal(timeToExhaustion(6, 30 * DAY_MS), 5 * DAY_MS);
  assert.equal(timeToExhaustion(3, 30 * DAY_MS), 10 * DAY_MS);
  assert.equal(timeToExhaustion(1, 30 * DAY_MS), 30 * DAY_MS);
  // Half the budget left at burn rate 2: 0.5 × 30 d ÷ 2 = 7.5 days.
  assert.equal(timeToExhaustion(2, 30 * DAY_MS, 0.5), 7.5 * DAY_MS);
  assert.equal(timeToExhaustion(0, 30 * DAY_MS), Infinity);
  // 99.9 % over 30 days: 0.001 × 43,200 min = 43.2 min; 99.5 %: 216 min; 99 % over 28 days: 0.01 × 40,320 = 403.2 min.
  assert.equal(budgetMinutes(99.9, 30 * DAY_MS), 43.2);
  assert.equal(budgetMinutes(99.5, 30 * DAY_MS), 216);
  assert.equal(budgetMinutes(99, 28 * DAY_MS), 403.2);
  // 99.5 % of 120,000 requests: 600 may fail.
  assert.equal(budgetRequests(99.5, 120_000), 600);
});

test('default alert windows: the workbook at 30 days, scaled and snapped for 28 and 7 days', () => {
  assert.deepEqual(defaultAlertWindows(30 * DAY_MS), WORKBOOK_30D);
  // 28/30 of each window snaps back to the same nice durations (56 min → 1 h, 28 min → 30 min, 2.8 d → 3 d).
  assert.deepEqual(defaultAlertWindows(28 * DAY_MS), WORKBOOK_30D);
  // 7/30: 1 h → 14 min → 15m, 5 min → 70 s → 1m, 6 h → 84 min → 1h, 30 min → 7 min → 5m,
  // 1 d → 5.6 h → 6h, 2 h → 28 min → 30m, 3 d → 16.8 h → 12h (log-nearer than 1 d), 6 h → 84 min → 1h.
  assert.deepEqual(defaultAlertWindows(7 * DAY_MS), {
    page: { quick: { budgetPercent: 2, long: '15m', short: '1m' }, slow: { budgetPercent: 5, long: '1h', short: '5m' } },
    ticket: { quick: { budgetPercent: 10, long: '6h', short: '30m' }, slow: { budgetPercent: 10, long: '12h', short: '1h' } },
  });
  assert.equal(formatDuration(snapWindow(16.8 * HOUR_MS)), '12h');
  assert.equal(formatDuration(snapWindow(56 * 60_000)), '1h');
});

const def = (duration: '7d' | '28d' | '30d', objective = 99.5) => {
  const w = defaultAlertWindows(periodMs({ kind: 'rolling', duration }));
  return {
    objective,
    window: { kind: 'rolling' as const, duration },
    alerting: { name: 'X', labels: {}, annotations: {}, page: { enabled: true, ...w.page, labels: {}, annotations: {} }, ticket: { enabled: true, ...w.ticket, labels: {}, annotations: {} } },
  };
};

test('alert conditions carry the maths the editor shows', () => {
  const c = alertConditions(def('30d', 99.5));
  assert.deepEqual(
    c.map((x) => [x.severity, x.long, x.short, x.factor, x.errorRatioThreshold]),
    [
      ['page', '1h', '5m', 14.4, 0.072], // 14.4 × 0.005
      ['page', '6h', '30m', 6, 0.03],
      ['ticket', '1d', '2h', 3, 0.015],
      ['ticket', '3d', '6h', 1, 0.005],
    ],
  );
  assert.equal(
    c[0].meaning,
    'Page when 2 % of the 30-day budget burns within 1 hour (burn rate above 14.4, error ratio above 7.2 % over both 1h and 5m): at this rate the budget is gone in 2.1 days.',
  );
  // 7 days: factors from the snapped windows, 0.02 × 168 h ÷ 0.25 h = 13.44, 0.05 × 168 = 8.4, 0.1 × 168 ÷ 6 = 2.8, 0.1 × 168 ÷ 12 = 1.4.
  assert.deepEqual(
    alertConditions(def('7d')).map((x) => x.factor),
    [13.44, 8.4, 2.8, 1.4],
  );
  const off = def('30d');
  off.alerting.ticket.enabled = false;
  assert.deepEqual(
    alertConditions(off).map((x) => x.severity),
    ['page', 'page'],
  );
});

test('recorded windows: alert windows, the status windows and the period, in Prometheus spelling', () => {
  assert.deepEqual(recordedWindows(def('30d')), ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '30d']);
  // 28 days is "4w" as Prometheus (and Sloth: slo:sli_error:ratio_rate4w) writes it.
  assert.deepEqual(recordedWindows(def('28d')), ['5m', '30m', '1h', '2h', '6h', '1d', '3d', '4w']);
  assert.deepEqual(recordedWindows(def('7d')), ['1m', '5m', '15m', '30m', '1h', '6h', '12h', '1d', '3d', '1w']);
});

test('durations as prometheus/common writes them', () => {
  const table: [string, number][] = [
    ['5m', 5 * 60_000],
    ['1h30m', 90 * 60_000],
    ['1d', DAY_MS],
    ['1w', 7 * DAY_MS],
    ['4w', 28 * DAY_MS],
    ['30d', 30 * DAY_MS], // not 4w2d: weeks only when exact
    ['1y', 365 * DAY_MS],
    ['0s', 0],
  ];
  for (const [s, ms] of table) {
    assert.equal(formatDuration(ms), s);
    if (ms) assert.equal(parseDuration(s), ms);
  }
  assert.throws(() => parseDuration('5 minutes'), /not a duration/);
  assert.equal(humanDuration(50 * HOUR_MS), '2.1 days');
  assert.equal(humanDuration(30 * 60_000), '30 minutes');
});

test('calendar periods start at local midnight of the 1st or of Monday', () => {
  // 15 March 2026 in Berlin (CET, UTC+1): the month began 1 March 00:00 local = 28 Feb 23:00 UTC.
  assert.equal(new Date(calendarPeriodStart({ kind: 'calendar', unit: 'month', timeZone: 'Europe/Berlin' }, Date.parse('2026-03-15T12:00:00Z'))).toISOString(), '2026-02-28T23:00:00.000Z');
  // 20 March 2026 in New York is EDT (UTC−4) but 1 March was EST (UTC−5): 05:00 UTC.
  assert.equal(new Date(calendarPeriodStart({ kind: 'calendar', unit: 'month', timeZone: 'America/New_York' }, Date.parse('2026-03-20T12:00:00Z'))).toISOString(), '2026-03-01T05:00:00.000Z');
  // Friday 4 December 2026 → Monday 30 November 00:00 UTC.
  assert.equal(new Date(calendarPeriodStart({ kind: 'calendar', unit: 'week', timeZone: 'UTC' }, Date.parse('2026-12-04T10:00:00Z'))).toISOString(), '2026-11-30T00:00:00.000Z');
  // A Monday itself starts its own week.
  assert.equal(new Date(calendarPeriodStart({ kind: 'calendar', unit: 'week', timeZone: 'UTC' }, Date.parse('2026-11-30T00:30:00Z'))).toISOString(), '2026-11-30T00:00:00.000Z');
});
