import { badRequest, errorResponse } from '@/lib/api-errors';
import { requireRole } from '@/lib/auth';
import { UserChangeBody, UserId } from '@/lib/auth/schemas';
import { deleteUser, updateUser } from '@/lib/auth/users';
import { readJsonBody } from '@/lib/http/read-body';
import { prisma } from '@/lib/db';

type Ctx = { params: Promise<{ id: string }> };

/** PATCH /api/users/:id (admin) {role?, disabled?, email?, password?}: disabling or a new password ends the user's sessions. */
export async function PATCH(req: Request, ctx: Ctx) {
  try {
    await requireRole(req, 'admin');
    const id = UserId.safeParse((await ctx.params).id);
    if (!id.success) return badRequest(id.error.issues);
    const body = UserChangeBody.safeParse(await readJsonBody(req, 16 * 1024));
    if (!body.success) return badRequest(body.error.issues);
    return Response.json(await updateUser(prisma(), id.data, body.data));
  } catch (e) {
    return errorResponse(e);
  }
}

/** DELETE /api/users/:id (admin): the user and their sessions. */
export async function DELETE(req: Request, ctx: Ctx) {
  try {
    await requireRole(req, 'admin');
    const id = UserId.safeParse((await ctx.params).id);
    if (!id.success) return badRequest(id.error.issues);
    await deleteUser(prisma(), id.data);
    return new Response(null, { status: 204 });
  } catch (e) {
    return errorResponse(e);
  }
}
