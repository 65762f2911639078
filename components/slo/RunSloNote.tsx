'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { fetchJson } from '@/lib/api-errors';
import type { RunSloImpact } from '@/lib/runs/slo-impact';
import { percentText } from './format';

/** On a finished run's page: the SLOs the run's requests counted towards, and the budget it burned. */
export function RunSloNote({ runId }: { runId: string }) {
  const q = useQuery({
    queryKey: ['run-slos', runId],
    queryFn: ({ signal }) => fetchJson<RunSloImpact>(`/api/runs/${runId}/slos`, { signal }),
    // Counts grow until Prometheus has scraped past the run's end; ask again until then.
    refetchInterval: (query) => (query.state.data?.pending ? 3000 : false),
  });
  const impacts = q.data?.impacts ?? [];
  const pending = q.data?.pending ?? true;
  return (
    <Panel
      title="SLOs this run touched"
      subtitle={`Each SLO's bad and total events ${q.data?.counted === 'scrapes' ? "between the target's scrapes before and after the run" : "in the run's window ± 2 s"} (other traffic then included); budget burned = bad events ÷ (error budget × events in the SLO's period)${q.data?.pending ? ' · still counting: waiting for Prometheus to scrape past the run' : ''}`}
      {...queryPanelState(q)}
      empty={q.data && !impacts.length ? (pending ? 'Counting this run’s events: waiting for Prometheus to scrape past the run’s end…' : (q.data.note ?? <>No SLO counted events from this run. <Link className="text-accent underline" href="/slos/new">Create one from a template</Link>.</>)) : undefined}
      testId="run-slos"
    >
      <ul className="flex flex-col gap-1 text-sm" data-pending={pending}>
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
