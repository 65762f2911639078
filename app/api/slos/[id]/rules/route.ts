import { prisma } from '@/lib/db';
import { ruleFileFor, ruleFileName } from '@/lib/slo/deploy';
import { parseInput, SloId, sloRoute } from '@/lib/slo/http';
import { getSlo } from '@/lib/slo/store';

/** GET /api/slos/:id/rules: the SLO's Prometheus rule file (YAML), as a download with ?download=1. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return sloRoute(async () => {
    const slo = await getSlo(prisma(), parseInput(SloId, (await ctx.params).id));
    const headers: Record<string, string> = { 'content-type': 'application/yaml; charset=utf-8', 'cache-control': 'no-store' };
    if (new URL(req.url).searchParams.has('download')) headers['content-disposition'] = `attachment; filename="${ruleFileName(slo.name)}"`;
    return new Response(ruleFileFor(slo.definition), { headers });
  });
}
