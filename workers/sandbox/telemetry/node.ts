// The sandbox process's share of its telemetry: the Prometheus registry
// (request, KV-cache and GPU metrics), the CPU profiler (@pyroscope/nodejs),
// and the pushes the SDK does not make — GPU time and the heap profile with
// the KV cache split out. Node only; the span core (index.ts) takes it as a
// ProcessTelemetry, so a browser run can use that core without it.
import type { SchedulerStats } from '../serve/scheduler';
import { GpuProfileRecorder } from './gpu-profile';
import { heapProfile, startHeapSampling, stopHeapSampling } from './heap-profile';
import { PROVIDER_NAME, SERVICE_NAME, type ProcessTelemetry, type TelemetryOptions } from './index';
import { SandboxMetrics } from './metrics';
import { pushProfile, type PushTarget } from './profile-push';
import { startProfiling } from './profiling';
import { ResourceMetrics } from './resource-metrics';

export function nodeProcessTelemetry(opts: TelemetryOptions, stats: () => SchedulerStats, tags: Record<string, string>): ProcessTelemetry {
  const metrics = opts.metrics ? new SandboxMetrics(PROVIDER_NAME, stats, { processMetrics: opts.processMetrics }) : undefined;
  metrics?.initialise(opts.model);
  const resources = metrics ? new ResourceMetrics(metrics.registry, stats) : undefined;
  if (!opts.profiling) return { metrics, resources, shutdown: async () => {} };
  const appName = opts.serviceName ?? SERVICE_NAME;
  const profiler = startProfiling({ ...opts.profiling, appName, tags });
  // GPU time and the heap (KV cache split out) are pushed beside the SDK's CPU profiles.
  const target: PushTarget = { serverAddress: opts.profiling.serverAddress, appName, labels: tags, tenantID: opts.profiling.tenantID };
  const gpuProfile = opts.backend === 'webgpu' && opts.gpuTiming !== 'off' ? new GpuProfileRecorder() : undefined;
  startHeapSampling();
  let pushing: Promise<unknown> = Promise.resolve();
  // one push at a time
  const push = () => {
    pushing = pushing.then(async () => {
      const gpu = gpuProfile?.take();
      if (gpu) await pushProfile(target, gpu.pprof, gpu.fromMs, gpu.untilMs);
      const s = stats();
      const now = Date.now();
      const kv = s.kvOnHost ? { bytes: s.kvReservedBytes, count: s.kvAllocations } : { bytes: 0, count: 0 };
      await pushProfile(target, heapProfile(kv), now - 1000, now);
    });
    return pushing;
  };
  const timer = setInterval(() => void push(), opts.profiling.flushIntervalMs ?? 15_000);
  timer.unref();
  return {
    metrics,
    resources,
    profiler,
    gpuProfile,
    async shutdown() {
      clearInterval(timer);
      await Promise.allSettled([push(), profiler.stop()]);
      stopHeapSampling();
    },
  };
}
