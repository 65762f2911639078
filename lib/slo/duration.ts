// Prometheus durations, written the way Prometheus (and so Sloth) writes them:
// prometheus/common model.Duration.String — largest units first, compound
// (`1h30m`), `y` and `w` only when they divide the whole duration (28d → `4w`,
// but 30d stays `30d`, not `4w2d`). Sloth names
// its recording rules with this string (slo:sli_error:ratio_rate4w), so ours
// must match it character for character.

const UNITS: [string, number][] = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** "5m" → 300000; "1h30m" → 5400000; throws on anything else. */
export function parseDuration(s: string): number {
  if (!/^(\d+(y|w|d|h|ms|m|s))+$/.test(s)) throw new Error(`not a duration: ${JSON.stringify(s)} (use e.g. 5m, 1h, 30d)`);
  let ms = 0;
  for (const m of s.matchAll(/(\d+)(y|w|d|h|ms|m|s)/g)) ms += Number(m[1]) * UNITS.find(([u]) => u === m[2])![1];
  return ms;
}

export function isDuration(s: string): boolean {
  try {
    return parseDuration(s) > 0;
  } catch {
    return false;
  }
}

/** 300000 → "5m"; 2419200000 → "4w"; 0 → "0s" (prometheus/common's format). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of UNITS) {
    if ((unit === 'y' || unit === 'w') && rest % size !== 0) continue;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

/** For people: "5 minutes", "2.1 days", "6 hours". */
export function humanDuration(ms: number): string {
  const abs = Math.abs(ms);
  const fmt = (n: number, unit: string) => {
    const v = n >= 10 ? Math.round(n) : Math.round(n * 10) / 10;
    return `${v} ${unit}${v === 1 ? '' : 's'}`;
  };
  if (abs < 60_000) return fmt(ms / 1000, 'second');
  if (abs < 3_600_000) return fmt(ms / 60_000, 'minute');
  if (abs < 86_400_000) return fmt(ms / 3_600_000, 'hour');
  return fmt(ms / 86_400_000, 'day');
}
