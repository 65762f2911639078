'use client';

// The load-target API as react-query hooks (the runs' own hooks are in components/runs/api).
// Types come from lib; only names travel.
import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/lib/api-errors';
import type { ModelLimits } from '@/lib/loadruns/limits';
import type { PublicTarget } from '@/lib/targets/targets';

/** A target as GET /api/targets lists it: the served model's limits when its /v1/models answered. */
export type TargetWithLimits = PublicTarget & { limits: ModelLimits | null; limitsError?: string };

export function useTargets() {
  return useQuery({
    queryKey: ['load-targets'],
    queryFn: ({ signal }) => fetchJson<{ targets: TargetWithLimits[] }>('/api/targets', { signal }),
    staleTime: 60_000,
  });
}
