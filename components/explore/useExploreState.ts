'use client';

import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { changeExplore, readExploreState, writeExploreState, type ExploreState } from '@/lib/explore/url-state';

export type UpdateExplore = (patch: Partial<ExploreState>, mode?: 'push' | 'replace') => void;

/**
 * Explore's view state, read from and written to the URL (lib/explore/url-state).
 * Writes go through history.pushState / replaceState, which Next.js mirrors into
 * useSearchParams without a server round trip: selections push (Back undoes
 * them), typing replaces. Must sit under a <Suspense> boundary.
 */
export function useExploreState(): [ExploreState, UpdateExplore] {
  const params = useSearchParams();
  const pathname = usePathname();
  const state = useMemo(() => readExploreState(params), [params]);
  const update = useCallback<UpdateExplore>(
    (patch, mode = 'push') => {
      // From the live URL, not the last render: two quick changes must not undo each other.
      const current = new URLSearchParams(window.location.search);
      const qs = writeExploreState(current, changeExplore(readExploreState(current), patch));
      const url = `${pathname}${qs.size ? `?${qs}` : ''}`;
      if (mode === 'push') window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
    },
    [pathname],
  );
  return [state, update];
}
