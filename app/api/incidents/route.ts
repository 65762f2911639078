import { badRequest, errorResponse } from '@/lib/api-errors';
import { createLink, InputError, listLinks } from '@/lib/incidents/service';
import { jsonBody } from '@/lib/slo/http';

const noStore = { 'cache-control': 'no-store' };

/** GET /api/incidents: every link with its state (live, frozen, expired, revoked) and whether the viewer may revoke it. */
export async function GET(req: Request) {
  try {
    return Response.json({ links: await listLinks(req) }, { headers: noStore });
  } catch (e) {
    return errorResponse(e);
  }
}

/** POST /api/incidents {title, note?, from, to, view: {path, search}, requests, freeze?, expiresInHours?} → 201 {link, url}. */
export async function POST(req: Request) {
  try {
    if (!/^application\/json\b/i.test(req.headers.get('content-type') ?? '')) return Response.json({ error: { message: 'send the link as JSON (Content-Type: application/json)' } }, { status: 415 });
    const created = await createLink(req, await jsonBody(req, 256 * 1024));
    return Response.json(created, { status: 201, headers: { ...noStore, location: created.url } });
  } catch (e) {
    if (e instanceof InputError) return badRequest(e.issues);
    return errorResponse(e);
  }
}
