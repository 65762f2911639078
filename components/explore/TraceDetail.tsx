'use client';

import { useMemo } from 'react';
import { FlameGraph } from '@/components/flame/FlameGraph';
import { useTrace } from '@/components/runs/api';
import { TraceWaterfall } from '@/components/trace/TraceWaterfall';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import type { ExploreState } from '@/lib/explore/url-state';
import { decodeTrace } from '@/lib/model/json';
import type { TimeRange } from '@/lib/model/types';
import { useSpanProfile } from './api';
import type { UpdateExplore } from './useExploreState';

/** One trace's waterfall; choosing a span opens its own CPU profile below (Grafana's traces-to-profiles). */
export function TraceDetail({ state, update, range }: { state: ExploreState; update: UpdateExplore; range: TimeRange }) {
  const traceId = state.trace!;
  const q = useTrace(traceId, range);
  const trace = useMemo(() => (q.data ? decodeTrace(q.data.trace) : null), [q.data]);
  const sp = useSpanProfile(traceId, state.span, range);
  const d = sp.data;
  return (
    <div className="flex flex-col gap-4">
      <Panel
        title="Trace"
        source={q.data?.source}
        testId="explore-trace"
        {...queryPanelState(q)}
        subtitle={
          <>
            <span className="font-mono">{traceId}</span> · choose a span to see its own CPU profile
          </>
        }
        actions={
          <button type="button" className="text-xs text-accent underline-offset-2 hover:underline" onClick={() => update({ trace: null })}>
            Close trace
          </button>
        }
      >
        {trace && <TraceWaterfall trace={trace} selectedSpanId={state.span} onSpanSelect={(span) => update({ span })} />}
      </Panel>
      {state.span && (
        <Panel
          title="Span CPU profile"
          source={d?.source}
          testId="explore-span-profile"
          {...queryPanelState(sp)}
          subtitle={
            d && (
              <>
                <span className="font-mono">{d.spanName}</span> in {d.service}: its samples and its {d.spanIds.length - 1} same-service descendant{d.spanIds.length === 2 ? '' : 's'}
                {d.batchSpanIds.length > 0 && `, plus ${d.batchSpanIds.length} batch span${d.batchSpanIds.length === 1 ? '' : 's'} it shared (that CPU is split with other requests)`}
                {d.profileType ? ` · ${d.profileType.sampleType} (${d.profileType.id})` : ''}
              </>
            )
          }
          empty={
            d &&
            !d.flame &&
            (d.profileType
              ? 'No CPU samples carry this span’s id. Spans that only wait (I/O, a queue) use no CPU; try a child span. The service must label samples with span_id (Pyroscope’s span profiles).'
              : 'No profiles are stored around this span: does the service push CPU profiles (PYROSCOPE_SERVER_ADDRESS)?')
          }
        >
          {d?.flame && (
            <FlameGraph
              flame={d.flame}
              unit={d.profileType?.sampleUnit ?? 'nanoseconds'}
              zoomPath={state.szoom}
              onZoomPathChange={(szoom) => update({ szoom })}
              search={state.sq}
              onSearchChange={(sq) => update({ sq }, 'replace')}
              layout="below"
              maxHeight={360}
              topFunctionsLimit={15}
            />
          )}
        </Panel>
      )}
    </div>
  );
}
