import { prisma } from '@/lib/db';
import { openSloResponse } from '@/lib/slo/export';
import { parseInput, SloId, sloRoute } from '@/lib/slo/http';
import { getSlo } from '@/lib/slo/store';

/** GET /api/slos/:id/openslo?format=yaml|json[&download=1]: Service, SLI and SLO objects (openslo/v1). */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return sloRoute(async () => {
    const slo = await getSlo(prisma(), parseInput(SloId, (await ctx.params).id));
    return openSloResponse([slo.definition], req.url, slo.name);
  });
}
