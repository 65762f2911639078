// Some libraries (ECharts tooltips) take HTML strings. Anything that came from
// telemetry (labels, span names, trace ids) goes through this first.

const MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => MAP[c]);
}
