import type { Metadata } from 'next';
import { Suspense } from 'react';
import { NewSlo } from '@/components/slo/NewSlo';
import { PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'New SLO' };

export default function NewSloPage() {
  return (
    <>
      <PageHeader title="New SLO" description="Pick a model-serving template, adjust it, and watch the preview: the budget, the alert thresholds and what they mean, and the SLI measured now." />
      <Suspense>
        <NewSlo />
      </Suspense>
    </>
  );
}
