import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { PrismaClient } from '@/lib/generated/prisma/client';

export const IncidentInput = z
  .object({
    title: z.string().trim().min(1, 'title is required').max(200),
    from: z.coerce.date(),
    to: z.coerce.date(),
    /** the investigation's URL state (route + search params) */
    state: z.object({ path: z.string().startsWith('/').max(2000), params: z.record(z.string(), z.string().max(2000)) }),
    frozen: z.unknown().optional(),
  })
  .refine((v) => v.from < v.to, { message: 'from must be before to', path: ['from'] });

const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789'; // no look-alikes (l/1, o/0)

/** 12 characters from 32 symbols: 60 bits, unguessable enough for a share link. */
export function newSlug(): string {
  return [...randomBytes(12)].map((b) => ALPHABET[b % 32]).join('');
}

export async function createIncident(db: PrismaClient, input: unknown) {
  const v = IncidentInput.parse(input);
  return db.incident.create({
    data: { slug: newSlug(), title: v.title, fromTime: v.from, toTime: v.to, state: v.state, frozen: v.frozen === undefined ? undefined : (v.frozen as object) },
  });
}

export async function getIncidentBySlug(db: PrismaClient, slug: string) {
  return db.incident.findUnique({ where: { slug } });
}

export async function renameIncident(db: PrismaClient, slug: string, title: string) {
  return db.incident.update({ where: { slug }, data: { title: z.string().trim().min(1).max(200).parse(title) } });
}
