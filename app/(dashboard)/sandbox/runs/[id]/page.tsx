import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { RunDetail } from '@/components/loadruns/RunDetail';
import { loadRuns, RunId } from '@/lib/loadruns';

export const metadata: Metadata = { title: 'Load run' };
export const dynamic = 'force-dynamic';

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  // An unknown or malformed id is a real 404 at once, not a page that loads and then fails.
  if (!RunId.safeParse(id).success || !(await loadRuns().get(id))) notFound();
  return <RunDetail id={id} />;
}
