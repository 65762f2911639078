'use client';

import type { ReactNode } from 'react';
import { describeError } from '@/lib/api-errors';
import { Badge } from './Badge';
import { Button } from './Button';

export interface PanelProps {
  /** Heading of the panel (rendered as an h2; the section is labelled by it). */
  title: string;
  /**
   * Where the data comes from, shown as a badge, e.g. "Prometheus", "Tempo",
   * "Embedded (Postgres)". Every dashboard panel should say it.
   */
  source?: string;
  /** Shows a loading line instead of the content (keep the previous content by passing false while refetching). */
  loading?: boolean;
  /**
   * A failure to show instead of the content. A BackendError (or an object with
   * `backend`, `status`, `message`, as fetchJson throws) is shown as
   * "Prometheus: <message> (HTTP 503)".
   */
  error?: unknown;
  /** Shows a Retry button next to the error. */
  onRetry?: () => void;
  /**
   * When truthy (and not loading or failed), shown instead of the content:
   * say what is missing and what to do next, e.g. "No runs yet — start one above".
   */
  empty?: ReactNode;
  /** Controls at the right of the header (tabs, toggles). */
  actions?: ReactNode;
  /** Optional line under the title, e.g. the time window. */
  subtitle?: ReactNode;
  className?: string;
  /** Stable test hook: sets data-testid and the heading id. */
  testId?: string;
  children?: ReactNode;
}

/**
 * The frame of every dashboard panel: title, data-source badge, and its own
 * loading / error (naming the backend) / retry / empty states, so one panel
 * failing never blanks the page.
 *
 *   <Panel title="Latency" source="Prometheus" loading={q.isPending} error={q.error}
 *          onRetry={() => q.refetch()} empty={!q.data?.count && 'No requests in this window.'}>
 *     <LatencyHistogram … />
 *   </Panel>
 */
export function Panel({ title, source, loading, error, onRetry, empty, actions, subtitle, className = '', testId, children }: PanelProps) {
  const headingId = `${testId ?? title.replace(/\W+/g, '-').toLowerCase()}-title`;
  let body: ReactNode;
  if (error) {
    const { text } = describeError(error);
    body = (
      <div role="alert" className="flex flex-wrap items-start gap-3 rounded-md border border-danger/40 bg-danger/5 p-3 text-sm">
        <p className="min-w-0 flex-1 break-words text-danger">{text}</p>
        {onRetry && (
          <Button size="sm" onClick={onRetry}>
            Retry
          </Button>
        )}
      </div>
    );
  } else if (loading) {
    body = (
      <p role="status" className="animate-pulse p-3 text-sm text-muted">
        Loading…
      </p>
    );
  } else if (empty) {
    body = <div className="p-3 text-sm text-muted">{empty}</div>;
  } else {
    body = children;
  }
  return (
    <section aria-labelledby={headingId} data-testid={testId} className={`flex min-w-0 flex-col rounded-lg border border-line bg-panel ${className}`}>
      <header className="flex flex-wrap items-center gap-2 border-b border-line px-3 py-2">
        <div className="min-w-0 flex-1">
          <div className="flex items-center gap-2">
            <h2 id={headingId} className="truncate text-sm font-semibold">
              {title}
            </h2>
            {source && <Badge title="Data source">{source}</Badge>}
          </div>
          {subtitle && <div className="mt-0.5 text-xs text-muted">{subtitle}</div>}
        </div>
        {actions && <div className="flex items-center gap-2">{actions}</div>}
      </header>
      <div className="min-w-0 flex-1 p-3">{body}</div>
    </section>
  );
}

/** Panel's loading / error / retry props for a panel that shows one react-query query: `<Panel {...queryPanelState(q)} …>`. */
export function queryPanelState(q: { isPending: boolean; error: unknown; refetch: () => unknown }): Pick<PanelProps, 'loading' | 'error' | 'onRetry'> {
  return { loading: q.isPending, error: q.error, onRetry: () => void q.refetch() };
}
