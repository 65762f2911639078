// Browser side of the mutation guards: every change the page asks for is JSON
// and carries the session's CSRF token (from the readable trisight_csrf cookie,
// present only with built-in sign-in). Safe to import anywhere: no server code.

export const CSRF_COOKIE_NAME = 'trisight_csrf';
export const CSRF_HEADER_NAME = 'x-csrf-token';

function cookie(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined;
  for (const part of document.cookie.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** The CSRF token header when signed in (a session, or a sign-in proxy's double-submit cookie); empty otherwise. */
export function csrfHeaders(): Record<string, string> {
  const csrf = cookie(CSRF_COOKIE_NAME);
  return csrf ? { [CSRF_HEADER_NAME]: csrf } : {};
}

/** Headers a same-origin mutation needs: JSON content type and, when signed in, the CSRF token. */
export function mutationHeaders(): Record<string, string> {
  return { 'content-type': 'application/json', ...csrfHeaders() };
}

/** Whether a fetch with this method changes something (so needs mutationHeaders). */
export function changes(method: string | undefined): boolean {
  return !!method && !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** Where to go after signing in: a path of this app only (never another site, never the sign-in page again). */
export function safeNextPath(next: string | null | undefined): string {
  // Control characters: browsers drop tabs and newlines, which turns "/\t/evil" into "//evil".
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || [...next].some((c) => c.charCodeAt(0) < 0x20)) return '/sandbox';
  if (next === '/signin' || next.startsWith('/signin?')) return '/sandbox';
  return next;
}
