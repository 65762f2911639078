// Cross-site and DNS-rebinding guard of the sandbox's HTTP server (pure). The
// sandbox has no pages: no browser page has a reason to call it, so
//  - the Host header must name it by a loopback name, its listen address or
//    one of SANDBOX_ALLOWED_HOSTS (a rebinding domain is none of them);
//  - a POST that a browser marks as coming from a page (Origin, or
//    Sec-Fetch-Site other than same-origin) is refused;
//  - a POST must be application/json: text/plain and forms are what a page on
//    another site can send without a CORS preflight.
// The app applies the same rules to itself (lib/security/request-guards.ts);
// the sandbox imports nothing from lib/.
import type { IncomingHttpHeaders } from 'node:http';
import { apiError, type ApiError } from './schema';

function hostName(host: string | undefined): string | null {
  if (!host) return null;
  try {
    return new URL(`http://${host.trim()}`).hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  } catch {
    return null;
  }
}

/** host[:port] of an Origin header; null for "null" or junk. */
function originHost(origin: string): string | null {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}

function isLoopback(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || name === '::1' || /^127(\.\d{1,3}){3}$/.test(name);
}

/** Lower-case host names allowed besides loopback: the listen address (unless a wildcard) and extras. */
export function allowedHosts(listenHost: string, extra: readonly string[] = []): string[] {
  const out = extra.map((h) => h.trim().toLowerCase()).filter(Boolean);
  const own = listenHost.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (own && own !== '0.0.0.0' && own !== '::') out.push(own);
  return out;
}

/** Why the request must be refused, or null. */
export function guardRequest(method: string | undefined, headers: IncomingHttpHeaders, allowed: readonly string[]): ApiError | null {
  const name = hostName(headers.host);
  if (!name || !(isLoopback(name) || allowed.includes(name))) {
    return apiError(403, `requests for host ${JSON.stringify(String(headers.host ?? '').slice(0, 100))} are refused: use a loopback name or add it to SANDBOX_ALLOWED_HOSTS`, 'invalid_request_error', null);
  }
  if (method !== 'POST') return null;
  const origin = headers.origin;
  const site = headers['sec-fetch-site'];
  if ((origin !== undefined && originHost(origin) !== String(headers.host).trim().toLowerCase()) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
    return apiError(403, 'cross-site request refused: the sandbox takes requests from programs, not from web pages', 'invalid_request_error', null);
  }
  if (!/^application\/json\s*(;|$)/i.test((headers['content-type'] ?? '').trim())) {
    return apiError(415, `send Content-Type: application/json (got ${JSON.stringify(String(headers['content-type'] ?? 'none').slice(0, 60))})`, 'invalid_request_error', null);
  }
  return null;
}
