// Storing a decoded pprof push in the embedded profile store (read side:
// ./profiles.ts). Layout (migrations embedded_telemetry, profile_push_rows):
//  - embedded_profile_stack: each distinct stack once, id = the first 8 bytes
//    of a SHA-256 of its frames;
//  - embedded_profile: one row per push × series label set, with parallel
//    int8 arrays (stack id, span id) already summed per (stack, span), the
//    values of every sample type in one int8 array (type after type), the
//    profile type id and total of each type, and span_set (GIN) = the row's
//    distinct span ids.
//
// Per push the work is proportional to its samples, with no string built per
// sample or frame: frames are numbered once per process, a stack is found by
// a numeric hash of its frame numbers, and the arrays go to Postgres in its
// binary int8[] format in one INSERT (a single statement: atomic without a
// transaction). Only stacks this process has not stored recently are sent.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { LeanProfile } from '@/lib/profiles/decode';
import { pushProfileTypes, type SampleTypeConfig } from '@/lib/profiles/profile-type';
import { Int8ArrayParam } from './pg-binary';

type Db = Pick<pg.Pool, 'query'>;

/** A decoded push with its series labels (service_name included). */
export interface ProfilePush {
  service: string;
  labels: Record<string, string>;
  /** unix ms */
  from: number;
  until: number;
  profile: LeanProfile;
  /** the push's sample_type_config (its display names choose the profile name, as in Pyroscope) */
  sampleTypeConfig?: SampleTypeConfig;
  /** the push's spyName (Pyroscope fixes .NET sample type names) */
  spyName?: string;
  /** X-Scope-OrgID of the push ('' or absent: none) */
  tenant?: string;
}

/** A stack this process knows: its frame numbers and its 64-bit id. */
interface StackEntry {
  frames: Int32Array;
  hi: number;
  lo: number;
  /** decimal, for JSON */
  id: string;
}

// A service pushes the same stacks every few seconds: remember their ids
// rather than hashing them again. Each distinct frame name gets a number; a
// stack is looked up by a numeric hash of its frame numbers and confirmed by
// comparing them. Bounded: cleared when full.
let frameNumbers = new Map<string, number>();
let stackIds = new Map<number, StackEntry[]>();
let stackIdCount = 0;
const STACK_ID_CACHE_MAX = 200_000;
const FRAME_NUMBERS_MAX = 1_000_000;

function clearIfFull(): void {
  // Deep stacks of fresh names could grow the frame numbers faster than the stacks.
  if (stackIdCount >= STACK_ID_CACHE_MAX || frameNumbers.size >= FRAME_NUMBERS_MAX) {
    frameNumbers = new Map();
    stackIds = new Map();
    stackIdCount = 0;
  }
}

/** 64-bit stack id from the frames (signed, as Postgres bigint): the first 8 bytes of a SHA-256. */
function hashFrames(frames: readonly string[]): { hi: number; lo: number; id: string } {
  const d = createHash('sha256').update(frames.join('\u0000')).update('\u0000').digest();
  return { hi: d.readInt32BE(0), lo: d.readInt32BE(4), id: d.readBigInt64BE(0).toString() };
}

/** The process's frame numbers of a push's frame names. */
function numberNames(names: readonly string[]): Int32Array {
  clearIfFull();
  const out = new Int32Array(names.length);
  for (let i = 0; i < names.length; i++) {
    let n = frameNumbers.get(names[i]);
    if (n === undefined) {
      n = frameNumbers.size;
      frameNumbers.set(names[i], n);
    }
    out[i] = n;
  }
  return out;
}

/**
 * The entry of the stack whose frames are `nums[frames[from … to)]` (frame
 * numbers of a push's name indices); created, and its id hashed from
 * `names`, when new. Nothing is allocated for a known stack.
 */
function stackEntry(nums: Int32Array, frames: Int32Array, from: number, to: number, names: readonly string[]): StackEntry {
  const len = to - from;
  let h = len;
  for (let i = from; i < to; i++) h = Math.imul(h ^ nums[frames[i]], 16777619);
  let entries = stackIds.get(h);
  if (entries) {
    outer: for (const e of entries) {
      if (e.frames.length !== len) continue;
      for (let i = 0; i < len; i++) if (e.frames[i] !== nums[frames[from + i]]) continue outer;
      return e;
    }
  } else {
    entries = [];
    stackIds.set(h, entries);
  }
  const own = new Int32Array(len);
  const text: string[] = new Array(len);
  for (let i = 0; i < len; i++) {
    own[i] = nums[frames[from + i]];
    text[i] = names[frames[from + i]];
  }
  const e: StackEntry = { frames: own, ...hashFrames(text) };
  entries.push(e);
  stackIdCount++;
  return e;
}

/** The stack id of frames given by name (tests; the same id the ingest path gives them). */
export function stackId(frames: readonly string[]): string {
  const all = Int32Array.from(frames, (_, i) => i);
  return stackEntry(numberNames(frames), all, 0, all.length, frames).id;
}

