// Which of a preset's names a Prometheus actually has. Model servers rename
// and deprecate metrics (vLLM's time_per_output_token_seconds →
// inter_token_latency_seconds), so each figure has a list of names, current
// first (lib/targets/presets.ts); the metadata API says which exist, and a
// panel says which one it read and which it looked for.
import type { PrometheusClient } from '@/lib/datasources/prometheus/client';
import { FIGURE_LABELS, LATENCY_FIGURES, type LatencyFigure, type ServingMetricsPreset } from './presets';

export interface ResolvedFigure {
  figure: LatencyFigure;
  label: string;
  /** the histogram read, or null when none of the names exists (or the server has none) */
  metric: string | null;
  /** every name looked for, in order of preference */
  candidates: readonly string[];
  /** one line for the panel: which series, and what was not found */
  note: string;
}

/** Pure: the first candidate Prometheus knows, and the sentence that says so. */
export function pickFigure(preset: Pick<ServingMetricsPreset, 'label' | 'latency'>, figure: LatencyFigure, known: ReadonlySet<string>): ResolvedFigure {
  const candidates = preset.latency[figure];
  const label = FIGURE_LABELS[figure];
  if (!candidates.length) return { figure, label, metric: null, candidates, note: `${preset.label} exports no ${label.toLowerCase()} histogram.` };
  const metric = candidates.find((c) => known.has(c)) ?? null;
  if (!metric) return { figure, label, metric: null, candidates, note: `None of ${candidates.join(', ')} is in Prometheus (not scraped yet, or hidden by this server's version).` };
  const skipped = candidates.slice(0, candidates.indexOf(metric));
  return {
    figure,
    label,
    metric,
    candidates,
    note: skipped.length ? `Using ${metric}: ${skipped.join(', ')} ${skipped.length === 1 ? 'is' : 'are'} not exported by this server.` : `Using ${metric}.`,
  };
}

/**
 * The names among `candidates` that Prometheus has: metadata first (what the
 * targets declare), then series (metadata is absent for remote-written data).
 */
export async function knownMetrics(client: PrometheusClient, candidates: readonly string[], signal?: AbortSignal): Promise<Set<string>> {
  const known = new Set<string>();
  const metadata = await Promise.all(candidates.map((m) => client.metadata({ metric: m, signal }).then((d) => (d[m]?.length ? m : null))));
  for (const m of metadata) if (m) known.add(m);
  const rest = candidates.filter((c) => !known.has(c));
  if (rest.length) {
    // A histogram is there when its _count series is.
    const sets = await client.series(rest.map((m) => `{__name__=${JSON.stringify(`${m}_count`)}}`), { range: { from: Date.now() - 6 * 3_600_000, to: Date.now() }, signal });
    for (const s of sets) if (s.__name__?.endsWith('_count')) known.add(s.__name__.slice(0, -'_count'.length));
  }
  return known;
}

/** Every latency figure of a preset, resolved against a Prometheus. */
export async function resolvePreset(client: PrometheusClient, preset: ServingMetricsPreset, signal?: AbortSignal): Promise<ResolvedFigure[]> {
  const known = await knownMetrics(client, [...new Set(LATENCY_FIGURES.flatMap((f) => preset.latency[f]))], signal);
  return LATENCY_FIGURES.map((f) => pickFigure(preset, f, known));
}

/** One figure of a preset, resolved. */
export async function resolveFigure(client: PrometheusClient, preset: ServingMetricsPreset, figure: LatencyFigure, signal?: AbortSignal): Promise<ResolvedFigure> {
  return pickFigure(preset, figure, await knownMetrics(client, preset.latency[figure], signal));
}
