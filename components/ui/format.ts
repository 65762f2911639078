// Number and time formatting for figures (run tables, panels): fixed, locale-free,
// "—" for missing values.
export function ms(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v >= 100 ? v.toFixed(0) : v.toFixed(2);
}

export function rate(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return v.toFixed(digits);
}

export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(1)} %`;
}

export function when(iso: string | null): string {
  if (!iso) return '—';
  // ISO without the milliseconds and zone: readable and unambiguous (UTC).
  return `${iso.slice(0, 19).replace('T', ' ')} UTC`;
}
