import { errorResponse } from '@/lib/api-errors';
import { loadRuns, runNotFound, RunId } from '@/lib/loadruns';

/** GET /api/runs/:id[?samples=1]: one run; `samples` adds the per-request client-side measures. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  try {
    const svc = loadRuns();
    await svc.recoverInterrupted();
    const run = await svc.get(id, { samples: new URL(req.url).searchParams.get('samples') === '1' });
    return run ? Response.json(run) : runNotFound(id);
  } catch (e) {
    return errorResponse(e);
  }
}
