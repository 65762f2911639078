// Incident links behind the routes: who may create, read, list and revoke,
// freezing a view's answers, and answering a link's reader from what was
// frozen or, for a live link, by replaying the view's own requests.
import { ApiError } from '@/lib/api-errors';
import { AuthError, getViewer, requireRole, roleAtLeast, type Viewer } from '@/lib/auth';
import { config } from '@/lib/config';
import { prisma } from '@/lib/db';
import { mapLimited } from '@/lib/map-limited';
import { planFreeze, type ReplayedAnswer } from './freeze';
import { findReplayable, replay } from './replay';
import { isSlug } from './slug';
import { createIncident, frozenAnswer, getIncident, listIncidents, revokeIncident, storeFrozen, type IncidentRecord } from './store';
import { IncidentInput, linkPath } from './view';

export class LinkGone extends ApiError {
  constructor(readonly record: IncidentRecord) {
    super(410, record.state === 'revoked' ? `this link was revoked${record.revokedBy ? ` by ${record.revokedBy}` : ''}` : 'this link has expired');
  }
}

const notFound = () => new ApiError(404, 'no such link');

/** Answers replayed at once while freezing (each is one route handler call, most of them one backend query). */
const FREEZE_CONCURRENCY = 4;

export interface CreatedLink {
  link: IncidentRecord;
  url: string;
}

/** POST /api/incidents: an editor shares a view; with `freeze`, its answers are taken now, as that editor sees them. */
export async function createLink(req: Request, body: unknown): Promise<CreatedLink> {
  const viewer = await requireRole(req, 'editor');
  const input = IncidentInput.safeParse(body);
  if (!input.success) throw new InputError(input.error.issues);
  const unknown = input.data.requests.filter((k) => !findReplayable(k));
  if (unknown.length) throw new InputError([{ path: ['requests'], message: `not a request a shared view can make: ${unknown[0].slice(0, 200)}` }]);
  const db = prisma();
  let link = await createIncident(db, input.data, viewer);
  if (input.data.freeze) {
    const origin = new URL(req.url).origin;
    const answers = await mapLimited(input.data.requests, FREEZE_CONCURRENCY, async (key): Promise<ReplayedAnswer> => {
      try {
        return { key, ...(await replay(key, { origin, headers: req.headers, signal: req.signal })) };
      } catch (e) {
        return { key, status: 500, body: null, bytes: 0, error: (e as Error).message };
      }
    });
    const plan = planFreeze(answers, config().INCIDENT_FREEZE_MAX_BYTES);
    await storeFrozen(db, link.id, plan.kept, plan.omitted);
    link = (await getIncident(db, link.slug))!;
  }
  return { link, url: linkPath(link.slug) };
}

export class InputError extends ApiError {
  constructor(readonly issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
    super(400, issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; '));
  }
}

/** Who may read a link: anyone signed in, or anybody at all when the instance allows anonymous links. */
async function reader(req: Request): Promise<Viewer | null> {
  const viewer = await getViewer(req);
  if (viewer || config().INCIDENT_LINKS_ANONYMOUS) return viewer;
  throw new AuthError(401, 'sign in to open this link (this instance does not allow reading links anonymously: INCIDENT_LINKS_ANONYMOUS)');
}

/** A link for its reader: 404 unknown, 410 revoked or expired, 401 when they may not read it. */
export async function openLink(req: Request, slug: string): Promise<{ link: IncidentRecord; viewer: Viewer | null }> {
  if (!isSlug(slug)) throw notFound();
  const viewer = await reader(req);
  const link = await getIncident(prisma(), slug);
  if (!link) throw notFound();
  if (link.state === 'revoked' || link.state === 'expired') throw new LinkGone(link);
  return { link, viewer };
}

/** The link itself without the access check, for the 410 page (which says when and by whom). */
export async function linkForGonePage(slug: string): Promise<IncidentRecord | null> {
  return isSlug(slug) ? getIncident(prisma(), slug) : null;
}

export interface LinkAnswer {
  status: number;
  body: unknown;
  /** frozen: from Postgres; live: replayed now */
  source: 'frozen' | 'live';
}

/**
 * One API answer of a link's view. Frozen answers come from Postgres; a live
 * link replays the view's own requests now. A request the view did not make
 * is refused to anonymous readers (a link grants nothing else); signed-in
 * readers get it live, as the API would answer them anyway.
 */
export async function linkData(req: Request, slug: string, key: string): Promise<LinkAnswer> {
  const { link, viewer } = await openLink(req, slug);
  const listed = link.requests.includes(key);
  if (link.frozenAt && listed) {
    const stored = await frozenAnswer(prisma(), link.id, key);
    if (stored) return { ...stored, source: 'frozen' };
    const why = link.frozenOmitted.find((o) => o.key === key)?.reason ?? 'not frozen';
    return { status: 404, body: { error: { message: `left out of the frozen data: ${why}` } }, source: 'frozen' };
  }
  if (!listed && !(viewer && roleAtLeast(viewer.role, 'viewer'))) {
    throw new AuthError(403, 'this link shows one view; what it did not show is not shared. Sign in to explore further.');
  }
  if (!findReplayable(key)) throw new ApiError(400, 'not a request a shared view can make');
  const r = await replay(key, { origin: new URL(req.url).origin, headers: req.headers, signal: req.signal });
  return { status: r.status, body: r.body ?? { error: { message: 'the answer was not JSON' } }, source: 'live' };
}

export interface LinkRow {
  slug: string;
  title: string;
  note: string;
  from: number;
  to: number;
  path: string;
  createdBy: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  frozenAt: string | null;
  frozenBytes: number;
  frozenOmitted: number;
  state: IncidentRecord['state'];
  /** the viewer may revoke it: its creator, or an admin */
  mayRevoke: boolean;
}

const mayRevoke = (link: IncidentRecord, viewer: Viewer) => viewer.role === 'admin' || (roleAtLeast(viewer.role, 'editor') && link.createdById !== null && link.createdById === viewer.id);

export async function listLinks(req: Request): Promise<LinkRow[]> {
  const viewer = await requireRole(req, 'viewer');
  return (await listIncidents(prisma())).map((l) => ({
    slug: l.slug,
    title: l.title,
    note: l.note,
    from: l.from,
    to: l.to,
    path: l.view.path,
    createdBy: l.createdBy,
    createdAt: l.createdAt,
    expiresAt: l.expiresAt,
    revokedAt: l.revokedAt,
    revokedBy: l.revokedBy,
    frozenAt: l.frozenAt,
    frozenBytes: l.frozenBytes,
    frozenOmitted: l.frozenOmitted.length,
    state: l.state,
    mayRevoke: mayRevoke(l, viewer),
  }));
}

/** POST /api/incidents/:slug/revoke: its creator or an admin. */
export async function revokeLink(req: Request, slug: string): Promise<IncidentRecord> {
  const viewer = await requireRole(req, 'editor');
  if (!isSlug(slug)) throw notFound();
  const link = await getIncident(prisma(), slug);
  if (!link) throw notFound();
  if (!mayRevoke(link, viewer)) throw new AuthError(403, `only its creator${link.createdBy ? ` (${link.createdBy})` : ''} or an admin may revoke this link`);
  return (await revokeIncident(prisma(), slug, viewer.name))!;
}
