import type { Metadata } from 'next';
import { Suspense } from 'react';
import { SloDetailView } from '@/components/slo/SloDetailView';

export const metadata: Metadata = { title: 'SLO' };

export default async function SloPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <Suspense>
      <SloDetailView id={id} />
    </Suspense>
  );
}
