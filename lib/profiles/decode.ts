// A pprof decoder that reads only what the profile stores and flame graphs
// need, straight from the protobuf bytes: sample types, period, each sample's
// location ids, values and labels, the locations' functions and the strings
// those refer to. No object is built per sample, location or function (flat
// typed arrays instead), strings are decoded only when used, and stacks are
// deduplicated by their location ids as they are read. pprof-format stays the
// reference: tests decode every fixture both ways and compare the stacks.
//
// decodeProfileSliced yields to the event loop every few milliseconds, so a
// large profile never holds the request thread for long.
import { cleanString } from '@/lib/otlp/decode';
import { PprofDecodeError } from './pprof';

/** A pprof reduced to stacks of frame names, per-sample values and labels, in flat arrays. */
export interface LeanProfile {
  /** as the pprof names them (no unit conversion: the profile type id uses them as they are) */
  sampleTypes: { type: string; unit: string }[];
  periodType: { type: string; unit: string };
  period: number;
  timeNanos: number;
  durationNanos: number;
  /** frame names the stacks refer to */
  names: string[];
  /** distinct stacks: frame name indices from the root to the leaf, stack k at stackFrames[stackStart[k] … stackStart[k + 1]) */
  stackStart: Int32Array;
  stackFrames: Int32Array;
  stackCount: number;
  sampleCount: number;
  /** per sample: its stack */
  sampleStack: Int32Array;
  /** per sample × sample type, row-major */
  sampleValues: Float64Array;
  /** per sample: index into labelSets */
  sampleLabels: Int32Array;
  /** distinct per-sample label sets, sample-only labels (span ids…) left out; labelSets[0] is the empty set */
  labelSets: Record<string, string>[];
  /** per sample: its span id (a `span_id` label of 1–16 hex digits) as two 32-bit halves; spanHas = 0 when none */
  spanHi: Int32Array;
  spanLo: Int32Array;
  spanHas: Uint8Array;
}

/** Per-sample labels that identify one sample rather than a series (Pyroscope keeps them out of series too). */
export const SAMPLE_ONLY_LABELS = new Set(['span_id', 'span_name', 'profile_id', 'trace_id']);

const fail = (what: string): never => {
  throw new PprofDecodeError(`malformed pprof protobuf: ${what}`);
};

/** A protobuf reader over [pos, end) of a buffer; one instance is reused for many messages. */
class Reader {
  pos = 0;
  end = 0;
  constructor(readonly buf: Uint8Array) {}
  at(start: number, end: number): this {
    this.pos = start;
    this.end = end;
    return this;
  }
  /** An unsigned varint as a number (exact below 2^53). */
  varint(): number {
    const b = this.buf;
    let p = this.pos;
    if (p >= this.end) fail('truncated varint');
    let c = b[p++];
    if (c < 0x80) {
      this.pos = p;
      return c;
    }
    let x = c & 0x7f;
    let shift = 7;
    for (;;) {
      if (p >= this.end) fail('truncated varint');
      c = b[p++];
      // Bitwise while the result stays within 28 bits, arithmetic beyond (exact below 2^53).
      if (shift < 28) x |= (c & 0x7f) << shift;
      else x += (c & 0x7f) * 2 ** shift;
      if (c < 0x80) break;
      shift += 7;
      if (shift > 63) fail('varint longer than 10 bytes');
    }
    this.pos = p;
    return x;
  }
  /** A signed int64 varint (a negative value is 10 bytes of two's complement). */
  int64(): number {
    const start = this.pos;
    const v = this.varint();
    if (this.pos - start < 10) return v;
    let big = 0n;
    for (let i = this.pos - 1; i >= start; i--) big = (big << 7n) | BigInt(this.buf[i] & 0x7f);
    return Number(BigInt.asIntN(64, big));
  }
  /** Skips a length-delimited field and returns its start (its end is this.pos). */
  lengthDelimited(): number {
    const len = this.varint();
    const s = this.pos;
    if (s + len > this.end) fail('field runs past its message');
    this.pos = s + len;
    return s;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 1) this.pos += 8;
    else if (wire === 2) this.lengthDelimited();
    else if (wire === 5) this.pos += 4;
    else fail(`wire type ${wire}`);
    if (this.pos > this.end) fail('field runs past its message');
  }
}

