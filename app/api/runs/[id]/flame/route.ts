import { badRequest } from '@/lib/api-errors';
import { runNotFound, RunId } from '@/lib/loadruns';
import { respond } from '@/lib/runs/http';
import { flamePanel, runWithSamples } from '@/lib/runs/panels';
import { FlameQuery, queryObject } from '@/lib/runs/views';

/** GET /api/runs/:id/flame[?kind=cpu|gpu|memory][&compare=<run id>]: the run window's flame graph of that kind (default CPU), or its diff against another run's. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  const q = FlameQuery.safeParse(queryObject(req.url));
  if (!q.success) return badRequest(q.error.issues);
  return respond(async () => flamePanel(await runWithSamples(id), q.data.compare, { signal: req.signal, kind: q.data.kind }));
}
