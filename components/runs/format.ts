import type { TimeRange } from '@/lib/model/types';

/** A window as UTC wall-clock times, e.g. "2026-11-22 06:40:01 → 06:40:19 UTC". */
export function windowText(w: TimeRange): string {
  const a = new Date(w.from).toISOString();
  const b = new Date(w.to).toISOString();
  const end = a.slice(0, 10) === b.slice(0, 10) ? b.slice(11, 19) : `${b.slice(0, 10)} ${b.slice(11, 19)}`;
  return `${a.slice(0, 10)} ${a.slice(11, 19)} → ${end} UTC`;
}