/** A growable Int32Array. */
class Ints {
  a: Int32Array;
  n = 0;
  constructor(cap = 256) {
    this.a = new Int32Array(cap);
  }
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  done(): Int32Array {
    return this.a.slice(0, this.n);
  }
}

/** Ids → positions: an array when the ids are dense (as every writer makes them), a Map otherwise. */
class IdIndex {
  private readonly dense: Int32Array | null;
  private readonly map: Map<number, number> | null;
  constructor(ids: Int32Array | number[], count: number) {
    let max = 0;
    for (let i = 0; i < count; i++) if (ids[i] > max) max = ids[i];
    if (max <= 4 * count + 16) {
      this.dense = new Int32Array(max + 1).fill(-1);
      this.map = null;
      for (let i = 0; i < count; i++) this.dense[ids[i]] = i;
    } else {
      this.dense = null;
      this.map = new Map();
      for (let i = 0; i < count; i++) this.map.set(ids[i], i);
    }
  }
  get(id: number): number {
    if (this.dense) return id < this.dense.length ? this.dense[id] : -1;
    return this.map!.get(id) ?? -1;
  }
}

const utf8 = new TextDecoder('utf-8');

/** The decoder's state between slices; `step()` does a bounded amount of work. */
class Decoding {
  private readonly top: Reader;
  private readonly sub: Reader;
  private readonly inner: Reader;
  private readonly latin1: Buffer;
  private phase: 'scan' | 'samples' | 'done' = 'scan';
  // Byte ranges of repeated messages, found in the first pass: start, end.
  private readonly strings = new Ints(1024);
  private readonly functions = new Ints(512);
  private readonly locations = new Ints(512);
  private readonly samples = new Ints(1024);
  private readonly sampleTypeRanges = new Ints(8);
  private periodTypeRange: [number, number] | null = null;
  private period = 0;
  private timeNanos = 0;
  private durationNanos = 0;
  private nStrings = 0;
  private strCache: (string | undefined)[] = [];
  private nTypes = 0;
  // Locations: position by id; frames (name indices, root-most first) of position k at locData[locStart[k] … locStart[k + 1]).
  private locIndex!: IdIndex;
  private locStart!: Int32Array;
  private locData!: Int32Array;
  private readonly names: string[] = [];
  /** per string: its frame name index, or -1 */
  private nameOfString: Int32Array = new Int32Array(0);
  private readonly spanKeys = new Set<number>();
  private readonly sampleOnlyKeys = new Set<number>();
  // Output.
  private next = 0;
  private sampleStack!: Int32Array;
  private sampleValues!: Float64Array;
  private sampleLabels!: Int32Array;
  private spanHi!: Int32Array;
  private spanLo!: Int32Array;
  private spanHas!: Uint8Array;
  private readonly labelSets: Record<string, string>[] = [{}];
  private readonly labelSetOf = new Map<string, number>([['', 0]]);
  private readonly spanOfString = new Map<number, [number, number] | null>();
  // Stacks: by hash of their location ids (positions), confirmed by comparing them.
  private readonly stackByHash = new Map<number, number | number[]>();
  private readonly stackLocStart = new Ints(1024);
  private readonly stackLocs = new Ints(8192);
  private readonly stackStart = new Ints(1024);
  private readonly stackFrames = new Ints(8192);
  private stackCount = 0;
  private readonly locScratch = new Ints(128);
  private readonly labelScratch: number[] = [];
  private out: LeanProfile | null = null;

