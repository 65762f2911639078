// startSandbox(): the inference sandbox as an in-process HTTP server. Used by
// workers/sandbox/main.ts (npm run sandbox), the app launcher and tests.
import { DEFAULT_PERPLEXITY_WINDOW } from '../model/quality';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { modelName } from '../model/config';
import { EOS } from '../model/tokenizer';
import { createRunner, type BackendChoice } from '../runtime';
import type { ModelRunner } from '../runtime/types';
import { runtimeTelemetry, SandboxTelemetry, type TelemetryOptions } from '../telemetry';
import { nodeProcessTelemetry } from '../telemetry/node';
import type { SamplingPolicy } from '../telemetry/sampling';
import type { RuleName } from '../../../lib/redaction';
import { allowedHosts } from './guard';
import { route, type ServeContext } from './http';
import { limitsFor } from './schema';
import { Scheduler, type SchedulerStats } from './scheduler';

export interface SandboxTelemetryOptions {
  /** OTLP/HTTP base endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); traces are off without it or tracesUrl */
  otlpEndpoint?: string;
  /** full traces URL (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) */
  otlpTracesUrl?: string;
  otlpHeaders?: Record<string, string>;
  /** span batch export delay (default 2 s) */
  exportDelayMs?: number;
  sampling?: Partial<SamplingPolicy>;
  /** default true */
  metrics?: boolean;
  /** Pyroscope server address (PYROSCOPE_SERVER_ADDRESS); profiling is off without it */
  pyroscopeServerAddress?: string;
  pyroscopeTenantId?: string;
  profileFlushIntervalMs?: number;
  profileSamplingIntervalMicros?: number;
  /** record prompts and completions on spans, after PII redaction */
  recordPrompts?: boolean;
  /** the redaction rules for recorded prompts (lib/redaction; default: its default rules) */
  redactionRules?: readonly RuleName[];
}

export interface SandboxOptions {
  host?: string;
  /** Host names (besides loopback ones and `host`) requests may address it by, e.g. `sandbox` in docker-compose. */
  allowedHosts?: string[];
  /** 0 picks a free port */
  port?: number;
  backend?: BackendChoice;
  preset?: string;
  /** weight seed */
  seed?: number;
  /** CPU backend: 2 adds a helper thread for large matrix products (runtime/cpu.ts) */
  threads?: 1 | 2;
  /** WebGPU: how GPU time is measured (default auto: timestamp queries where the adapter has them, else submission bracketing) */
  gpuTiming?: 'auto' | 'submission' | 'off';
  /** WebGPU with timestamp queries: time one forward pass in this many per dispatch (default 128; 1: all) */
  gpuKernelSampleEvery?: number;
  /** use this runner instead of creating one (the sandbox disposes it on close) */
  runner?: ModelRunner;
  maxBatch?: number;
  maxQueue?: number;
  prefixCacheEntries?: number;
  /** per transformer block, positions of a prefix-cache entry it keeps; one value (applied to all) or one per block; default all */
  kvBlockRetain?: number[];
  /** tokens in the sliding window of the output-perplexity std (default 16) */
  perplexityWindow?: number;
  /** prompt tokens prefilled between two decode steps (default 128) */
  prefillTokenBudget?: number;
  requestTimeoutMs?: number;
  /** how long close() lets in-flight requests finish */
  drainTimeoutMs?: number;
  telemetry?: SandboxTelemetryOptions;
}

export interface Sandbox {
  url: string;
  model: string;
  stats(): SchedulerStats;
  /** Refuses new requests, drains in-flight ones, flushes telemetry, frees the model. */
  close(): Promise<void>;
}

/** SANDBOX_KV_BLOCK_RETAIN → one retention per block; a single value applies to every block. */
export function blockRetention(retain: number[] | undefined, layers: number, preset: string): number[] {
  if (!retain || retain.length === 1) return Array.from({ length: layers }, () => retain?.[0] ?? Infinity);
  if (retain.length !== layers) throw new Error(`SANDBOX_KV_BLOCK_RETAIN lists ${retain.length} blocks; the ${preset} preset has ${layers}`);
  return retain;
}

export { modelName } from '../model/config';

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const runner =
    options.runner ?? (await createRunner({ backend: options.backend ?? 'auto', preset: options.preset ?? 'tiny', seed: options.seed ?? 1, threads: options.threads, gpuTiming: options.gpuTiming, gpuKernelSampleEvery: options.gpuKernelSampleEvery }));
  const info = runner.info;
  const model = modelName(info.preset);
  const kvBlockRetain = blockRetention(options.kvBlockRetain, info.layers, info.preset);
  const t = options.telemetry ?? {};
  const host = options.host ?? '127.0.0.1';
  let scheduler: Scheduler | undefined;
  const stats = () => scheduler!.stats();
  const telemetryOptions: TelemetryOptions = {
      model,
      ...runtimeTelemetry(info),
      traces: t.otlpEndpoint || t.otlpTracesUrl ? { endpoint: t.otlpEndpoint, tracesUrl: t.otlpTracesUrl, headers: t.otlpHeaders, exportDelayMs: t.exportDelayMs } : false,
      sampling: t.sampling,
      metrics: t.metrics ?? true,
      profiling: t.pyroscopeServerAddress
        ? {
            serverAddress: t.pyroscopeServerAddress,
            tenantID: t.pyroscopeTenantId,
            flushIntervalMs: t.profileFlushIntervalMs,
            samplingIntervalMicros: t.profileSamplingIntervalMicros,
          }
        : false,
      recordPrompts: t.recordPrompts ?? false,
      redactionRules: t.redactionRules,
      serverAddress: host,
  };
  const telemetry = new SandboxTelemetry(telemetryOptions, stats, (tags) => nodeProcessTelemetry(telemetryOptions, stats, tags));
  if (info.backend === 'webgpu') runner.onGpuTiming = (timing) => telemetry.gpuPass(timing);
  scheduler = new Scheduler(runner, {
    maxBatch: options.maxBatch ?? 8,
    maxQueue: options.maxQueue ?? 64,
    prefixCacheEntries: options.prefixCacheEntries ?? 8,
    kvBlockRetain,
    prefillChunk: 16,
    prefillTokenBudget: options.prefillTokenBudget ?? 128,
    eosToken: EOS,
    telemetry,
  });
  const ctx: ServeContext = {
    model,
    info,
    limits: limitsFor(info.maxSeqLen, info.vocabSize),
    scheduler,
    telemetry,
    requestTimeoutMs: options.requestTimeoutMs ?? 60_000,
    recordPrompts: t.recordPrompts ?? false,
    perplexityWindow: options.perplexityWindow ?? DEFAULT_PERPLEXITY_WINDOW,
    draining: false,
    created: Math.floor(Date.now() / 1000),
    allowedHosts: allowedHosts(host, options.allowedHosts),
  };
  const server: Server = createServer((req, res) => {
    route(req, res, ctx).catch((e) => {
      console.error('sandbox: unhandled error', e);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'internal error', type: 'server_error', param: null, code: null } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    model,
    stats: () => scheduler.stats(),
    close() {
      closing ??= (async () => {
        ctx.draining = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await scheduler.drain(options.drainTimeoutMs ?? 30_000);
        // Responses are written; drop keep-alive connections so close() completes.
        server.closeAllConnections();
        await stopped;
        await telemetry.shutdown();
        await runner.dispose();
      })();
      return closing;
    },
  };
}