// Stacks this process knows to be stored, with when it last refreshed their
// last_seen: pushes then skip sending frames again. Per pool (one per database).
const knownStacks = new WeakMap<object, Map<StackEntry, number>>();
const KNOWN_STACKS_MAX = 500_000;

/** How often a stack's last_seen is refreshed: retention keeps stacks this much longer than profiles. */
export function stackRefreshMs(retentionMs: number): number {
  return Math.max(1_000, Math.min(retentionMs / 10, 3_600_000));
}

let refreshMs = stackRefreshMs(24 * 3_600_000);
/** Set by the retention setup so refresh and cleanup agree. */
export function setStackRefreshMs(ms: number): void {
  refreshMs = ms;
}
/** The longest a stack in use may go without a last_seen refresh in this process. */
export function currentStackRefreshMs(): number {
  return refreshMs;
}
/** Forget which stacks are stored (retention just deleted some). */
export function forgetKnownStacks(db: object): void {
  knownStacks.delete(db);
}

/** One row of embedded_profile, arrays in Postgres's binary int8[] format. */
export interface ProfileRow {
  service: string;
  /** one per sample type */
  profileTypes: string[];
  labels: Record<string, string>;
  stackIds: Buffer;
  /** every sample type's values, type after type */
  values: Buffer;
  spanIds: Buffer;
  spanSet: Buffer;
  /** one per sample type */
  totals: Buffer;
  /** entries (stack, span) in the row */
  entries: number;
}

/** What a push stores: its rows, and the stacks they refer to. */
export interface PushRows {
  rows: ProfileRow[];
  /** the distinct stacks with a non-zero value (frames: their names) */
  stacks: { entry: StackEntry; frames(): string[] }[];
}

/** A push's stack with its entry; its frame names are built only when it must be sent. */
class StackRef {
  constructor(
    private readonly p: LeanProfile,
    private readonly k: number,
    readonly entry: StackEntry,
  ) {}
  frames(): string[] {
    const { p, k } = this;
    return Array.from(p.stackFrames.subarray(p.stackStart[k], p.stackStart[k + 1]), (f) => p.names[f]);
  }
}

/** Builds the rows of one push (pure apart from the stack id cache). */
export function profileRows(push: ProfilePush): PushRows {
  const p = push.profile;
  const nTypes = p.sampleTypes.length;
  const profileTypes = pushProfileTypes(p, { sampleTypeConfig: push.sampleTypeConfig, spyName: push.spyName }).types.map((t) => t.id);
  // Stack entries (ids) of the push's distinct stacks.
  const nums = numberNames(p.names);
  const entries: StackEntry[] = new Array(p.stackCount);
  // Different locations can name the same frames (another line of a function):
  // such stacks are one stack here, `canon` the first of them.
  const canon = new Int32Array(p.stackCount);
  const firstOf = new Map<StackEntry, number>();
  for (let k = 0; k < p.stackCount; k++) {
    const entry = stackEntry(nums, p.stackFrames, p.stackStart[k], p.stackStart[k + 1], p.names);
    entries[k] = entry;
    const first = firstOf.get(entry);
    if (first === undefined) firstOf.set(entry, k);
    canon[k] = first ?? k;
  }
  // Label sets that became equal (after redaction) share a group.
  const groupOfSet = new Int32Array(p.labelSets.length);
  const groupLabels: Record<string, string>[] = [];
  const groupKeys = new Map<string, number>();
  p.labelSets.forEach((set, i) => {
    const labels = { ...set, ...push.labels };
    const key = JSON.stringify(Object.keys(labels).sort().map((k) => [k, labels[k]]));
    let g = groupKeys.get(key);
    if (g === undefined) {
      g = groupLabels.push(labels) - 1;
      groupKeys.set(key, g);
    }
    groupOfSet[i] = g;
  });
  // Distinct span ids of the push: 0 = none.
  const spanHi: number[] = [0];
  const spanLo: number[] = [0];
  const spanIndex = new Map<number, Map<number, number>>();
  const spanOf = (i: number): number => {
    if (!p.spanHas[i]) return 0;
    let byLo = spanIndex.get(p.spanHi[i]);
    if (!byLo) {
      byLo = new Map();
      spanIndex.set(p.spanHi[i], byLo);
    }
    let k = byLo.get(p.spanLo[i]);
    if (k === undefined) {
      k = spanHi.push(p.spanHi[i]) - 1;
      spanLo.push(p.spanLo[i]);
      byLo.set(p.spanLo[i], k);
    }
    return k;
  };
  // Per group: entries (stack, span) with a sum per sample type.
  interface Group {
    index: Map<number, number>;
    stack: number[];
    span: number[];
    sums: Float64Array;
  }
  const groups: Group[] = groupLabels.map(() => ({ index: new Map(), stack: [], span: [], sums: new Float64Array(64 * nTypes) }));
  for (let i = 0; i < p.sampleCount; i++) {
    const g = groups[groupOfSet[p.sampleLabels[i]]];
    const stack = canon[p.sampleStack[i]];
    const span = spanOf(i);
    // Spans per push are far fewer than 2^20: stack × 2^20 + span is unique and exact.
    const key = stack * 1_048_576 + span;
    let idx = g.index.get(key);
    if (idx === undefined) {
      idx = g.stack.push(stack) - 1;
      g.span.push(span);
      g.index.set(key, idx);
      if ((idx + 1) * nTypes > g.sums.length) {
        const bigger = new Float64Array(g.sums.length * 2);
        bigger.set(g.sums);
        g.sums = bigger;
      }
    }
    for (let t = 0; t < nTypes; t++) g.sums[idx * nTypes + t] += p.sampleValues[i * nTypes + t];
  }
  if (spanHi.length > 1_048_576) throw new Error('more than 2^20 distinct span ids in one push');
  const rows: ProfileRow[] = [];
  const used = new Uint8Array(p.stackCount);
  groups.forEach((g, gi) => {
    // Entries whose every value rounds to 0 carry nothing.
    const keep: number[] = [];
    for (let k = 0; k < g.stack.length; k++) {
      for (let t = 0; t < nTypes; t++) {
        if (Math.round(g.sums[k * nTypes + t])) {
          keep.push(k);
          break;
        }
      }
    }
    if (!keep.length) return;
    const n = keep.length;
    const stackIds = new Int8ArrayParam(n);
    const spanIds = new Int8ArrayParam(n);
    const values = new Int8ArrayParam(n * nTypes);
    const totals = new Int8ArrayParam(nTypes);
    const spanSet = new Int8ArrayParam(8);
    const inSet = new Uint8Array(spanHi.length);
    for (const k of keep) {
      const e = entries[g.stack[k]];
      used[g.stack[k]] = 1;
      stackIds.pushHalves(e.hi, e.lo);
      const s = g.span[k];
      spanIds.pushHalves(spanHi[s], spanLo[s]);
      if (s && !inSet[s]) {
        inSet[s] = 1;
        spanSet.pushHalves(spanHi[s], spanLo[s]);
      }
    }
    for (let t = 0; t < nTypes; t++) {
      let total = 0;
      for (const k of keep) {
        const v = Math.round(g.sums[k * nTypes + t]);
        values.push(v);
        total += v;
      }
      totals.push(total);
    }
    rows.push({
      service: push.service,
      profileTypes,
      labels: groupLabels[gi],
      stackIds: stackIds.toBuffer(),
      values: values.toBuffer(),
      spanIds: spanIds.toBuffer(),
      spanSet: spanSet.toBuffer(),
      totals: totals.toBuffer(),
      entries: n,
    });
  });
  const stacks: PushRows['stacks'] = [];
  for (let k = 0; k < p.stackCount; k++) if (used[k]) stacks.push(new StackRef(p, k, entries[k]));
  return { rows, stacks };
}

