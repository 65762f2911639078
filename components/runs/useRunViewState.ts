'use client';

import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';
import { changeView, readViewState, writeViewState, type RunViewState } from '@/lib/runs/url-state';

export type UpdateView = (patch: Partial<RunViewState>, mode?: 'push' | 'replace') => void;

/**
 * The run page's view state, read from and written to the URL (lib/runs/url-state).
 * Writes go through history.pushState / replaceState, which Next.js mirrors into
 * useSearchParams without a server round trip: selections push (Back undoes them),
 * typing in a search box replaces. Must sit under a <Suspense> boundary.
 */
export function useRunViewState(): [RunViewState, UpdateView] {
  const params = useSearchParams();
  const pathname = usePathname();
  const state = useMemo(() => readViewState(params), [params]);
  const update = useCallback<UpdateView>(
    (patch, mode = 'push') => {
      // From the live URL, not the last render: two quick changes must not undo each other.
      const current = new URLSearchParams(window.location.search);
      const qs = writeViewState(current, changeView(readViewState(current), patch));
      const url = `${pathname}${qs.size ? `?${qs}` : ''}`;
      if (mode === 'push') window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
    },
    [pathname],
  );
  return [state, update];
}
