import { z } from 'zod';
import { requireRole } from '@/lib/auth';
import { jsonBody, parseInput, SloId, sloRoute } from '@/lib/slo/http';
import { restoreDefinition } from '@/lib/slo/service';

const RestoreBody = z.object({ revision: z.number().int().positive(), baseRevision: z.number().int().positive(), message: z.string().max(500).optional() });

/** POST /api/slos/:id/restore {revision, baseRevision}: saves that revision's definition again, as a new revision. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return sloRoute(async () => {
    const viewer = await requireRole(req, 'editor');
    const id = parseInput(SloId, (await ctx.params).id);
    const body = parseInput(RestoreBody, await jsonBody(req, 4 * 1024));
    return Response.json(await restoreDefinition(id, body.revision, body.baseRevision, { author: viewer.name, message: body.message }));
  });
}
