// Explore's answers over HTTP: JSON has no NaN or Infinity, which Prometheus
// values may be, so those travel as Prometheus writes them ("NaN", "+Inf",
// "-Inf") and are read back here on the client. Heatmap rows carry "+Inf" too.
import type { Series } from '@/lib/model/types';
import type { Heatmap } from './heatmap';

export type JsonNumber = number | 'NaN' | '+Inf' | '-Inf';

export const toJsonNumber = (n: number): JsonNumber => (Number.isFinite(n) ? n : Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf');
export const fromJsonNumber = (n: JsonNumber): number => (typeof n === 'number' ? n : n === 'NaN' ? NaN : n === '+Inf' ? Infinity : -Infinity);

export interface SeriesJson {
  labels: Record<string, string>;
  values: [number, JsonNumber][];
}

export const encodeSeries = (s: Series): SeriesJson => ({ labels: s.labels, values: s.values.map(([t, v]) => [t, toJsonNumber(v)]) });
export const decodeSeries = (s: SeriesJson): Series => ({ labels: s.labels, values: s.values.map(([t, v]) => [t, fromJsonNumber(v)]) });

export type HeatmapJson = Omit<Heatmap, 'rows'> & { rows: { lower: number; upper: JsonNumber }[] };

export const encodeHeatmap = (h: Heatmap): HeatmapJson => ({ ...h, rows: h.rows.map((r) => ({ lower: r.lower, upper: toJsonNumber(r.upper) })) });
export const decodeHeatmap = (h: HeatmapJson): Heatmap => ({ ...h, rows: h.rows.map((r) => ({ lower: r.lower, upper: fromJsonNumber(r.upper) })) });
