import type { Metadata } from 'next';
import { SloList } from '@/components/slo/SloList';
import { PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'SLOs' };

export default function SlosPage() {
  return (
    <>
      <PageHeader
        title="SLOs"
        description="Service level objectives with their error budget and multi-window burn rates, evaluated by Prometheus from Sloth-compatible rules. A burn rate of 1 spends the budget exactly over the period."
      />
      <SloList />
    </>
  );
}
