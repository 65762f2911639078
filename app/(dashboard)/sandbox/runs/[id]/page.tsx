import type { Metadata } from 'next';
import { RunDetail } from '@/components/loadruns/RunDetail';

export const metadata: Metadata = { title: 'Load run' };

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <RunDetail id={id} />;
}
