'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge } from '@/components/ui/Badge';
import { Button } from '@/components/ui/Button';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { Table } from '@/components/ui/Table';
import { fetchJson } from '@/lib/api-errors';
import type { LinkRow } from '@/lib/incidents/service';
import { formatUtc } from '@/lib/time-range';

const TONE = { live: 'ok', frozen: 'accent', expired: 'neutral', revoked: 'danger' } as const;

/** A link no one can open any more. */
const isGone = (l: LinkRow) => l.state === 'revoked' || l.state === 'expired';

const kind = (path: string) => (path === '/explore' ? 'Explore' : path.startsWith('/sandbox/runs/') ? 'Load run' : path.startsWith('/slos/') ? 'SLO' : path);

/** Every incident link: what it shows, who shared it, its range and state; its creator or an admin may revoke it. */
export function IncidentList() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['incident-links'], queryFn: ({ signal }) => fetchJson<{ links: LinkRow[] }>('/api/incidents', { signal }) });
  const revoke = useMutation({
    mutationFn: (slug: string) => fetchJson(`/api/incidents/${slug}/revoke`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    onSettled: () => void client.invalidateQueries({ queryKey: ['incident-links'] }),
  });
  const links = q.data?.links ?? [];
  return (
    <Panel
      title="Incident links"
      source="Postgres"
      testId="incident-links"
      {...queryPanelState(q)}
      empty={q.data && links.length === 0 && 'No links yet. Press Share on Explore, a load run or an SLO page to make one: it keeps the exact view, and can freeze its data.'}
    >
      {revoke.error && (
        <p role="alert" className="mb-2 text-sm text-danger">
          Could not revoke: {(revoke.error as Error).message}
        </p>
      )}
      <div className="overflow-auto">
        <Table
          caption="Incident links"
          className="min-w-[860px]"
          spacing="relaxed"
          rows={links}
          rowKey={(l) => l.slug}
          rowProps={(l) => ({ 'data-testid': 'incident-row', 'data-state': l.state })}
          columns={[
            {
              header: 'Title',
              className: 'max-w-[20rem]',
              cell: (l) => (
                <>
                  <a href={`/i/${l.slug}`} className={`text-accent underline-offset-2 hover:underline ${isGone(l) ? 'line-through opacity-70' : ''}`}>
                    {l.title}
                  </a>
                  {l.note && (
                    <p className="truncate text-xs text-muted" title={l.note}>
                      {l.note}
                    </p>
                  )}
                </>
              ),
            },
            { header: 'View', cell: (l) => kind(l.path) },
            {
              header: 'Range (UTC)',
              className: 'font-mono text-xs',
              cell: (l) => `${formatUtc(l.from)} → ${formatUtc(l.to).slice(11)}`,
            },
            {
              header: 'Shared by',
              cell: (l) => (
                <>
                  {l.createdBy ?? '—'}
                  <span className="block text-xs text-muted">{formatUtc(Date.parse(l.createdAt))}</span>
                </>
              ),
            },
            {
              header: 'State',
              cell: (l) => (
                <>
                  <Badge tone={TONE[l.state]}>{l.state}</Badge>
                  <span className="block text-xs text-muted">
                    {l.state === 'revoked' && `by ${l.revokedBy ?? '—'}`}
                    {l.state === 'frozen' && `${(l.frozenBytes / 1024).toFixed(0)} KiB${l.frozenOmitted ? `, ${l.frozenOmitted} left out` : ''}`}
                    {!isGone(l) && l.expiresAt && ` · until ${formatUtc(Date.parse(l.expiresAt)).slice(0, 16)}`}
                  </span>
                </>
              ),
            },
            {
              header: 'Actions',
              srOnlyHeader: true,
              align: 'right',
              cell: (l) =>
                l.mayRevoke &&
                !isGone(l) && (
                  <Button
                    size="sm"
                    variant="danger"
                    disabled={revoke.isPending}
                    onClick={() => {
                      if (window.confirm(`Revoke “${l.title}”? The link will answer 410 Gone from now on.`)) revoke.mutate(l.slug);
                    }}
                    data-testid="incident-revoke"
                  >
                    Revoke
                  </Button>
                ),
            },
          ]}
        />
      </div>
    </Panel>
  );
}
