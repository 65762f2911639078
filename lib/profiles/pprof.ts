// pprof (perftools.profiles.Profile) → stacks of function names with
// per-sample values and labels, and → the flat flame model, decoded by
// pprof-format: the reference the ingest path's own decoder (decode.ts) is
// tested against, and what tools and tests read profiles with. What it decoded
// is validated (every index must point somewhere), because a protobuf decoder
// accepts many byte strings that are no profile. Pure: no I/O.
import { gunzip, gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import { NameTable, modelFromStacks, type FlameModel } from '@/lib/model/flame';
import type { ProfileType } from '@/lib/model/types';
import { pushProfileTypes, type SampleTypeConfig } from './profile-type';
import { cleanString } from '@/lib/otlp/decode';

type Int64 = number | bigint;

/** The bytes are not a readable pprof (the receiver answers 400 with `message`). */
export class PprofDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PprofDecodeError';
  }
}

/** A decompressed profile would exceed the size the caller allows (the receiver answers 413). */
export class PprofTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`decompressed profile exceeds ${limit} bytes`);
    this.name = 'PprofTooLargeError';
  }
}

export const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** Gunzips a pushed pprof when it is gzip (as every SDK sends it), on libuv's thread pool. */
export function gunzipProfile(bytes: Uint8Array, maxDecompressedBytes = 64 << 20): Promise<Uint8Array> {
  if (!isGzip(bytes)) return Promise.resolve(bytes);
  return new Promise((resolve, reject) =>
    gunzip(bytes, { maxOutputLength: maxDecompressedBytes }, (e, out) => {
      if (!e) resolve(out);
      else if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new PprofTooLargeError(maxDecompressedBytes));
      else reject(new PprofDecodeError(`malformed gzip: ${e.message}`));
    }),
  );
}

/**
 * Gunzips (when the bytes are gzip, as every SDK sends them), decodes and
 * validates a pprof; profileStacks() completes the check of sample → location references.
 */
