import { badRequest } from '@/lib/api-errors';
import { getViewer } from '@/lib/auth';
import { traceSource } from '@/lib/datasources';
import { mayReveal } from '@/lib/redaction/sensitivity';
import { respond, respondStream } from '@/lib/runs/http';
import { traceById, traceStream } from '@/lib/runs/panels';
import { queryObject, TraceParams, TraceQuery } from '@/lib/runs/views';

/**
 * GET /api/traces/:traceId[?from=<unix ms>&to=<unix ms>]: one trace (Tempo or the embedded store), bigint times
 * as strings; sensitive values only for admins. From the embedded store it is streamed; past TRACE_MAX_SPANS it
 * is cut short and marked partial.
 */
export async function GET(req: Request, ctx: { params: Promise<{ traceId: string }> }) {
  const p = TraceParams.safeParse(await ctx.params);
  if (!p.success) return badRequest(p.error.issues);
  const q = TraceQuery.safeParse(queryObject(req.url));
  if (!q.success) return badRequest(q.error.issues);
  const { from, to } = q.data;
  const range = from !== undefined && to !== undefined ? { from, to } : undefined;
  const revealSensitive = mayReveal(await getViewer(req));
  if (traceSource().backend === 'embedded') return respondStream(() => traceStream(p.data.traceId, range, { revealSensitive }));
  return respond(() => traceById(p.data.traceId, range, { signal: req.signal, revealSensitive }));
}