  constructor(readonly buf: Uint8Array) {
    this.top = new Reader(buf).at(0, buf.length);
    this.sub = new Reader(buf);
    this.inner = new Reader(buf);
    this.latin1 = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.stackLocStart.push(0);
    this.stackStart.push(0);
  }

  get result(): LeanProfile {
    if (!this.out) throw new Error('decode not finished');
    return this.out;
  }

  /** Does about `budget` units of work (a field, a table entry or a sample each); true when done. */
  step(budget: number): boolean {
    if (this.phase === 'scan') {
      this.scan(budget);
      return false;
    }
    if (this.phase === 'samples') {
      const total = this.samples.n / 2;
      const end = Math.min(total, this.next + budget);
      for (; this.next < end; this.next++) this.sample(this.next);
      if (this.next < total) return false;
      this.finish();
    }
    return true;
  }

  /** First pass: top-level fields; repeated messages are only located. */
  private scan(budget: number): void {
    const r = this.top;
    for (let n = 0; n < budget && r.pos < r.end; n++) {
      const tag = r.varint();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (wire === 2 && (field === 1 || field === 2 || field === 4 || field === 5 || field === 6 || field === 11)) {
        const s = r.lengthDelimited();
        const list = field === 2 ? this.samples : field === 4 ? this.locations : field === 5 ? this.functions : field === 6 ? this.strings : field === 1 ? this.sampleTypeRanges : null;
        if (list) {
          list.push(s);
          list.push(r.pos);
        } else this.periodTypeRange = [s, r.pos];
      } else if (wire === 0 && (field === 9 || field === 10 || field === 12)) {
        const v = r.int64();
        if (field === 9) this.timeNanos = v;
        else if (field === 10) this.durationNanos = v;
        else this.period = v;
      } else r.skip(wire);
    }
    if (r.pos >= r.end) this.resolveTables();
  }

  private str(i: number): string {
    if (!(i >= 0 && i < this.nStrings)) fail(`string index ${i} of ${this.nStrings}`);
    let s = this.strCache[i];
    if (s === undefined) {
      const a = this.strings.a[2 * i];
      const b = this.strings.a[2 * i + 1];
      const buf = this.buf;
      let ascii = true;
      for (let k = a; k < b; k++) {
        if (buf[k] >= 0x80 || buf[k] === 0) {
          ascii = false;
          break;
        }
      }
      // Frame names and labels are mostly ASCII: those skip the UTF-8 decoder and the clean-up.
      s = ascii ? this.latin1.toString('latin1', a, b) : cleanString(utf8.decode(buf.subarray(a, b)));
      this.strCache[i] = s;
    }
    return s;
  }

  private valueType(start: number, end: number): { type: string; unit: string } {
    const r = this.sub.at(start, end);
    let type = 0;
    let unit = 0;
    while (r.pos < r.end) {
      const tag = r.varint();
      if (tag === 8) type = r.varint();
      else if (tag === 16) unit = r.varint();
      else r.skip(tag & 7);
    }
    return { type: this.str(type), unit: this.str(unit) };
  }

  /** Frame name index of a string (one entry per distinct string of the profile). */
  private nameIndex(stringIndex: number): number {
    if (!(stringIndex < this.nStrings)) fail(`function name refers to string ${stringIndex} of ${this.nStrings}`);
    let k = this.nameOfString[stringIndex];
    if (k < 0) {
      k = this.names.push(this.str(stringIndex)) - 1;
      this.nameOfString[stringIndex] = k;
    }
    return k;
  }

