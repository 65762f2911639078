// The heap profile (inuse_objects / inuse_space) with the KV cache split out.
// V8's sampling heap profiler sees allocations on the JS heap by allocation
// site; typed-array backing stores — the CPU backend's KV caches among them —
// live outside it and appear only as one `(external)` total. So the push
// carves the runner's KV bytes out of that total as its own frame,
// `(external) → KV cache`, and what stays on `(external)` is the rest.
import { heap } from '@datadog/pprof';
import { Function as PFunction, Line, Location, Sample, type Profile } from 'pprof-format';

export const KV_CACHE_FRAME = 'KV cache';
const EXTERNAL_FRAME = '(external)';

/** Bytes between two samples: the Node SDK's default. */
const SAMPLING_INTERVAL_BYTES = 512 * 1024;
const STACK_DEPTH = 64;

let started = false;

export function startHeapSampling(): void {
  if (started) return;
  heap.start(SAMPLING_INTERVAL_BYTES, STACK_DEPTH);
  started = true;
}

export function stopHeapSampling(): void {
  if (!started) return;
  heap.stop();
  started = false;
}

/**
 * Moves `kv.bytes` (in `kv.count` allocations) of the `(external)` sample into
 * a `(external) → KV cache` sample, and names the sample types as Pyroscope
 * does for Node heap profiles. Returns the profile it was given. Pure.
 */
export function splitKvCache(p: Profile, kv: { bytes: number; count: number }): Profile {
  const st = p.stringTable;
  for (const t of p.sampleType) {
    const name = st.strings[Number(t.type)];
    if (name === 'objects' || name === 'space') t.type = st.dedup(`inuse_${name}`);
  }
  const nameOf = (fnId: number | bigint) => st.strings[Number(p.function.find((f) => Number(f.id) === Number(fnId))?.name ?? 0)];
  const ext = p.sample.find((s) => {
    if (s.locationId.length !== 1) return false;
    const loc = p.location.find((l) => Number(l.id) === Number(s.locationId[0]));
    return loc !== undefined && loc.line.length > 0 && nameOf(loc.line[0].functionId) === EXTERNAL_FRAME;
  });
  if (!ext || kv.bytes <= 0) return p;
  const external = Number(ext.value[1]);
  const bytes = Math.min(kv.bytes, external);
  ext.value = [ext.value[0], external - bytes];
  const id = Math.max(0, ...p.function.map((f) => Number(f.id)), ...p.location.map((l) => Number(l.id))) + 1;
  const name = st.dedup(KV_CACHE_FRAME);
  p.function.push(new PFunction({ id, name, systemName: name, filename: st.dedup('workers/sandbox/runtime') }));
  p.location.push(new Location({ id, line: [new Line({ functionId: id })] }));
  p.sample.push(new Sample({ locationId: [id, ext.locationId[0]], value: [kv.count, bytes], label: [] }));
  return p;
}

/** The current heap profile as pprof bytes, KV cache split out. */
export function heapProfile(kv: { bytes: number; count: number }): Uint8Array {
  return splitKvCache(heap.profile(), kv).encode();
}
