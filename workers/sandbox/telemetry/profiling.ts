// Continuous CPU profiling with @pyroscope/nodejs, plus span profiles: CPU
// samples taken while a request's synchronous compute runs carry the pprof label
// span_id = that span's id (16 lower-case hex), the convention Grafana's
// traces-to-profiles uses together with the span attribute pyroscope.profile.id.
//
// Measured limits of the SDK: wrapWithLabels labels synchronous code only (work
// after an await is unlabelled) and labels are process-global. So we label only
// synchronous compute sections (one prefill chunk, one decode step, one sampling
// call) and restore the previous labels before anything else can run.
import Pyroscope, { type PyroscopeConfig } from '@pyroscope/nodejs';
import { NodeSourceMaps } from './source-maps';

export interface ProfilingOptions {
  /** Pyroscope server (or the app's embedded receiver); the SDK appends /ingest */
  serverAddress: string;
  appName: string;
  tags: Record<string, string>;
  flushIntervalMs?: number;
  samplingIntervalMicros?: number;
  tenantID?: string;
}

export interface Profiler {
  /** Runs fn with CPU samples labelled span_id=spanId. */
  label<T>(spanId: string, fn: () => T): T;
  /** Stops profiling and pushes the last profile. */
  stop(): Promise<void>;
}

// The SDK keeps one profiler per process.
let running = false;

export function startProfiling(opts: ProfilingOptions): Profiler {
  if (running) throw new Error('a CPU profiler is already running in this process (one sandbox per process may profile)');
  const flushIntervalMs = opts.flushIntervalMs ?? 15_000;
  Pyroscope.init({
    appName: opts.appName,
    serverAddress: opts.serverAddress,
    tags: opts.tags,
    tenantID: opts.tenantID,
    flushIntervalMs,
    wall: {
      samplingDurationMs: flushIntervalMs,
      samplingIntervalMicros: opts.samplingIntervalMicros ?? 10_000,
      // CPU time per sample, so the profile shows compute and not idle waiting.
      collectCpuTime: true,
    },
    // Frames get the TypeScript file and line (and a name for arrow functions) from the
    // source maps Node holds; the SDK only needs the two methods it calls.
    sourceMapper: new NodeSourceMaps() as unknown as PyroscopeConfig['sourceMapper'],
  });
  Pyroscope.startCpuProfiling();
  running = true;
  return {
    label<T>(spanId: string, fn: () => T): T {
      let result: T | undefined;
      let error: unknown;
      let threw = false;
      // wrapWithLabels does not restore labels when fn throws; catch inside it.
      Pyroscope.wrapWithLabels({ span_id: spanId }, () => {
        try {
          result = fn();
        } catch (e) {
          threw = true;
          error = e;
        }
      });
      if (threw) throw error;
      return result as T;
    },
    async stop() {
      if (!running) return;
      running = false;
      await Pyroscope.stopCpuProfiling();
    },
  };
}
