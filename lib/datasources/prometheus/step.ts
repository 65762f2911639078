import type { TimeRange } from '@/lib/model/types';

// Choosing query_range's step. Pure; seconds throughout (Prometheus's unit).

/** Prometheus rejects a query_range whose (end - start) / step exceeds this. */
export const MAX_POINTS_PER_SERIES = 11_000;

/** Steps a reader recognises; coarser than a day, whole days. */
export const NICE_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

/** The smallest nice step ≥ s. */
export function niceStep(s: number): number {
  for (const n of NICE_STEPS_S) if (n >= s) return n;
  return Math.ceil(s / 86400) * 86400;
}

export interface StepInput {
  range: TimeRange;
  /** panel width in pixels: more than one point per pixel cannot be seen */
  widthPx: number;
  /** never go below this (the scrape interval: finer steps only repeat samples); default 1 s */
  minStepS?: number;
}

/**
 * Step for a range drawn `widthPx` wide: about one point per pixel, rounded up
 * to a nice step, never below `minStepS`, and never so small that the series
 * would exceed Prometheus's 11,000-points limit (it would reject the query).
 */
export function chooseStep({ range, widthPx, minStepS = 1 }: StepInput): number {
  const rangeS = Math.max(0, (range.to - range.from) / 1000);
  const perPixel = rangeS / Math.max(1, Math.floor(widthPx));
  // alignToStep may widen the range by up to one step at each end: keep two points spare.
  const budget = MAX_POINTS_PER_SERIES - 2;
  let step = niceStep(Math.max(perPixel, minStepS));
  if (rangeS / step > budget) step = niceStep(rangeS / budget);
  return step;
}

/**
 * Start/end in unix seconds snapped to multiples of the step, so that panels
 * refreshed a few seconds apart ask for (and cache) the same points and a
 * point does not drift between refreshes. The end is snapped up: the last
 * point still covers "now".
 */
export function alignToStep(range: TimeRange, stepS: number): { start: number; end: number } {
  const start = Math.floor(range.from / 1000 / stepS) * stepS;
  const end = Math.ceil(range.to / 1000 / stepS) * stepS;
  return { start, end: Math.max(start, end) };
}

/**
 * Window for rate()/increase() at this step: at least four scrape intervals
 * (so the window always holds two samples even with a missed scrape) and at
 * least one step (so no sample falls between points).
 */
export function rateWindowS(stepS: number, scrapeIntervalS: number): number {
  return Math.max(stepS, 4 * scrapeIntervalS);
}

/** Seconds → a PromQL duration literal ("90s", "5m", "1h"); exact, never rounded. */
export function promDuration(s: number): string {
  if (s % 86400 === 0) return `${s / 86400}d`;
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  if (Number.isInteger(s)) return `${s}s`;
  return `${Math.round(s * 1000)}ms`;
}
