import { runNotFound, RunId } from '@/lib/loadruns';
import { prisma } from '@/lib/db';
import { respond } from '@/lib/runs/http';
import { runWithSamples } from '@/lib/runs/panels';
import { runSloImpact } from '@/lib/runs/slo-impact';
import { listSlos } from '@/lib/slo/store';

/** GET /api/runs/:id/slos: the SLOs whose SLI saw events in the run's window, and the share of their budget it burned. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  return respond(async () => runSloImpact(await runWithSamples(id), await listSlos(prisma()), req.signal));
}
