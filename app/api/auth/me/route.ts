import { errorResponse } from '@/lib/api-errors';
import { getViewer } from '@/lib/auth';
import { config } from '@/lib/config';

/** GET /api/auth/me: who the request is from (null when nobody is signed in) and the sign-in mode. */
export async function GET(req: Request) {
  try {
    return Response.json({ viewer: await getViewer(req), mode: config().AUTH_MODE }, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
}
