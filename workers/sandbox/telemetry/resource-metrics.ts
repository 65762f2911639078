// Metrics of what the model holds and spends beyond requests: KV-cache memory
// (in use, reserved, prefix cache), GPU buffer memory by what the buffers
// hold, and the GPU time of every kernel dispatch. Registered on the
// sandbox's registry next to the request metrics (metrics.ts).
import { Counter, Gauge, Histogram, type OpenMetricsContentType, type Registry } from 'prom-client';
import type { GpuPassTiming } from '../runtime/types';
import type { SchedulerStats } from '../serve/scheduler';

/** Kernel durations from 1 µs (a small dispatch on a GPU) to ~4 s (a big one on SwiftShader), ×4 per bucket. */
export const GPU_KERNEL_BUCKETS = [1e-6, 4e-6, 1.6e-5, 6.4e-5, 2.56e-4, 1.024e-3, 4.096e-3, 0.016384, 0.065536, 0.262144, 1.048576, 4.194304];

export class ResourceMetrics {
  private readonly kernelSeconds: Histogram<'kernel' | 'phase' | 'timing'>;
  private readonly dispatches: Counter<'kernel' | 'phase'>;

  constructor(registry: Registry<OpenMetricsContentType>, stats: () => SchedulerStats) {
    const registers = [registry];
    new Gauge({
      name: 'sandbox_kv_cache_bytes',
      help: 'KV-cache bytes: state="used" holds tokens of running sequences and prefix-cache entries, state="reserved" is what the backend has allocated for KV caches.',
      labelNames: ['state'],
      registers,
      collect() {
        const s = stats();
        this.set({ state: 'used' }, s.kvUsedBytes);
        this.set({ state: 'reserved' }, s.kvReservedBytes);
      },
    });
    new Gauge({
      name: 'sandbox_prefix_cache_bytes',
      help: 'KV-cache bytes held by prefix-cache entries (part of sandbox_kv_cache_bytes{state="used"}).',
      registers,
      collect() {
        this.set(stats().prefixCacheBytes);
      },
    });
    new Gauge({
      name: 'sandbox_gpu_buffer_bytes',
      help: 'Bytes of live GPU buffers by what they hold (WebGPU backend only).',
      labelNames: ['kind'],
      registers,
      collect() {
        const b = stats().gpuBuffers;
        if (b) for (const [kind, bytes] of Object.entries(b)) this.set({ kind }, bytes);
      },
    });
    this.kernelSeconds = new Histogram({
      name: 'sandbox_gpu_kernel_duration_seconds',
      help: 'GPU time per kernel dispatch (timing="timestamp-query"), or per submitted forward pass including queueing (timing="submission", kernel="all").',
      labelNames: ['kernel', 'phase', 'timing'],
      buckets: GPU_KERNEL_BUCKETS,
      registers,
    });
    this.dispatches = new Counter({
      name: 'sandbox_gpu_dispatches_total',
      help: 'Compute dispatches submitted to the GPU, by kernel (kernel="all" when only whole submissions are timed).',
      labelNames: ['kernel', 'phase'],
      registers,
    });
  }

  /** Label-bound children, so a pass of ~50 dispatches costs no label hashing. */
  private readonly children = new Map<string, { seconds: { observe(v: number): void }; count: { inc(v?: number): void } }>();

  private child(kernel: string, phase: string, timing: string) {
    const key = `${kernel}\u0000${phase}\u0000${timing}`;
    let c = this.children.get(key);
    if (!c) {
      c = { seconds: this.kernelSeconds.labels({ kernel, phase, timing }), count: this.dispatches.labels({ kernel, phase }) };
      this.children.set(key, c);
    }
    return c;
  }

  gpuPass(t: GpuPassTiming): void {
    if (t.timing === 'timestamp-query') {
      for (const k of t.kernels) {
        const c = this.child(k.kernel, t.phase, t.timing);
        c.seconds.observe(k.ms / 1000);
        c.count.inc();
      }
    } else {
      const c = this.child('all', t.phase, t.timing);
      c.seconds.observe(t.kernels[0].ms / 1000);
      c.count.inc(t.dispatches);
    }
  }
}

