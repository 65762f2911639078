import { ApiError } from '@/lib/api-errors';
import { prisma } from '@/lib/db';
import { readTimeRangeParams } from '@/lib/time-range';
import { sloDetail } from '@/lib/slo/detail';
import { noStore, parseInput, SloId, sloRoute } from '@/lib/slo/http';
import { getSlo } from '@/lib/slo/store';

/** GET /api/slos/:id/status?from=&to=: the SLO's status now, its SLI and budget over the range, and where it burned. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return sloRoute(async () => {
    const slo = await getSlo(prisma(), parseInput(SloId, (await ctx.params).id));
    const q = new URL(req.url).searchParams;
    const t = readTimeRangeParams(q, Date.now());
    if (t.error) throw new ApiError(400, t.error);
    return Response.json(await sloDetail(slo, t.range, req.signal), { headers: noStore });
  });
}
