'use client';

import { useId } from 'react';
import { FlameGraph } from '@/components/flame/FlameGraph';
import { useRuns } from '@/components/loadruns/api';
import { when } from '@/components/loadruns/format';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import type { RunViewState } from '@/lib/runs/url-state';
import { useFlame } from './api';
import { windowText } from './format';
import type { UpdateView } from './useRunViewState';

/** "Compare with run…": the other finished runs, newest first. */
function CompareSelect({ runId, value, onChange }: { runId: string; value: string | null; onChange: (id: string | null) => void }) {
  const runs = useRuns();
  const id = useId();
  const others = (runs.data?.runs ?? []).filter((r) => r.id !== runId && r.finishedAt !== null && r.status !== 'failed');
  return (
    <div className="flex items-center gap-1 text-xs">
      <label htmlFor={id} className="text-muted">
        Compare with run…
      </label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || null)}
        className="h-7 max-w-[16rem] rounded-md border border-line bg-bg px-1 text-xs"
        disabled={runs.isPending}
        data-testid="flame-compare"
      >
        <option value="">— none (this run only) —</option>
        {value && !others.some((r) => r.id === value) && <option value={value}>{value}</option>}
        {others.map((r) => (
          <option key={r.id} value={r.id}>
            {when(r.startedAt ?? r.createdAt)} · {r.target} · {r.params.requests} req
          </option>
        ))}
      </select>
    </div>
  );
}

/** Right panel: the CPU flame graph of the run's window, or its diff against another run. */
export function RunFlamePanel({ runId, view, update }: { runId: string; view: RunViewState; update: UpdateView }) {
  const q = useFlame(runId, view.compare);
  const d = q.data;
  const flame = d?.compare?.diff ?? d?.flame ?? null;
  const every = d ? `${d.flushIntervalS} s` : '';
  const subtitle = d && (
    <>
      {d.profileType ? `${d.profileType.sampleType} (${d.profileType.id})` : 'no profile type stored yet'}
      {d.compare && ` · before: ${windowText(d.compare.window)}, after: this run`}
      {d.pending && flame && ` · more profiles may still arrive (the sandbox pushes every ${every}); refreshing`}
    </>
  );
  let empty: string | false = false;
  if (d && !flame) {
    empty = d.note
      ? d.note
      : d.pending
        ? `No CPU profiles for this window yet: profiles arrive every ${every}. Checking again…`
        : 'No CPU profiles were stored for this window. Is the sandbox profiling (PYROSCOPE_SERVER_ADDRESS)? Fire a new run to record some.';
  }
  return (
    <Panel
      title={view.compare ? 'CPU flame graph (diff)' : 'CPU flame graph'}
      source={d?.source}
      testId="run-flame"
      {...queryPanelState(q)}
      subtitle={subtitle}
      empty={empty}
      actions={<CompareSelect runId={runId} value={view.compare} onChange={(compare) => update({ compare })} />}
    >
      {flame && (
        <FlameGraph
          flame={flame}
          unit={d?.profileType?.sampleUnit ?? 'nanoseconds'}
          zoomPath={view.zoom}
          onZoomPathChange={(zoom) => update({ zoom })}
          search={view.q}
          onSearchChange={(q2) => update({ q: q2 }, 'replace')}
          selectedFunction={view.fn}
          onSelectedFunctionChange={(fn) => update({ fn })}
          view={view.fview}
          onViewChange={(fview) => update({ fview })}
          layout="below"
          maxHeight={420}
          topFunctionsLimit={25}
        />
      )}
    </Panel>
  );
}
