import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'Explore' };

export default function ExplorePage() {
  return (
    <>
      <PageHeader title="Explore" description="Ad-hoc queries across metrics, traces and CPU profiles for the selected time range." />
      <EmptyState title="Nothing to explore yet" action={{ href: '/sandbox', label: 'Run a load from Sandbox' }}>
        <p>
          This page will let you query Prometheus metrics, search Tempo traces and open Pyroscope CPU profiles for the time range
          picked at the top, and jump between them through exemplars and span ids.
        </p>
        <p>It is not built yet. To see correlated latency, traces and profiles now, fire a load at the bundled sandbox and open its run.</p>
      </EmptyState>
    </>
  );
}
