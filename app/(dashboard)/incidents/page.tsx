import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'Incidents' };

export default function IncidentsPage() {
  return (
    <>
      <PageHeader title="Incidents" description="Saved investigations: a time window, the evidence you found, and a link to share it." />
      <EmptyState title="No incidents yet" action={{ href: '/sandbox', label: 'Run a load from Sandbox' }}>
        <p>
          This page will list incidents you open from a slow run or an SLO burn, each with its window, the histogram bucket, trace
          and profile you pinned, and a share link that keeps working after the telemetry has expired.
        </p>
        <p>Opening incidents is not available in this build yet. Start by running a load from the Sandbox and drilling into a slow bucket.</p>
      </EmptyState>
    </>
  );
}
