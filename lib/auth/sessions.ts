// Sign-in sessions (AUTH_MODE=builtin): a random token in an HttpOnly cookie,
// stored server-side only as its SHA-256, so a leaked database row cannot be
// replayed and deleting the row revokes the session at once. Each session has
// its own CSRF token, given to the page in a readable cookie and checked
// against the `x-csrf-token` header of every mutation.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { Viewer } from './roles';

export const SESSION_COOKIE = 'trisight_session';
export const CSRF_COOKIE = 'trisight_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const token = () => randomBytes(32).toString('base64url');
const digest = (t: string) => createHash('sha256').update(t).digest('hex');

export interface NewSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

export async function createSession(db: PrismaClient, userId: string, ttlMs: number, now = Date.now()): Promise<NewSession> {
  const s = { token: token(), csrfToken: token(), expiresAt: new Date(now + ttlMs) };
  // Expired rows are dropped as new ones come: the table stays the size of the live sessions.
  await db.session.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
  await db.session.create({ data: { id: digest(s.token), userId, csrfToken: s.csrfToken, expiresAt: s.expiresAt } });
  return s;
}

export interface SessionViewer {
  viewer: Viewer;
  csrfToken: string;
}

/** The signed-in user of a session token; null when unknown, expired or the user is disabled. */
export async function sessionViewer(db: PrismaClient, sessionToken: string, now = Date.now()): Promise<SessionViewer | null> {
  if (!/^[\w-]{43}$/.test(sessionToken)) return null;
  const s = await db.session.findUnique({ where: { id: digest(sessionToken) }, include: { user: true } });
  if (!s || s.expiresAt.getTime() <= now || s.user.disabled) return null;
  const u = s.user;
  return { viewer: { id: u.id, name: u.name, ...(u.email ? { email: u.email } : {}), role: u.role, via: 'session' }, csrfToken: s.csrfToken };
}

export async function revokeSession(db: PrismaClient, sessionToken: string): Promise<void> {
  await db.session.deleteMany({ where: { id: digest(sessionToken) } });
}

/** Constant-time comparison of the header's CSRF token with the session's. */
export function csrfMatches(sent: string | null, expected: string): boolean {
  if (!sent) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cookie header → name → value (first wins). */
export function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const k = part.slice(0, i).trim();
    if (!out.has(k)) out.set(k, part.slice(i + 1).trim());
  }
  return out;
}

/** Set-Cookie values for a new session (the CSRF cookie is readable by the page's script on purpose). */
export function sessionCookies(s: NewSession, secure: boolean): string[] {
  const common = `Path=/; SameSite=Lax; Expires=${s.expiresAt.toUTCString()}${secure ? '; Secure' : ''}`;
  return [`${SESSION_COOKIE}=${s.token}; HttpOnly; ${common}`, `${CSRF_COOKIE}=${s.csrfToken}; ${common}`];
}

/** Set-Cookie values that remove both cookies. */
export function clearedCookies(secure: boolean): string[] {
  const common = `Path=/; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
  return [`${SESSION_COOKIE}=; HttpOnly; ${common}`, `${CSRF_COOKIE}=; ${common}`];
}

/** AUTH_MODE=proxy: a random CSRF cookie for a browser that has none (the page echoes it in x-csrf-token). */
export function proxyCsrfCookie(secure: boolean): string {
  return `${CSRF_COOKIE}=${token()}; Path=/; SameSite=Strict${secure ? '; Secure' : ''}`;
}
