'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useMemo, useState } from 'react';
import { ShareButton } from '@/components/incidents/ShareButton';
import { useTimeRange } from '@/components/time-range/useTimeRange';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { describeError, fetchJson } from '@/lib/api-errors';
import { humanDuration } from '@/lib/slo/duration';
import { STATUS_WINDOWS } from '@/lib/slo/maths';
import { formatUtc } from '@/lib/time-range';
import { sloApi } from './api';
import { burnText, percentText, SLI_KIND_LABEL, STATE_TONE } from './format';
import { SloChart } from './SloChart';

/** One SLO: its state now, the SLI and the budget over the chosen range, where it burned, and its rules. */
export function SloDetailView({ id }: { id: string }) {
  const { raw, range } = useTimeRange();
  const params = useSearchParams();
  const router = useRouter();
  const note = params.get('note');
  const q = useQuery({ queryKey: ['slo-detail', id, raw, range.from], queryFn: ({ signal }) => sloApi.detail(id, raw, signal), refetchInterval: 15_000 });
  const d = q.data;
  const s = d?.status;
  const areas = useMemo(() => (d?.burning ?? []).map((b) => ({ from: b.from, to: b.to })), [d?.burning]);
  const [deleting, setDeleting] = useState<string | null>(null);

  async function remove() {
    if (!s || !window.confirm(`Delete the SLO ${s.name}, its history and its Prometheus rules?`)) return;
    try {
      await sloApi.remove(id);
      router.push('/slos');
    } catch (e) {
      setDeleting(describeError(e).text);
    }
  }

  return (
    <div className="flex flex-col gap-4" data-testid="slo-detail" data-state={s?.state}>
      {note && (
        <p role="status" className="rounded-md border border-line bg-panel p-3 text-sm text-muted">
          Saved. {note}
        </p>
      )}
      <Panel
        title={s ? (s.displayName ?? s.name) : 'SLO'}
        subtitle={s ? `${s.service} · ${SLI_KIND_LABEL[s.sliKind]} · objective ${s.objective} % over ${s.periodWindow}` : undefined}
        source={s ? { rules: 'Prometheus rules', live: 'Prometheus (live queries)', traces: 'Embedded (spans)', tempo: 'Tempo (TraceQL metrics)', none: 'none' }[s.source] : undefined}
        {...queryPanelState(q)}
        actions={
          <>
            <Link className="inline-flex h-8 items-center rounded-md bg-accent px-3 text-sm font-medium text-accent-fg hover:opacity-90" href={`/slos/${id}/edit`}>
              Edit
            </Link>
            <Link className="inline-flex h-8 items-center rounded-md border border-line px-3 text-sm font-medium hover:bg-panel-2" href={`/slos/${id}/history`}>
              History
            </Link>
            <a className="inline-flex h-8 items-center rounded-md border border-line px-3 text-sm font-medium hover:bg-panel-2" href={`/api/slos/${id}/openslo?format=yaml&download=1`} data-testid="export-openslo">
              Export OpenSLO
            </a>
            <Button variant="danger" onClick={remove}>
              Delete
            </Button>
            {s && <ShareButton path={`/slos/${id}`} range={range} title={`SLO ${s.displayName ?? s.name}`} />}
          </>
        }
        testId="slo-summary"
      >
        {s && (
          <div className="flex flex-col gap-3 text-sm">
            <div className="flex flex-wrap items-center gap-2">
              <Badge tone={STATE_TONE[s.state]}>{s.state}</Badge>
              <span className="text-muted" data-testid="slo-reason">
                {s.reason}
              </span>
              {s.alerts.map((a) => (
                <Badge key={`${a.severity}-${a.state}`} tone={a.state === 'firing' ? 'danger' : 'warn'}>
                  {a.severity} alert {a.state} since {formatUtc(a.activeAt)}
                </Badge>
              ))}
            </div>
            <dl className="grid grid-cols-2 gap-x-6 gap-y-1 sm:grid-cols-4" data-testid="slo-numbers">
              <div>
                <dt className="text-xs text-muted">SLI over {s.periodWindow}</dt>
                <dd className="text-lg tabular-nums">{percentText(s.sli, 3)}</dd>
              </div>
              <div>
                <dt className="text-xs text-muted">Error budget left</dt>
                <dd className="text-lg tabular-nums">{percentText(s.budgetRemaining, 1)}</dd>
              </div>
              {STATUS_WINDOWS.map((w) => (
                <div key={w}>
                  <dt className="text-xs text-muted">Burn rate {w}</dt>
                  <dd className={`tabular-nums ${(s.burnRates[w] ?? 0) > 1 ? 'text-danger' : ''}`}>{burnText(s.burnRates[w])}</dd>
                </div>
              ))}
            </dl>
            {s.sourceNote && <p className="text-xs text-muted">Numbers {s.sourceNote}.</p>}
            {s.at && <p className="text-xs text-muted">As evaluated at {formatUtc(s.at)}.</p>}
            {deleting && (
              <p role="alert" className="text-danger">
                {deleting}
              </p>
            )}
          </div>
        )}
      </Panel>
      <div className="grid gap-4 xl:grid-cols-2">
        <Panel title="SLI" subtitle={d?.sliWindow ? `each point: 1 − error ratio over ${d.sliWindow}; shaded: burning faster than the budget lasts` : undefined} loading={q.isPending} empty={d && !d.sli.length ? (d.note ?? 'No SLI values in this range: no traffic, or the rules have not been evaluated yet.') : undefined}>
          {d && s && <SloChart label={`SLI of ${s.name} over the chosen range`} lines={[{ name: 'SLI', points: d.sli, color: '--chart-1' }]} percent target={{ value: s.objective / 100, label: `objective ${s.objective} %` }} areas={areas} range={d.range} testId="slo-sli-chart" />}
        </Panel>
        <Panel title="Error budget left" subtitle={s ? `over the ${s.periodWindow} window at each point (Sloth’s slo:period_error_budget_remaining:ratio)` : undefined} loading={q.isPending} empty={d && !d.budgetRemaining.length ? (d.note ?? 'No budget values in this range yet.') : undefined}>
          {d && s && <SloChart label={`Error budget left of ${s.name}`} lines={[{ name: 'budget left', points: d.budgetRemaining, color: '--chart-2' }]} percent areas={areas} range={d.range} testId="slo-budget-chart" />}
        </Panel>
      </div>
      <Panel title="When the budget burned" subtitle="Stretches of the range where the burn rate stayed above 1, with the share of the period’s budget each spent" loading={q.isPending} empty={d && !d.burning.length ? 'No burning in this range.' : undefined} testId="slo-burning">
        <ul className="flex flex-col gap-2 text-sm">
          {d?.burning.map((b) => (
            <li key={b.from} className="flex flex-wrap items-baseline gap-x-3" data-testid="slo-burning-period">
              <span className="tabular-nums">
                {formatUtc(b.from)} → {formatUtc(b.to).slice(11)} ({humanDuration(b.to - b.from)})
              </span>
              <span className="text-muted">
                peak {burnText(b.peakBurnRate)}, {percentText(b.budgetConsumed, 2)} of the budget
              </span>
              {b.runs.map((r) => (
                <Link key={r.id} href={`/sandbox/runs/${r.id}`} className="text-accent underline">
                  load run on {r.target}
                </Link>
              ))}
              <Link href={`/explore?from=${b.from}&to=${b.to}`} className="text-accent underline">
                traces and profiles in Explore
              </Link>
            </li>
          ))}
        </ul>
      </Panel>
      {s && s.sliKind !== 'trace' && <RulesPanel id={id} />}
    </div>
  );
}

