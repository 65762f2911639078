import { badRequest } from '@/lib/api-errors';
import { runNotFound, RunId } from '@/lib/loadruns';
import { respond } from '@/lib/runs/http';
import { latencyPanel, runWithSamples } from '@/lib/runs/panels';
import { LatencyQuery, queryObject } from '@/lib/runs/views';

/** GET /api/runs/:id/latency?metric=e2e|ttft|tpot: the server's histogram for the run's window and the client-side latencies. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  const q = LatencyQuery.safeParse(queryObject(req.url));
  if (!q.success) return badRequest(q.error.issues);
  return respond(async () => latencyPanel(await runWithSamples(id), q.data.metric, { signal: req.signal }));
}
