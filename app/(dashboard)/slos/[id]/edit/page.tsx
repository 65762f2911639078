import type { Metadata } from 'next';
import { EditSlo } from '@/components/slo/EditSlo';
import { PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'Edit SLO' };

export default async function EditSloPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <PageHeader title="Edit SLO" />
      <EditSlo id={id} />
    </>
  );
}
