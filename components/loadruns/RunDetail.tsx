'use client';

import { useMutation } from '@tanstack/react-query';
import Link from 'next/link';
import { Suspense, type ReactNode } from 'react';
import { fetchJson } from '@/lib/api-errors';
import type { RunView } from '@/lib/loadruns/store';
import { readableFailure } from '@/lib/loadgen/error-text';
import type { LiveStats } from '@/lib/loadgen/report';
import { useCan } from '@/components/auth/viewer';
import { Button } from '@/components/ui/Button';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { ShareButton } from '@/components/incidents/ShareButton';
import { SideBySide } from '@/components/runs/SideBySide';
import { exploreHref } from '@/lib/explore/url-state';
import { runRange, runServiceName } from '@/lib/runs/views';
import { RunSloNote } from '@/components/slo/RunSloNote';
import { useRun } from '@/components/runs/api';
import { ms, rate, when } from '@/components/ui/format';
import { StatusBadge } from './StatusBadge';
import { SlowestRequests } from './SlowestRequests';
import { SummaryTable } from './SummaryTable';
import { useRunEvents } from './useRunEvents';

function ProgressBar({ total, done, failed, inFlight }: { total: number; done: number; failed: number; inFlight: number }) {
  const w = (n: number) => `${total ? (100 * n) / total : 0}%`;
  return (
    <div>
      <div
        role="progressbar"
        aria-label="Requests finished"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={done + failed}
        aria-valuetext={`${done} done, ${failed} failed, ${inFlight} in flight of ${total}`}
        className="flex h-3 w-full overflow-hidden rounded-full border border-line bg-panel-2"
      >
        <div className="bg-ok" style={{ width: w(done) }} />
        <div className="bg-danger" style={{ width: w(failed) }} />
        <div className="animate-pulse bg-accent/50" style={{ width: w(inFlight) }} />
      </div>
      <p className="mt-1 flex flex-wrap gap-x-4 text-xs text-muted" data-testid="run-counts">
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-full bg-ok" aria-hidden="true" />
          {done} done
        </span>
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-full bg-danger" aria-hidden="true" />
          {failed} failed
        </span>
        <span>
          <span className="mr-1 inline-block h-2 w-2 rounded-full bg-accent/50" aria-hidden="true" />
          {inFlight} in flight
        </span>
        <span>of {total}</span>
      </p>
    </div>
  );
}

function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col">
      <span className="text-xs text-muted">{label}</span>
      <span className="font-mono text-lg tabular-nums">{children}</span>
    </div>
  );
}

function Live({ run, stats }: { run: RunView; stats: LiveStats | null }) {
  const total = run.params.requests;
  return (
    <div className="flex flex-col gap-3" aria-live="polite">
      <ProgressBar total={total} done={stats?.done ?? run.done} failed={stats?.failed ?? run.failed} inFlight={stats?.inFlight ?? 0} />
      <div className="flex flex-wrap gap-6">
        <Figure label="E2E p50 (ms)">{ms(stats?.p50Ms)}</Figure>
        <Figure label="E2E p99 (ms)">{ms(stats?.p99Ms)}</Figure>
        <Figure label="Output tokens/s">{rate(stats?.tokensPerS, 1)}</Figure>
        <Figure label="Elapsed (s)">{rate(stats?.elapsedS, 1)}</Figure>
      </div>
    </div>
  );
}

function Params({ run }: { run: RunView }) {
  const p = run.params;
  const prompt = p.promptLength.mode === 'fixed' ? `${p.promptLength.tokens}` : `${p.promptLength.min}–${p.promptLength.max}`;
  const items: [string, string][] = [
    ['Target', run.target],
    ['Model', run.model ?? '—'],
    ['Requests', String(p.requests)],
    ['Concurrency', String(p.concurrency)],
    ['Prompt tokens', prompt],
    ['Max tokens', String(p.maxTokens)],
    ['Temperature', String(p.temperature)],
    ['P0 share', `${Math.round(p.p0Fraction * 100)} %`],
    ['Seed', String(p.seed)],
    ['Time cap', `${p.maxDurationS} s`],
  ];
  return (
    <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm sm:grid-cols-5">
      {items.map(([k, v]) => (
        <div key={k} className="flex min-w-0 flex-col">
          <dt className="text-xs text-muted">{k}</dt>
          <dd className="truncate" title={v}>
            {v}
          </dd>
        </div>
      ))}
    </dl>
  );
}

