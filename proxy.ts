// Runs before every request the app serves (Next.js 16 Proxy): the
// cross-site and DNS-rebinding guards (lib/security/request-guards.ts), sign-in
// for every page and API when AUTH_MODE is not off, and the security headers,
// including a per-request CSP nonce that Next.js puts on its own scripts.
// Roles are checked by the routes (requireRole); this only asks "signed in?".
import { randomBytes } from 'node:crypto';
import { NextResponse, type NextRequest } from 'next/server';
import { secureCookies, viewerFromHeaders } from '@/lib/auth';
import { CSRF_COOKIE, parseCookies, proxyCsrfCookie } from '@/lib/auth/sessions';
import { config as appConfig } from '@/lib/config';
import { contentSecurityPolicy, SECURITY_HEADERS } from '@/lib/security/csp';
import { bearerToken, tokenMatches } from '@/lib/security/ingest-auth';
import { checkRequest, isTelemetryPath, policyFrom, type GuardPolicy } from '@/lib/security/request-guards';

/** Reachable without signing in: the sign-in page itself, health and metrics probes, token-guarded receivers. */
const PUBLIC_PATHS = new Set(['/signin', '/api/auth/signin', '/api/auth/me', '/api/health', '/metrics', '/theme-init.js', '/zod-jitless.js', '/favicon.ico', '/icon.svg']);

/** An incident link (/i/<slug>), its shared view and its data (/api/i/<slug>/…). */
const INCIDENT_LINK_PATH = /^\/(?:api\/)?i\/[^/]+(?:\/|$)/;

let policy: GuardPolicy | undefined;

function secured(res: NextResponse | Response, csp: string): Response {
  res.headers.set('content-security-policy', csp);
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
  return res;
}

export async function proxy(req: NextRequest): Promise<Response> {
  const cfg = appConfig();
  policy ??= policyFrom(cfg);
  const path = req.nextUrl.pathname;
  const telemetry = isTelemetryPath(path);
  const nonce = randomBytes(16).toString('base64');
  const csp = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === 'development' });

  // An exporter with the right token may address us by any name; everyone else by an allowed one.
  const tokenOk = telemetry && !!cfg.INGEST_TOKEN && tokenMatches(bearerToken(req.headers.get('authorization')), cfg.INGEST_TOKEN);
  const h = req.headers;
  const refusal = checkRequest(
    { method: req.method, pathname: path, host: h.get('host'), origin: h.get('origin'), secFetchSite: h.get('sec-fetch-site'), contentType: h.get('content-type') },
    policy,
    { hostChecked: !tokenOk },
  );
  if (refusal) return secured(Response.json({ error: { message: refusal.message } }, { status: refusal.status }), csp);

  // Incident links may be read anonymously where configured; their routes check the slug and the setting themselves.
  const anonymousLink = cfg.INCIDENT_LINKS_ANONYMOUS && INCIDENT_LINK_PATH.test(path);
  if (cfg.AUTH_MODE !== 'off' && !telemetry && !anonymousLink && !PUBLIC_PATHS.has(path)) {
    const viewer = await viewerFromHeaders(h);
    if (!viewer) {
      if (path.startsWith('/api/')) return secured(Response.json({ error: { message: 'sign in first' } }, { status: 401 }), csp);
      const to = req.nextUrl.clone();
      to.pathname = '/signin';
      to.search = `?next=${encodeURIComponent(path + req.nextUrl.search)}`;
      return secured(NextResponse.redirect(to, 303), csp);
    }
  }

  // Next.js reads the nonce from the request's CSP header and puts it on its scripts.
  const forwarded = new Headers(h);
  forwarded.set('x-nonce', nonce);
  forwarded.set('content-security-policy', csp);
  const res = NextResponse.next({ request: { headers: forwarded } });
  // Behind a proxy, whose cookie authenticates, the page needs a CSRF token of its own to echo.
  if (cfg.AUTH_MODE === 'proxy' && !parseCookies(h.get('cookie')).has(CSRF_COOKIE)) res.headers.append('set-cookie', proxyCsrfCookie(secureCookies()));
  return secured(res, csp);
}

export const config = {
  // Static build output needs neither guards nor a nonce.
  matcher: ['/((?!_next/static|_next/image).*)'],
};
