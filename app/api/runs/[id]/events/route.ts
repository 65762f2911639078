import { errorResponse } from '@/lib/api-errors';
import { loadRuns, runNotFound, RunId, runEventStream } from '@/lib/loadruns';

/**
 * GET /api/runs/:id/events: server-sent events. `progress` (LiveStats) while the run
 * goes on, then one `end` ({status, error}) and the stream closes. A run that already
 * ended gets its `end` at once.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  try {
    const stream = await runEventStream(loadRuns(), id, req.signal);
    if (!stream) return runNotFound(id);
    return new Response(stream, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
    });
  } catch (e) {
    return errorResponse(e);
  }
}
