'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/Button';
import { Panel, queryPanelState } from '@/components/ui/Panel';
import { Table } from '@/components/ui/Table';
import { describeError } from '@/lib/api-errors';
import { definitionDiff } from '@/lib/slo/revision-diff';
import { formatUtc } from '@/lib/time-range';
import { sloApi } from './api';

/** Every revision (who, when, what changed, why), a diff between any two (?a=&b= in the URL), and restore. */
export function SloHistory({ id }: { id: string }) {
  const q = useQuery({ queryKey: ['slo-revisions', id], queryFn: ({ signal }) => sloApi.revisions(id, signal) });
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const client = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const revs = q.data?.revisions ?? [];
  const latest = revs[0]?.revision ?? 0;
  const b = Number(params.get('b') ?? latest);
  const a = Number(params.get('a') ?? Math.max(1, b - 1));
  const pick = (k: 'a' | 'b', v: number) => router.replace(`${pathname}?${new URLSearchParams({ ...Object.fromEntries(params), [k]: String(v) })}`, { scroll: false });
  const ra = revs.find((r) => r.revision === a);
  const rb = revs.find((r) => r.revision === b);
  const lines = ra && rb ? definitionDiff(ra.definition, rb.definition) : [];

  async function restore(revision: number) {
    setError(null);
    try {
      await sloApi.restore(id, revision, latest);
      await client.invalidateQueries({ queryKey: ['slo-revisions', id] });
      router.replace(pathname);
    } catch (e) {
      setError(describeError(e).text);
    }
  }

  return (
    <div className="flex flex-col gap-4">
      <Panel title="Revisions" subtitle="Choose two to compare; restoring saves an old definition again as a new revision" {...queryPanelState(q)} testId="slo-revisions">
        <Table
          caption="Revisions of this SLO, newest first"
          rows={revs}
          rowKey={(r) => r.revision}
          rowProps={() => ({ 'data-testid': 'slo-revision', className: 'align-top' })}
          columns={[
            {
              header: 'From',
              cell: (r) => <input type="radio" name="from" aria-label={`compare from revision ${r.revision}`} checked={r.revision === a} onChange={() => pick('a', r.revision)} />,
            },
            {
              header: 'To',
              cell: (r) => <input type="radio" name="to" aria-label={`compare to revision ${r.revision}`} checked={r.revision === b} onChange={() => pick('b', r.revision)} />,
            },
            { header: 'Revision', className: 'font-medium', cell: (r) => r.revision },
            { header: 'Saved', className: 'text-xs', cell: (r) => `${r.author || 'someone'}, ${formatUtc(new Date(r.createdAt).getTime())}` },
            {
              header: 'What changed',
              className: 'text-xs',
              cell: (r) => (
                <>
                  {r.message && <div>{r.message}</div>}
                  {r.changes.length > 0 && <div className="text-muted">{r.changes.join(', ')}</div>}
                </>
              ),
            },
            {
              header: 'Restore',
              srOnlyHeader: true,
              align: 'right',
              cell: (r) =>
                r.revision !== latest && (
                  <Button size="sm" onClick={() => restore(r.revision)}>
                    Restore
                  </Button>
                ),
            },
          ]}
        />
        {error && (
          <p role="alert" className="mt-2 text-sm text-danger">
            {error}
          </p>
        )}
      </Panel>
      <Panel title={`Revision ${a} → ${b}`} empty={!ra || !rb ? 'Choose two revisions above.' : undefined} testId="slo-diff">
        {lines.every((l) => l.kind === 'same') ? (
          <p className="text-sm text-muted">The two revisions define the same SLO.</p>
        ) : (
          <pre className="overflow-auto rounded-md bg-panel-2 p-3 text-xs leading-5">
            {lines.map((l, i) => (
              <div
                // biome-ignore lint/suspicious/noArrayIndexKey: lines of a diff have no identity but their position
                key={i}
                data-diff={l.kind}
                className={l.kind === 'added' ? 'bg-ok/15 text-ok' : l.kind === 'removed' ? 'bg-danger/10 text-danger' : 'text-muted'}
              >
                {l.kind === 'added' ? '+ ' : l.kind === 'removed' ? '− ' : '  '}
                {l.text}
              </div>
            ))}
          </pre>
        )}
      </Panel>
      <Link href={`/slos/${id}`} className="text-sm text-accent underline">
        Back to the SLO
      </Link>
    </div>
  );
}
