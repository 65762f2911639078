import { badRequest } from '@/lib/api-errors';
import { runNotFound, RunId } from '@/lib/loadruns';
import { respond } from '@/lib/runs/http';
import { runWithSamples, spanProfilePanel } from '@/lib/runs/panels';
import { queryObject, SpanProfileQuery } from '@/lib/runs/views';

/** GET /api/runs/:id/span-profile?trace=<id>&span=<id>[&kind=cpu|gpu]: the CPU (or GPU) profile of that span and its same-service descendants. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  const q = SpanProfileQuery.safeParse(queryObject(req.url));
  if (!q.success) return badRequest(q.error.issues);
  return respond(async () => spanProfilePanel(await runWithSamples(id), q.data.trace, q.data.span, { signal: req.signal, kind: q.data.kind }));
}
