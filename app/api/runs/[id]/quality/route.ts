import { runNotFound, RunId } from '@/lib/loadruns';
import { respond } from '@/lib/runs/http';
import { qualityPanel, runWithSamples } from '@/lib/runs/panels';

/** GET /api/runs/:id/quality: per quality signal (prompt entropy, output perplexity, its window std, KV reuse) the run's requests against their E2E latency. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  return respond(async () => qualityPanel(await runWithSamples(id), { signal: req.signal }));
}
