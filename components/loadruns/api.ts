'use client';

// The load-run API as react-query hooks. Types come from lib; only names travel.
import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/lib/api-errors';
import type { RunView } from '@/lib/loadruns/store';
import type { ModelLimits } from '@/lib/loadruns/limits';
import type { PublicTarget } from '@/lib/targets/targets';

/** A target as GET /api/targets lists it: the served model's limits when its /v1/models answered. */
export type TargetWithLimits = PublicTarget & { limits: ModelLimits | null; limitsError?: string };

export const runKeys = {
  all: ['load-runs'] as const,
  list: () => [...runKeys.all, 'list'] as const,
  one: (id: string, samples = false) => [...runKeys.all, 'one', id, samples] as const,
};

export function useTargets() {
  return useQuery({
    queryKey: ['load-targets'],
    queryFn: ({ signal }) => fetchJson<{ targets: TargetWithLimits[] }>('/api/targets', { signal }),
    staleTime: 60_000,
  });
}

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
