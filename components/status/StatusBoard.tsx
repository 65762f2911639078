'use client';

import { useQuery } from '@tanstack/react-query';
import { fetchJson } from '@/lib/api-errors';
import type { ComponentHealth, HealthReport, HealthState } from '@/lib/health';
import { Badge } from '@/components/ui/Badge';
import { Panel } from '@/components/ui/Panel';

const REFRESH_MS = 5_000;

const STATE: Record<HealthState, { tone: 'ok' | 'accent' | 'danger'; text: string }> = {
  embedded: { tone: 'accent', text: 'Embedded' },
  connected: { tone: 'ok', text: 'Connected' },
  unreachable: { tone: 'danger', text: 'Unreachable' },
};

export function ComponentCard({ c }: { c: ComponentHealth }) {
  const s = STATE[c.state];
  return (
    <li
      data-testid={`health-${c.name}`}
      data-state={c.state}
      className={`flex flex-col gap-2 rounded-lg border bg-panel p-4 ${c.state === 'unreachable' ? 'border-danger/50' : 'border-line'}`}
    >
      <div className="flex items-center justify-between gap-2">
        <h2 className="text-base font-semibold">{c.label}</h2>
        <Badge tone={s.tone}>
          <span aria-hidden="true" className="mr-1">
            {c.state === 'unreachable' ? '✕' : '●'}
          </span>
          {s.text}
          {c.state === 'embedded' && c.version ? ' · healthy' : ''}
        </Badge>
      </div>
      <dl className="grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm">
        <dt className="text-muted">Mode</dt>
        <dd>{c.mode === 'embedded' ? 'Run by Trisight' : 'External server'}</dd>
        {c.target && (
          <>
            <dt className="text-muted">Address</dt>
            <dd className="break-all font-mono text-xs leading-5">{c.target}</dd>
          </>
        )}
        {c.version && (
          <>
            <dt className="text-muted">Version</dt>
            <dd className="font-mono text-xs leading-5">{c.version}</dd>
          </>
        )}
        {c.state !== 'embedded' || c.target ? (
          <>
            <dt className="text-muted">Answered in</dt>
            <dd>{c.latencyMs} ms</dd>
          </>
        ) : null}
      </dl>
      {c.detail && <p className="break-words text-xs text-muted">{c.detail}</p>}
      {c.warning && (
        <p data-testid={`health-${c.name}-warning`} className="rounded-md border border-warn/40 bg-warn/5 p-2 text-sm">
          {c.warning}
        </p>
      )}
      {c.error && (
        <div role="alert" className="rounded-md border border-danger/40 bg-danger/5 p-2 text-sm">
          <p className="break-words text-danger">{c.error}</p>
          {c.hint && <p className="mt-1 text-fg">{c.hint}</p>}
        </div>
      )}
    </li>
  );
}

/** One card per component, refreshed every few seconds. */
export function StatusBoard() {
  const q = useQuery({
    queryKey: ['health'],
    queryFn: ({ signal }) => fetchJson<HealthReport>('/api/health', { signal }),
    refetchInterval: REFRESH_MS,
    staleTime: 0,
  });
  const report = q.data;
  return (
    <Panel
      title="Components"
      source="GET /api/health"
      testId="status-board"
      loading={q.isPending}
      error={q.error && !report ? q.error : undefined}
      onRetry={() => void q.refetch()}
      subtitle={
        report ? (
          <span>
            Checked {new Date(report.checkedAt).toLocaleTimeString()} · refreshes every {REFRESH_MS / 1000} s
            {q.error ? ' · last refresh failed, showing the previous result' : ''}
          </span>
        ) : undefined
      }
      actions={
        report && (
          <Badge tone={report.ok ? 'ok' : 'danger'}>{report.ok ? 'All reachable' : `${report.components.filter((c) => c.state === 'unreachable').length} unreachable`}</Badge>
        )
      }
    >
      {report && (
        <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" aria-live="polite">
          {report.components.map((c) => (
            <ComponentCard key={c.name} c={c} />
          ))}
        </ul>
      )}
    </Panel>
  );
}
