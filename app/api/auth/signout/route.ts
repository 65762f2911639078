import { errorResponse } from '@/lib/api-errors';
import { requireRole, secureCookies } from '@/lib/auth';
import { clearedCookies, parseCookies, revokeSession, SESSION_COOKIE } from '@/lib/auth/sessions';
import { prisma } from '@/lib/db';

/** POST /api/auth/signout: ends this session server-side and clears its cookies. */
export async function POST(req: Request) {
  try {
    await requireRole(req, 'viewer');
    const token = parseCookies(req.headers.get('cookie')).get(SESSION_COOKIE);
    if (token) await revokeSession(prisma(), token);
    const headers = new Headers({ 'cache-control': 'no-store' });
    for (const c of clearedCookies(secureCookies())) headers.append('set-cookie', c);
    return Response.json({ signedOut: true }, { headers });
  } catch (e) {
    return errorResponse(e);
  }
}
