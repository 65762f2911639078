import type { Metadata } from 'next';
import { EmptyState, PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'SLOs' };

export default function SlosPage() {
  return (
    <>
      <PageHeader title="SLOs" description="Service level objectives for latency and errors, with burn rates and revision history." />
      <EmptyState title="No SLOs yet" action={{ href: '/sandbox', label: 'Run a load from Sandbox' }}>
        <p>
          This page will list your objectives (for example “99% of requests finish within 2 s over 30 days”), their error budget,
          multi-window burn rates and the Prometheus rules they generate.
        </p>
        <p>Defining SLOs is not available in this build yet. Run a load from the Sandbox to produce the latency data they will be measured on.</p>
      </EmptyState>
    </>
  );
}
