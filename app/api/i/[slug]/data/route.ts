import { errorResponse } from '@/lib/api-errors';
import { linkData } from '@/lib/incidents/service';
import { RequestKey } from '@/lib/incidents/view';

/** GET /api/i/:slug/data?r=<the view's API request>: its frozen answer, or for a live link the answer now. */
export async function GET(req: Request, ctx: { params: Promise<{ slug: string }> }) {
  const key = RequestKey.safeParse(new URL(req.url).searchParams.get('r') ?? '');
  if (!key.success) return Response.json({ error: { message: `r: ${key.error.issues[0].message}` } }, { status: 400 });
  try {
    const a = await linkData(req, (await ctx.params).slug, key.data);
    return Response.json(a.body, { status: a.status, headers: { 'cache-control': 'no-store', 'x-trisight-link-data': a.source } });
  } catch (e) {
    return errorResponse(e);
  }
}
