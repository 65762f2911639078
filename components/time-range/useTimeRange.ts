'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import type { TimeRange } from '@/lib/model/types';
import { readTimeRangeParams, withTimeRange, type RawTimeRange } from '@/lib/time-range';

// "Refresh" re-resolves relative ranges against a new `now`. It is a tiny
// shared store so every panel using the hook moves together.
let refreshTick = 0;
const listeners = new Set<() => void>();
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => listeners.delete(l);
};
const getTick = () => refreshTick;

export interface UseTimeRange {
  /** As in the URL: `{ from: 'now-1h', to: 'now' }` or unix-ms strings. Use it in query keys with `range`. */
  raw: RawTimeRange;
  /** Resolved unix-ms window; stable until the URL changes or refresh() is called. */
  range: TimeRange;
  /** Why the URL's range was ignored (the default was used instead). */
  error?: string;
  setTimeRange: (raw: RawTimeRange) => void;
  /** Moves relative ranges to the current time. */
  refresh: () => void;
  /** `?live=1`: the range follows now (the picker refreshes it every LIVE_INTERVAL_MS). */
  live: boolean;
  setLive: (on: boolean) => void;
}

/** How often a live range moves to now. */
export const LIVE_INTERVAL_MS = 10_000;

/**
 * The global time range from `?from=…&to=…`. Components that use it must sit
 * under a <Suspense> boundary (Next.js requires it for useSearchParams).
 */
export function useTimeRange(): UseTimeRange {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const tick = useSyncExternalStore(subscribe, getTick, getTick);
  const from = params.get('from');
  const to = params.get('to');
// biome-ignore lint/correctness/useExhaustiveDependencies: `tick` is the refresh signal for a new `now`, deliberately a dependency it does not read
  const resolved = useMemo(
    () => readTimeRangeParams({ get: (k) => (k === 'from' ? from : k === 'to' ? to : null) }, Date.now()),
    // `tick` is not read inside: it changes when refresh() asks for a new `now`.
    [from, to, tick],
  );
  const setTimeRange = useCallback(
    (raw: RawTimeRange) => {
      const next = withTimeRange(params.toString(), raw);
      router.push(`${pathname}?${next.toString()}`, { scroll: false });
    },
    [params, pathname, router],
  );
  const refresh = useCallback(() => {
    refreshTick++;
    for (const l of listeners) l();
  }, []);
  const live = params.get('live') === '1';
  const setLive = useCallback(
    (on: boolean) => {
      const next = new URLSearchParams(params.toString());
      if (on) next.set('live', '1');
      else next.delete('live');
      router.replace(`${pathname}?${next.toString()}`, { scroll: false });
    },
    [params, pathname, router],
  );
  return { ...resolved, setTimeRange, refresh, live, setLive };
}
