import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SloHistory } from '@/components/slo/SloHistory';
import { PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'SLO history' };

export default async function SloHistoryPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <PageHeader title="SLO history" description="Every save is a revision: who saved it, when, and what changed." />
      <Suspense>
        <SloHistory id={id} />
      </Suspense>
    </>
  );
}
