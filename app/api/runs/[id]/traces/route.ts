import { badRequest } from '@/lib/api-errors';
import { getViewer } from '@/lib/auth';
import { mayReveal } from '@/lib/redaction/sensitivity';
import { runNotFound, RunId } from '@/lib/loadruns';
import { respond } from '@/lib/runs/http';
import { bucketTraces, runWithSamples } from '@/lib/runs/panels';
import { queryObject, TracesQuery } from '@/lib/runs/views';

/** GET /api/runs/:id/traces?metric=e2e|ttft|tpot&bucket=0.25-0.5[&limit=50]: the traces of one histogram bucket. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  if (!RunId.safeParse(id).success) return runNotFound(id);
  const q = TracesQuery.safeParse(queryObject(req.url));
  if (!q.success) return badRequest(q.error.issues);
  const { metric, bucket, limit } = q.data;
  return respond(async () => bucketTraces(await runWithSamples(id), metric, bucket, limit, { signal: req.signal, revealSensitive: mayReveal(await getViewer(req)) }));
}
