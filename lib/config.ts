import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_DROP_KEYS, KeyListError, RuleListError, parseKeyList, parseRuleList } from './redaction';
import { SensitivityTagError, parseSensitivityTag } from './redaction/sensitivity';

// One typed, validated view of the environment. Backend URLs come from here
// only, never from a request. An unset backend URL means "embedded" for that signal.

const url = (name: string) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      try {
        const u = new URL(v);
        if (!/^https?:|^postgres(ql)?:/.test(u.protocol)) throw new Error('protocol');
        return v.replace(/\/+$/, '');
      } catch {
        ctx.addIssue({ code: 'custom', message: `not a URL: ${JSON.stringify(v)}` });
        return z.NEVER;
      }
    })
    .optional()
    .describe(name);

const durationMs = z.coerce.number().int().positive().max(600_000);

const flag = z.enum(['0', '1']).default('0').transform((v) => v === '1');

/** `name=url,name2=url2`: OpenAI-compatible load targets an operator allows. */
const loadTargets = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const out: { name: string; url: string; preset: string }[] = [];
    if (!v?.trim()) return out;
    for (const part of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      // name=url or name=url|preset
      const m = /^([A-Za-z0-9_.-]+)=([^|]+)(?:\|([a-z]+))?$/.exec(part);
      if (!m) {
        ctx.addIssue({ code: 'custom', message: `expected name=url[|preset], got ${JSON.stringify(part)}` });
        return z.NEVER;
      }
      try {
        new URL(m[2]);
      } catch {
        ctx.addIssue({ code: 'custom', message: `not a URL: ${JSON.stringify(m[2])}` });
        return z.NEVER;
      }
      out.push({ name: m[1], url: m[2].replace(/\/+$/, ''), preset: m[3] ?? 'vllm' });
    }
    return out;
  });

/** Whether an address or host name reaches only this machine (HOST, a Host header's name). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** A string setting parsed by `parse`, whose one-line error names the problem. */
const parsedBy = <T>(parse: (v: string) => T, fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      try {
        return parse(v);
      } catch (e) {
        if (!(e instanceof RuleListError || e instanceof KeyListError || e instanceof SensitivityTagError)) throw e;
        ctx.addIssue({ code: 'custom', message: e.message });
        return z.NEVER;
      }
    });

