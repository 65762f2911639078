import type { Metadata } from 'next';
import { SloImport } from '@/components/slo/SloImport';
import { PageHeader } from '@/components/ui/EmptyState';

export const metadata: Metadata = { title: 'Import SLOs' };

export default function ImportSlosPage() {
  return (
    <>
      <PageHeader title="Import SLOs" description="From OpenSLO (what Trisight exports, or another tool's) or from Sloth. Each problem names the path of the field in your document." />
      <SloImport />
    </>
  );
}
