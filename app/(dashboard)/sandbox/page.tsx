import type { Metadata } from 'next';
import { Suspense } from 'react';
import { BrowserRun } from '@/components/browser-run/BrowserRun';
import { LoadForm } from '@/components/loadruns/LoadForm';
import { RunHistory } from '@/components/loadruns/RunHistory';
import { PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'Sandbox' };

export default function SandboxPage() {
  return (
    <>
      <PageHeader
        title="Sandbox"
        description="Fire a bounded load at the bundled inference sandbox or a configured OpenAI-compatible server, then open the run to see its latency next to its CPU profile."
      />
      <div className="flex flex-col gap-6">
        {/* useSearchParams needs a Suspense boundary */}
        <Suspense fallback={<div className="h-64 rounded-lg border border-line bg-panel" aria-hidden="true" />}>
          <LoadForm />
        </Suspense>
        <Suspense fallback={null}>
          <BrowserRun />
        </Suspense>
        <RunHistory />
      </div>
    </>
  );
}
