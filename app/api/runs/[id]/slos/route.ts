import { runNotFound, RunId } from '@/lib/loadruns';
import { prisma } from '@/lib/db';
import { respond } from '@/lib/runs/http';
import { runWithSamples } from '@/lib/runs/panels';
import { runRange } from '@/lib/runs/views';
import { impactSettled, runImpact } from '@/lib/slo/run-impact';
import { listSlos } from '@/lib/slo/store';

/** GET /api/runs/:id/slos: the SLOs whose SLI saw events in the run's window, and the share of their budget it burned. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  return respond(async () => {
    const run = await runWithSamples(id);
    const range = runRange(run);
    // Until the scrapes after the run are in, the counts are still growing: say so, and the page asks again.
    const pending = !impactSettled(range, run.finishedAt !== null);
    return { ...(await runImpact(await listSlos(prisma()), range, req.signal)), pending };
  });
}
