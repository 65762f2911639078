// Cross-site and DNS-rebinding guards, pure: proxy.ts applies them to every
// request the app serves. A browser on another site can make our users'
// browsers send requests (forms, no-cors fetch with text/plain), and a
// rebinding domain can even make them same-origin; these checks refuse both.
//  - Host must be a name this app is meant to be reached by (loopback names,
//    TRISIGHT_PUBLIC_URL's host, the address it listens on): a rebinding
//    attacker's domain is not one of them.
//  - A mutation must come from our own origin (Origin, else Sec-Fetch-Site);
//    a client that sends neither (curl, an exporter) is no browser.
//  - A mutation of the API must be JSON: text/plain, forms and multipart are
//    what a cross-site page can send without a CORS preflight.
import { isLoopbackHost } from '@/lib/config';

export interface GuardPolicy {
  /** lower-case host names (no port) allowed besides loopback names */
  extraHosts: readonly string[];
  /** origins (scheme://host[:port]) that count as ours besides the Host header's own */
  extraOrigins: readonly string[];
}

export interface GuardRequest {
  method: string;
  pathname: string;
  host: string | null;
  origin: string | null;
  secFetchSite: string | null;
  contentType: string | null;
}

export interface Refusal {
  status: 403 | 415;
  message: string;
}

/** Receivers with their own media types (OTLP protobuf, Pyroscope multipart): origin-checked, not JSON-only. */
export const TELEMETRY_PATHS: readonly string[] = ['/v1/traces', '/ingest'];

export function isTelemetryPath(pathname: string): boolean {
  return TELEMETRY_PATHS.includes(pathname.replace(/\/+$/, ''));
}

const MUTATION = /^(POST|PUT|PATCH|DELETE)$/i;

/** The Host header's name without port, lower-case; null when it cannot be parsed. */
export function hostName(host: string): string | null {
  try {
    return new URL(`http://${host.trim()}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

export function policyFrom(cfg: { HOST: string; TRISIGHT_PUBLIC_URL?: string }): GuardPolicy {
  const extraHosts: string[] = [];
  const extraOrigins: string[] = [];
  if (cfg.TRISIGHT_PUBLIC_URL) {
    const u = new URL(cfg.TRISIGHT_PUBLIC_URL);
    extraHosts.push(u.hostname.toLowerCase());
    extraOrigins.push(u.origin);
  }
  // Listening on one specific address: people may open it by that address.
  const h = hostName(cfg.HOST);
  if (h && h !== '0.0.0.0' && h !== '[::]' && !isLoopbackHost(h)) extraHosts.push(h);
  return { extraHosts, extraOrigins };
}

export function hostAllowed(host: string | null, policy: GuardPolicy): boolean {
  const name = host ? hostName(host) : null;
  return !!name && (isLoopbackHost(name) || policy.extraHosts.includes(name));
}

/** Whether a mutation comes from one of our own pages (or from no browser at all). */
export function sameOrigin(r: Pick<GuardRequest, 'host' | 'origin' | 'secFetchSite'>, policy: GuardPolicy): boolean {
  if (r.origin !== null) {
    if (r.origin === 'null') return false; // sandboxed frames, data: URLs, some redirects
    let o: URL;
    try {
      o = new URL(r.origin);
    } catch {
      return false;
    }
    // Behind a TLS-terminating proxy the app sees http while the page is https: compare host and port.
    if (r.host && o.host.toLowerCase() === r.host.trim().toLowerCase()) return true;
    return policy.extraOrigins.includes(o.origin);
  }
  // Browsers that send no Origin still say where the request comes from.
  if (r.secFetchSite !== null) return r.secFetchSite === 'same-origin';
  return true;
}

/** JSON, with or without parameters (charset). */
export function isJson(contentType: string | null): boolean {
  return /^application\/json\s*(;|$)/i.test((contentType ?? '').trim());
}

/** Why a request must be refused (host, origin, media type), or null. Authentication comes after. */
export function checkRequest(r: GuardRequest, policy: GuardPolicy, opts: { hostChecked?: boolean } = {}): Refusal | null {
  if (opts.hostChecked !== false && !hostAllowed(r.host, policy)) {
    return { status: 403, message: `requests for host ${JSON.stringify((r.host ?? '').slice(0, 100))} are refused: open Trisight at localhost, or set TRISIGHT_PUBLIC_URL to the address you use` };
  }
  if (!MUTATION.test(r.method)) return null;
  if (!sameOrigin(r, policy)) return { status: 403, message: 'cross-site request refused: changes can only be made from Trisight\'s own pages' };
  if (!isTelemetryPath(r.pathname) && !isJson(r.contentType)) {
    return { status: 415, message: `send Content-Type: application/json (got ${JSON.stringify((r.contentType ?? 'none').slice(0, 60))})` };
  }
  return null;
}
