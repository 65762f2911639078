import type { PrismaClient } from '@/lib/generated/prisma/client';
import { SloSpec } from './spec';

export class NotFoundError extends Error {}

/** Creates an SLO and its first revision together. */
export async function createSlo(db: PrismaClient, input: unknown, message = 'created') {
  const spec = SloSpec.parse(input);
  return db.$transaction(async (tx) => {
    const slo = await tx.slo.create({
      data: { name: spec.metadata.name, service: spec.spec.service, description: spec.spec.description, spec, revision: 1 },
    });
    await tx.sloRevision.create({ data: { sloId: slo.id, revision: 1, spec, message } });
    return slo;
  });
}

/** Replaces the definition and records it as the next revision; the old ones stay readable. */
export async function updateSlo(db: PrismaClient, id: string, input: unknown, message = '') {
  const spec = SloSpec.parse(input);
  return db.$transaction(async (tx) => {
    const current = await tx.slo.findUnique({ where: { id } });
    if (!current) throw new NotFoundError(`SLO ${id} not found`);
    const revision = current.revision + 1;
    const slo = await tx.slo.update({
      where: { id, revision: current.revision }, // optimistic: a concurrent edit makes this fail
      data: { name: spec.metadata.name, service: spec.spec.service, description: spec.spec.description, spec, revision },
    });
    await tx.sloRevision.create({ data: { sloId: id, revision, spec, message } });
    return slo;
  });
}

export async function getSlo(db: PrismaClient, id: string) {
  return db.slo.findUnique({ where: { id }, include: { revisions: { orderBy: { revision: 'desc' } } } });
}
