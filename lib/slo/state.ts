// An SLO's state from its numbers and its alerts, in one place. Pure.
import type { Severity } from './maths';

export type SloState = 'ok' | 'warning' | 'burning' | 'no data';

export interface AlertState {
  severity: Severity;
  state: 'pending' | 'firing';
  /** unix ms */
  activeAt: number;
}

/**
 * - burning: a page alert fires (the budget goes fast enough to wake someone);
 * - warning: a ticket alert fires, a page alert is pending, or the period's budget is spent;
 * - no data: no SLI value (no traffic in the period, or the rules are not evaluated yet);
 * - ok: otherwise.
 */
export function sloState(input: { budgetRemaining: number | null; alerts: readonly AlertState[] }): { state: SloState; reason: string } {
  const firing = (s: Severity) => input.alerts.some((a) => a.severity === s && a.state === 'firing');
  if (firing('page')) return { state: 'burning', reason: 'the page alert is firing: the error budget burns fast' };
  if (firing('ticket')) return { state: 'warning', reason: 'the ticket alert is firing: the error budget burns faster than it lasts' };
  if (input.alerts.some((a) => a.severity === 'page' && a.state === 'pending')) return { state: 'warning', reason: 'the page alert is pending' };
  if (input.budgetRemaining === null || !Number.isFinite(input.budgetRemaining)) return { state: 'no data', reason: 'no SLI value: no requests in the period yet, or Prometheus has not evaluated the rules yet' };
  if (input.budgetRemaining <= 0) return { state: 'warning', reason: 'the error budget of the period is spent' };
  return { state: 'ok', reason: 'within budget, no alert' };
}

/** A value Prometheus sent, or null for NaN / ±Inf (0/0 when there was no traffic). */
export function finiteOrNull(v: number | undefined): number | null {
  return v !== undefined && Number.isFinite(v) ? v : null;
}

export interface BurningPeriod {
  /** unix ms */
  from: number;
  to: number;
  /** highest burn rate in the period */
  peakBurnRate: number;
  /** share of the period's error budget it consumed (Σ burn rate × step ÷ period) */
  budgetConsumed: number;
}

/**
 * Stretches of a burn-rate series above `threshold` (default 1: burning faster
 * than the budget lasts), with the budget each consumed. `points` are
 * [unix ms, burn rate] at a fixed `stepMs`; a gap or a value at or below the
 * threshold ends a stretch.
 */
export function burningPeriods(points: readonly [number, number][], stepMs: number, periodMs: number, threshold = 1): BurningPeriod[] {
  const out: BurningPeriod[] = [];
  let cur: BurningPeriod | null = null;
  let lastT = -Infinity;
  for (const [t, v] of points) {
    const contiguous = t - lastT <= stepMs * 1.5;
    lastT = t;
    if (!(Number.isFinite(v) && v > threshold) || (cur && !contiguous)) {
      if (cur) out.push(cur);
      cur = null;
      if (!(Number.isFinite(v) && v > threshold)) continue;
    }
    // Each point stands for the step that ends at it.
    if (!cur) cur = { from: t - stepMs, to: t, peakBurnRate: v, budgetConsumed: 0 };
    cur.to = t;
    cur.peakBurnRate = Math.max(cur.peakBurnRate, v);
    cur.budgetConsumed += (v * stepMs) / periodMs;
  }
  if (cur) out.push(cur);
  return out;
}
