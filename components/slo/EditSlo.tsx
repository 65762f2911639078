'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { sloApi } from './api';
import { SloEditor } from './SloEditor';

/** Loads the current revision and edits it; the save names that revision (a save in between gives a 409). */
export function EditSlo({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['slo', id], queryFn: ({ signal }) => sloApi.get(id, signal), staleTime: Infinity, refetchOnMount: 'always' });
  if (!q.data) return <Panel title="Loading the SLO" {...queryPanelState(q)} />;
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-muted">
        Editing revision {q.data.revision} of <Link href={`/slos/${id}`} className="text-accent underline">{q.data.name}</Link>. Saving makes revision {q.data.revision + 1}; the{' '}
        <Link href={`/slos/${id}/history`} className="text-accent underline">
          history
        </Link>{' '}
        keeps every one.
      </p>
      <SloEditor key={q.data.revision} initial={q.data.definition} existing={{ id, revision: q.data.revision }} />
    </div>
  );
}
