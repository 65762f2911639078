'use client';

import type { ReactNode } from 'react';
import { Button } from '@/components/ui/Button';
import { describeError } from '@/lib/api-errors';

/**
 * A query's loading / error (naming the backend, with Retry) / empty state
 * under a panel's own controls, which stay usable: a wrong query can be fixed
 * where it was typed.
 */
export function QueryState({ q, empty, children, testId }: { q: { isPending: boolean; fetchStatus?: string; error: unknown; refetch: () => unknown }; empty?: ReactNode; children?: ReactNode; testId?: string }) {
  if (q.error) {
    return (
      <div role="alert" className="flex flex-wrap items-start gap-3 rounded-md border border-danger/40 bg-danger/5 p-3 text-sm" data-testid={testId ? `${testId}-error` : undefined}>
        <p className="min-w-0 flex-1 break-words text-danger">{describeError(q.error).text}</p>
        <Button size="sm" onClick={() => void q.refetch()}>
          Retry
        </Button>
      </div>
    );
  }
  if (q.isPending && q.fetchStatus !== 'idle') {
    return (
      <p role="status" className="animate-pulse p-3 text-sm text-muted">
        Loading…
      </p>
    );
  }
  if (empty) return <div className="rounded-md border border-dashed border-line p-4 text-sm text-muted">{empty}</div>;
  return <>{children}</>;
}
