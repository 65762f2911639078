// GPU time as a pprof profile: every timed forward pass adds its kernels'
// nanoseconds under the stack `prefill | decode step → kernel`, with the
// pprof label span_id of the span the pass worked for (a request's prefill
// span, or the decode_batch span of a batched step) — the same label the CPU
// profile uses, so one span selector finds a span's CPU and GPU profiles.
// Pure (no I/O, no Node APIs): the browser run encodes its GPU profile here too.
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { GpuPassTiming } from '../runtime/types';

/** Sample types of the GPU profile; with period type gpu/nanoseconds Pyroscope (and the embedded store) name them dispatches:gpu_time:nanoseconds:gpu:nanoseconds and dispatches:dispatches:count:gpu:nanoseconds (no sample type names a known kind, so the last one names the profile). */
export const GPU_PROFILE = {
  periodType: ['gpu', 'nanoseconds'],
  sampleTypes: [
    ['gpu_time', 'nanoseconds'],
    ['dispatches', 'count'],
  ],
} as const;

/** The frame under which a pass's kernels sit. */
export const PHASE_FRAME: Record<GpuPassTiming['phase'], string> = { prefill: 'prefill', decode: 'decode step' };

/** Submission timing measures all kernels of a pass at once, queueing included: that is their one frame. */
export const SUBMISSION_FRAME = 'all kernels (submission timing, includes queueing)';

interface Entry {
  spanId: string | undefined;
  stack: [string, string];
  ns: number;
  dispatches: number;
}

/** Accumulates pass timings between two pushes. */
export class GpuProfileRecorder {
  private entries = new Map<string, Entry>();
  private sinceMs: number;

  constructor(now = Date.now()) {
    this.sinceMs = now;
  }

  get size(): number {
    return this.entries.size;
  }

  add(t: GpuPassTiming): void {
    const phase = PHASE_FRAME[t.phase];
    const perKernel = t.timing === 'timestamp-query';
    for (const k of t.kernels) {
      const kernel = perKernel ? k.kernel : SUBMISSION_FRAME;
      const key = `${t.spanId ?? ''}\u0000${phase}\u0000${kernel}`;
      let e = this.entries.get(key);
      if (!e) {
        e = { spanId: t.spanId, stack: [phase, kernel], ns: 0, dispatches: 0 };
        this.entries.set(key, e);
      }
      e.ns += Math.round(k.ms * 1e6);
      e.dispatches += perKernel ? 1 : t.dispatches;
    }
  }

  /** The accumulated profile as pprof bytes (not compressed) and its window; resets. Null when nothing was recorded. */
  take(now = Date.now()): { pprof: Uint8Array; fromMs: number; untilMs: number } | null {
    const fromMs = this.sinceMs;
    this.sinceMs = now;
    if (!this.entries.size) return null;
    const entries = [...this.entries.values()];
    this.entries = new Map();
    return { pprof: encodeGpuProfile(entries, fromMs, now), fromMs, untilMs: now };
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
        value: [e.ns, e.dispatches],
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
