// GPU time as a pprof profile: every timed forward pass adds its kernels'
// nanoseconds under the stack `prefill | decode step → kernel`, with the
// pprof label span_id of the span the pass worked for (a request's prefill
// span, or the decode_batch span of a batched step) — the same label the CPU
// profile uses, so one span selector finds a span's CPU and GPU profiles.
// Pure (no I/O, no Node APIs): the browser run encodes its GPU profile here too.
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { GpuPassTiming } from '../runtime/types';

/**
 * Sample types of the GPU profile, gpu_time last: Pyroscope's /ingest (and
 * the embedded store) name a profile after its last sample type when none
 * names a known kind, so with period type gpu/nanoseconds the ids read
 * gpu_time:gpu_time:nanoseconds:gpu:nanoseconds and gpu_time:dispatches:count:gpu:nanoseconds.
 */
export const GPU_PROFILE = {
  periodType: ['gpu', 'nanoseconds'],
  sampleTypes: [
    ['dispatches', 'count'],
    ['gpu_time', 'nanoseconds'],
  ],
} as const;

/** The frame under which a pass's kernels sit. */
export const PHASE_FRAME: Record<GpuPassTiming['phase'], string> = { prefill: 'prefill', decode: 'decode step' };

/** Submission timing measures all kernels of a pass at once, queueing included: that is their one frame. */
export const SUBMISSION_FRAME = 'all kernels (submission timing, includes queueing)';

/** Passes of one span, phase and shape: each dispatch's summed time. */
interface PassGroup {
  spanId: string | undefined;
  phase: string;
  kernels: readonly string[];
  ms: Float64Array;
  passes: number;
  /** dispatches a `kernels` entry stands for (1 with timestamps; a pass's all with submission timing) */
  perEntry: number;
}

/** Accumulates pass timings between two pushes. */
export class GpuProfileRecorder {
  private groups = new Map<string, PassGroup>();
  private sinceMs: number;

  constructor(now = Date.now()) {
    this.sinceMs = now;
  }

  get size(): number {
    return this.groups.size;
  }

  /** One map update and a sum per dispatch: the kernel frames are built at push time. */
  add(t: GpuPassTiming): void {
    const key = `${t.spanId ?? ''}\u0000${t.phase}\u0000${t.shape}`;
    let g = this.groups.get(key);
    if (!g) {
      const perKernel = t.timing === 'timestamp-query';
      g = { spanId: t.spanId, phase: PHASE_FRAME[t.phase], kernels: perKernel ? t.kernels : [SUBMISSION_FRAME], ms: new Float64Array(t.ms.length), passes: 0, perEntry: perKernel ? 1 : t.dispatches };
      this.groups.set(key, g);
    }
    for (let i = 0; i < t.ms.length; i++) g.ms[i] += t.ms[i];
    g.passes++;
  }

  /** The accumulated profile as pprof bytes (not compressed) and its window; resets. Null when nothing was recorded. */
  take(now = Date.now()): { pprof: Uint8Array; fromMs: number; untilMs: number } | null {
    const fromMs = this.sinceMs;
    this.sinceMs = now;
    if (!this.groups.size) return null;
    const entries = new Map<string, { spanId?: string; stack: [string, string]; ns: number; dispatches: number }>();
    for (const g of this.groups.values()) {
      g.kernels.forEach((kernel, i) => {
        const key = `${g.spanId ?? ''}\u0000${g.phase}\u0000${kernel}`;
        let e = entries.get(key);
        if (!e) {
          e = { spanId: g.spanId, stack: [g.phase, kernel], ns: 0, dispatches: 0 };
          entries.set(key, e);
        }
        e.ns += Math.round(g.ms[i] * 1e6);
        e.dispatches += g.passes * g.perEntry;
      });
    }
    this.groups = new Map();
    return { pprof: encodeGpuProfile([...entries.values()], fromMs, now), fromMs, untilMs: now };
  }
}

/** pprof bytes for entries of `stack` (root first) with their nanoseconds and dispatch counts. */
export function encodeGpuProfile(entries: readonly { spanId?: string; stack: readonly string[]; ns: number; dispatches: number }[], fromMs: number, untilMs: number): Uint8Array {
  const st = new StringTable();
  const functions: PFunction[] = [];
  const locations: Location[] = [];
  const locationOf = new Map<string, number>();
  const loc = (name: string) => {
    let id = locationOf.get(name);
    if (id === undefined) {
      id = locations.length + 1;
      functions.push(new PFunction({ id, name: st.dedup(name), systemName: st.dedup(name) }));
      locations.push(new Location({ id, line: [new Line({ functionId: id })] }));
      locationOf.set(name, id);
    }
    return id;
  };
  const spanKey = st.dedup('span_id');
  const samples = entries.map(
    (e) =>
      new Sample({
        // pprof lists a stack leaf first
        locationId: [...e.stack].reverse().map(loc),
        value: [e.dispatches, e.ns],
        label: e.spanId ? [new Label({ key: spanKey, str: st.dedup(e.spanId) })] : [],
      }),
  );
  const vt = ([type, unit]: readonly [string, string]) => new ValueType({ type: st.dedup(type), unit: st.dedup(unit) });
  const profile = new Profile({
    sampleType: GPU_PROFILE.sampleTypes.map(vt),
    periodType: vt(GPU_PROFILE.periodType),
    period: 1,
    sample: samples,
    location: locations,
    function: functions,
    stringTable: st,
    timeNanos: fromMs * 1e6,
    durationNanos: Math.max(0, untilMs - fromMs) * 1e6,
  });
  return profile.encode();
}
