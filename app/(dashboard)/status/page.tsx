import type { Metadata } from 'next';
import { StatusBoard } from '@/components/status/StatusBoard';
import { PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'Status' };

export default function StatusPage() {
  return (
    <>
      <PageHeader
        title="Status"
        description="What Trisight is connected to. Embedded components run inside Trisight; connected ones are servers named in its configuration."
      />
      <StatusBoard />
    </>
  );
}
