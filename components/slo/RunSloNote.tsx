'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { fetchJson } from '@/lib/api-errors';
import type { RunImpact } from '@/lib/slo/run-impact';
import { percentText } from './format';

/** On a finished run's page: the SLOs the run's requests counted towards, and the budget it burned. */
export function RunSloNote({ runId }: { runId: string }) {
  const q = useQuery({ queryKey: ['run-slos', runId], queryFn: ({ signal }) => fetchJson<{ impacts: RunImpact[]; note?: string }>(`/api/runs/${runId}/slos`, { signal }) });
  const impacts = q.data?.impacts ?? [];
  return (
    <Panel
      title="SLOs this run touched"
      subtitle="Each SLO's bad and total events in the run's window; budget burned = bad events ÷ (error budget × events in the SLO's period)"
      {...queryPanelState(q)}
      empty={q.data && !impacts.length ? (q.data.note ?? <>No SLO counted events from this run. <Link className="text-accent underline" href="/slos/new">Create one from a template</Link>.</>) : undefined}
      testId="run-slos"
    >
      <ul className="flex flex-col gap-1 text-sm">
        {impacts.map((i) => (
          <li key={i.id} data-testid="run-slo" data-slo={i.name}>
            <Link href={`/slos/${i.id}`} className="font-medium text-accent underline">
              {i.name}
            </Link>{' '}
            <span className="text-muted">
              {i.total !== null ? `${Math.round(i.total)} events, ${Math.round(i.bad ?? 0)} bad (${percentText(i.errorRatio, 2)})` : `error ratio ${percentText(i.errorRatio, 2)}`} ·{' '}
              {i.budgetBurned === null ? 'budget burned unknown' : `${percentText(i.budgetBurned, 2)} of the error budget burned${i.method === 'time' ? ' (time-based estimate)' : ''}`}
            </span>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
