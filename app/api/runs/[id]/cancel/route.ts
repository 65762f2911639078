import { errorResponse } from '@/lib/api-errors';
import { requireRole } from '@/lib/auth';
import { loadRuns, notFound, RunId } from '@/lib/loadruns';

/** POST /api/runs/:id/cancel: stops a running run; answers once its end is recorded. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return notFound(id);
  try {
    await requireRole(req, 'editor');
    const svc = loadRuns();
    const cancelled = await svc.cancel(id);
    const run = await svc.get(id);
    if (!run) return notFound(id);
    if (!cancelled) return Response.json({ error: { message: `run ${id} is not running (status ${run.status})` } }, { status: 409 });
    return Response.json(run);
  } catch (e) {
    return errorResponse(e);
  }
}