/**
 * Stores one push: its rows and any stack this process has not stored (or
 * refreshed) lately, in one statement, so either all of it is stored or none.
 * Returns the number of rows.
 */
export async function insertProfile(db: Db, push: ProfilePush): Promise<number> {
  const { rows, stacks } = profileRows(push);
  if (rows.length === 0) return 0;
  let known = knownStacks.get(db);
  if (!known || known.size > KNOWN_STACKS_MAX) {
    known = new Map();
    knownStacks.set(db, known);
  }
  const now = Date.now();
  // Sorted, so concurrent pushes lock shared stack rows in the same order.
  const fresh = stacks.filter((s) => (known.get(s.entry) ?? -Infinity) < now - refreshMs).sort((a, b) => a.entry.hi - b.entry.hi || a.entry.lo - b.entry.lo);
  const from = new Date(push.from).toISOString();
  const until = new Date(push.until).toISOString();
  const params: unknown[] = [];
  const tuples = rows.map((r) => {
    const at = params.length;
    params.push(r.service, r.profileTypes, JSON.stringify(r.labels), from, until, push.profile.period, r.stackIds, r.values, r.spanIds, r.spanSet, r.totals, push.tenant ?? '');
    const $ = (k: number) => `$${at + k + 1}`;
    return `(${$(0)}, ${$(1)}::text[], ${$(2)}::jsonb, ${$(3)}::timestamptz, ${$(4)}::timestamptz, ${$(5)}::float8, ${$(6)}::int8[], ${$(7)}::int8[], ${$(8)}::int8[], ${$(9)}::int8[], ${$(10)}::int8[], ${$(11)})`;
  });
  const insertRows = `INSERT INTO embedded_profile (service, profile_types, labels, time_from, time_until, period, stack_ids, "values", span_ids, span_set, totals, tenant) VALUES ${tuples.join(', ')}`;
  if (fresh.length) {
    params.push(JSON.stringify(fresh.map((s) => ({ id: s.entry.id, frames: s.frames() }))));
    await db.query(
      `WITH stacks AS (
         INSERT INTO embedded_profile_stack (id, frames)
         SELECT id, frames FROM json_to_recordset($${params.length}::json) AS x(id bigint, frames text[])
         ON CONFLICT (id) DO UPDATE SET last_seen = EXCLUDED.last_seen
       )
       ${insertRows}`,
      params,
    );
  } else await db.query(insertRows, params);
  for (const s of fresh) known.set(s.entry, now);
  return rows.length;
}