/** A run's permalink page: live progress while it runs, the stored report after. */
export function RunDetail({ id }: { id: string }) {
  const q = useRun(id);
  const run = q.data;
  const live = run?.status === 'running' || run?.status === 'queued';
  const events = useRunEvents(id, live);
  const canCancel = useCan('editor');
  const cancel = useMutation({
    mutationFn: () => fetchJson<RunView>(`/api/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST' }),
    onSettled: () => void q.refetch(),
  });
  const w = run?.summary?.window;

  return (
    <div className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center gap-3">
        <Link href="/sandbox" className="text-sm text-accent underline-offset-2 hover:underline">
          ← All runs
        </Link>
        <h1 className="text-xl font-semibold tracking-tight">Load run</h1>
        {run && <StatusBadge status={run.status} />}
        {run && <span className="font-mono text-xs text-muted">{run.id}</span>}
        {run && !live && (
          <span className="ml-auto flex items-center gap-3">
            <Link href={exploreHref(runRange(run), runServiceName(run.target))} className="text-sm text-accent underline-offset-2 hover:underline" data-testid="run-explore">
              Explore this window
            </Link>
            <ShareButton path={`/sandbox/runs/${run.id}`} range={runRange(run)} title={`Load run ${run.target} · ${run.params.requests} requests`} />
          </span>
        )}
      </div>

      <Panel
        title="Progress"
        source="Load generator"
        testId="run-progress"
        {...queryPanelState(q)}
        subtitle={run && (w ? `Window ${when(new Date(w.startMs).toISOString())} → ${when(new Date(w.endMs).toISOString())}` : `Created ${when(run.createdAt)}`)}
        actions={
          live &&
          canCancel && (
            <Button variant="danger" size="sm" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              {cancel.isPending ? 'Cancelling…' : 'Cancel run'}
            </Button>
          )
        }
      >
        {run && (
          <div className="flex flex-col gap-4">
            <Params run={run} />
            {live ? (
              <Live run={run} stats={events.stats} />
            ) : (
              <ProgressBar total={run.params.requests} done={run.done} failed={run.failed} inFlight={0} />
            )}
            {events.reconnecting && <p className="text-xs text-warn">Progress stream interrupted; reconnecting…</p>}
            {run.error && (
              <p role="alert" className="text-sm text-danger" data-testid="run-error">
                {readableFailure(run.error)}
              </p>
            )}
            {cancel.error && (
              <p role="alert" className="text-sm text-danger">
                Could not cancel: {cancel.error.message}
              </p>
            )}
          </div>
        )}
      </Panel>

      {run && !live && (
        <Panel
          title="Summary (benchmark_serving)"
          source="Load generator (client side)"
          testId="run-report"
          empty={!run.summary && 'This run ended before any request finished, so there is no report.'}
        >
          {run.summary && <SummaryTable report={run.summary.report} />}
        </Panel>
      )}

      {/* Latency histogram | CPU flame graph for exactly the run's window, then the drill-down. */}
      {run && !live && (
        <Suspense fallback={<div className="h-64 rounded-lg border border-line bg-panel" aria-hidden="true" />}>
          <SideBySide run={run} />
        </Suspense>
      )}
      {run && live && (
        <p className="rounded-md border border-dashed border-line p-3 text-sm text-muted" data-testid="run-side-by-side-waiting">
          The latency histogram and CPU flame graph of this run appear here when it ends.
        </p>
      )}

      {/* Which SLOs this run counted towards, and the budget it burned (components/slo). */}
      {run && !live && <RunSloNote runId={id} />}

      {/* `?trace=<id>` on this page opens that trace in the side-by-side drill-down above. */}
      {run && !live && run.summary && <SlowestRequests id={id} traceHref={(t) => `/sandbox/runs/${encodeURIComponent(id)}?trace=${t}`} />}
    </div>
  );
}
