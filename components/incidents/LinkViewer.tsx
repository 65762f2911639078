'use client';

import { QueryClientProvider } from '@tanstack/react-query';
import { Suspense, useEffect, useState, type ReactNode } from 'react';
import { ExploreView } from '@/components/explore/ExploreView';
import { RunDetail } from '@/components/loadruns/RunDetail';
import { newQueryClient } from '@/components/providers';
import { SloDetailView } from '@/components/slo/SloDetailView';
import { Badge } from '@/components/ui/Badge';
import { routeApiReads } from '@/lib/api-errors';
import type { IncidentRecord } from '@/lib/incidents/store';
import { viewKind } from '@/lib/incidents/view';
import { formatUtc } from '@/lib/time-range';

/** What the link page shows about a link (no internal ids). */
export type LinkPublic = Pick<IncidentRecord, 'slug' | 'title' | 'note' | 'from' | 'to' | 'view' | 'createdBy' | 'createdAt' | 'expiresAt' | 'frozenAt' | 'frozenBytes' | 'frozenOmitted' | 'state'> & {
  requestCount: number;
  /** the reader is signed in (or sign-in is off): offer the live page */
  signedIn: boolean;
};

const iso = (s: string) => `${s.slice(0, 16).replace('T', ' ')} UTC`;

function View({ path }: { path: string }): ReactNode {
  switch (viewKind(path)) {
    case 'explore':
      return <ExploreView shared />;
    case 'run':
      return <RunDetail id={path.split('/').pop()!} />;
    case 'slo':
      return <SloDetailView id={path.split('/').pop()!} />;
    default:
      return <p className="text-sm text-muted">This link points at a page this version cannot show: {path}</p>;
  }
}

/**
 * A shared view restored: its own query client (nothing from another page
 * leaks in) and every API read sent through the link, which answers from the
 * frozen data or, for a live link, by replaying the view's own requests.
 */
export function LinkViewer({ link }: { link: LinkPublic }) {
  const [client] = useState(newQueryClient);
  // Before the view's queries start (they run in effects after this render).
  useState(() => {
    if (typeof window !== 'undefined') routeApiReads((p) => `/api/i/${link.slug}/data?r=${encodeURIComponent(p)}`);
  });
  useEffect(() => () => routeApiReads(null), []);
  const frozen = link.state === 'frozen';
  const kept = link.requestCount - link.frozenOmitted.length;
  return (
    <div className="flex flex-col gap-4" data-testid="incident-link" data-state={link.state}>
      <section aria-labelledby="link-title" className="flex flex-col gap-2 rounded-lg border border-line bg-panel p-4">
        <div className="flex flex-wrap items-center gap-2">
          <h1 id="link-title" className="text-xl font-semibold tracking-tight">
            {link.title}
          </h1>
          <Badge tone={frozen ? 'accent' : 'ok'}>{frozen ? 'Frozen' : 'Live'}</Badge>
        </div>
        {link.note && <p className="whitespace-pre-wrap text-sm">{link.note}</p>}
        <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-xs text-muted sm:grid-cols-2 lg:grid-cols-4">
          <div>
            <dt className="inline">Range: </dt>
            <dd className="inline font-mono" data-testid="link-range">
              {formatUtc(link.from)} → {formatUtc(link.to)} UTC
            </dd>
          </div>
          <div>
            <dt className="inline">Shared by: </dt>
            <dd className="inline">
              {link.createdBy ?? 'unknown'} on {iso(link.createdAt)}
            </dd>
          </div>
          <div>
            <dt className="inline">Expires: </dt>
            <dd className="inline">{link.expiresAt ? iso(link.expiresAt) : 'never'}</dd>
          </div>
          <div>
            <dt className="inline">Data: </dt>
            <dd className="inline" data-testid="link-data-state">
              {frozen ? `frozen ${iso(link.frozenAt!)} · ${kept} of ${link.requestCount} answers (${(link.frozenBytes / 1024).toFixed(0)} KiB)` : 'read live from the backends'}
            </dd>
          </div>
        </dl>
        {frozen && link.frozenOmitted.length > 0 && (
          <p role="note" className="text-xs text-warn" data-testid="link-cut">
            The frozen data was cut: {link.frozenOmitted.length} answer{link.frozenOmitted.length === 1 ? ' was' : 's were'} left out ({[...new Set(link.frozenOmitted.map((o) => o.reason))].join('; ')}). Those panels say so.
          </p>
        )}
        <p className="text-xs text-muted">
          {frozen ? 'This is the picture as it was when it was shared; panels you open beyond it are not part of the frozen data.' : 'The panels read the backends now, for the range above.'}
          {link.signedIn && (
            <>
              {' '}
              <a className="text-accent underline-offset-2 hover:underline" href={`${link.view.path}?${link.view.search}`}>
                Open the live page
              </a>
            </>
          )}
        </p>
      </section>
      <QueryClientProvider client={client}>
        <Suspense fallback={<div className="h-64 rounded-lg border border-line bg-panel" aria-hidden="true" />}>
          <View path={link.view.path} />
        </Suspense>
      </QueryClientProvider>
    </div>
  );
}
