import { badRequest, errorResponse } from '@/lib/api-errors';
import { secureCookies, sessionTtlMs } from '@/lib/auth';
import { SignInBody } from '@/lib/auth/schemas';
import { createSession, sessionCookies } from '@/lib/auth/sessions';
import { checkPassword } from '@/lib/auth/users';
import { config } from '@/lib/config';
import { readJsonBody } from '@/lib/http/read-body';
import { prisma } from '@/lib/db';

/** POST /api/auth/signin {name, password}: sets the session cookies; 401 for a wrong name or password (which one is not said). */
export async function POST(req: Request) {
  if (config().AUTH_MODE !== 'builtin') return Response.json({ error: { message: `built-in sign-in is off (AUTH_MODE=${config().AUTH_MODE})` } }, { status: 404 });
  try {
    const body = SignInBody.safeParse(await readJsonBody(req, 16 * 1024));
    if (!body.success) return badRequest(body.error.issues);
    const user = await checkPassword(prisma(), body.data.name, body.data.password);
    if (!user) return Response.json({ error: { message: 'wrong name or password' } }, { status: 401 });
    const session = await createSession(prisma(), user.id, sessionTtlMs());
    const headers = new Headers({ 'cache-control': 'no-store' });
    for (const c of sessionCookies(session, secureCookies())) headers.append('set-cookie', c);
    return Response.json({ viewer: { id: user.id, name: user.name, email: user.email ?? undefined, role: user.role, via: 'session' } }, { headers });
  } catch (e) {
    return errorResponse(e);
  }
}
