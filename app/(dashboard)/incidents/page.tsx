import type { Metadata } from 'next';
import { IncidentList } from '@/components/incidents/IncidentList';
import { PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'Incidents' };

export default function IncidentsPage() {
  return (
    <>
      <PageHeader title="Incidents" description="Shared links to investigations: each restores one view (Explore, a load run, an SLO) for its absolute range, live or with its data frozen." />
      <IncidentList />
    </>
  );
}