export function decodePprof(bytes: Uint8Array, maxDecompressedBytes = 64 << 20): Profile {
  let raw = bytes;
  if (isGzip(bytes)) {
    try {
      raw = gunzipSync(bytes, { maxOutputLength: maxDecompressedBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new PprofTooLargeError(maxDecompressedBytes);
      throw new PprofDecodeError(`malformed gzip: ${(e as Error).message}`);
    }
  }
  if (raw.length === 0) throw new PprofDecodeError('empty profile');
  let p: Profile;
  try {
    // A plain Uint8Array view, not a Buffer: pprof-format slices the input for
    // every field, and Buffer#subarray is several times costlier than the typed
    // array's (measured: decode ~35% faster).
    p = Profile.decode(new Uint8Array(raw.buffer, raw.byteOffset, raw.length));
  } catch (e) {
    throw new PprofDecodeError(`malformed pprof protobuf: ${(e as Error).message}`);
  }
  validate(p);
  return p;
}

const num = (v: Int64) => (typeof v === 'number' ? v : Number(v));

function sameIds(a: readonly Int64[], b: readonly Int64[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (num(a[i]) !== num(b[i])) return false;
  return true;
}

/**
 * The id a function or location is referred to by. Some writers (the .NET
 * profiler in the fixtures) leave ids out; Pyroscope then resolves references
 * by position, 1-based, and so do we.
 */
const idOf = (entry: { id: Int64 }, position: number) => num(entry.id) || position + 1;

function validate(p: Profile): void {
  const nStrings = p.stringTable.strings.length;
  if (nStrings === 0 || p.stringTable.strings[0] !== '') throw new PprofDecodeError('malformed pprof: string_table must start with ""');
  // Messages are built only on failure: this runs over every sample of every push.
  const okString = (i: Int64) => {
    const n = num(i);
    return Number.isInteger(n) && n >= 0 && n < nStrings;
  };
  const str = (i: Int64, what: () => string) => {
    if (!okString(i)) throw new PprofDecodeError(`malformed pprof: ${what()} refers to string ${i} of ${nStrings}`);
  };
  if (p.sampleType.length === 0) throw new PprofDecodeError('malformed pprof: no sample_type');
  p.sampleType.forEach((t, i) => {
    str(t.type, () => `sample_type[${i}].type`);
    str(t.unit, () => `sample_type[${i}].unit`);
  });
  if (p.periodType) {
    str(p.periodType.type, () => 'period_type.type');
    str(p.periodType.unit, () => 'period_type.unit');
  }
  const fns = new Set<number>();
  p.function.forEach((f, i) => {
    str(f.name, () => `function[${i}].name`);
    str(f.systemName, () => `function[${i}].system_name`);
    fns.add(idOf(f, i));
  });
  p.location.forEach((l, i) => {
    for (const line of l.line) {
      if (!fns.has(num(line.functionId))) throw new PprofDecodeError(`malformed pprof: location[${i}] refers to unknown function ${line.functionId}`);
    }
  });
  const nTypes = p.sampleType.length;
  for (let i = 0; i < p.sample.length; i++) {
    const s = p.sample[i];
    if (s.value.length !== nTypes) throw new PprofDecodeError(`malformed pprof: sample[${i}] has ${s.value.length} values for ${nTypes} sample types`);
    // Location references are checked by profileStacks, once per distinct stack.
    for (let j = 0; j < s.label.length; j++) {
      const l = s.label[j];
      if (!okString(l.key) || !okString(l.str) || !okString(l.numUnit)) throw new PprofDecodeError(`malformed pprof: sample[${i}].label[${j}] refers to a string beyond ${nStrings}`);
    }
  }
}

export interface SampleTypeInfo {
  type: string;
  /** as the pprof has it (Pyroscope keeps units as they are) */
  unit: string;
}

/** A profile reduced to what the stores and flame graphs need (pprof-format's decode; see decode.ts for the ingest path's). */
export interface ProfileStacks {
  sampleTypes: SampleTypeInfo[];
  periodType: { type: string; unit: string };
  /** the sampling period in periodType's unit, from the pprof itself */
  period: number;
  timeNanos: bigint;
  durationNanos: bigint;
  /** distinct stacks, frames from root to leaf */
  stacks: string[][];
  /** one per pprof sample: stack index, values per sample type, string labels */
  samples: { stack: number; values: number[]; labels: Record<string, string> }[];
}

/**
 * Flattens a decoded pprof into stacks of function names. Inlined frames are
 * expanded (pprof lists them innermost first); a location without symbols is
 * named by its address. Numeric labels become strings with their unit. The
 * reference the lean decoder (decode.ts) is tested against.
 */
export function profileStacks(p: Profile): ProfileStacks {
  // Cleaned once: labels refer to the same few strings thousands of times.
  const strings = p.stringTable.strings.map(cleanString);
  const text = (i: Int64) => strings[num(i)] ?? '';
  const fnName = new Map<number, string>();
  p.function.forEach((f, i) => {
    fnName.set(idOf(f, i), text(f.name) || text(f.systemName) || '<unknown>');
  });
  // Frames of each location, root-most first (the caller an inlined call sits in comes last in pprof).
  const locFrames = new Map<number, string[]>();
  p.location.forEach((l, i) => {
    const frames = l.line.length ? l.line.map((ln) => fnName.get(num(ln.functionId))!).reverse() : [`0x${num(l.address).toString(16)}`];
    locFrames.set(idOf(l, i), frames);
  });
  const sampleTypes = p.sampleType.map((t): SampleTypeInfo => ({ type: text(t.type), unit: text(t.unit) }));
  const periodType = { type: p.periodType ? text(p.periodType.type) : '', unit: p.periodType ? text(p.periodType.unit) : '' };
  const period = num(p.period);

  const stacks: string[][] = [];
  // Samples with the same location ids share a stack. They are found by a
  // numeric hash of the id sequence, confirmed by comparing the ids: no
  // allocation per sample (a trie of location ids, measured before, built a
  // Map per distinct prefix for every push and cost ~4x as much).
  const byHash = new Map<number, number[]>();
  const stackLocs: Int64[][] = [];
  const samples: ProfileStacks['samples'] = [];
  const noLabels: Record<string, string> = {};
  for (const sm of p.sample) {
    const locs = sm.locationId;
    let h = locs.length;
    for (let i = 0; i < locs.length; i++) {
      const id = num(locs[i]);
      h = Math.imul(h ^ (id | 0) ^ ((id / 4294967296) | 0), 16777619);
    }
    let stack: number | undefined;
    const candidates = byHash.get(h);
    if (candidates) {
      for (const c of candidates) {
        if (sameIds(stackLocs[c], locs)) {
          stack = c;
          break;
        }
      }
    }
    if (stack === undefined) {
      const frames: string[] = [];
      // pprof lists the leaf first.
      for (let i = locs.length - 1; i >= 0; i--) {
        const lf = locFrames.get(num(locs[i]));
        if (!lf) throw new PprofDecodeError(`malformed pprof: a sample refers to unknown location ${locs[i]}`);
        for (let j = 0; j < lf.length; j++) frames.push(lf[j]);
      }
      stack = stacks.push(frames) - 1;
      stackLocs.push(locs);
      if (candidates) candidates.push(stack);
      else byHash.set(h, [stack]);
    }
    // Unlabelled samples share one (never mutated) empty label set.
    const labels: Record<string, string> = sm.label.length ? {} : noLabels;
    for (let li = 0; li < sm.label.length; li++) {
      const l = sm.label[li];
      const k = text(l.key);
      if (num(l.str) !== 0) labels[k] = text(l.str);
      else if (num(l.num) !== 0 || num(l.numUnit) !== 0) labels[k] = `${num(l.num)}${num(l.numUnit) ? text(l.numUnit) : ''}`;
    }
    const values = new Array<number>(sm.value.length);
    for (let i = 0; i < values.length; i++) values[i] = num(sm.value[i]);
    samples.push({ stack, values, labels });
  }
  const out: ProfileStacks = {
    sampleTypes,
    periodType,
    period,
    timeNanos: BigInt(p.timeNanos),
    durationNanos: BigInt(p.durationNanos),
    stacks,
    samples,
  };
  return out;
}

/**
 * Which sample type a CPU view should show: CPU time when the profile has it,
 * else wall time, else the first type. .NET and Node wall profiles carry
 * several; `preferred` (a sample type name) wins when present.
 */
export function pickSampleType(types: readonly Pick<SampleTypeInfo, 'type'>[], preferred?: string): number {
  const order = [preferred, 'cpu', 'wall', 'samples', 'sample'].filter(Boolean) as string[];
  for (const name of order) {
    const i = types.findIndex((t) => t.type === name);
    if (i >= 0) return i;
  }
  return 0;
}

/** The profile type Pyroscope's /ingest gives sample type `index` of a profile (see profile-type.ts). */
export function profileTypeOf(stacks: Pick<ProfileStacks, 'sampleTypes' | 'periodType'>, index: number, opts: { sampleTypeConfig?: SampleTypeConfig; spyName?: string } = {}): ProfileType {
  return pushProfileTypes(stacks, opts).types[index];
}

/**
 * A pprof's flame model for one sample type (default: pickSampleType), with an
 * optional filter on sample labels (e.g. span profiles: span_id ∈ set).
 */
export function pprofToModel(p: ProfileStacks, opts: { sampleType?: string; where?: (labels: Record<string, string>) => boolean } = {}): FlameModel {
  const i = pickSampleType(p.sampleTypes, opts.sampleType);
  const names = new NameTable();
  const ids = p.stacks.map((st) => st.map((f) => names.id(f)));
  const samples = p.samples.filter((s) => !opts.where || opts.where(s.labels));
  return modelFromStacks({ names: names.names, stacks: samples.map((s) => ids[s.stack]), values: samples.map((s) => s.values[i]) });
}
