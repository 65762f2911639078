import { z } from 'zod';
import { requireRole } from '@/lib/auth';
import { prisma } from '@/lib/db';
import { jsonBody, noStore, parseInput, SloId, sloRoute } from '@/lib/slo/http';
import { deleteDefinition, saveDefinition } from '@/lib/slo/service';
import { getSlo } from '@/lib/slo/store';

type Ctx = { params: Promise<{ id: string }> };

const SaveBody = z.object({
  definition: z.unknown(),
  /** the revision the edit was made from */
  baseRevision: z.number().int().positive(),
  message: z.string().max(500).optional(),
});

/** GET /api/slos/:id: the current definition and revision. */
export async function GET(_req: Request, ctx: Ctx) {
  return sloRoute(async () => Response.json(await getSlo(prisma(), parseInput(SloId, (await ctx.params).id)), { headers: noStore }));
}

/** PUT /api/slos/:id {definition, baseRevision, message?}: the next revision, or 409 naming who saved since baseRevision. */
export async function PUT(req: Request, ctx: Ctx) {
  return sloRoute(async () => {
    const viewer = await requireRole(req, 'editor');
    const id = parseInput(SloId, (await ctx.params).id);
    const body = parseInput(SaveBody, await jsonBody(req, 64 * 1024));
    return Response.json(await saveDefinition(id, body.definition, body.baseRevision, { author: viewer.name, message: body.message }));
  });
}

/** DELETE /api/slos/:id: the SLO, its history and its rules. */
export async function DELETE(req: Request, ctx: Ctx) {
  return sloRoute(async () => {
    await requireRole(req, 'editor');
    const rules = await deleteDefinition(parseInput(SloId, (await ctx.params).id));
    return Response.json({ deleted: true, rules });
  });
}
