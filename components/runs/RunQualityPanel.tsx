'use client';

import { Panel, queryPanelState } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import { BlockHitRateBars, QUALITY_TABS, QualitySignalView } from '@/components/quality/QualitySignalView';
import { clockTime } from '@/lib/runs/latency';
import type { PrefixCacheInfo } from '@/lib/runs/quality';
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
      subtitle={d && [counts, d.signals.length > 0 && d.note, d.pending && 'The run just ended: its spans and the server’s counters may still be arriving; refreshing.'].filter(Boolean).join(' ')}
      empty={
        d &&
        d.signals.length === 0 && (
          <div className="flex flex-col gap-2">
            <span data-testid="quality-empty">{d.pending ? 'Waiting for the run’s request spans…' : (d.note ?? 'No request of this run carries quality signals.')}</span>
            {/* The server's own counters do not need the spans. */}
            {d.prefixCache && <PrefixCacheBox info={d.prefixCache} />}
          </div>
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
          extra={view.quality === 'kv_reuse' && d?.prefixCache && <PrefixCacheBox info={d.prefixCache} />}
        />
      </div>
    </Panel>
  );
}

/**
 * The server's own prefix-cache hit rate: where it counts per block, the run's
 * exact rate of each block first (or why there is none), then the PromQL for any
 * other window; otherwise the preset's note and query.
 */
function PrefixCacheBox({ info }: { info: PrefixCacheInfo }) {
  const b = info.blocks;
  return (
    <div className="flex flex-col gap-1 rounded-md border border-line bg-panel-2 p-2 text-xs" data-testid="quality-prefix-cache">
      {b ? (
        <>
          <p data-testid="quality-block-source">
            {info.server} counts prefix-cache lookups and hits per {b.by} ({b.unit}). Each bar is one {b.by}’s hits over its lookups, as the server counted them from its scrape before the run’s first request ({clockTime(b.scrapes.before)}) to the one after its last response ({clockTime(b.scrapes.after)}):
            exact counts of <code className="font-mono">{b.hitsMetric}</code> and <code className="font-mono">{b.lookupsMetric}</code>.
          </p>
          <BlockHitRateBars blocks={b} />
          {info.query && (
            <>
              <p className="text-muted">The same rate as PromQL, for any window (increase() extrapolates to the window’s edges, so a short window reads approximately):</p>
              <code className="break-all font-mono text-[11px]">{info.query}</code>
            </>
          )}
        </>
      ) : (
        <>
          <p>{info.note}</p>
          {info.query && <code className="break-all font-mono text-[11px]">{info.query}</code>}
        </>
      )}
      {info.blocksNote && (
        <p className="text-muted" data-testid="quality-block-note">
          {info.blocksNote}
        </p>
      )}
    </div>
  );
}
