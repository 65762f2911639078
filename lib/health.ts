// Health of everything Trisight talks to, checked in parallel, each within
// HEALTH_TIMEOUT_MS. A component is "embedded" (served by Trisight itself),
// "connected" (a configured server answered, with its version when its API
// gives one) or "unreachable" (with the error, and what to do about it).

import { config, type Config } from '@/lib/config';
import { backendFetch, readJson, type ClientOptions, type RemoteBackend } from '@/lib/datasources/http';
import { BackendError } from '@/lib/model/types';

export type ComponentName = 'postgres' | 'prometheus' | 'tempo' | 'pyroscope' | 'sandbox';
export type HealthState = 'embedded' | 'connected' | 'unreachable';

export interface ComponentHealth {
  name: ComponentName;
  label: string;
  state: HealthState;
  /** embedded: run by Trisight (embedded Postgres, the app's own stores); external: a configured server. */
  mode: 'embedded' | 'external';
  /** What was checked, without credentials or query strings. */
  target?: string;
  version?: string;
  /** Extra facts, e.g. the sandbox's compute backend. */
  detail?: string;
  error?: string;
  /** What a person can do when the component is unreachable. */
  hint?: string;
  /** It works, with less than it could (e.g. no Prometheus installed): what is missing and the one command that fixes it. */
  warning?: string;
  latencyMs: number;
}

export interface HealthReport {
  checkedAt: string;
  /** true when nothing is unreachable */
  ok: boolean;
  components: ComponentHealth[];
}

/** Runs a SQL query against the app's database; lib/db's pgPool in production. */
export type SqlQuery = (sql: string, signal: AbortSignal) => Promise<{ rows: Record<string, unknown>[] }>;

export interface HealthDeps {
  config: Config;
  /** TRISIGHT_EMBEDDED_PG=1: the launcher started Postgres itself. */
  embeddedPostgres: boolean;
  /** TRISIGHT_SANDBOX_MANAGED=1: the launcher runs the bundled sandbox (else SANDBOX_URL is someone else's). */
  sandboxManaged?: boolean;
  query: SqlQuery;
}

/** URL without user, password, query or fragment: safe to show on the Status page. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const path = u.pathname === '/' ? '' : u.pathname;
    return `${u.protocol}//${u.host}${path}`;
  } catch {
    return '(invalid URL)';
  }
}

/** "PostgreSQL 18.0 on x86_64-pc-linux-gnu, compiled by …" → "18.0". */
export function postgresVersion(versionText: string): string | undefined {
  return /PostgreSQL\s+(\d+(?:\.\d+)*\S*)/.exec(versionText)?.[1]?.replace(/,$/, '');
}

/**
 * Version from a buildinfo body: Prometheus and Pyroscope wrap it as
 * `{status, data: {version}}`, Tempo answers `{version}` directly.
 */
export function buildInfoVersion(body: unknown): string | undefined {
  const b = body as { version?: unknown; data?: { version?: unknown } } | null;
  const v = b?.data?.version ?? b?.version;
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, 80) : undefined;
}

/** The sandbox's /healthz body → one line of facts. Unknown fields are ignored. */
export function sandboxDetail(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of ['backend', 'adapter', 'preset', 'model']) {
    const v = b[k];
    if (typeof v === 'string' && v) parts.push(`${k} ${v.slice(0, 120)}`);
    else if (v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string') parts.push(`${k} ${(v as { name: string }).name.slice(0, 120)}`);
  }
  return parts.length ? parts.join(' · ') : undefined;
}

function errorText(err: unknown): string {
  if (err instanceof BackendError) return err.message;
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer within the health timeout';
  const cause = e?.cause?.code ?? e?.cause?.message;
  const msg = e?.message || e?.code || String(err);
  return cause && !msg.includes(cause) ? `${msg}: ${cause}` : msg;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; ms: number }> {
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, ms: Math.round(performance.now() - t0) };
  } catch (error) {
    return { error, ms: Math.round(performance.now() - t0) };
  }
}

