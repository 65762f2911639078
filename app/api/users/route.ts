import { badRequest, errorResponse } from '@/lib/api-errors';
import { requireRole } from '@/lib/auth';
import { NewUserBody } from '@/lib/auth/schemas';
import { createUser, listUsers } from '@/lib/auth/users';
import { readJsonBody } from '@/lib/http/read-body';
import { prisma } from '@/lib/db';

/** GET /api/users (admin): every user with role and state, never a password hash. */
export async function GET(req: Request) {
  try {
    await requireRole(req, 'admin');
    return Response.json({ users: await listUsers(prisma()) }, { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
}

/** POST /api/users (admin) {name, role, email?, password?} → 201 the user; without a password, a proxy-only user. */
export async function POST(req: Request) {
  try {
    await requireRole(req, 'admin');
    const body = NewUserBody.safeParse(await readJsonBody(req, 16 * 1024));
    if (!body.success) return badRequest(body.error.issues);
    return Response.json(await createUser(prisma(), body.data), { status: 201 });
  } catch (e) {
    return errorResponse(e);
  }
}
