import { prisma } from '@/lib/db';
import { noStore, parseInput, SloId, sloRoute } from '@/lib/slo/http';
import { changedFields } from '@/lib/slo/revision-diff';
import { listRevisions } from '@/lib/slo/store';

/** GET /api/slos/:id/revisions: every revision, newest first (who, when, message, definition, fields changed since the one before). */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return sloRoute(async () => {
    const revisions = await listRevisions(prisma(), parseInput(SloId, (await ctx.params).id));
    const withChanges = revisions.map((r, i) => ({ ...r, changes: i + 1 < revisions.length ? changedFields(revisions[i + 1].definition, r.definition) : [] }));
    return Response.json({ revisions: withChanges }, { headers: noStore });
  });
}
