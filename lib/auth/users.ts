// app_user rows: the only place that reads or writes them. Passwords are
// hashed here (lib/auth/password.ts); a user without a password can only be
// known through a trusted proxy. The last enabled admin cannot be demoted,
// disabled or deleted, so nobody locks the admins out by accident.
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { ApiError } from '@/lib/api-errors';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './password';
import type { Role } from './roles';

export interface UserView {
  id: string;
  name: string;
  email: string | null;
  role: Role;
  disabled: boolean;
  /** whether the user can sign in with a password (builtin mode) */
  hasPassword: boolean;
  createdAt: string;
}

/** Logins: letters, digits and . _ @ - (an email works as a login). */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

type Row = { id: string; name: string; email: string | null; role: Role; disabled: boolean; passwordHash: string | null; createdAt: Date };

function view(u: Row): UserView {
  return { id: u.id, name: u.name, email: u.email, role: u.role, disabled: u.disabled, hasPassword: !!u.passwordHash, createdAt: u.createdAt.toISOString() };
}

/** Refusals a person can act on (400 bad input, 404, 409 conflict). */
export class UserError extends ApiError {
  constructor(status: 400 | 404 | 409, message: string) {
    super(status, message);
    this.name = 'UserError';
  }
}

export interface NewUser {
  name: string;
  email?: string | null;
  role: Role;
  /** omitted: the user can only come through a trusted proxy */
  password?: string;
}

function checkName(name: string) {
  if (!USER_NAME.test(name)) throw new UserError(400, `name: use 1–64 letters, digits, ".", "_", "@" or "-" (starting with a letter or digit), not ${JSON.stringify(name.slice(0, 70))}`);
}
function checkEmail(email: string | null | undefined) {
  if (email && !EMAIL.test(email)) throw new UserError(400, `email: not an email address: ${JSON.stringify(email.slice(0, 70))}`);
}
async function passwordHashOf(password: string): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new UserError(400, `password: ${problem}`);
  return hashPassword(password);
}

export async function createUser(db: PrismaClient, u: NewUser): Promise<UserView> {
  checkName(u.name);
  checkEmail(u.email);
  const passwordHash = u.password === undefined ? null : await passwordHashOf(u.password);
  const existing = await db.user.findUnique({ where: { name: u.name } });
  if (existing) throw new UserError(409, `a user named ${JSON.stringify(u.name)} already exists`);
  return view(await db.user.create({ data: { name: u.name, email: u.email ?? null, role: u.role, passwordHash } }));
}

export async function listUsers(db: PrismaClient): Promise<UserView[]> {
  return (await db.user.findMany({ orderBy: { name: 'asc' } })).map(view);
}

export async function getUserByName(db: PrismaClient, name: string): Promise<UserView | null> {
  const u = await db.user.findUnique({ where: { name } });
  return u ? view(u) : null;
}

export interface UserChange {
  email?: string | null;
  role?: Role;
  disabled?: boolean;
  /** a new password; null removes password sign-in */
  password?: string | null;
}

/** Whether this change would leave no enabled admin. */
async function removesLastAdmin(db: PrismaClient, id: string, change: { role?: Role; disabled?: boolean; deleted?: boolean }): Promise<boolean> {
  const u = await db.user.findUnique({ where: { id } });
  if (u?.role !== 'admin' || u.disabled) return false;
  const losesAdmin = change.deleted || change.disabled === true || (change.role !== undefined && change.role !== 'admin');
  if (!losesAdmin) return false;
  return (await db.user.count({ where: { role: 'admin', disabled: false } })) <= 1;
}

/** Changes a user; a new role applies to their next request, and disabling or a new password ends their sessions. */
export async function updateUser(db: PrismaClient, id: string, change: UserChange): Promise<UserView> {
  checkEmail(change.email);
  const passwordHash = change.password === undefined ? undefined : change.password === null ? null : await passwordHashOf(change.password);
  if (await removesLastAdmin(db, id, change)) throw new UserError(409, 'this is the last admin: make someone else an admin first');
  return db.$transaction(async (tx) => {
    const u = await tx.user.findUnique({ where: { id } });
    if (!u) throw new UserError(404, `no user ${id}`);
    const updated = await tx.user.update({ where: { id }, data: { email: change.email, role: change.role, disabled: change.disabled, passwordHash } });
    if (change.disabled === true || change.password !== undefined) await tx.session.deleteMany({ where: { userId: id } });
    return view(updated);
  });
}

export async function deleteUser(db: PrismaClient, id: string): Promise<void> {
  if (await removesLastAdmin(db, id, { deleted: true })) throw new UserError(409, 'this is the last admin: make someone else an admin first');
  const r = await db.user.deleteMany({ where: { id } });
  if (!r.count) throw new UserError(404, `no user ${id}`);
}

/** The user when name and password match an enabled user with a password; the same work is done when they do not. */
export async function checkPassword(db: PrismaClient, name: string, password: string): Promise<UserView | null> {
  const u = USER_NAME.test(name) ? await db.user.findUnique({ where: { name } }) : null;
  const ok = await verifyPassword(password, u?.passwordHash ?? (await dummyHash()));
  return u && ok && u.passwordHash && !u.disabled ? view(u) : null;
}
