import { errorResponse } from '@/lib/api-errors';
import { requireRole } from '@/lib/auth';
import { loadRuns, runNotFound, RunId } from '@/lib/loadruns';

/** POST /api/runs/:id/cancel: stops a running run; answers once its end is recorded. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  try {
    await requireRole(req, 'editor');
    const svc = loadRuns();
    const cancelled = await svc.cancel(id);
    const run = await svc.get(id);
    if (!run) return runNotFound(id);
    if (!cancelled) return Response.json({ error: { message: `run ${id} is not running (status ${run.status})` } }, { status: 409 });
    return Response.json(run);
  } catch (e) {
    return errorResponse(e);
  }
}
