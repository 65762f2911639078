'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Badge } from '@/components/ui/Badge';
import { EmptyState } from '@/components/ui/EmptyState';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { type Column, Table } from '@/components/ui/Table';
import { STATUS_WINDOWS } from '@/lib/slo/maths';
import type { SloStatus, StatusReport } from '@/lib/slo/status';
import { sloApi } from './api';
import { budgetBarWidth, burnText, percentText, SLI_KIND_LABEL, STATE_TONE } from './format';
import { PrometheusNotice, TempoNotice } from './PrometheusNotice';

const SOURCE_LABEL = { rules: 'Prometheus rules', live: 'live queries', traces: 'spans', tempo: 'Tempo', none: '–' } as const;

/** Every SLO with its SLI, budget left, burn rates, alerts and state; refreshed every 15 s. */
export function SloList() {
  const q = useQuery({ queryKey: ['slo-status'], queryFn: ({ signal }) => sloApi.status(signal), refetchInterval: 15_000 });
  const report: StatusReport | undefined = q.data;
  const actions = (
    <>
      <Link href="/slos/new" className="inline-flex h-8 items-center rounded-md bg-accent px-3 text-sm font-medium text-accent-fg hover:opacity-90">
        New SLO
      </Link>
      <Link href="/slos/import" className="inline-flex h-8 items-center rounded-md border border-line px-3 text-sm font-medium hover:bg-panel-2">
        Import
      </Link>
      {!!report?.statuses.length && (
        <>
          <a href="/api/slos/openslo?download=1" className="inline-flex h-8 items-center rounded-md border border-line px-3 text-sm font-medium hover:bg-panel-2">
            Export OpenSLO
          </a>
          <a href="/api/slos/rules" className="inline-flex h-8 items-center rounded-md border border-line px-3 text-sm font-medium hover:bg-panel-2">
            Download rules
          </a>
        </>
      )}
    </>
  );
  if (report && !report.statuses.length) {
    return (
      <div className="flex flex-col gap-4">
        <PrometheusNotice report={report} />
        <EmptyState title="No SLOs yet" action={{ href: '/slos/new', label: 'Create one from a template' }}>
          <p>An SLO says how good the service must be, for example “95 % of requests get their first token within 2 s over 30 days”.</p>
          <p>
            Start from a model-serving template (time to first token, availability, time per output token, queue time), or{' '}
            <Link className="text-accent underline" href="/slos/import">
              import OpenSLO or Sloth YAML
            </Link>
            .
          </p>
        </EmptyState>
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-4">
      {report && <PrometheusNotice report={report} />}
      {report && <TempoNotice note={report.tempoNote} />}
      <Panel title="Service level objectives" source="Prometheus" actions={actions} {...queryPanelState(q)} testId="slo-list">
        <div className="overflow-x-auto">
          <Table
            caption="Service level objectives with their state, error budget and burn rates"
            spacing="relaxed"
            rows={report?.statuses ?? []}
            rowKey={(s) => s.id}
            rowProps={(s) => ({ 'data-testid': 'slo-row', 'data-slo': s.name, 'data-state': s.state, className: 'align-top' })}
            columns={[
              {
                header: 'SLO',
                cell: (s) => (
                  <>
                    <Link href={`/slos/${s.id}`} className="font-medium text-accent hover:underline">
                      {s.displayName ?? s.name}
                    </Link>
                    <div className="text-xs text-muted">
                      {s.service} · {SLI_KIND_LABEL[s.sliKind]} · objective {s.objective} % · {s.periodWindow} · from {SOURCE_LABEL[s.source]}
                    </div>
                  </>
                ),
              },
              {
                header: 'State',
                cell: (s) => (
                  <span title={s.reason}>
                    <Badge tone={STATE_TONE[s.state]}>{s.state}</Badge>
                  </span>
                ),
              },
              { header: 'SLI (period)', align: 'right', className: 'tabular-nums', cellProps: () => ({ 'data-testid': 'slo-sli' }), cell: (s) => percentText(s.sli, 3) },
              {
                header: 'Error budget left',
                cellProps: () => ({ 'data-testid': 'slo-budget' }),
                cell: (s) => (
                  <div className="flex items-center gap-2">
                    <div className="h-2 w-24 overflow-hidden rounded bg-panel-2" aria-hidden="true">
                      <div className={`h-full ${(s.budgetRemaining ?? 1) <= 0 ? 'bg-danger' : 'bg-ok'}`} style={{ width: `${budgetBarWidth(s.budgetRemaining)}%` }} />
                    </div>
                    <span className="tabular-nums">{percentText(s.budgetRemaining, 1)}</span>
                  </div>
                ),
              },
              ...STATUS_WINDOWS.map(
                (w): Column<SloStatus> => ({
                  header: w,
                  align: 'right',
                  title: `burn rate over ${w}: error ratio ÷ error budget (1 = spends the budget exactly over the period)`,
                  className: (s) => `tabular-nums ${(s.burnRates[w] ?? 0) > 1 ? 'text-danger' : ''}`,
                  cellProps: () => ({ 'data-testid': `slo-burn-${w}` }),
                  cell: (s) => burnText(s.burnRates[w]),
                }),
              ),
              {
                header: 'Alerts',
                cellProps: () => ({ 'data-testid': 'slo-alerts' }),
                cell: (s) =>
                  s.alerts.length ? (
                    <div className="flex flex-wrap gap-1">
                      {s.alerts.map((a) => (
                        <Badge key={`${a.severity}-${a.state}`} tone={a.state === 'firing' ? 'danger' : 'warn'}>
                          {a.severity} {a.state}
                        </Badge>
                      ))}
                    </div>
                  ) : (
                    <span className="text-xs text-muted">{s.source === 'rules' ? 'none' : 'not evaluated'}</span>
                  ),
              },
            ]}
          />
        </div>
      </Panel>
    </div>
  );
}
