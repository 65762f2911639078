import { EmptyState } from '@/components/ui/EmptyState';

export default function RunNotFound() {
  return (
    <div data-testid="run-not-found">
      <EmptyState title="No such load run" action={{ href: '/sandbox', label: 'All runs' }}>
        <p>There is no load run at this address: the link may be mistyped, or the run was recorded by another Trisight database.</p>
        <p>Fire a new load from the Sandbox page, or open one of the runs listed there.</p>
      </EmptyState>
    </div>
  );
}
