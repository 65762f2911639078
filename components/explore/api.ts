'use client';

// Explore's API as react-query hooks: each panel has its own queries, so each
// loads, fails and retries on its own. URLs are built from the view state
// only (never the window size), so a shared link asks for exactly what the
// page asked for. Types come from lib (type-only imports).
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/lib/api-errors';
import type { ExemplarsAnswer, HeatmapAnswer, RangeAnswer } from '@/lib/explore/metrics';
import type { DiffAnswer, FlameAnswer, SlowFastAnswer, SpanProfileAnswer } from '@/lib/explore/profiles';
import type { ExploreQualityAnswer } from '@/lib/explore/quality';
import type { RedAnswer, SearchAnswer, TraceHeatmapAnswer } from '@/lib/explore/traces';
import type { ProfileType, TimeRange } from '@/lib/model/types';

/** Charts are drawn at about this many points across, whatever the screen. */
export const CHART_WIDTH = 1200;

const qs = (params: Record<string, string | number | undefined | null>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  return p.toString();
};
const rangeParams = (r: TimeRange) => ({ from: Math.floor(r.from), to: Math.ceil(r.to) });

/** A GET of our API as a query: the URL is the key, so a changed range or query cancels the old request. */
function useApi<T>(url: string | null, opts: { keepPrevious?: boolean; refetchMs?: number | false } = {}) {
  return useQuery({
    queryKey: ['api', url],
    queryFn: ({ signal }) => fetchJson<T>(url!, { signal }),
    enabled: url !== null,
    placeholderData: opts.keepPrevious ? keepPreviousData : undefined,
    refetchInterval: opts.refetchMs ?? false,
  });
}

export const promRangeUrl = (query: string, r: TimeRange) => `/api/prometheus/query_range?${qs({ query, ...rangeParams(r), width: CHART_WIDTH })}`;
export const promExemplarsUrl = (query: string, r: TimeRange) => `/api/prometheus/query_exemplars?${qs({ query, ...rangeParams(r) })}`;
export const promHeatmapUrl = (selector: string, r: TimeRange) => `/api/prometheus/heatmap?${qs({ selector, ...rangeParams(r), width: CHART_WIDTH })}`;
export const traceSearchUrl = (q: string, r: TimeRange, limit = 100) => `/api/traces/search?${qs({ q, ...rangeParams(r), limit, spss: 1 })}`;
export const traceHeatmapUrl = (q: string, r: TimeRange) => `/api/traces/heatmap?${qs({ q, ...rangeParams(r), width: CHART_WIDTH })}`;
export const traceRedUrl = (q: string, r: TimeRange) => `/api/traces/red?${qs({ q, ...rangeParams(r), width: CHART_WIDTH })}`;

export const traceQualityUrl = (svc: string, r: TimeRange) => `/api/traces/quality?${qs({ svc, ...rangeParams(r) })}`;

export const usePromRange = (query: string, r: TimeRange) => useApi<RangeAnswer>(query ? promRangeUrl(query, r) : null, { keepPrevious: true });
export const usePromExemplars = (query: string, r: TimeRange) => useApi<ExemplarsAnswer>(query ? promExemplarsUrl(query, r) : null, { keepPrevious: true });
export const usePromHeatmap = (selector: string, r: TimeRange) => useApi<HeatmapAnswer>(selector ? promHeatmapUrl(selector, r) : null, { keepPrevious: true });

export const useTraceSearch = (q: string | null, r: TimeRange | null, limit = 100) => useApi<SearchAnswer>(q !== null && r ? traceSearchUrl(q, r, limit) : null, { keepPrevious: true });
export const useTraceHeatmap = (q: string, r: TimeRange) => useApi<TraceHeatmapAnswer>(traceHeatmapUrl(q, r), { keepPrevious: true });
export const useTraceRed = (q: string, r: TimeRange) => useApi<RedAnswer>(traceRedUrl(q, r), { keepPrevious: true });

export const useTraceQuality = (svc: string, r: TimeRange) => useApi<ExploreQualityAnswer>(traceQualityUrl(svc, r), { keepPrevious: true });

export const useTraceServices = (r: TimeRange) => useApi<{ source: string; values: string[] }>(`/api/traces/tags/resource.service.name/values?${qs(rangeParams(r))}`);

export const useProfileTypes = (r: TimeRange) => useApi<{ source: string; types: ProfileType[] }>(`/api/profiles/types?${qs(rangeParams(r))}`);
export const useProfileServices = (r: TimeRange) => useApi<{ source: string; values: string[] }>(`/api/profiles/label-values?${qs({ name: 'service_name', ...rangeParams(r) })}`);
export const useProfileLabels = (selector: string, r: TimeRange, enabled: boolean) =>
  useApi<{ source: string; names: string[] }>(enabled ? `/api/profiles/labels?${qs({ selector, ...rangeParams(r) })}` : null);
export const useProfileLabelValues = (name: string | null, selector: string, r: TimeRange) =>
  useApi<{ source: string; values: string[] }>(name ? `/api/profiles/label-values?${qs({ name, selector, ...rangeParams(r) })}` : null);

export const useFlame = (type: string, selector: string, r: TimeRange, enabled: boolean) =>
  useApi<FlameAnswer>(enabled ? `/api/profiles/flame?${qs({ type, selector, ...rangeParams(r) })}` : null, { keepPrevious: true });
export const useDiff = (p: { type: string; selector: string; range: TimeRange; baseSelector?: string; baseRange?: TimeRange } | null) =>
  useApi<DiffAnswer>(
    p
      ? `/api/profiles/diff?${qs({ type: p.type, selector: p.selector, ...rangeParams(p.range), baseSelector: p.baseSelector, baseFrom: p.baseRange?.from, baseTo: p.baseRange?.to })}`
      : null,
    { keepPrevious: true },
  );
export const useSpanProfile = (trace: string | null, span: string | null, r: TimeRange) =>
  useApi<SpanProfileAnswer>(trace && span ? `/api/profiles/span?${qs({ trace, span, ...rangeParams(r) })}` : null);
export const useSlowFast = (q: string | null, r: TimeRange) => useApi<SlowFastAnswer>(q !== null ? `/api/profiles/slow-vs-fast?${qs({ q, ...rangeParams(r), n: 10 })}` : null);
