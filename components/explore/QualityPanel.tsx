'use client';

import { QUALITY_TABS, QualitySignalView } from '@/components/quality/QualitySignalView';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import type { ExploreState } from '@/lib/explore/url-state';
import type { TimeRange } from '@/lib/model/types';
import { useTraceQuality } from './api';
import type { UpdateExplore } from './useExploreState';

/**
 * The model-side quality signals of the chosen service's request spans over the
 * range, the run page's charts (components/quality): per signal (a tab, in the
 * URL) the distribution and a scatter against E2E latency. A point or a row
 * opens that request's trace in Explore's trace view below.
 */
export function QualityPanel({ state, update, range }: { state: ExploreState; update: UpdateExplore; range: TimeRange }) {
  const q = useTraceQuality(state.svc, range);
  const d = q.data;
  const s = d?.signals.find((x) => x.signal === state.qsig);
  const idBase = 'explore-quality';
  const open = (trace: string) => {
    update({ trace, span: null });
    // The trace view renders below once the URL says which trace.
    requestAnimationFrame(() => document.querySelector('[data-testid="explore-trace"]')?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
  };
  const counts = d && d.requests.withSignals > 0 && `${d.requests.withSignals} of ${d.requests.read} request spans${state.svc ? ` of ${state.svc}` : ''} carry quality signals.`;
  return (
    <Panel
      title="Quality signals"
      source={d?.source}
      testId="explore-quality"
      {...queryPanelState(q)}
      subtitle={d && [counts, d.signals.length > 0 && d.note].filter(Boolean).join(' ')}
      empty={d && d.signals.length === 0 && <span data-testid="quality-empty">{d.note ?? 'No request span in this range carries quality signals.'}</span>}
      actions={(!d || d.signals.length > 0) && <Tabs label="Quality signal" items={QUALITY_TABS} value={state.qsig} onChange={(qsig) => update({ qsig })} idBase={idBase} />}
    >
      <div role="tabpanel" aria-labelledby={`${idBase}-tab-${state.qsig}`} className="flex flex-col gap-2" data-testid="quality-tabpanel" data-signal={state.qsig}>
        <QualitySignalView
          signal={state.qsig}
          summary={s}
          selected={state.trace}
          onOpen={open}
          openHint="Click a point to open that request’s trace below, then a span for its own CPU profile."
        />
      </div>
    </Panel>
  );
}
