'use client';

// The /api/runs API as react-query hooks: the run list, one run, and each run
// panel with its own query, so each loads, fails and retries on its own. Types
// come from lib (type-only imports).
import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/lib/api-errors';
import { formatBucketParam, type LatencyBucket } from '@/lib/correlate';
import type { RunView } from '@/lib/loadruns/store';
import type { TraceJson } from '@/lib/model/json';
import type { TimeRange } from '@/lib/model/types';
import type { FlamePanel, LatencyPanel, QualityPanel, SpanProfilePanel, TracesPanel } from '@/lib/runs/panels';
import type { LatencyMetric, ProfileKind } from '@/lib/runs/views';

export const runKeys = {
  all: ['load-runs'] as const,
  list: () => [...runKeys.all, 'list'] as const,
  one: (id: string, samples = false) => [...runKeys.all, 'one', id, samples] as const,
};

const isLive = (r: RunView) => r.status === 'queued' || r.status === 'running';

export function useRuns() {
  return useQuery({
    queryKey: runKeys.list(),
    queryFn: ({ signal }) => fetchJson<{ runs: RunView[] }>('/api/runs?limit=50', { signal }),
    // Keep the history fresh while a run it lists is still going.
    refetchInterval: (q) => (q.state.data?.runs.some(isLive) ? 3000 : false),
  });
}

/** One run; `samples` adds the per-request client-side measures (for the histogram overlay). */
export function useRun(id: string, opts: { samples?: boolean } = {}) {
  return useQuery({
    queryKey: runKeys.one(id, !!opts.samples),
    queryFn: ({ signal }) => fetchJson<RunView>(`/api/runs/${encodeURIComponent(id)}${opts.samples ? '?samples=1' : ''}`, { signal }),
    staleTime: (q) => (q.state.data && !isLive(q.state.data) ? Infinity : 0),
  });
}

const base = (id: string) => `/api/runs/${encodeURIComponent(id)}`;

/** While profiles may still arrive, poll a few times per flush interval (2–5 s). */
const pollWhilePending = (d: { pending: boolean; flushIntervalS: number } | undefined) =>
  d?.pending ? Math.min(5000, Math.max(2000, (d.flushIntervalS * 1000) / 3)) : false;

export function useLatency(id: string, metric: LatencyMetric) {
  return useQuery({
    queryKey: ['run-panels', id, 'latency', metric],
    queryFn: ({ signal }) => fetchJson<LatencyPanel>(`${base(id)}/latency?metric=${metric}`, { signal }),
    // Spans (or scrapes) of a run that just ended may still be arriving.
    refetchInterval: (q) => (q.state.data?.pending ? 2000 : false),
  });
}

export function useFlame(id: string, compare: string | null, kind: ProfileKind = 'cpu') {
  return useQuery({
    queryKey: ['run-panels', id, 'flame', kind, compare],
    queryFn: ({ signal }) => fetchJson<FlamePanel>(`${base(id)}/flame?kind=${kind}${compare ? `&compare=${encodeURIComponent(compare)}` : ''}`, { signal }),
    refetchInterval: (q) => pollWhilePending(q.state.data),
  });
}

/** Every signal at once: one answer per run (the tabs only pick which one to draw). */
export function useQuality(id: string) {
  return useQuery({
    queryKey: ['run-panels', id, 'quality'],
    queryFn: ({ signal }) => fetchJson<QualityPanel>(`${base(id)}/quality`, { signal }),
    // Spans of a run that just ended may still be arriving.
    refetchInterval: (q) => (q.state.data?.pending ? 2000 : false),
  });
}

export function useBucketTraces(id: string, metric: LatencyMetric, bucket: LatencyBucket | null) {
  const b = bucket ? formatBucketParam(bucket) : null;
  return useQuery({
    queryKey: ['run-panels', id, 'traces', metric, b],
    queryFn: ({ signal }) => fetchJson<TracesPanel>(`${base(id)}/traces?metric=${metric}&bucket=${encodeURIComponent(b!)}`, { signal }),
    enabled: b !== null,
    // Spans of a run that just ended may still be on their way from the exporters.
    refetchInterval: (q) => (q.state.data?.pending ? 2000 : false),
  });
}

export function useTrace(traceId: string | null, range: TimeRange) {
  return useQuery({
    queryKey: ['trace', traceId, range.from, range.to],
    queryFn: ({ signal }) =>
      fetchJson<{ source: string; trace: TraceJson }>(`/api/traces/${encodeURIComponent(traceId!)}?from=${Math.floor(range.from)}&to=${Math.ceil(range.to)}`, { signal }),
    enabled: traceId !== null,
  });
}

export function useSpanProfile(id: string, traceId: string | null, spanId: string | null, kind: 'cpu' | 'gpu' = 'cpu') {
  return useQuery({
    queryKey: ['run-panels', id, 'span-profile', kind, traceId, spanId],
    queryFn: ({ signal }) => fetchJson<SpanProfilePanel>(`${base(id)}/span-profile?trace=${traceId}&span=${spanId}&kind=${kind}`, { signal }),
    enabled: traceId !== null && spanId !== null,
    refetchInterval: (q) => (q.state.data && !q.state.data.flame ? pollWhilePending(q.state.data) : false),
  });
}
