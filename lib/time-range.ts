// The global time range, as Grafana users know it: `from`/`to` are either
// relative expressions (`now`, `now-15m`, `now-1h`, …) or absolute instants.
// Absolute instants are written to the URL as unix milliseconds (short, no
// escaping, timezone-free); ISO 8601 is accepted too so hand-written links work.
// Everything here is pure: the caller passes `now`.

import type { TimeRange } from '@/lib/model/types';

/** The raw, URL-level form of a range: what `?from=…&to=…` holds. */
export interface RawTimeRange {
  from: string;
  to: string;
}

export const DEFAULT_TIME_RANGE: RawTimeRange = { from: 'now-1h', to: 'now' };

/** Relative ranges offered by the picker, shortest first. */
export const RELATIVE_PRESETS: readonly { from: string; label: string }[] = [
  { from: 'now-5m', label: 'Last 5 minutes' },
  { from: 'now-15m', label: 'Last 15 minutes' },
  { from: 'now-1h', label: 'Last 1 hour' },
  { from: 'now-6h', label: 'Last 6 hours' },
  { from: 'now-24h', label: 'Last 24 hours' },
  { from: 'now-7d', label: 'Last 7 days' },
];

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;
const UNIT_WORDS: Record<Unit, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week' };

const RELATIVE = /^now(?:([+-])(\d{1,6})([smhdw]))?$/;
// Unix milliseconds between 2000-01-01 and 2100-01-01: rules out seconds typed by mistake.
const MIN_MS = 946_684_800_000;
const MAX_MS = 4_102_444_800_000;
/** The longest range we accept; longer ones would make every backend query unreasonable. */
export const MAX_RANGE_MS = 90 * UNIT_MS.d;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export function isRelative(expr: string): boolean {
  return RELATIVE.test(expr.trim());
}

/** Resolves one expression (`now-1h`, `1700000000000`, `2026-11-22T05:00:00Z`) to unix ms. */
export function parseTimeExpression(expr: string, now: number): ParseResult<number> {
  const s = expr.trim();
  if (!s) return { ok: false, error: 'empty time' };
  const rel = RELATIVE.exec(s);
  if (rel) {
    if (!rel[1]) return { ok: true, value: now };
    const delta = Number(rel[2]) * UNIT_MS[rel[3] as Unit];
    return { ok: true, value: rel[1] === '-' ? now - delta : now + delta };
  }
  let ms: number;
  if (/^\d+$/.test(s)) ms = Number(s);
  // Only full ISO dates/date-times; Date.parse accepts far too much otherwise.
  else if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(s)) ms = Date.parse(s);
  else return { ok: false, error: `not a time: ${JSON.stringify(s)} (expected now, now-15m, unix ms or ISO 8601)` };
  if (!Number.isFinite(ms)) return { ok: false, error: `not a valid date: ${JSON.stringify(s)}` };
  if (ms < MIN_MS || ms > MAX_MS) return { ok: false, error: `time out of range (years 2000–2100 in unix ms): ${JSON.stringify(s)}` };
  return { ok: true, value: ms };
}

/** Resolves both ends and checks from < to and the maximum span. */
export function resolveTimeRange(raw: RawTimeRange, now: number): ParseResult<TimeRange> {
  const from = parseTimeExpression(raw.from, now);
  if (!from.ok) return { ok: false, error: `from: ${from.error}` };
  const to = parseTimeExpression(raw.to, now);
  if (!to.ok) return { ok: false, error: `to: ${to.error}` };
  if (from.value >= to.value) return { ok: false, error: 'from must be before to' };
  if (to.value - from.value > MAX_RANGE_MS) return { ok: false, error: 'range longer than 90 days' };
  return { ok: true, value: { from: from.value, to: to.value } };
}

/**
 * Reads `from`/`to` from URL search params. A missing or invalid pair falls back
 * to the default, and `error` says why, so a bad hand-edited link still renders.
 */
export function readTimeRangeParams(
  params: { get(name: string): string | null },
  now: number,
): { raw: RawTimeRange; range: TimeRange; error?: string } {
  const from = params.get('from');
  const to = params.get('to');
  if (from === null && to === null) {
    const r = resolveTimeRange(DEFAULT_TIME_RANGE, now);
    if (!r.ok) throw new Error(r.error); // the default always resolves
    return { raw: DEFAULT_TIME_RANGE, range: r.value };
  }
  const raw = { from: from ?? DEFAULT_TIME_RANGE.from, to: to ?? DEFAULT_TIME_RANGE.to };
  const r = resolveTimeRange(raw, now);
  if (r.ok) return { raw, range: r.value };
  const d = resolveTimeRange(DEFAULT_TIME_RANGE, now);
  if (!d.ok) throw new Error(d.error);
  return { raw: DEFAULT_TIME_RANGE, range: d.value, error: r.error };
}

/** Returns a copy of `search` with from/to set, other parameters kept. */
export function withTimeRange(search: string | URLSearchParams, raw: RawTimeRange): URLSearchParams {
  const p = new URLSearchParams(search);
  p.set('from', raw.from.trim());
  p.set('to', raw.to.trim());
  return p;
}

function relativeWords(expr: string): string | undefined {
  const m = RELATIVE.exec(expr.trim());
  if (m?.[1] !== '-') return undefined;
  const n = Number(m[2]);
  const word = UNIT_WORDS[m[3] as Unit];
  return `Last ${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A short human label: "Last 1 hour", or "2026-11-22 05:00:00 → 06:00:00 UTC". */
export function describeTimeRange(raw: RawTimeRange, now: number): string {
  const preset = RELATIVE_PRESETS.find((p) => p.from === raw.from.trim());
  if (raw.to.trim() === 'now') {
    if (preset) return preset.label;
    const words = relativeWords(raw.from);
    if (words) return words;
  }
  const r = resolveTimeRange(raw, now);
  if (!r.ok) return `${raw.from} to ${raw.to}`;
  const a = formatUtc(r.value.from);
  const b = formatUtc(r.value.to);
  // Same day: show the date once.
  const bShort = a.slice(0, 10) === b.slice(0, 10) ? b.slice(11) : b;
  return `${a} → ${bShort} UTC`;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC. */
export function formatUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** Value for an `<input type="datetime-local">`, in the given UTC offset (minutes east, e.g. 60 for CET). */
export function toDatetimeLocal(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 16);
}

/** Inverse of toDatetimeLocal: `2026-11-22T05:00` at the given UTC offset → unix ms. */
export function fromDatetimeLocal(value: string, offsetMinutes: number): ParseResult<number> {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return { ok: false, error: `not a date and time: ${JSON.stringify(value)}` };
  const ms = Date.parse(`${value}Z`);
  if (!Number.isFinite(ms)) return { ok: false, error: `not a valid date: ${JSON.stringify(value)}` };
  return { ok: true, value: ms - offsetMinutes * 60_000 };
}

/**
 * The pages whose panels read the global time range: the header shows the
 * picker only there, since a control that changes nothing misleads (the run
 * page has its own window). Explore and SLOs join this list when their panels
 * read the range.
 */
export const PAGES_WITH_TIME_RANGE: readonly string[] = [];

/** Whether the page at `pathname` reads the global time range (a listed path or one below it). */
export function pageUsesTimeRange(pathname: string, pages: readonly string[] = PAGES_WITH_TIME_RANGE): boolean {
  return pages.some((p) => pathname === p || pathname.startsWith(`${p}/`));
}
