'use client';

import { useId } from 'react';
import { FlameGraph } from '@/components/flame/FlameGraph';
import { when } from '@/components/ui/format';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { Tabs } from '@/components/ui/Tabs';
import type { TimeRange } from '@/lib/model/types';
import type { RunViewState } from '@/lib/runs/url-state';
import { gpuTimingText, PROFILE_KINDS, PROFILE_KIND_LABELS, profileTypeLabel, servedText, type ProfileKind } from '@/lib/runs/views';
import { useFlame, useRuns } from './api';
import { windowText } from './format';
import type { UpdateView } from './useRunViewState';

/** One run in the compare list: when it ran, how much, against what, and its short id. */
const runLabel = (r: { id: string; startedAt: string | null; createdAt: string; target: string; params: { requests: number } }) =>
  `${when(r.startedAt ?? r.createdAt)} · ${r.params.requests} requests · ${r.target} · ${r.id.slice(0, 8)}`;

/** "Compare with": the other finished runs, newest first. */
function CompareSelect({ runId, value, onChange }: { runId: string; value: string | null; onChange: (id: string | null) => void }) {
  const runs = useRuns();
  const id = useId();
  const others = (runs.data?.runs ?? []).filter((r) => r.id !== runId && r.finishedAt !== null && r.status !== 'failed');
  return (
    <div className="flex items-center gap-2 text-xs">
      <label htmlFor={id} className="whitespace-nowrap text-muted">
        Compare with
      </label>
      <select
        id={id}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || null)}
        className="h-8 w-[22rem] max-w-full rounded-md border border-line bg-panel px-2 text-sm text-fg"
        disabled={runs.isPending}
        data-testid="flame-compare"
      >
        <option value="">No other run (this run alone)</option>
        {value && !others.some((r) => r.id === value) && <option value={value}>run {value.slice(0, 8)}</option>}
        {others.map((r) => (
          <option key={r.id} value={r.id}>
            {runLabel(r)}
          </option>
        ))}
      </select>
    </div>
  );
}

const EMPTY_TEXT: Record<ProfileKind, string> = {
  cpu: 'No CPU profiles were stored for this window. Is the sandbox profiling (PYROSCOPE_SERVER_ADDRESS)? Fire a new run to record some.',
  gpu: 'No GPU profile for this window: GPU time is recorded when the sandbox runs the WebGPU backend (SANDBOX_BACKEND=webgpu) or for a run in this browser.',
  memory: 'No heap profiles were stored for this window. The sandbox pushes one with its CPU profiles; fire a new run to record some.',
};

/** Right panel: the CPU, GPU or memory flame graph of the run's window, or its diff against another run. */
export function RunFlamePanel({ runId, view, update }: { runId: string; view: RunViewState; update: UpdateView }) {
  const kind = view.flame;
  const q = useFlame(runId, view.compare, kind);
  const d = q.data;
  const flame = d?.compare?.diff ?? d?.flame ?? null;
  const every = d ? `${d.flushIntervalS} s` : '';
  const served = servedText(d?.served);
  const side = (r: { runId: string; window: TimeRange }) => (r.runId === runId ? `this run (${windowText(r.window)})` : `run ${r.runId.slice(0, 8)} (${windowText(r.window)})`);
  const subtitle = d && (
    <>
      {d.profileType ? (
        <span title={`Pyroscope profile type ${d.profileType.id}`} data-testid="flame-profile-type">
          {profileTypeLabel(d.profileType)}
        </span>
      ) : (
        'no profile type stored yet'
      )}
      {d.compare && (
        <span data-testid="flame-compare-sides">
          {' '}
          · before: {side(d.compare.before)}; after: {side(d.compare.after)}
        </span>
      )}
      {d.pending && flame && ` · more profiles may still arrive (the sandbox pushes every ${every}); refreshing`}
    </>
  );
  let empty: string | false = false;
  if (d && !flame) {
    empty = d.note
      ? d.note
      : d.pending
        ? `No ${PROFILE_KIND_LABELS[kind]} profiles for this window yet: profiles arrive every ${every}. Checking again…`
        : EMPTY_TEXT[kind];
  }
  const kinds = PROFILE_KINDS.map((k) => ({ key: k, label: d && !d.kinds.includes(k) && k !== kind ? `${PROFILE_KIND_LABELS[k]} (none)` : PROFILE_KIND_LABELS[k] }));
  return (
    <Panel
      title={`${PROFILE_KIND_LABELS[kind]} flame graph${view.compare ? ' (diff)' : ''}`}
      source={d?.source}
      testId="run-flame"
      {...queryPanelState(q)}
      subtitle={subtitle}
      actions={<CompareSelect runId={runId} value={view.compare} onChange={(compare) => update({ compare })} />}
    >
      {/* The kind switch stays when a kind has no data, so one can switch back. */}
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1 border-b border-line px-3 py-2 text-xs text-muted">
        <Tabs label="Profile" items={kinds} value={kind} onChange={(k) => update({ flame: k })} />
        {served && <span data-testid="run-served-by">{served}</span>}
        {kind === 'gpu' && d?.profileType && <span data-testid="run-gpu-timing">{gpuTimingText(d.served)}</span>}
      </div>
      {empty && <div className="p-3 text-sm text-muted">{empty}</div>}
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
