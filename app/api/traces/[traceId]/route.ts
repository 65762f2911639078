import { badRequest } from '@/lib/api-errors';
import { respond } from '@/lib/runs/http';
import { traceById } from '@/lib/runs/panels';
import { queryObject, TraceParams, TraceQuery } from '@/lib/runs/views';

/** GET /api/traces/:traceId[?from=<unix ms>&to=<unix ms>]: one trace (Tempo or the embedded store), bigint times as strings. */
export async function GET(req: Request, ctx: { params: Promise<{ traceId: string }> }) {
  const p = TraceParams.safeParse(await ctx.params);
  if (!p.success) return badRequest(p.error.issues);
  const q = TraceQuery.safeParse(queryObject(req.url));
  if (!q.success) return badRequest(q.error.issues);
  const { from, to } = q.data;
  return respond(() => traceById(p.data.traceId, from !== undefined && to !== undefined ? { from, to } : undefined, { signal: req.signal }));
}
