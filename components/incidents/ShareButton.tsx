'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/Button';
import { fetchJson, requestOf } from '@/lib/api-errors';
import type { CreatedLink } from '@/lib/incidents/service';
import { absoluteRequest, absoluteSearch } from '@/lib/incidents/view';
import type { TimeRange } from '@/lib/model/types';

const EXPIRY = [
  { hours: null, label: 'Never' },
  { hours: 24, label: '1 day' },
  { hours: 24 * 7, label: '7 days' },
  { hours: 24 * 30, label: '30 days' },
] as const;

/**
 * The API reads drawing the view right now: every query on screen whose
 * answer came through fetchJson. A shared link replays (or freezes) exactly these.
 */
function viewRequests(client: ReturnType<typeof useQueryClient>): string[] {
  const out = new Set<string>();
  for (const q of client.getQueryCache().findAll({ type: 'active' })) {
    const r = requestOf(q.state.data);
    if (r) out.add(r);
  }
  return [...out];
}

export interface ShareButtonProps {
  /** the page's path, e.g. /explore or /sandbox/runs/<id> */
  path: string;
  /** the view's absolute time range (relative ranges resolved now) */
  range: TimeRange;
  /** default title */
  title: string;
}

/**
 * "Share": makes an incident link to this exact view (its URL state, the
 * absolute time range), optionally freezing the answers behind it so the link
 * outlives the data. Shows the link to copy.
 */
export function ShareButton({ path, range, title }: ShareButtonProps) {
  const client = useQueryClient();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState(title);
  const [note, setNote] = useState('');
  const [freeze, setFreeze] = useState(true);
  const [expires, setExpires] = useState<number | null>(null);
  const id = useId();
  const titleInput = useRef<HTMLInputElement>(null);
  const create = useMutation({
    mutationFn: () =>
      fetchJson<CreatedLink>('/api/incidents', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          title: name,
          note,
          from: Math.floor(range.from),
          to: Math.ceil(range.to),
          view: { path, search: absoluteSearch(window.location.search, range) },
          requests: viewRequests(client).map((k) => absoluteRequest(k, range)),
          freeze,
          expiresInHours: expires,
        }),
      }),
  });
  useEffect(() => {
    if (open) setName(title);
  }, [open, title]);
  // Opening the dialog (the user's own click) puts the cursor in its first field.
  useEffect(() => {
    if (open) titleInput.current?.focus();
  }, [open]);
  const close = () => {
    setOpen(false);
    create.reset();
    document.getElementById(`${id}-trigger`)?.focus();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const url = create.data ? `${window.location.origin}${create.data.url}` : '';
  const link = create.data?.link;
  return (
    <div className="relative">
      <Button id={`${id}-trigger`} onClick={() => (open ? close() : setOpen(true))} aria-haspopup="dialog" aria-expanded={open} aria-controls={`${id}-dialog`} data-testid="share-button">
        Share
      </Button>
      {open && (
        <div id={`${id}-dialog`} role="dialog" aria-label="Share this view" onKeyDown={(e) => e.key === 'Escape' && close()} className="absolute right-0 top-10 z-50 flex w-[min(28rem,calc(100vw-2rem))] flex-col gap-3 rounded-lg border border-line bg-panel p-4 shadow-xl">
          {link ? (
            <div className="flex flex-col gap-2 text-sm" data-testid="share-result">
              <p className="font-semibold">Link created</p>
              <div className="flex gap-2">
                <input readOnly value={url} aria-label="Incident link" className="h-8 min-w-0 flex-1 rounded-md border border-line bg-bg px-2 font-mono text-xs" data-testid="share-url" onFocus={(e) => e.target.select()} />
                <Button size="md" onClick={() => void navigator.clipboard?.writeText(url)}>
                  Copy
                </Button>
              </div>
              <p className="text-xs text-muted">
                {link.frozenAt
                  ? `Frozen: ${link.requests.length - link.frozenOmitted.length} of ${link.requests.length} answers kept (${(link.frozenBytes / 1024).toFixed(0)} KiB)${link.frozenOmitted.length ? `; left out: ${link.frozenOmitted.map((o) => o.reason).join('; ')}` : ''}.`
                  : 'Live: the link reads the backends each time it is opened.'}
                {link.expiresAt ? ` Expires ${link.expiresAt.slice(0, 16).replace('T', ' ')} UTC.` : ''}
              </p>
              <div className="flex gap-2">
                <a href={create.data!.url} className="text-accent underline-offset-2 hover:underline" target="_blank" rel="noreferrer">
                  Open
                </a>
                <a href="/incidents" className="text-accent underline-offset-2 hover:underline">
                  All links
                </a>
                <button type="button" className="ml-auto text-xs text-muted hover:text-fg" onClick={close}>
                  Close
                </button>
              </div>
            </div>
          ) : (
            <form onSubmit={submit} className="flex flex-col gap-2 text-sm">
              <label className="flex flex-col gap-1">
                Title
                <input ref={titleInput} required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} className="h-8 rounded-md border border-line bg-bg px-2" data-testid="share-title" />
              </label>
              <label className="flex flex-col gap-1">
                Note
                <textarea maxLength={5000} value={note} onChange={(e) => setNote(e.target.value)} rows={3} className="rounded-md border border-line bg-bg px-2 py-1" placeholder="What you found, what to look at" data-testid="share-note" />
              </label>
              <div className="flex flex-wrap items-center gap-3">
                <label className="flex items-center gap-2">
                  <input type="checkbox" checked={freeze} onChange={(e) => setFreeze(e.target.checked)} data-testid="share-freeze" />
                  Freeze data
                </label>
                <label className="flex items-center gap-2">
                  Expires
                  <select value={expires ?? ''} onChange={(e) => setExpires(e.target.value ? Number(e.target.value) : null)} className="h-8 rounded-md border border-line bg-bg px-1">
                    {EXPIRY.map((x) => (
                      <option key={x.label} value={x.hours ?? ''}>
                        {x.label}
                      </option>
                    ))}
                  </select>
                </label>
              </div>
              <p className="text-xs text-muted">
                The link restores this view for the absolute range shown at the top. Freezing stores the answers behind it now, so it shows the same picture after the backends drop the data.
              </p>
              {create.error && (
                <p role="alert" className="text-xs text-danger">
                  {(create.error as Error).message}
                </p>
              )}
              <div className="flex gap-2">
                <Button type="submit" variant="primary" disabled={create.isPending} data-testid="share-create">
                  {create.isPending ? (freeze ? 'Freezing…' : 'Creating…') : 'Create link'}
                </Button>
                <Button onClick={close}>Cancel</Button>
              </div>
            </form>
          )}
        </div>
      )}
    </div>
  );
}
