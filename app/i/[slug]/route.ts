import { errorResponse } from '@/lib/api-errors';
import { gonePage, unknownPage } from '@/lib/incidents/gone-page';
import { LinkGone, openLink } from '@/lib/incidents/service';

const html = (body: string, status: number) => new Response(body, { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' } });

/**
 * GET /i/:slug: the shared view, restored (a redirect to its page under
 * /i/:slug/view with the view's URL state); 410 with a page saying why for a
 * revoked or expired link, 404 for an unknown one.
 */
export async function GET(req: Request, ctx: { params: Promise<{ slug: string }> }) {
  const { slug } = await ctx.params;
  try {
    const { link } = await openLink(req, slug);
    return new Response(null, { status: 303, headers: { location: `/i/${slug}/view${link.view.search ? `?${link.view.search}` : ''}`, 'cache-control': 'no-store' } });
  } catch (e) {
    if (e instanceof LinkGone) return html(gonePage(e.record), 410);
    if ((e as { status?: number }).status === 404) return html(unknownPage(), 404);
    return errorResponse(e);
  }
}
