import { errorResponse } from '@/lib/api-errors';
import { revokeLink } from '@/lib/incidents/service';

/** POST /api/incidents/:slug/revoke: the link answers 410 from now on (its creator or an admin). */
export async function POST(req: Request, ctx: { params: Promise<{ slug: string }> }) {
  try {
    return Response.json({ link: await revokeLink(req, (await ctx.params).slug) }, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
}