  private resolveTables(): void {
    const strs = this.strings;
    if (strs.n === 0 || strs.a[0] !== strs.a[1]) throw new PprofDecodeError('malformed pprof: string_table must start with ""');
    this.nStrings = strs.n / 2;
    this.strCache = new Array(this.nStrings);
    this.nameOfString = new Int32Array(this.nStrings).fill(-1);
    this.nTypes = this.sampleTypeRanges.n / 2;
    if (this.nTypes === 0) throw new PprofDecodeError('malformed pprof: no sample_type');
    // Functions: name index by position. A writer without ids (.NET's) refers
    // to them by position, 1-based, as Pyroscope resolves them.
    const nFn = this.functions.n / 2;
    const fnIds = new Int32Array(nFn);
    const fnName = new Int32Array(nFn);
    const r = this.sub;
    for (let k = 0; k < nFn; k++) {
      r.at(this.functions.a[2 * k], this.functions.a[2 * k + 1]);
      let id = 0;
      let name = 0;
      let system = 0;
      while (r.pos < r.end) {
        const tag = r.varint();
        if (tag === 8) id = r.varint();
        else if (tag === 16) name = r.varint();
        else if (tag === 24) system = r.varint();
        else if (tag === 32) {
          if (r.varint() >= this.nStrings) fail('function filename refers to a string beyond the table');
        } else r.skip(tag & 7);
      }
      fnIds[k] = id || k + 1;
      const chosen = name || system;
      fnName[k] = chosen ? this.nameIndex(chosen) : -1;
    }
    const fnIndex = new IdIndex(fnIds, nFn);
    let unknownName = -1;
    // Locations: frames root-most first (pprof lists inlined frames innermost first).
    const nLoc = this.locations.n / 2;
    const locIds = new Int32Array(nLoc);
    const locStart = new Int32Array(nLoc + 1);
    const locData = new Ints(nLoc * 2 + 16);
    const lineFns: number[] = [];
    const lr = this.inner;
    for (let k = 0; k < nLoc; k++) {
      r.at(this.locations.a[2 * k], this.locations.a[2 * k + 1]);
      let id = 0;
      let address = 0;
      lineFns.length = 0;
      while (r.pos < r.end) {
        const tag = r.varint();
        if (tag === 8) id = r.varint();
        else if (tag === 24) address = r.varint();
        else if (tag === 34) {
          const s = r.lengthDelimited();
          lr.at(s, r.pos);
          let fn = 0;
          while (lr.pos < lr.end) {
            const t = lr.varint();
            if (t === 8) fn = lr.varint();
            else lr.skip(t & 7);
          }
          lineFns.push(fn);
        } else r.skip(tag & 7);
      }
      locIds[k] = id || k + 1;
      if (lineFns.length) {
        for (let j = lineFns.length - 1; j >= 0; j--) {
          const f = fnIndex.get(lineFns[j]);
          if (f < 0) throw new PprofDecodeError(`malformed pprof: location[${k}] refers to unknown function ${lineFns[j]}`);
          let n = fnName[f];
          if (n < 0) {
            if (unknownName < 0) unknownName = this.names.push('<unknown>') - 1;
            n = unknownName;
          }
          locData.push(n);
        }
      } else locData.push(this.names.push(`0x${address.toString(16)}`) - 1);
      locStart[k + 1] = locData.n;
    }
    this.locIndex = new IdIndex(locIds, nLoc);
    this.locStart = locStart;
    this.locData = locData.a;
    // Label keys that never make a series label (short strings: check those only).
    for (let i = 0; i < this.nStrings; i++) {
      const len = strs.a[2 * i + 1] - strs.a[2 * i];
      if (len < 7 || len > 10) continue;
      const s = this.str(i);
      if (s === 'span_id') this.spanKeys.add(i);
      if (SAMPLE_ONLY_LABELS.has(s)) this.sampleOnlyKeys.add(i);
    }
    const n = this.samples.n / 2;
    this.sampleStack = new Int32Array(n);
    this.sampleValues = new Float64Array(n * this.nTypes);
    this.sampleLabels = new Int32Array(n);
    this.spanHi = new Int32Array(n);
    this.spanLo = new Int32Array(n);
    this.spanHas = new Uint8Array(n);
    this.phase = 'samples';
  }