/** `10.0.0.5, 10.1.0.0/16, ::1`: the addresses a trusted reverse proxy connects from. */
const addressList = z
  .string()
  .optional()
  .transform((v, ctx) => {
    const list = new BlockList();
    const entries: string[] = [];
    for (const part of (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      const [addr, bits, extra] = part.split('/');
      const family = isIP(addr);
      const max = family === 6 ? 128 : 32;
      const prefix = bits === undefined ? max : Number(bits);
      if (!family || extra !== undefined || !/^\d*$/.test(bits ?? '') || !Number.isInteger(prefix) || prefix < 0 || prefix > max) {
        ctx.addIssue({ code: 'custom', message: `expected IP addresses or CIDR ranges, got ${JSON.stringify(part)}` });
        return z.NEVER;
      }
      list.addSubnet(addr, prefix, family === 6 ? 'ipv6' : 'ipv4');
      entries.push(part);
    }
    return { list, entries };
  });

const ConfigObject = z.object({
  DATABASE_URL: url('DATABASE_URL'),
  PROMETHEUS_URL: url('PROMETHEUS_URL'),
  TEMPO_URL: url('TEMPO_URL'),
  /** OTLP/HTTP traces URL (e.g. Tempo's http://tempo:4318/v1/traces) for the load generator's client spans when TEMPO_URL is set. */
  OTLP_TRACES_URL: url('OTLP_TRACES_URL'),
  PYROSCOPE_URL: url('PYROSCOPE_URL'),
  TELEMETRY_TENANT: z.string().trim().min(1).max(256).regex(/^[A-Za-z0-9!._*'()|-]+$/, 'not a valid tenant id').optional(),
  SANDBOX_URL: url('SANDBOX_URL'),
  LOAD_TARGETS: loadTargets,
  TRISIGHT_DATA_DIR: z.string().min(1).optional(),
  /** 0 picks a free port (tests). */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Interface the app listens on; 0.0.0.0 inside a container. */
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  SANDBOX_PORT: z.coerce.number().int().min(1).max(65535).default(8100),
  BACKEND_TIMEOUT_MS: durationMs.default(10_000),
  HEALTH_TIMEOUT_MS: durationMs.default(2_000),
  EMBEDDED_RETENTION: z
    .string()
    .regex(/^\d+(s|m|h|d)$/, 'expected a duration like 24h')
    .default('24h'),
  /** Telemetry pushes (/v1/traces, /ingest) handled at once; more wait briefly, then get 429 + Retry-After. */
  INGEST_MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).default(4),
  /** The most spans one trace is read with (like Tempo's max bytes per trace): a larger one is cut short and marked partial. */
  TRACE_MAX_SPANS: z.coerce.number().int().min(100).max(1_000_000).default(20_000),
  /** Most live data the embedded stores keep (spans + profiles), e.g. 2GB, 500MB; 0 or off: no bound but age. */
  EMBEDDED_MAX_BYTES: z
    .string()
    .trim()
    .default('2GB')
    .transform((v, ctx) => {
      const bytes = parseBytes(v);
      if (bytes === null) {
        ctx.addIssue({ code: 'custom', message: `expected a size like 2GB, 500MB or 0 (off), got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return bytes;
    }),
  /** auto: `npm start` runs Prometheus when PROMETHEUS_URL is unset (installing it as root on Debian); off: metrics estimated from spans. */
  EMBEDDED_PROMETHEUS: z.enum(['auto', 'off']).default('auto'),
  /** The `prometheus` binary for the embedded one, tried before PATH and Debian's /usr/bin/prometheus. */
  PROMETHEUS_BIN: z.string().trim().min(1).optional(),
  /** How often the sandbox pushes profiles (the launcher passes it on): a run's flame panel waits one interval past the run's end. */
  PYROSCOPE_FLUSH_INTERVAL_MS: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  // Set by `npm start` for the app it runs, never by hand: what the launcher itself started.
  /** 1: the launcher runs Postgres (embedded). */
  TRISIGHT_EMBEDDED_PG: flag,
  /** 1: the launcher runs the bundled sandbox (else SANDBOX_URL is someone else's). */
  TRISIGHT_SANDBOX_MANAGED: flag,
  /** 1: PROMETHEUS_URL is the Prometheus the launcher runs (embedded), not a remote one. */
  TRISIGHT_EMBEDDED_PROMETHEUS: flag,
  /** The folder whose *.yml rule files the embedded Prometheus loads (SLO rules go there, then POST /-/reload). */
  TRISIGHT_PROMETHEUS_RULES_DIR: z.string().min(1).optional(),
  /** 1: anyone with an incident link's slug may read that link without signing in (it grants nothing else). */
  INCIDENT_LINKS_ANONYMOUS: flag,
  /** Cap on the data one incident link freezes (bytes of JSON); what does not fit is left out and the link says so. */
  INCIDENT_FREEZE_MAX_BYTES: z.coerce.number().int().min(65_536).max(268_435_456).default(16 * 1024 * 1024),
  /** off: no sign-in (only allowed while HOST is loopback); builtin: users in Postgres; proxy: a trusted reverse proxy says who. */
  AUTH_MODE: z.enum(['off', 'builtin', 'proxy']).default('off'),
  // What the receivers (POST /v1/traces, POST /ingest) redact before storing; see lib/redaction.
  /** rule names, `default`, `all` or `none`; `-name` removes one: `default,ipv4,-phone` */
  REDACTION_RULES: parsedBy(parseRuleList, 'default'),
  /** attribute keys (or `prefix*`) stored untouched, before the drop list and the rules */
  REDACTION_ALLOWED_KEYS: parsedBy(parseKeyList, ''),
  /** attribute keys (or `prefix*`) never stored unless allowed */
  REDACTION_DROP_KEYS: parsedBy(parseKeyList, DEFAULT_DROP_KEYS.join(',')),
  /** `key=value`: a span, resource or event carrying it is shown only to admins (lib/redaction/sensitivity.ts) */
  SENSITIVITY_TAG: parsedBy(parseSensitivityTag, 'data_class=PII'),
  /** attribute keys (or `prefix*`) whose values are shown only to admins, wherever they appear */
  SENSITIVE_KEYS: parsedBy(parseKeyList, 'enduser.*,user.*'),
  /** proxy mode: X-Forwarded-User/-Email are believed only from these addresses. */
  AUTH_PROXY_ADDRESSES: addressList,
  /** proxy mode: the role of a proxy-authenticated user the Users page does not list. */
  AUTH_PROXY_DEFAULT_ROLE: z.enum(['viewer', 'editor', 'admin']).default('viewer'),
  /** Set by scripts/app-server.mjs, never by hand: x-trisight-peer holds the connection's real address. */
  TRISIGHT_PEER_HEADER: flag,
  /** builtin mode: how long a sign-in lasts. */
  AUTH_SESSION_TTL: z.string().regex(/^\d+(s|m|h|d)$/, 'expected a duration like 7d').default('7d'),
  /** The URL people open the app at (behind a proxy, or by a name other than localhost): its host is allowed, its origin is same-origin. */
  TRISIGHT_PUBLIC_URL: url('TRISIGHT_PUBLIC_URL'),
  /** Bearer token the telemetry receivers (/v1/traces, /ingest) require; without it they accept pushes only while HOST is loopback. */
  INGEST_TOKEN: z.string().trim().min(16, 'at least 16 characters').max(512).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').optional(),
});

// Cross-field rules: each says in one line how to fix it.
export const ConfigSchema = ConfigObject.superRefine((c, ctx) => {
  if (c.AUTH_MODE === 'off' && !isLoopbackHost(c.HOST)) {
    ctx.addIssue({
      code: 'custom',
      path: ['AUTH_MODE'],
      message: `HOST=${c.HOST} is reachable from other machines, so sign-in is required: set AUTH_MODE=builtin (then \`npm run user -- add <name> --role admin\`) or AUTH_MODE=proxy with AUTH_PROXY_ADDRESSES, or listen on HOST=127.0.0.1`,
    });
  }
  if (c.AUTH_MODE === 'proxy' && !c.AUTH_PROXY_ADDRESSES.entries.length) {
    ctx.addIssue({ code: 'custom', path: ['AUTH_PROXY_ADDRESSES'], message: "AUTH_MODE=proxy needs the reverse proxy's addresses, e.g. AUTH_PROXY_ADDRESSES=10.0.0.5 (or 127.0.0.1 for a proxy on this machine)" });
  }
});

export type Config = z.infer<typeof ConfigSchema> & { dataDir: string };

/** Every variable the app reads; the docker-compose test cross-checks against it. */
export const CONFIG_VARIABLES = Object.keys(ConfigObject.shape) as (keyof typeof ConfigObject.shape)[];

export class ConfigError extends Error {}

/** Parses an environment; throws ConfigError whose message is one line per bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // Empty strings mean "unset" (a common docker-compose idiom).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = ConfigSchema.safeParse(cleaned);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(lines.join('\n'));
  }
  // A runtime path, not a file of the build: keep Turbopack from tracing the whole project.
  const dataDir = path.resolve(/*turbopackIgnore: true*/ r.data.TRISIGHT_DATA_DIR ?? path.join(/*turbopackIgnore: true*/ process.cwd(), '.trisight'));
  return { ...r.data, dataDir };
}

let cached: Config | undefined;
/** The process's configuration, parsed once. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/** `2GB`, `500MB`, `1.5GiB`, `1048576`, `0`/`off` (0): bytes, or null when it is no size. Decimal units are powers of 1000, binary (KiB…) of 1024. */
export function parseBytes(v: string): number | null {
  if (/^(0|off)$/i.test(v.trim())) return 0;
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i.exec(v.trim());
  if (!m) return null;
  const unit = (m[2] ?? 'B').toLowerCase();
  const scale: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };
  return Math.round(Number(m[1]) * scale[unit]);
}

export function durationToMs(d: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(d);
  if (!m) throw new Error(`bad duration ${d}`);
  return Number(m[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd'];
}
