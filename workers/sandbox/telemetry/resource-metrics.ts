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
  private readonly passSeconds: Histogram<'phase' | 'timing'>;
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
      help: 'GPU time per kernel dispatch, observed on the forward passes timed per dispatch (one in SANDBOX_GPU_KERNEL_SAMPLE_EVERY; timing="timestamp-query"), or per submitted forward pass including queueing (timing="submission", kernel="all").',
      labelNames: ['kernel', 'phase', 'timing'],
      buckets: GPU_KERNEL_BUCKETS,
      registers,
    });
    this.passSeconds = new Histogram({
      name: 'sandbox_gpu_pass_duration_seconds',
      help: 'GPU time of every forward pass (a prefill chunk or a decode step): timestamps around its compute pass (timing="timestamp-query"), or submission to onSubmittedWorkDone including queueing (timing="submission").',
      labelNames: ['phase', 'timing'],
      buckets: GPU_KERNEL_BUCKETS,
      registers,
    });
    const self = this;
    this.dispatches = new Counter({
      name: 'sandbox_gpu_dispatches_total',
      help: 'Compute dispatches submitted to the GPU, by kernel (kernel="all" when only whole submissions are timed).',
      labelNames: ['kernel', 'phase'],
      registers,
      collect() {
        self.countDispatches(this);
      },
    });
  }

  /** Label-bound children, so a pass costs no label hashing. */
  private readonly children = new Map<string, { observe(v: number): void }>();
  private readonly passChildren = new Map<string, { observe(v: number): void }>();
  /**
   * Passes by shape and phase; the dispatch counter adds their kernels when
   * scraped, so a pass of ~50 dispatches costs one map update, not 50.
   */
  private readonly shapes = new Map<string, { phase: string; kernels: readonly string[]; perPass: number; passes: number; counted: number }>();

  private passChild(phase: string, timing: string) {
    const key = `${phase}\u0000${timing}`;
    let c = this.passChildren.get(key);
    if (!c) {
      c = this.passSeconds.labels({ phase, timing });
      this.passChildren.set(key, c);
    }
    return c;
  }

  private kernelChild(kernel: string, phase: string, timing: string) {
    const key = `${kernel}\u0000${phase}\u0000${timing}`;
    let c = this.children.get(key);
    if (!c) {
      c = this.kernelSeconds.labels({ kernel, phase, timing });
      this.children.set(key, c);
    }
    return c;
  }

  gpuPass(t: GpuPassTiming): void {
    this.passChild(t.phase, t.timing).observe(t.totalMs / 1000);
    const stamped = t.timing === 'timestamp-query';
    // a split pass's per-kernel times are proportions, not observations
    if (stamped && !t.split) for (let i = 0; i < t.ms.length; i++) this.kernelChild(t.kernels[i], t.phase, t.timing).observe(t.ms[i] / 1000);
    if (!stamped) this.kernelChild('all', t.phase, t.timing).observe(t.totalMs / 1000);
    const key = `${t.phase}\u0000${t.shape}`;
    let s = this.shapes.get(key);
    if (!s) {
      s = { phase: t.phase, kernels: stamped ? t.kernels : ['all'], perPass: stamped ? 1 : t.dispatches, passes: 0, counted: 0 };
      this.shapes.set(key, s);
    }
    s.passes++;
  }

  /** Adds the dispatches of the passes since the last scrape to the counter. */
  private countDispatches(counter: Counter<'kernel' | 'phase'>): void {
    for (const s of this.shapes.values()) {
      const n = s.passes - s.counted;
      if (!n) continue;
      s.counted = s.passes;
      const perKernel = new Map<string, number>();
      for (const k of s.kernels) perKernel.set(k, (perKernel.get(k) ?? 0) + s.perPass);
      for (const [kernel, per] of perKernel) counter.inc({ kernel, phase: s.phase }, per * n);
    }
  }
}

