'use client';

import { useCallback } from 'react';
import { ShareButton } from '@/components/incidents/ShareButton';
import { useTimeRange } from '@/components/time-range/useTimeRange';
import { PageHeader } from '@/components/ui/EmptyState';
import { defaultTraceQL } from '@/lib/explore/url-state';
import { describeTimeRange } from '@/lib/time-range';
import { MetricsPanel } from './MetricsPanel';
import { ProfilesPanel } from './ProfilesPanel';
import { QualityPanel } from './QualityPanel';
import { TraceDetail } from './TraceDetail';
import { TracesPanel } from './TracesPanel';
import { useExploreState } from './useExploreState';

/**
 * Explore: metrics, traces and CPU profiles of any service for the one time
 * range at the top. Every selection is in the URL; dragging across any chart
 * zooms them all. The move it exists for: a slow band (heatmap cell or
 * exemplar) → its traces → a span → that span's own CPU, and slow vs fast.
 * Needs a <Suspense> boundary above it (useSearchParams).
 */
export function ExploreView({ shared = false }: { shared?: boolean }) {
  const [state, update] = useExploreState();
  const { raw, range, setTimeRange } = useTimeRange();
  const onZoom = useCallback((from: number, to: number) => setTimeRange({ from: String(Math.floor(from)), to: String(Math.ceil(to)) }), [setTimeRange]);
  const traceQuery = state.tq || defaultTraceQL(state.svc);
  return (
    <div className="flex flex-col gap-4" data-testid="explore">
      {!shared && (
        <div className="flex flex-wrap items-start justify-between gap-3">
          <PageHeader title="Explore" description="Metrics, traces and CPU profiles of any service for the time range at the top. Drag across a chart to zoom; choose a heatmap cell, an exemplar or a slow trace to see its spans and their own CPU." />
          <ShareButton path="/explore" range={range} title={`Explore · ${state.svc || 'all services'} · ${describeTimeRange(raw, Date.now())}`} />
        </div>
      )}
      <MetricsPanel state={state} update={update} range={range} traceQuery={traceQuery} onZoom={onZoom} />
      <TracesPanel
        state={state}
        update={update}
        range={range}
        onZoom={onZoom}
        onCompareSlowFast={() => {
          update({ cmp: 'slowfast' });
          document.querySelector('[data-testid="explore-profiles"]')?.scrollIntoView({ behavior: 'smooth', block: 'start' });
        }}
      />
      <QualityPanel state={state} update={update} range={range} />
      {state.trace && <TraceDetail state={state} update={update} range={range} />}
      <ProfilesPanel state={state} update={update} range={range} />
    </div>
  );
}
