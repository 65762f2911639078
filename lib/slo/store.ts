// SLO definitions and their history in Postgres. Every save is a new revision
// (who, when, message, the whole definition); a save names the revision it was
// made from, and a save from a stale revision is refused with who saved in
// between — never a lost update. The check is one conditional UPDATE
// (`WHERE revision = <base>`): of two concurrent saves from the same revision
// Postgres lets exactly one match, the other sees the new revision and fails.
import { ApiError } from '@/lib/api-errors';
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import { issuesText, SloDefinition } from './model';

export type Db = PrismaClient | Prisma.TransactionClient;

export class SloNotFound extends ApiError {
  constructor(id: string) {
    super(404, `no SLO with id ${id}`);
    this.name = 'SloNotFound';
  }
}

/** Saved from a revision that is no longer the latest: says who saved in between. */
export class SloConflict extends ApiError {
  constructor(
    readonly baseRevision: number,
    readonly current: { revision: number; author: string; createdAt: Date },
  ) {
    const who = current.author || 'someone';
    super(
      409,
      `revision ${current.revision} was saved by ${who} at ${current.createdAt.toISOString().replace('T', ' ').slice(0, 19)} UTC after you opened revision ${baseRevision}; reload to see their change, then apply yours again`,
    );
    this.name = 'SloConflict';
  }
}

export class SloNameTaken extends ApiError {
  constructor(name: string) {
    super(409, `name: an SLO named ${JSON.stringify(name)} already exists; choose another name`);
    this.name = 'SloNameTaken';
  }
}

export interface SaveMeta {
  author: string;
  message?: string;
}

export interface StoredSlo {
  id: string;
  name: string;
  revision: number;
  definition: SloDefinition;
  createdAt: Date;
  updatedAt: Date;
}

export interface RevisionView {
  revision: number;
  author: string;
  message: string;
  createdAt: Date;
  definition: SloDefinition;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === 'P2002' || /Unique constraint/i.test((e as Error)?.message ?? '');

/** A stored definition, checked again on the way out (a row from an older version may no longer fit). */
function readDefinition(name: string, spec: unknown): SloDefinition {
  const r = SloDefinition.safeParse(spec);
  if (!r.success) throw new Error(`the stored definition of SLO ${name} is unreadable: ${issuesText(r.error.issues)}`);
  return r.data;
}

function toStored(row: { id: string; name: string; revision: number; spec: unknown; createdAt: Date; updatedAt: Date }): StoredSlo {
  return { id: row.id, name: row.name, revision: row.revision, definition: readDefinition(row.name, row.spec), createdAt: row.createdAt, updatedAt: row.updatedAt };
}

const columns = (d: SloDefinition) => ({ name: d.name, service: d.service, description: d.description, owner: d.owner, spec: d as unknown as Prisma.InputJsonValue });

/** Creates an SLO with revision 1. */
export async function createSlo(db: Db, d: SloDefinition, meta: SaveMeta): Promise<StoredSlo> {
  try {
    const row = await db.slo.create({
      data: { ...columns(d), revision: 1, revisions: { create: { revision: 1, spec: columns(d).spec, message: meta.message ?? 'created', author: meta.author } } },
    });
    return toStored(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw new SloNameTaken(d.name);
    throw e;
  }
}

/** Saves `d` as the revision after `baseRevision`; SloConflict when someone saved in between. */
export async function saveSlo(db: Db, id: string, d: SloDefinition, baseRevision: number, meta: SaveMeta): Promise<StoredSlo> {
  let updated: number;
  try {
    ({ count: updated } = await db.slo.updateMany({ where: { id, revision: baseRevision }, data: { ...columns(d), revision: baseRevision + 1 } }));
  } catch (e) {
    if (isUniqueViolation(e)) throw new SloNameTaken(d.name);
    throw e;
  }
  if (updated === 0) {
    const latest = await db.sloRevision.findFirst({ where: { sloId: id }, orderBy: { revision: 'desc' } });
    if (!latest) throw new SloNotFound(id);
    throw new SloConflict(baseRevision, latest);
  }
  await db.sloRevision.create({ data: { sloId: id, revision: baseRevision + 1, spec: columns(d).spec, message: meta.message ?? '', author: meta.author } });
  return toStored((await db.slo.findUniqueOrThrow({ where: { id } })));
}

/** Restoring is saving an old definition again, as a new revision. */
export async function restoreRevision(db: Db, id: string, revision: number, baseRevision: number, meta: SaveMeta): Promise<StoredSlo> {
  const old = await getRevision(db, id, revision);
  return saveSlo(db, id, old.definition, baseRevision, { author: meta.author, message: meta.message || `restored revision ${revision}` });
}

export async function deleteSlo(db: Db, id: string): Promise<void> {
  const { count } = await db.slo.deleteMany({ where: { id } });
  if (!count) throw new SloNotFound(id);
}

export async function getSlo(db: Db, id: string): Promise<StoredSlo> {
  const row = await db.slo.findUnique({ where: { id } });
  if (!row) throw new SloNotFound(id);
  return toStored(row);
}

export async function findSloByName(db: Db, name: string): Promise<StoredSlo | null> {
  const row = await db.slo.findUnique({ where: { name } });
  return row ? toStored(row) : null;
}

/** Every SLO, by name. A stored definition that no longer parses is skipped by the caller's choice (`onUnreadable`). */
export async function listSlos(db: Db, onUnreadable?: (name: string, e: Error) => void): Promise<StoredSlo[]> {
  const rows = await db.slo.findMany({ orderBy: { name: 'asc' } });
  const out: StoredSlo[] = [];
  for (const r of rows) {
    try {
      out.push(toStored(r));
    } catch (e) {
      onUnreadable?.(r.name, e as Error);
    }
  }
  return out;
}

/** Newest first. */
export async function listRevisions(db: Db, id: string): Promise<RevisionView[]> {
  const rows = await db.sloRevision.findMany({ where: { sloId: id }, orderBy: { revision: 'desc' } });
  if (!rows.length) throw new SloNotFound(id);
  return rows.map((r) => ({ revision: r.revision, author: r.author, message: r.message, createdAt: r.createdAt, definition: readDefinition(`${id} revision ${r.revision}`, r.spec) }));
}

export async function getRevision(db: Db, id: string, revision: number): Promise<RevisionView> {
  const r = await db.sloRevision.findUnique({ where: { sloId_revision: { sloId: id, revision } } });
  if (!r) throw new ApiError(404, `SLO ${id} has no revision ${revision}`);
  return { revision: r.revision, author: r.author, message: r.message, createdAt: r.createdAt, definition: readDefinition(`${id} revision ${r.revision}`, r.spec) };
}
