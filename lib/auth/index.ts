// Sign-in and roles, the one API routes use:
//
//   const viewer = await requireRole(req, 'editor');   // throws AuthError → errorResponse → 401/403
//   await saveSomething({ ..., createdBy: viewer.name });
//
// getViewer(req) says who is asking (null: nobody signed in). Three modes
// (AUTH_MODE): off — every request is the implicit local admin (allowed only
// while the app listens on loopback); builtin — a session cookie from the
// sign-in page; proxy — a trusted reverse proxy's X-Forwarded-User. requireRole
// also checks the CSRF token of a mutation that a session cookie authenticates.
import { config, durationToMs } from '@/lib/config';
import { prisma } from '@/lib/db';
import { AuthError } from './errors';
import { proxyIdentity } from './proxy-auth';
import { LOCAL_ADMIN, roleAtLeast, type Role, type Viewer } from './roles';
import { CSRF_COOKIE, CSRF_HEADER, csrfMatches, parseCookies, SESSION_COOKIE, sessionViewer, type SessionViewer } from './sessions';

export { AuthError } from './errors';
export { LOCAL_ADMIN, ROLES, isRole, roleAtLeast, type Role, type Viewer } from './roles';

/** Methods that change something: they need a role above "read" checks, and CSRF where cookies authenticate. */
export function isMutation(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

async function sessionOf(headers: Headers): Promise<SessionViewer | null> {
  const token = parseCookies(headers.get('cookie')).get(SESSION_COOKIE);
  return token ? sessionViewer(prisma(), token) : null;
}

/** Who sent a request with these headers; null when sign-in is on and nobody is signed in. */
export async function viewerFromHeaders(headers: Headers): Promise<Viewer | null> {
  switch (config().AUTH_MODE) {
    case 'off':
      return LOCAL_ADMIN;
    case 'builtin':
      return (await sessionOf(headers))?.viewer ?? null;
    case 'proxy':
      return proxyViewer(headers);
  }
}

/** A proxy user: their role from the users table (looked up by login or email), else AUTH_PROXY_DEFAULT_ROLE; a disabled user is nobody. */
async function proxyViewer(headers: Headers): Promise<Viewer | null> {
  const cfg = config();
  const who = proxyIdentity(headers, { list: cfg.AUTH_PROXY_ADDRESSES.list, peerHeaderTrusted: cfg.TRISIGHT_PEER_HEADER });
  if (!who) return null;
  const names = who.email && who.email !== who.name ? [who.name, who.email] : [who.name];
  const users = await prisma().user.findMany({ where: { name: { in: names } } });
  const u = users.find((x) => x.name === who.name) ?? users[0];
  if (u?.disabled) return null;
  const email = who.email ?? u?.email ?? undefined;
  return { id: u?.id ?? `proxy:${who.name}`, name: who.name, ...(email ? { email } : {}), role: u?.role ?? cfg.AUTH_PROXY_DEFAULT_ROLE, via: 'proxy' };
}

/** Who sent the request; null when sign-in is on and nobody is signed in. */
export function getViewer(req: Request): Promise<Viewer | null> {
  return viewerFromHeaders(req.headers);
}

const WHAT_NEEDS: Record<Role, string> = {
  viewer: 'reading',
  editor: 'firing load, editing SLOs and creating links',
  admin: 'managing users and revoking links',
};

/** The viewer when they hold `role` (or a larger one); else an AuthError saying what is missing. */
export async function requireRole(req: Request, role: Role): Promise<Viewer> {
  const mode = config().AUTH_MODE;
  const session = mode === 'builtin' ? await sessionOf(req.headers) : null;
  const viewer = mode === 'builtin' ? (session?.viewer ?? null) : await getViewer(req);
  if (!viewer) throw new AuthError(401, `sign in first: ${WHAT_NEEDS[role]} needs the ${role} role`, role);
  if (!roleAtLeast(viewer.role, role)) {
    throw new AuthError(403, `${WHAT_NEEDS[role]} needs the ${role} role; ${viewer.name} is a${viewer.role === 'admin' ? 'n' : ''} ${viewer.role}`, role);
  }
  // A cookie (ours, or the proxy's) is sent by the browser whoever made the page: a
  // mutation must also prove it came from our page. Sessions have their own token;
  // behind a proxy the page echoes the random cookie proxy.ts gave it (double submit).
  if (isMutation(req.method) && viewer.via !== 'loopback') {
    const expected = session ? session.csrfToken : parseCookies(req.headers.get('cookie')).get(CSRF_COOKIE);
    if (!expected || !csrfMatches(req.headers.get(CSRF_HEADER), expected)) {
      throw new AuthError(403, `missing or wrong ${CSRF_HEADER} header: reload the page and try again`, role);
    }
  }
  return viewer;
}

/** How long a sign-in lasts (AUTH_SESSION_TTL). */
export function sessionTtlMs(): number {
  return durationToMs(config().AUTH_SESSION_TTL);
}

/** Whether cookies must be Secure: the app is reached over https. */
export function secureCookies(): boolean {
  return config().TRISIGHT_PUBLIC_URL?.startsWith('https:') ?? false;
}
