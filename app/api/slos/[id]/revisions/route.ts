import { prisma } from '@/lib/db';
import { noStore, parseInput, SloId, sloRoute } from '@/lib/slo/http';
import { listRevisions } from '@/lib/slo/store';

/** GET /api/slos/:id/revisions: every revision, newest first (who, when, message, definition). */
export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  return sloRoute(async () => Response.json({ revisions: await listRevisions(prisma(), parseInput(SloId, (await ctx.params).id)) }, { headers: noStore }));
}