/** The generated rule file: to read, copy or download (for a Prometheus Trisight does not run). */
function RulesPanel({ id }: { id: string }) {
  const q = useQuery({
    queryKey: ['slo-rules', id],
    queryFn: async ({ signal }) => {
      const r = await fetch(`/api/slos/${id}/rules`, { signal });
      if (!r.ok) await fetchJson(`/api/slos/${id}/rules`, { signal });
      return r.text();
    },
  });
  const [copied, setCopied] = useState(false);
  return (
    <Panel
      title="Prometheus rules"
      subtitle="Sloth’s names and labels: dashboards and alert routes written for Sloth work unchanged"
      {...queryPanelState(q)}
      actions={
        <>
          <Button
            size="sm"
            onClick={async () => {
              await navigator.clipboard.writeText(q.data ?? '');
              setCopied(true);
              setTimeout(() => setCopied(false), 2000);
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </Button>
          <a className="inline-flex h-7 items-center rounded-md border border-line px-2 text-xs font-medium hover:bg-panel-2" href={`/api/slos/${id}/rules?download=1`}>
            Download
          </a>
        </>
      }
      testId="slo-rules"
    >
      <details>
        <summary className="cursor-pointer text-sm text-muted">Show the rule file ({q.data ? q.data.split('\n').length : 0} lines)</summary>
        <pre className="mt-2 max-h-96 overflow-auto rounded-md bg-panel-2 p-3 text-xs">{q.data}</pre>
      </details>
    </Panel>
  );
}