  /** A span id label value as two 32-bit halves; null when it is not 1–16 hex digits. */
  private spanOf(stringIndex: number): [number, number] | null {
    let v = this.spanOfString.get(stringIndex);
    if (v === undefined) {
      const s = this.str(stringIndex);
      v = /^[0-9a-fA-F]{1,16}$/.test(s) ? [Number.parseInt(s.slice(0, -8) || '0', 16) | 0, Number.parseInt(s.slice(-8), 16) | 0] : null;
      this.spanOfString.set(stringIndex, v);
    }
    return v;
  }

  private sample(i: number): void {
    const r = this.sub.at(this.samples.a[2 * i], this.samples.a[2 * i + 1]);
    const locs = this.locScratch;
    locs.n = 0;
    const labels = this.labelScratch; // key, str, num, numUnit per label
    labels.length = 0;
    const nTypes = this.nTypes;
    const row = i * nTypes;
    let nValues = 0;
    let hash = 0;
    while (r.pos < r.end) {
      const tag = r.varint();
      const field = tag >>> 3;
      const wire = tag & 7;
      if (field === 1 || field === 2) {
        // Repeated integers, packed (one length-delimited run) or one per tag.
        let end = -1;
        if (wire === 2) {
          const s = r.lengthDelimited();
          end = r.pos;
          r.pos = s;
        } else if (wire !== 0) fail(`wire type ${wire} for a repeated integer`);
        do {
          if (field === 1) {
            const id = r.varint();
            const k = this.locIndex.get(id);
            if (k < 0) throw new PprofDecodeError(`malformed pprof: a sample refers to unknown location ${id}`);
            locs.push(k);
            hash = Math.imul(hash ^ k, 16777619);
          } else {
            const v = r.int64();
            if (nValues < nTypes) this.sampleValues[row + nValues] = v;
            nValues++;
          }
        } while (end >= 0 && r.pos < end);
        if (end >= 0) r.pos = end;
      } else if (field === 3 && wire === 2) {
        const s = r.lengthDelimited();
        const lr = this.inner.at(s, r.pos);
        let key = 0;
        let str = 0;
        let num = 0;
        let numUnit = 0;
        while (lr.pos < lr.end) {
          const t = lr.varint();
          if (t === 8) key = lr.varint();
          else if (t === 16) str = lr.varint();
          else if (t === 24) num = lr.int64();
          else if (t === 32) numUnit = lr.varint();
          else lr.skip(t & 7);
        }
        labels.push(key, str, num, numUnit);
      } else r.skip(wire);
    }
    if (nValues !== nTypes) throw new PprofDecodeError(`malformed pprof: sample[${i}] has ${nValues} values for ${nTypes} sample types`);
    this.sampleStack[i] = this.stackOf(locs, hash ^ locs.n);
    this.sampleLabels[i] = labels.length ? this.labels(i, labels) : 0;
  }

  /** The stack of these location positions (leaf first, as pprof lists them): an existing one, or a new one. */
  private stackOf(locs: Ints, hash: number): number {
    const known = this.stackByHash.get(hash);
    if (known !== undefined) {
      if (typeof known === 'number') {
        if (this.sameLocs(known, locs)) return known;
      } else for (const c of known) if (this.sameLocs(c, locs)) return c;
    }
    const stack = this.stackCount++;
    for (let k = 0; k < locs.n; k++) this.stackLocs.push(locs.a[k]);
    this.stackLocStart.push(this.stackLocs.n);
    // Stacks go from the root: the last location first.
    for (let k = locs.n - 1; k >= 0; k--) {
      const l = locs.a[k];
      for (let j = this.locStart[l]; j < this.locStart[l + 1]; j++) this.stackFrames.push(this.locData[j]);
    }
    this.stackStart.push(this.stackFrames.n);
    if (known === undefined) this.stackByHash.set(hash, stack);
    else if (typeof known === 'number') this.stackByHash.set(hash, [known, stack]);
    else known.push(stack);
    return stack;
  }

