// Incident links in Postgres (Prisma): the link, and the answers frozen for it.
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { Viewer } from '@/lib/auth';
import { newSlug } from './slug';
import { incidentState, type IncidentInput, type IncidentState, type IncidentView } from './view';

export interface IncidentRecord {
  id: string;
  slug: string;
  title: string;
  note: string;
  from: number;
  to: number;
  view: IncidentView;
  createdBy: string | null;
  createdById: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  requests: string[];
  frozenAt: string | null;
  frozenBytes: number;
  /** requests whose answers were not frozen, and why */
  frozenOmitted: { key: string; reason: string }[];
  state: IncidentState;
}

type Row = Awaited<ReturnType<PrismaClient['incident']['findUniqueOrThrow']>>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRecord(r: Row, now = Date.now()): IncidentRecord {
  return {
    id: r.id,
    slug: r.slug,
    title: r.title,
    note: r.note,
    from: r.fromTime.getTime(),
    to: r.toTime.getTime(),
    view: r.state as unknown as IncidentView,
    createdBy: r.createdBy,
    createdById: r.createdById,
    createdAt: r.createdAt.toISOString(),
    expiresAt: iso(r.expiresAt),
    revokedAt: iso(r.revokedAt),
    revokedBy: r.revokedBy,
    requests: r.requests as string[],
    frozenAt: iso(r.frozenAt),
    frozenBytes: r.frozenBytes,
    frozenOmitted: r.frozenOmitted as { key: string; reason: string }[],
    state: incidentState(r, now),
  };
}

/** Stores a new link (not yet frozen); the slug comes from the CSPRNG. */
export async function createIncident(db: PrismaClient, input: IncidentInput, creator: Viewer | null, now = Date.now()): Promise<IncidentRecord> {
  const row = await db.incident.create({
    data: {
      slug: newSlug(),
      title: input.title,
      note: input.note,
      fromTime: new Date(input.from),
      toTime: new Date(input.to),
      state: input.view as object,
      createdBy: creator?.name ?? null,
      createdById: creator?.id ?? null,
      expiresAt: input.expiresInHours === null ? null : new Date(now + input.expiresInHours * 3_600_000),
      requests: input.requests,
    },
  });
  return toRecord(row, now);
}

export async function getIncident(db: PrismaClient, slug: string): Promise<IncidentRecord | null> {
  const row = await db.incident.findUnique({ where: { slug } });
  return row && toRecord(row);
}

export async function listIncidents(db: PrismaClient, limit = 200): Promise<IncidentRecord[]> {
  const rows = await db.incident.findMany({ orderBy: { createdAt: 'desc' }, take: limit });
  return rows.map((r) => toRecord(r));
}

/** Marks a link revoked (once: a second revoke keeps the first time and name). */
export async function revokeIncident(db: PrismaClient, slug: string, by: string): Promise<IncidentRecord | null> {
  await db.incident.updateMany({ where: { slug, revokedAt: null }, data: { revokedAt: new Date(), revokedBy: by } });
  return getIncident(db, slug);
}

export interface FrozenAnswer {
  key: string;
  status: number;
  body: unknown;
  bytes: number;
}

/** Stores the frozen answers and marks the link frozen, in one transaction: all of it or nothing. */
export async function storeFrozen(db: PrismaClient, incidentId: string, answers: readonly FrozenAnswer[], omitted: readonly { key: string; reason: string }[]): Promise<void> {
  await db.$transaction([
    db.incidentResponse.createMany({ data: answers.map((a) => ({ incidentId, key: a.key, status: a.status, body: a.body as object, bytes: a.bytes })) }),
    db.incident.update({
      where: { id: incidentId },
      data: { frozenAt: new Date(), frozenBytes: answers.reduce((s, a) => s + a.bytes, 0), frozenOmitted: omitted as object[] },
    }),
  ]);
}

export async function frozenAnswer(db: PrismaClient, incidentId: string, key: string): Promise<{ status: number; body: unknown } | null> {
  const r = await db.incidentResponse.findUnique({ where: { incidentId_key: { incidentId, key } }, select: { status: true, body: true } });
  return r && { status: r.status, body: r.body };
}

/** Deletes a link and what it froze (tests and retention; the UI revokes instead). */
export async function deleteIncident(db: PrismaClient, slug: string): Promise<void> {
  await db.incident.deleteMany({ where: { slug } });
}
