// The sandbox's environment, validated (pure). `npm run sandbox` and the app's
// launcher pass settings this way; a bad value stops startup with one line.
import { z } from 'zod';
import { RuleListError, parseRuleList } from '../../../lib/redaction';
import type { SandboxOptions } from './index';

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      return /^https?:$/.test(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'expected an http(s) URL')
  .transform((v) => v.replace(/\/+$/, ''));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const prob = z.coerce.number().min(0).max(1);

export const SandboxEnvSchema = z.object({
  SANDBOX_HOST: z.string().trim().min(1).default('127.0.0.1'),
  /** comma-separated host names requests may use besides loopback names and SANDBOX_HOST (docker-compose: sandbox) */
  SANDBOX_ALLOWED_HOSTS: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9.:_-]+(\s*,\s*[A-Za-z0-9.:_-]+)*$/, 'expected host names separated by commas')
    .optional(),
  SANDBOX_PORT: int(0, 65535).default(8100),
  SANDBOX_BACKEND: z.enum(['auto', 'cpu', 'webgpu']).default('auto'),
  SANDBOX_GPU_TIMING: z.enum(['auto', 'submission', 'off']).default('auto'),
  SANDBOX_GPU_KERNEL_SAMPLE_EVERY: int(1, 1_000_000).default(128),
  SANDBOX_PRESET: z.enum(['tiny', 'small']).default('tiny'),
  SANDBOX_SEED: int(0, 0xffffffff).default(1),
  SANDBOX_RECORD_PROMPTS: z.enum(['0', '1', 'false', 'true']).default('0'),
  /** the app's REDACTION_RULES syntax: `default`, `default,ipv4`, `default,-phone`, … */
  SANDBOX_REDACTION_RULES: z
    .string()
    .default('default')
    .transform((v, ctx) => {
      try {
        return parseRuleList(v);
      } catch (e) {
        if (!(e instanceof RuleListError)) throw e;
        ctx.addIssue({ code: 'custom', message: e.message });
        return z.NEVER;
      }
    }),
  /** CPU backend: 2 adds a helper thread for the large matrix products (batched decode, prefill); the CPU profile shows its work as one unlabelled frame */
  SANDBOX_THREADS: z.enum(['1', '2']).default('1'),
  SANDBOX_MAX_BATCH: int(1, 256).default(8),
  SANDBOX_MAX_QUEUE: int(0, 100_000).default(64),
  SANDBOX_PREFIX_CACHE_ENTRIES: int(0, 1024).default(8),
  /** per transformer block, positions of a prefix-cache entry it keeps: `all`, or one value per block (`all,all,64,32`) */
  SANDBOX_KV_BLOCK_RETAIN: z
    .string()
    .default('all')
    .transform((v, ctx) => {
      const parts = v.split(',').map((s) => s.trim());
      const out = parts.map((s) => (s === 'all' ? Infinity : /^\d+$/.test(s) ? Number(s) : NaN));
      if (out.some((n) => Number.isNaN(n))) {
        ctx.addIssue({ code: 'custom', message: `expected "all" or a comma list of "all" or whole numbers, one per transformer block, got ${JSON.stringify(v)}` });
        return z.NEVER;
      }
      return out;
    }),
  /** tokens in the sliding window of the output-perplexity standard deviation */
  SANDBOX_PERPLEXITY_WINDOW: int(2, 4096).default(16),
  SANDBOX_PREFILL_TOKEN_BUDGET: int(1, 1_000_000).default(128),
  SANDBOX_REQUEST_TIMEOUT_MS: int(1, 3_600_000).default(60_000),
  SANDBOX_DRAIN_TIMEOUT_MS: int(0, 600_000).default(30_000),
  /** adaptive sampling: P1 probability up to the reference token count, its fall-off and floor */
  SANDBOX_SAMPLING_P1: prob.default(1),
  SANDBOX_SAMPLING_REFERENCE_TOKENS: int(1, 1_000_000).default(64),
  SANDBOX_SAMPLING_EXPONENT: z.coerce.number().min(0).max(8).default(1),
  SANDBOX_SAMPLING_MIN: prob.default(0.05),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  PYROSCOPE_SERVER_ADDRESS: httpUrl.optional(),
  PYROSCOPE_FLUSH_INTERVAL_MS: int(1000, 600_000).optional(),
  /** multi-tenant Tempo / Pyroscope: sent as X-Scope-OrgID */
  TELEMETRY_TENANT: z.string().trim().min(1).max(256).optional(),
});

export type SandboxEnv = z.infer<typeof SandboxEnvSchema>;

export class SandboxEnvError extends Error {}

/** Environment → startSandbox options; throws SandboxEnvError with one line naming each bad variable. */
export function parseSandboxEnv(env: Record<string, string | undefined>): SandboxOptions {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in SandboxEnvSchema.shape && v !== undefined && v !== ''));
  const r = SandboxEnvSchema.safeParse(cleaned);
  if (!r.success) {
    throw new SandboxEnvError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const e = r.data;
  const tenant = e.TELEMETRY_TENANT;
  return {
    host: e.SANDBOX_HOST,
    allowedHosts: e.SANDBOX_ALLOWED_HOSTS?.split(',').map((h) => h.trim()),
    port: e.SANDBOX_PORT,
    backend: e.SANDBOX_BACKEND,
    gpuTiming: e.SANDBOX_GPU_TIMING,
    gpuKernelSampleEvery: e.SANDBOX_GPU_KERNEL_SAMPLE_EVERY,
    preset: e.SANDBOX_PRESET,
    seed: e.SANDBOX_SEED,
    threads: e.SANDBOX_THREADS === '2' ? 2 : 1,
    maxBatch: e.SANDBOX_MAX_BATCH,
    maxQueue: e.SANDBOX_MAX_QUEUE,
    prefixCacheEntries: e.SANDBOX_PREFIX_CACHE_ENTRIES,
    kvBlockRetain: e.SANDBOX_KV_BLOCK_RETAIN,
    perplexityWindow: e.SANDBOX_PERPLEXITY_WINDOW,
    prefillTokenBudget: e.SANDBOX_PREFILL_TOKEN_BUDGET,
    requestTimeoutMs: e.SANDBOX_REQUEST_TIMEOUT_MS,
    drainTimeoutMs: e.SANDBOX_DRAIN_TIMEOUT_MS,
    telemetry: {
      otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
      otlpTracesUrl: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
      otlpHeaders: tenant ? { 'X-Scope-OrgID': tenant } : undefined,
      pyroscopeServerAddress: e.PYROSCOPE_SERVER_ADDRESS,
      pyroscopeTenantId: tenant,
      profileFlushIntervalMs: e.PYROSCOPE_FLUSH_INTERVAL_MS,
      recordPrompts: e.SANDBOX_RECORD_PROMPTS === '1' || e.SANDBOX_RECORD_PROMPTS === 'true',
      redactionRules: e.SANDBOX_REDACTION_RULES,
      sampling: {
        p1Base: e.SANDBOX_SAMPLING_P1,
        referenceTokens: e.SANDBOX_SAMPLING_REFERENCE_TOKENS,
        exponent: e.SANDBOX_SAMPLING_EXPONENT,
        minProbability: e.SANDBOX_SAMPLING_MIN,
      },
    },
  };
}