  private sameLocs(stack: number, locs: Ints): boolean {
    const s = this.stackLocStart.a[stack];
    if (this.stackLocStart.a[stack + 1] - s !== locs.n) return false;
    const stored = this.stackLocs.a;
    for (let k = 0; k < locs.n; k++) if (stored[s + k] !== locs.a[k]) return false;
    return true;
  }

  /** The sample's label set (without sample-only labels) and its span id. */
  private labels(i: number, pairs: number[]): number {
    let set: Record<string, string> | null = null;
    const n = this.nStrings;
    for (let p = 0; p < pairs.length; p += 4) {
      const k = pairs[p];
      const str = pairs[p + 1];
      const num = pairs[p + 2];
      const numUnit = pairs[p + 3];
      if (!(k < n && str < n && numUnit < n)) throw new PprofDecodeError(`malformed pprof: sample[${i}] label refers to a string beyond ${n}`);
      if (str !== 0 && this.spanKeys.has(k)) {
        const span = this.spanOf(str);
        if (span) {
          this.spanHi[i] = span[0];
          this.spanLo[i] = span[1];
          this.spanHas[i] = 1;
          continue;
        }
      }
      if (this.sampleOnlyKeys.has(k)) continue;
      const value = str !== 0 ? this.str(str) : num !== 0 || numUnit !== 0 ? `${num}${numUnit ? this.str(numUnit) : ''}` : null;
      if (value === null) continue;
      set ??= {};
      set[this.str(k)] = value;
    }
    if (!set) return 0;
    let key = '';
    for (const k of Object.keys(set).sort()) key += `${k}\u0000${set[k]}\u0000`;
    let id = this.labelSetOf.get(key);
    if (id === undefined) {
      id = this.labelSets.push(set) - 1;
      this.labelSetOf.set(key, id);
    }
    return id;
  }

  private finish(): void {
    const pt = this.periodTypeRange ? this.valueType(this.periodTypeRange[0], this.periodTypeRange[1]) : { type: '', unit: '' };
    const sampleTypes: { type: string; unit: string }[] = [];
    for (let k = 0; k < this.sampleTypeRanges.n; k += 2) sampleTypes.push(this.valueType(this.sampleTypeRanges.a[k], this.sampleTypeRanges.a[k + 1]));
    this.out = {
      sampleTypes,
      periodType: pt,
      period: this.period,
      timeNanos: this.timeNanos,
      durationNanos: this.durationNanos,
      names: this.names,
      stackStart: this.stackStart.done(),
      stackFrames: this.stackFrames.done(),
      stackCount: this.stackCount,
      sampleCount: this.samples.n / 2,
      sampleStack: this.sampleStack,
      sampleValues: this.sampleValues,
      sampleLabels: this.sampleLabels,
      labelSets: this.labelSets,
      spanHi: this.spanHi,
      spanLo: this.spanLo,
      spanHas: this.spanHas,
    };
    this.phase = 'done';
  }
}

/** Decodes uncompressed pprof bytes in one go (tests, tools). */
export function decodeProfile(raw: Uint8Array): LeanProfile {
  if (raw.length === 0) throw new PprofDecodeError('empty profile');
  const d = new Decoding(raw);
  while (!d.step(1 << 30));
  return d.result;
}

/**
 * Decodes in slices of about `sliceMs` of work, yielding to the event loop in
 * between, so requests keep being answered while a large profile is read.
 */
export async function decodeProfileSliced(raw: Uint8Array, sliceMs = 4): Promise<LeanProfile> {
  if (raw.length === 0) throw new PprofDecodeError('empty profile');
  const d = new Decoding(raw);
  let t = performance.now();
  for (;;) {
    if (d.step(512)) return d.result;
    if (performance.now() - t > sliceMs) {
      await new Promise((r) => setImmediate(r));
      t = performance.now();
    }
  }
}
