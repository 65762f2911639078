import Link from 'next/link';
import type { ReactNode } from 'react';

export interface EmptyStateProps {
  title: string;
  /** What this place will show once there is data. */
  children: ReactNode;
  /** The next step, as a link. */
  action?: { href: string; label: string };
}

/** A page-level empty state: says what will be here and what to do now. Never fake data. */
export function EmptyState({ title, children, action }: EmptyStateProps) {
  return (
    <div className="mx-auto flex max-w-2xl flex-col items-start gap-3 rounded-lg border border-dashed border-line bg-panel p-8">
      <h2 className="text-lg font-semibold">{title}</h2>
      <div className="flex flex-col gap-2 text-sm text-muted">{children}</div>
      {action && (
        <Link href={action.href} className="mt-2 inline-flex h-8 items-center rounded-md bg-accent px-3 text-sm font-medium text-accent-fg hover:opacity-90">
          {action.label}
        </Link>
      )}
    </div>
  );
}

/** Page title row shared by the dashboard pages. */
export function PageHeader({ title, description }: { title: string; description?: ReactNode }) {
  return (
    <div className="mb-6">
      <h1 className="text-xl font-semibold tracking-tight">{title}</h1>
      {description && <p className="mt-1 max-w-3xl text-sm text-muted">{description}</p>}
    </div>
  );
}
