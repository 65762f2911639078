import type { Metadata } from 'next';
import { Suspense } from 'react';
import { ExploreView } from '@/components/explore/ExploreView';

export const metadata: Metadata = { title: 'Explore' };

export default function ExplorePage() {
  return (
    <Suspense fallback={<div className="h-64 rounded-lg border border-line bg-panel" aria-hidden="true" />}>
      <ExploreView />
    </Suspense>
  );
}
