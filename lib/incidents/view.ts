// What an incident link points at, and the state it is in. Pure: shared by
// the routes, the link page and the list.
import { z } from 'zod';

/** Views that can be shared, and how their path looks. */
const SHAREABLE: readonly { kind: ViewKind; path: RegExp }[] = [
  { kind: 'explore', path: /^\/explore$/ },
  { kind: 'run', path: /^\/sandbox\/runs\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ },
  { kind: 'slo', path: /^\/slos\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ },
];
export type ViewKind = 'explore' | 'run' | 'slo';

export function viewKind(path: string): ViewKind | null {
  return SHAREABLE.find((v) => v.path.test(path))?.kind ?? null;
}

/** A view: its page and its search string (the whole URL state: queries, selections, the absolute range). */
export interface IncidentView {
  path: string;
  search: string;
}

/** The most API requests one link may list, and the longest one. */
export const MAX_REQUESTS = 100;
export const MAX_REQUEST_CHARS = 4000;

/** An API request of the view: an `/api/…` path and query, never the link API itself. */
export const RequestKey = z
  .string()
  .max(MAX_REQUEST_CHARS, `a request may be at most ${MAX_REQUEST_CHARS} characters`)
  .refine((k) => /^\/api\/[A-Za-z0-9_\-./[\]%:]+(\?.*)?$/.test(k) && !k.includes('..') && !/^\/api\/(i|incidents)\b/.test(k), 'a request must be an /api/… path of the view');

export const IncidentInput = z
  .object({
    title: z.string({ error: 'title is required' }).trim().min(1, 'title is required').max(200, 'title may be at most 200 characters'),
    note: z.string().trim().max(5000, 'note may be at most 5000 characters').default(''),
    /** absolute, unix ms: relative ranges are resolved by the page that shares */
    from: z.number({ error: 'from must be unix ms' }).int().min(946_684_800_000, 'from must be unix ms'),
    to: z.number({ error: 'to must be unix ms' }).int().max(4_102_444_800_000, 'to must be unix ms'),
    view: z.object({
      path: z.string().refine((p) => viewKind(p) !== null, 'path must be an Explore, run or SLO page'),
      search: z.string().max(8000, 'the view’s URL state may be at most 8000 characters').default(''),
    }),
    requests: z.array(RequestKey).max(MAX_REQUESTS, `at most ${MAX_REQUESTS} requests`).default([]),
    freeze: z.boolean().default(false),
    /** hours until the link stops working; null or absent: never */
    expiresInHours: z.number().int().min(1, 'expiry must be at least an hour').max(24 * 366, 'expiry may be at most a year').nullable().default(null),
  })
  .strict()
  .refine((v) => v.from < v.to, { message: 'from must be before to', path: ['from'] });
export type IncidentInput = z.output<typeof IncidentInput>;

export type IncidentState = 'live' | 'frozen' | 'expired' | 'revoked';

export function incidentState(i: { revokedAt: Date | null; expiresAt: Date | null; frozenAt: Date | null }, now = Date.now()): IncidentState {
  if (i.revokedAt) return 'revoked';
  if (i.expiresAt && i.expiresAt.getTime() <= now) return 'expired';
  return i.frozenAt ? 'frozen' : 'live';
}

/**
 * The view's search string with the range made absolute and live mode off:
 * what the link restores, whatever time it is opened at.
 */
export function absoluteSearch(search: string, range: { from: number; to: number }): string {
  const p = new URLSearchParams(search);
  p.set('from', String(range.from));
  p.set('to', String(range.to));
  p.delete('live');
  return p.toString();
}

/**
 * A captured request with relative `from` / `to` (`now-1h`, as the SLO page
 * sends them) made absolute: the link page asks with the absolute range, and
 * a frozen answer is found by its exact request.
 */
export function absoluteRequest(key: string, range: { from: number; to: number }): string {
  const q = key.indexOf('?');
  if (q < 0) return key;
  const p = new URLSearchParams(key.slice(q + 1));
  let changed = false;
  for (const [k, v] of [['from', range.from], ['to', range.to]] as const) {
    if (/^now([+-]\d+[smhdw])?$/.test(p.get(k)?.trim() ?? '')) {
      p.set(k, String(v));
      changed = true;
    }
  }
  return changed ? `${key.slice(0, q)}?${p}` : key;
}

/** The link's own URL for a slug. */
export const linkPath = (slug: string) => `/i/${slug}`;
