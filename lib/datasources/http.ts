import { config } from '@/lib/config';
import { BackendError, type Backend } from '@/lib/model/types';

// The one place the remote clients touch the network. Everything a panel needs
// to know about a failed call ends up in a BackendError: which backend, the
// HTTP status, and the backend's own words.

export type RemoteBackend = Extract<Backend, 'prometheus' | 'tempo' | 'pyroscope'>;

export interface ClientOptions {
  /** Server base URL without trailing slash, e.g. http://127.0.0.1:9090 */
  baseUrl: string;
  /** Sent as X-Scope-OrgID so multi-tenant Mimir/Tempo/Pyroscope work unchanged. */
  tenant?: string;
  timeoutMs: number;
}

const URL_KEY = { prometheus: 'PROMETHEUS_URL', tempo: 'TEMPO_URL', pyroscope: 'PYROSCOPE_URL' } as const;

/** Client options for `backend` from server config; throws when its URL is not configured. */
export function clientOptionsFromConfig(backend: RemoteBackend): ClientOptions {
  const c = config();
  const baseUrl = c[URL_KEY[backend]];
  if (!baseUrl) throw new Error(`${URL_KEY[backend]} is not set; ${backend} is served by the embedded store`);
  return { baseUrl, tenant: c.TELEMETRY_TENANT, timeoutMs: c.BACKEND_TIMEOUT_MS };
}

/** What a backend said when it failed: its message verbatim and, if it has one, its error type. */
export interface DecodedError {
  message: string;
  errorType?: string;
}

/** Plain-text error bodies (Tempo): the body itself is the message. */
export function plainTextError(status: number, body: string, statusText = ''): DecodedError {
  const text = body.trim();
  return { message: text || statusText || `HTTP ${status}` };
}

export interface BackendRequest {
  method?: 'GET' | 'POST';
  /** Path below baseUrl, starting with '/'. */
  path: string;
  /** Query parameters; arrays repeat the key (match[]=a&match[]=b); undefined is left out. */
  query?: Record<string, string | number | string[] | undefined>;
  body?: string | Uint8Array<ArrayBuffer> | URLSearchParams;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Turns a non-2xx body into the backend's own message. */
  decodeError?: (status: number, body: string, statusText: string) => DecodedError;
}

export function buildUrl(baseUrl: string, path: string, query?: BackendRequest['query']): string {
  const u = new URL(baseUrl.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) u.searchParams.append(k, String(item));
  }
  return u.toString();
}

/**
 * fetch with the backend's timeout combined with the caller's signal.
 * Returns the 2xx Response; throws BackendError otherwise. When the caller
 * aborts, the caller's abort reason is rethrown as is (a cancelled query is
 * not a backend failure and must not be shown as one).
 */
export async function backendFetch(backend: RemoteBackend, opts: ClientOptions, req: BackendRequest): Promise<Response> {
  const url = buildUrl(opts.baseUrl, req.path, req.query);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
  const headers: Record<string, string> = { ...req.headers };
  if (opts.tenant) headers['X-Scope-OrgID'] = opts.tenant;
  let res: Response;
  try {
    // No redirects: the backend is the configured URL, never wherever it points us (and the tenant header stays there).
    res = await fetch(url, { method: req.method ?? 'GET', headers, body: req.body, signal, redirect: 'error' });
  } catch (err) {
    throw translateFetchError(backend, opts, err, req.signal);
  }
  if (res.ok) return res;
  let body = '';
  try {
    body = await res.text();
  } catch (err) {
    throw translateFetchError(backend, opts, err, req.signal);
  }
  const decoded = (req.decodeError ?? plainTextError)(res.status, body, res.statusText);
  throw new BackendError(backend, res.status, decoded.message, decoded.errorType);
}

/** Reads a 2xx body as text, with the same abort/timeout translation as the request itself. */
export async function readText(backend: RemoteBackend, opts: ClientOptions, res: Response, signal?: AbortSignal): Promise<string> {
  try {
    return await res.text();
  } catch (err) {
    throw translateFetchError(backend, opts, err, signal);
  }
}

/** Reads a 2xx JSON body; a body that is not JSON is the backend's fault and says so. */
export async function readJson(backend: RemoteBackend, opts: ClientOptions, res: Response, signal?: AbortSignal): Promise<unknown> {
  const text = await readText(backend, opts, res, signal);
  try {
    return JSON.parse(text);
  } catch {
    throw new BackendError(backend, res.status, `${backend} returned a body that is not JSON: ${text.slice(0, 200)}`, 'bad_response');
  }
}

export async function readBytes(backend: RemoteBackend, opts: ClientOptions, res: Response, signal?: AbortSignal): Promise<Uint8Array> {
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    throw translateFetchError(backend, opts, err, signal);
  }
}

function translateFetchError(backend: RemoteBackend, opts: ClientOptions, err: unknown, callerSignal?: AbortSignal): unknown {
  if (callerSignal?.aborted) return callerSignal.reason ?? err;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') {
    return new BackendError(backend, 504, `${backend} did not answer within ${opts.timeoutMs} ms`, 'timeout');
  }
  const cause = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new BackendError(backend, 502, `cannot reach ${backend} at ${opts.baseUrl}: ${cause}`, 'unavailable');
}
