// The error contract between route handlers and panels. A route that fails
// answers `{ error: { backend?, status?, message, errorType? } }`; fetchJson on
// the client turns that back into a BackendError (or a plain ApiError), so a
// Panel can say which backend failed and what it said.

import { changes, mutationHeaders } from '@/lib/auth/client';
import { BackendError, type Backend } from '@/lib/model/types';

export interface ApiErrorBody {
  error: { message: string; backend?: Backend; status?: number; errorType?: string; issues?: { path: string; message: string }[] };
}

const BACKENDS: readonly Backend[] = ['prometheus', 'tempo', 'pyroscope', 'postgres', 'sandbox', 'embedded'];

export const BACKEND_LABELS: Record<Backend, string> = {
  prometheus: 'Prometheus',
  tempo: 'Tempo',
  pyroscope: 'Pyroscope',
  postgres: 'Postgres',
  sandbox: 'Sandbox',
  embedded: 'Embedded store',
};

/** An error from our own API that is not a backend's: a refusal (4xx status, kept by errorResponse) or a bug. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Route handler side: a JSON error response. BackendErrors keep backend, status and message. */
export function errorResponse(err: unknown): Response {
  if (err instanceof BackendError) {
    const body: ApiErrorBody = { error: { backend: err.backend, status: err.status, message: err.message, errorType: err.errorType } };
    // 502/504 tell the browser "upstream failed"; the backend's own status travels in the body.
    // A query the backend refused as malformed (400, 422) is the caller's bad input: 400.
    const status = err.status === 504 ? 504 : err.status === 400 || err.status === 422 ? 400 : err.errorType === 'not_configured' ? 503 : 502;
    return Response.json(body, { status });
  }
  // Our own refusals (bad input, sign-in, roles, limits) keep their status.
  if (err instanceof ApiError && err.status >= 400 && err.status < 500) {
    return Response.json({ error: { message: err.message } } satisfies ApiErrorBody, { status: err.status });
  }
  const message = err instanceof Error ? err.message : String(err);
  return Response.json({ error: { message } } satisfies ApiErrorBody, { status: 500 });
}

/** Something asked for by id or name is not there: 404 through errorResponse. */
export class NotFound extends ApiError {
  constructor(message: string) {
    super(404, message);
    this.name = 'NotFound';
  }
}

/**
 * Route handler side: 400 naming each bad field. Issues straight from zod (a
 * path array) get their field put in front; issues with a string path are
 * already worded for a person and are kept as they are.
 */
export function badRequest(issues: readonly { path: readonly PropertyKey[] | string; message: string }[]): Response {
  const list = issues.map((i) => (typeof i.path === 'string' ? { path: i.path, message: i.message, worded: true } : { path: i.path.map(String).join('.'), message: i.message, worded: false }));
  const message = list.map((i) => (i.path && !i.worded ? `${i.path}: ${i.message}` : i.message)).join('; ');
  return Response.json({ error: { message, issues: list.map(({ path, message }) => ({ path, message })) } } satisfies ApiErrorBody, { status: 400 });
}

/** Route handler side: 404 with the API's error contract. */
export function notFound(message: string): Response {
  return Response.json({ error: { message } } satisfies ApiErrorBody, { status: 404 });
}

/** Client side: the error a failed response stands for. */
export function errorFromBody(status: number, body: unknown): Error {
  const e = (body as Partial<ApiErrorBody> | null)?.error;
  const message = typeof e?.message === 'string' ? e.message : `HTTP ${status}`;
  if (e && typeof e.backend === 'string' && (BACKENDS as string[]).includes(e.backend)) {
    return new BackendError(e.backend, typeof e.status === 'number' ? e.status : status, message, e.errorType);
  }
  return new ApiError(status, message);
}

// Browser side, for incident links (lib/incidents): a shared view's page sends
// its API reads through the link (`routeApiReads`), and "Share" needs to know
// which reads drew the view on screen: each answer object remembers its URL.
let apiRoute: ((path: string) => string) | null = null;
const answerUrls = new WeakMap<object, string>();

/** Sends every `/api/…` GET through `route` (null: straight to the API again). */
export function routeApiReads(route: ((path: string) => string) | null): void {
  apiRoute = route;
}

/** Records that `answer` is the body of `request` (react-query's structural sharing hands out copies). */
export function rememberRequest(answer: unknown, request: string): void {
  if (answer !== null && typeof answer === 'object') answerUrls.set(answer, request);
}

/** The API request an answer came from (for answers fetchJson returned). */
export function requestOf(answer: unknown): string | undefined {
  return answer !== null && typeof answer === 'object' ? answerUrls.get(answer) : undefined;
}

/** fetch + JSON with our error contract; pass react-query's signal so stale queries are cancelled. */
export async function fetchJson<T>(input: string, init?: RequestInit): Promise<T> {
  const read = (init?.method ?? 'GET').toUpperCase() === 'GET' && input.startsWith('/api/');
  // Changes go as JSON with the CSRF token: the server refuses anything else (proxy.ts, requireRole).
  const guard = changes(init?.method) ? mutationHeaders() : {};
  const res = await fetch(read && apiRoute ? apiRoute(input) : input, { ...init, headers: { accept: 'application/json', ...guard, ...init?.headers } });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    if (!res.ok) throw new ApiError(res.status, text.slice(0, 300) || `HTTP ${res.status}`);
    throw new ApiError(res.status, `response is not JSON: ${text.slice(0, 200)}`);
  }
  if (!res.ok) throw errorFromBody(res.status, body);
  if (read && body !== null && typeof body === 'object') answerUrls.set(body, input);
  return body as T;
}

/** One line for a person: "Prometheus: <its message> (HTTP 503)". */
export function describeError(err: unknown): { backend?: Backend; text: string } {
  if (err && typeof err === 'object' && 'backend' in err && typeof (err as { backend: unknown }).backend === 'string') {
    const e = err as { backend: Backend; status?: number; message?: string };
    const label = BACKEND_LABELS[e.backend] ?? e.backend;
    const status = typeof e.status === 'number' && e.status > 0 ? ` (HTTP ${e.status})` : '';
    return { backend: e.backend, text: `${label}: ${e.message || 'request failed'}${status}` };
  }
  if (err instanceof Error) return { text: err.message || err.name };
  return { text: String(err) };
}