/** Rejects after `ms` (pg has no per-query signal; this bounds a hung connect). */
function deadline<T>(p: Promise<T>, ms: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error(`no answer within ${ms} ms`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function checkPostgres(deps: HealthDeps, timeoutMs: number): Promise<ComponentHealth> {
  const url = deps.config.DATABASE_URL;
  const mode = deps.embeddedPostgres ? 'embedded' : 'external';
  const base = { name: 'postgres' as const, label: 'Postgres', mode: mode as ComponentHealth['mode'] };
  if (!url) {
    return {
      ...base,
      state: 'unreachable',
      error: 'DATABASE_URL is not set',
      hint: 'Start Trisight with `npm start` (it starts embedded Postgres and sets DATABASE_URL), or set DATABASE_URL to your server.',
      latencyMs: 0,
    };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  const r = await timed(() => deadline(deps.query('select version() as version', signal), timeoutMs, signal));
  // The embedded server's address is Trisight's business: never shown.
  const target = deps.embeddedPostgres ? undefined : redactUrl(url);
  if (r.error !== undefined) {
    return {
      ...base,
      target,
      state: 'unreachable',
      error: errorText(r.error),
      hint: deps.embeddedPostgres
        ? `Embedded Postgres is not answering. Check the \`npm start\` log; its data is in ${deps.config.dataDir}/pg. Restarting \`npm start\` recovers a stopped server.`
        : 'Check DATABASE_URL (host, port, database, credentials) and that the server accepts connections from this machine.',
      latencyMs: r.ms,
    };
  }
  const text = String(r.value?.rows[0]?.version ?? '');
  return {
    ...base,
    target,
    state: deps.embeddedPostgres ? 'embedded' : 'connected',
    version: postgresVersion(text),
    detail: text ? text.slice(0, 160) : undefined,
    latencyMs: r.ms,
  };
}

const REMOTE: Record<RemoteBackend, { label: string; env: 'PROMETHEUS_URL' | 'TEMPO_URL' | 'PYROSCOPE_URL'; paths: string[]; embedded: string }> = {
  prometheus: {
    label: 'Prometheus',
    env: 'PROMETHEUS_URL',
    paths: ['/api/v1/status/buildinfo'],
    embedded: 'Request metrics are computed from the spans Trisight stores, re-weighted for sampling (set PROMETHEUS_URL to use a Prometheus server).',
  },
  tempo: {
    label: 'Tempo',
    env: 'TEMPO_URL',
    // Older Tempo releases lack buildinfo; /ready still proves it is up.
    paths: ['/api/status/buildinfo', '/ready'],
    embedded: 'Traces are received at /v1/traces and stored by Trisight in Postgres (set TEMPO_URL to use Tempo).',
  },
  pyroscope: {
    label: 'Pyroscope',
    env: 'PYROSCOPE_URL',
    paths: ['/api/v1/status/buildinfo', '/ready'],
    embedded: 'Profiles are received at /ingest and stored by Trisight in Postgres (set PYROSCOPE_URL to use Pyroscope).',
  },
};

/** The one command that gives `npm start` a real Prometheus (Debian's package). */
export const PROMETHEUS_INSTALL_HINT = 'sudo apt-get install --no-install-recommends prometheus';

async function checkRemote(backend: RemoteBackend, cfg: Config, timeoutMs: number): Promise<ComponentHealth> {
  const spec = REMOTE[backend];
  const baseUrl = cfg[spec.env];
  const base = { name: backend, label: spec.label };
  if (!baseUrl) {
    const warning =
      backend !== 'prometheus'
        ? undefined
        : cfg.EMBEDDED_PROMETHEUS === 'off'
          ? 'The embedded Prometheus is off (EMBEDDED_PROMETHEUS=off), so latency and throughput are estimates from sampled spans. Unset it and restart `npm start`, or set PROMETHEUS_URL.'
          : `No Prometheus is installed, so latency and throughput are estimates from sampled spans. Install it with \`${PROMETHEUS_INSTALL_HINT}\` and restart \`npm start\`, or set PROMETHEUS_URL.`;
    return { ...base, mode: 'embedded', state: 'embedded', detail: spec.embedded, warning, latencyMs: 0 };
  }
  // The Prometheus that `npm start` runs: its loopback address is not shown.
  const embedded = backend === 'prometheus' && cfg.TRISIGHT_EMBEDDED_PROMETHEUS;
  const target = embedded ? undefined : redactUrl(baseUrl);
  const until = Date.now() + timeoutMs;
  const r = await timed(async () => {
    let lastErr: unknown;
    for (const path of spec.paths) {
      // One budget for all attempts: the fallback must not double the timeout.
      const opts: ClientOptions = { baseUrl, tenant: cfg.TELEMETRY_TENANT, timeoutMs: Math.max(1, until - Date.now()) };
      try {
        const res = await backendFetch(backend, opts, { path, headers: { accept: 'application/json, text/plain' } });
        if (path.endsWith('/ready')) {
          await res.body?.cancel();
          return undefined;
        }
        return buildInfoVersion(await readJson(backend, opts, res));
      } catch (e) {
        lastErr = e;
        // Only "no such endpoint" is worth a fallback; a dead server is dead.
        if (!(e instanceof BackendError && (e.status === 404 || e.status === 405))) throw e;
      }
    }
    throw lastErr;
  });
  if (embedded) {
    const version = r.value?.replace(/\+.*$/, '');
    if (r.error !== undefined) {
      return { ...base, mode: 'embedded', state: 'unreachable', error: errorText(r.error), hint: '`npm start` restarts the embedded Prometheus when it stops; its log lines start with [prometheus].', latencyMs: r.ms };
    }
    return {
      ...base,
      label: `embedded Prometheus${version ? ` ${version.split('.').slice(0, 2).join('.')}` : ''} (local)`,
      mode: 'embedded',
      state: 'embedded',
      version: r.value,
      detail: 'Run by `npm start`: scrapes the sandbox, the app and every LOAD_TARGETS server; data in TRISIGHT_DATA_DIR/prometheus.',
      latencyMs: r.ms,
    };
  }
  if (r.error !== undefined) {
    return {
      ...base,
      mode: 'external',
      target,
      state: 'unreachable',
      error: errorText(r.error),
      hint: `Check that ${spec.env} (${target}) points at a running ${spec.label}${cfg.TELEMETRY_TENANT ? ` that accepts tenant "${cfg.TELEMETRY_TENANT}"` : ''}, or unset it to use the embedded store.`,
      latencyMs: r.ms,
    };
  }
  return { ...base, mode: 'external', target, state: 'connected', version: r.value, latencyMs: r.ms };
}

async function checkSandbox(cfg: Config, timeoutMs: number, managed: boolean): Promise<ComponentHealth> {
  const baseUrl = cfg.SANDBOX_URL ?? `http://127.0.0.1:${cfg.SANDBOX_PORT}`;
  const target = redactUrl(baseUrl);
  const mode = managed || !cfg.SANDBOX_URL ? ('embedded' as const) : ('external' as const);
  const base = { name: 'sandbox' as const, label: 'Sandbox', mode, target };
  const r = await timed(async () => {
    const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' }, redirect: 'error' });
    const text = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.trim().slice(0, 200) || res.statusText}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  });
  if (r.error !== undefined) {
    return {
      ...base,
      state: 'unreachable',
      error: `${target}/healthz: ${errorText(r.error)}`,
      hint: mode === 'external'
        ? 'Check that SANDBOX_URL points at a running sandbox (`npm run sandbox`).'
        : `Check the sandbox log in the \`npm start\` output; it should listen on port ${cfg.SANDBOX_PORT} (SANDBOX_PORT). Run it alone with \`npm run sandbox\`.`,
      latencyMs: r.ms,
    };
  }
  const b = r.value as { version?: unknown } | undefined;
  return {
    ...base,
    state: 'connected',
    version: typeof b?.version === 'string' ? b.version : undefined,
    detail: sandboxDetail(r.value),
    latencyMs: r.ms,
  };
}

/** Checks every component in parallel; never throws. */
export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const t = deps.config.HEALTH_TIMEOUT_MS;
  const components = await Promise.all([
    checkPostgres(deps, t),
    checkRemote('prometheus', deps.config, t),
    checkRemote('tempo', deps.config, t),
    checkRemote('pyroscope', deps.config, t),
    checkSandbox(deps.config, t, deps.sandboxManaged ?? false),
  ]);
  return { checkedAt: new Date().toISOString(), ok: components.every((c) => c.state !== 'unreachable'), components };
}

/** Health with the process's own configuration and database pool. */
export async function checkAppHealth(): Promise<HealthReport> {
  const cfg = config();
  return checkHealth({
    config: cfg,
    embeddedPostgres: cfg.TRISIGHT_EMBEDDED_PG,
    sandboxManaged: cfg.TRISIGHT_SANDBOX_MANAGED,
    query: async (sql) => {
      // Imported lazily so a missing DATABASE_URL never breaks the other checks.
      const { pgPool } = await import('@/lib/db');
      return pgPool().query(sql);
    },
  });
}
