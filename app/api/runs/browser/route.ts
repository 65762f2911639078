import { badRequest, errorResponse } from '@/lib/api-errors';
import { requireRole } from '@/lib/auth';
import { BrowserRunBody } from '@/lib/browser-run/schema';
import { recordBrowserRun } from '@/lib/browser-run/store';
import { readJsonBody } from '@/lib/http/read-body';
import { prisma } from '@/lib/db';

// 200 requests × (a sample + up to 256 inter-token gaps) fit in well under 2 MiB of JSON.
const MAX_BODY_BYTES = 2 << 20;

/** POST /api/runs/browser: a finished run from the user's browser ("Run in this browser") → 201 {id}. */
export async function POST(req: Request) {
  let by: string;
  try {
    // A browser run is load fired by the viewer, as a server run is: editors only.
    by = (await requireRole(req, 'editor')).name;
  } catch (e) {
    return errorResponse(e);
  }
  let body: unknown;
  try {
    body = await readJsonBody(req, MAX_BODY_BYTES);
  } catch (e) {
    return errorResponse(e);
  }
  const input = BrowserRunBody.safeParse(body);
  if (!input.success) return badRequest(input.error.issues);
  try {
    const { id } = await recordBrowserRun(prisma(), input.data, by);
    return Response.json({ id }, { status: 201, headers: { location: `/api/runs/${id}` } });
  } catch (e) {
    return errorResponse(e);
  }
}
