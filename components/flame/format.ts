import { formatDurationMs } from '@/lib/model/trace-layout';

// Text for flame graph values in the profile's unit (pprof sample_type unit).

export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  switch (unit) {
    case 'nanoseconds':
      return formatDurationMs(value / 1e6);
    case 'microseconds':
      return formatDurationMs(value / 1e3);
    case 'milliseconds':
      return formatDurationMs(value);
    case 'seconds':
      return formatDurationMs(value * 1e3);
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let v = value;
      let k = 0;
      while (Math.abs(v) >= 1024 && k < units.length - 1) {
        v /= 1024;
        k++;
      }
      return `${k ? v.toFixed(v < 10 ? 2 : 1) : v} ${units[k]}`;
    }
    default: {
      const n = Number.isInteger(value) ? value.toLocaleString('en-US') : value.toPrecision(4);
      return unit && unit !== 'count' ? `${n} ${unit}` : n;
    }
  }
}

/** 12.345 → "12.3 %", 0.0042 → "0.0042 %": small shares keep two significant digits. */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p === 0) return '0 %';
  const a = Math.abs(p);
  return `${a >= 10 ? p.toFixed(1) : a >= 0.1 ? p.toFixed(2) : p.toPrecision(2)} %`;
}
