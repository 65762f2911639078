'use client';

import { useMemo } from 'react';
import type { RunView } from '@/lib/loadruns/store';
import { runRange } from '@/lib/runs/views';
import { windowText } from './format';
import { RunDrillDown } from './RunDrillDown';
import { RunFlamePanel } from './RunFlamePanel';
import { RunLatencyPanel } from './RunLatencyPanel';
import { RunQualityPanel } from './RunQualityPanel';
import { useRunViewState } from './useRunViewState';

/**
 * A finished run's latency histogram next to the CPU flame graph of exactly its
 * window, and the drill-down from a bucket to a span's own profile. Every
 * selection lives in the URL (useRunViewState), so the view is a link.
 * Needs a <Suspense> boundary above it (useSearchParams).
 */
export function SideBySide({ run }: { run: RunView }) {
  const [view, update] = useRunViewState();
  const range = useMemo(() => runRange(run), [run]);
  return (
    <section aria-labelledby="side-by-side-title" className="flex flex-col gap-4" data-testid="run-side-by-side">
      <div className="flex flex-wrap items-baseline gap-x-3">
        <h2 id="side-by-side-title" className="text-base font-semibold">
          Latency and profiles, side by side
        </h2>
        <p className="text-xs text-muted" data-testid="run-window">
          Window {windowText(range)} (the run&apos;s first request to its last response, padded 2 s); each panel names its data source.
        </p>
      </div>
      <div className="grid gap-4 xl:grid-cols-2">
        <RunLatencyPanel runId={run.id} view={view} update={update} />
        <RunFlamePanel runId={run.id} view={view} update={update} />
      </div>
      <RunQualityPanel runId={run.id} view={view} update={update} />
      <RunDrillDown runId={run.id} range={range} view={view} update={update} />
    </section>
  );
}
