// Numbers of the SLO pages, written for people. Pure.
import type { SloState } from '@/lib/slo/state';

/** 0.99512 → "99.51 %"; null → "–". Enough digits to tell 99.9 from 99.95. */
export function percentText(ratio: number | null | undefined, digits = 2): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '–';
  return `${(ratio * 100).toFixed(digits)} %`;
}

/** Burn rate: "0.42×", "14.4×", "–". */
export function burnText(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  return `${rate >= 10 ? rate.toFixed(1) : rate.toFixed(2)}×`;
}

export const STATE_TONE: Record<SloState, 'ok' | 'warn' | 'danger' | 'neutral'> = { ok: 'ok', warning: 'warn', burning: 'danger', 'no data': 'neutral' };

/** The error budget left, clamped to a bar's 0–100 %. */
export function budgetBarWidth(remaining: number | null): number {
  if (remaining === null || !Number.isFinite(remaining)) return 0;
  return Math.max(0, Math.min(100, remaining * 100));
}

export const SLI_KIND_LABEL = { ratio: 'Ratio', latency: 'Latency', trace: 'Traces' } as const;
