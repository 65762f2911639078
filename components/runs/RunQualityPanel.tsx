'use client';

import { Panel, queryPanelState } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import { QUALITY_TABS, QualitySignalView } from '@/components/quality/QualitySignalView';
import type { RunViewState } from '@/lib/runs/url-state';
import { useQuality } from './api';
import type { UpdateView } from './useRunViewState';

/**
 * Model-side quality signals of the run's requests beside their latency: per
 * signal (a tab, kept in the URL) the distribution, split by prompt kind when the
 * run mixed kinds, and a scatter against each request's E2E latency. A point (or
 * a row of the table below it) opens that request's trace in the drill-down.
 */
export function RunQualityPanel({ runId, view, update }: { runId: string; view: RunViewState; update: UpdateView }) {
  const q = useQuality(runId);
  const d = q.data;
  const s = d?.signals.find((x) => x.signal === view.quality);
  const idBase = `run-quality-${runId}`;
  const open = (trace: string) => update({ trace, span: null });
  const counts = d && d.requests.stored > 0 && `${d.requests.stored} of the run's ${d.requests.ok} successful requests traced${d.requests.read < d.requests.ok ? ` (${d.requests.read} read)` : ''}.`;
  return (
    <Panel
      title="Quality signals"
      source={d?.source}
      testId="run-quality"
      {...queryPanelState(q)}
      subtitle={d && [counts, d.signals.length > 0 && d.note, d.pending && 'The run just ended: spans may still be arriving; refreshing.'].filter(Boolean).join(' ')}
      empty={
        d &&
        d.signals.length === 0 && (
          <span data-testid="quality-empty">{d.pending ? 'Waiting for the run’s request spans…' : (d.note ?? 'No request of this run carries quality signals.')}</span>
        )
      }
      actions={(!d || d.signals.length > 0) && <Tabs label="Quality signal" items={QUALITY_TABS} value={view.quality} onChange={(quality) => update({ quality })} idBase={idBase} />}
    >
      <div role="tabpanel" aria-labelledby={`${idBase}-tab-${view.quality}`} className="flex flex-col gap-2" data-testid="quality-tabpanel" data-signal={view.quality}>
        <QualitySignalView
          signal={view.quality}
          summary={s}
          selected={view.trace}
          onOpen={open}
          openHint="Click a point to open that request’s trace below, then a span for its own profile."
          extra={
            view.quality === 'kv_reuse' &&
            d?.prefixCache && (
              <div className="flex flex-col gap-1 rounded-md border border-line bg-panel-2 p-2 text-xs" data-testid="quality-prefix-cache">
                <p>{d.prefixCache.note}</p>
                {d.prefixCache.query && <code className="break-all font-mono text-[11px]">{d.prefixCache.query}</code>}
              </div>
            )
          }
        />
      </div>
    </Panel>
  );
}
