// The embedded profile store. Layout (see the embedded_telemetry migration):
//  - embedded_profile_stack: each distinct stack once, id = 64-bit hash of its frames;
//  - embedded_profile: one row per pushed profile × sample type × series label
//    set, holding parallel arrays (stack id, value, span id) already summed per
//    (stack, span), so a merged flame graph is one GROUP BY over unnested arrays
//    and a span profile reads only the rows whose span_set (GIN) has the span.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { NameTable, capNodes, diffModels, emptyModel, maxSelf, modelFromStacks, type FlameModel } from '@/lib/model/flame';
import { BackendError, type ProfileType, type Series, type TimeRange } from '@/lib/model/types';
import { profileTypeOf, type ProfileStacks } from '@/lib/profiles';
import { LabelSyntaxError, parseLabelSelector, type LabelMatcher } from '@/lib/profiles/labels';
import type { FlameGraphResult, ProfileSelector } from '@/lib/datasources/pyroscope/types';
import { cancellableQuery } from './cancellable';

/** What a flame-graph read takes: Pyroscope's maxNodes, and the caller's AbortSignal (cancels the query in Postgres). */
export interface ReadOptions {
  maxNodes?: number;
  signal?: AbortSignal;
}

type Db = Pick<pg.Pool, 'query' | 'connect'>;
type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** Per-sample labels that identify one sample rather than a series (Pyroscope keeps them out of series too). */
const SAMPLE_ONLY_LABELS = new Set(['span_id', 'span_name', 'profile_id', 'trace_id']);

/** A pushed profile, decoded, with the push's series labels (service_name included). */
export interface ProfilePush {
  service: string;
  labels: Record<string, string>;
  /** unix ms */
  from: number;
  until: number;
  profile: ProfileStacks;
  /** rename sample types (sample_type_config's display-name) */
  sampleTypeNames?: Record<string, string>;
}

// A service pushes the same stacks every few seconds: remember their ids
// rather than hashing them again. Each distinct frame name gets a number; a
// stack is looked up by a numeric hash of its frame numbers and confirmed by
// comparing them. (Measured against joining the names into one key string per
// stack, and against a trie of frame numbers: the trie's pointer chasing
// misses the CPU caches between pushes and was slowest.) Bounded: cleared when full.
let frameNumbers = new Map<string, number>();
let stackIds = new Map<number, { frames: Int32Array; id: string }[]>();
let stackIdCount = 0;
const STACK_ID_CACHE_MAX = 200_000;
const FRAME_NUMBERS_MAX = 1_000_000;
let scratch = new Int32Array(256);

/** 64-bit stack id from the frames (signed, as Postgres bigint): the first 8 bytes of a SHA-256. */
export function stackId(frames: readonly string[]): string {
  // Deep stacks of fresh names could grow the frame numbers faster than the stacks.
  if (stackIdCount >= STACK_ID_CACHE_MAX || frameNumbers.size >= FRAME_NUMBERS_MAX) {
    frameNumbers = new Map();
    stackIds = new Map();
    stackIdCount = 0;
  }
  if (scratch.length < frames.length) scratch = new Int32Array(frames.length * 2);
  let h = frames.length;
  for (let i = 0; i < frames.length; i++) {
    let n = frameNumbers.get(frames[i]);
    if (n === undefined) frameNumbers.set(frames[i], (n = frameNumbers.size));
    scratch[i] = n;
    h = Math.imul(h ^ n, 16777619);
  }
  let entries = stackIds.get(h);
  if (entries) {
    for (const e of entries) if (e.frames.length === frames.length && sameNumbers(e.frames, scratch)) return e.id;
  } else stackIds.set(h, (entries = []));
  const id = createHash('sha256').update(frames.join('\u0000')).update('\u0000').digest().readBigInt64BE(0).toString();
  entries.push({ frames: scratch.slice(0, frames.length), id });
  stackIdCount++;
  return id;
}

/** Whether `a` equals the first a.length numbers of `b`. */
function sameNumbers(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Stacks this process knows to be stored, with when it last refreshed their
// last_seen: pushes then skip sending frames again. Per pool (one per database).
const knownStacks = new WeakMap<object, Map<string, number>>();
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

interface ProfileRow {
  sv: string;
  pt: string;
  lb: Record<string, string>;
  tf: string;
  tu: string;
  pe: number;
  st: string[];
  va: number[];
  sp: string[];
  ss: string[];
  to: number;
}

/** Builds the rows of one push (pure apart from hashing). */
export function profileRows(push: ProfilePush): { rows: ProfileRow[]; stacks: Map<string, readonly string[]> } {
  const p = push.profile;
  const nTypes = p.sampleTypes.length;
  const ids = p.stacks.map(stackId);
  const stacks = new Map<string, readonly string[]>();
  // Group samples by their series labels (push labels + per-sample labels other
  // than span ids), and within a group sum each sample type per (stack, span).
  interface Group {
    labels: Record<string, string>;
    entries: { stack: number; span: string }[];
    index: Map<number | string, number>;
    sums: number[][];
  }
  const groups = new Map<string, Group>();
  for (const s of p.samples) {
    let extra: [string, string][] | undefined;
    for (const k in s.labels) if (!SAMPLE_ONLY_LABELS.has(k)) (extra ??= []).push([k, s.labels[k]]);
    const key = extra ? JSON.stringify(extra.sort(([a], [b]) => a.localeCompare(b))) : '';
    let g = groups.get(key);
    if (!g) {
      g = { labels: { ...Object.fromEntries(extra ?? []), ...push.labels }, entries: [], index: new Map(), sums: Array.from({ length: nTypes }, () => []) };
      groups.set(key, g);
    }
    const span = s.labels.span_id ?? '';
    const ek = span ? `${s.stack}\u0000${span}` : s.stack;
    let idx = g.index.get(ek);
    if (idx === undefined) {
      idx = g.entries.push({ stack: s.stack, span }) - 1;
      g.index.set(ek, idx);
      for (let t = 0; t < nTypes; t++) g.sums[t].push(0);
    }
    for (let t = 0; t < nTypes; t++) g.sums[t][idx] += s.values[t];
  }
  const rows: ProfileRow[] = [];
  const tf = new Date(push.from).toISOString();
  const tu = new Date(push.until).toISOString();
  p.sampleTypes.forEach((t, ti) => {
    const type = push.sampleTypeNames?.[t.type] ?? t.type;
    const pt = profileTypeOf({ ...p, sampleTypes: p.sampleTypes.map((x, i) => (i === ti ? { ...x, type } : x)) }, ti).id;
    for (const g of groups.values()) {
      const row: ProfileRow = { sv: push.service, pt, lb: g.labels, tf, tu, pe: p.period, st: [], va: [], sp: [], ss: [], to: 0 };
      const spanSet = new Set<string>();
      const sums = g.sums[ti];
      for (let i = 0; i < g.entries.length; i++) {
        const v = Math.round(sums[i]);
        if (!v) continue;
        const e = g.entries[i];
        row.st.push(ids[e.stack]);
        row.va.push(v);
        row.sp.push(e.span);
        row.to += v;
        if (e.span) spanSet.add(e.span);
        stacks.set(ids[e.stack], p.stacks[e.stack]);
      }
      if (row.st.length === 0) continue;
      row.ss = [...spanSet];
      rows.push(row);
    }
  });
  return { rows, stacks };
}

/** Stores one push in one transaction; returns the number of profile rows written. */
export async function insertProfile(db: Db, push: ProfilePush): Promise<number> {
  const { rows, stacks } = profileRows(push);
  if (rows.length === 0) return 0;
  let known = knownStacks.get(db);
  if (!known || known.size > KNOWN_STACKS_MAX) knownStacks.set(db, (known = new Map()));
  const now = Date.now();
  // Sorted, so concurrent pushes lock shared stack rows in the same order.
  const fresh = [...stacks.keys()].filter((id) => (known.get(id) ?? -Infinity) < now - refreshMs).sort();
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    if (fresh.length) {
      await client.query(
        `INSERT INTO embedded_profile_stack (id, frames)
         SELECT id, frames FROM json_to_recordset($1::json) AS x(id bigint, frames text[])
         ON CONFLICT (id) DO UPDATE SET last_seen = EXCLUDED.last_seen`,
        [JSON.stringify(fresh.map((id) => ({ id, frames: stacks.get(id) })))],
      );
    }
    await client.query(
      `INSERT INTO embedded_profile (service, profile_type, labels, time_from, time_until, period, stack_ids, "values", span_ids, span_set, total)
       SELECT sv, pt, lb, tf, tu, pe, st, va, sp, ss, "to"
       FROM json_to_recordset($1::json) AS x(sv text, pt text, lb jsonb, tf timestamptz, tu timestamptz, pe float8,
                                             st bigint[], va bigint[], sp text[], ss text[], "to" bigint)`,
      [JSON.stringify(rows)],
    );
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
  for (const id of fresh) known.set(id, now);
  return rows.length;
}

// ---------------------------------------------------------------- reads

function badRequest(message: string): BackendError {
  return new BackendError('embedded', 400, message, 'bad_request');
}

function matchers(sel: string): LabelMatcher[] {
  try {
    return parseLabelSelector(sel);
  } catch (e) {
    if (e instanceof LabelSyntaxError) throw badRequest(e.message);
    throw e;
  }
}

/** WHERE over embedded_profile (alias p) for a time range and label matchers. */
function selectionSql(ms: LabelMatcher[], range: TimeRange, params: unknown[]): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  const where = [`p.time_until >= ${p(new Date(range.from).toISOString())}`, `p.time_from <= ${p(new Date(range.to).toISOString())}`];
  for (const m of ms) {
    const col = m.name === 'service_name' ? 'p.service' : `p.labels ->> ${p(m.name)}`;
    // Regex matchers are anchored, as in Prometheus and Pyroscope.
    if (m.op === '=') where.push(m.value === '' ? `coalesce(${col}, '') = ''` : `${col} = ${p(m.value)}`);
    else if (m.op === '!=') where.push(`coalesce(${col}, '') <> ${p(m.value)}`);
    else if (m.op === '=~') where.push(`coalesce(${col}, '') ~ ${p(`^(?:${m.value})$`)}`);
    else where.push(`coalesce(${col}, '') !~ ${p(`^(?:${m.value})$`)}`);
  }
  return where.join(' AND ');
}

/**
 * The stored profile type a selector means: the exact id, or else one with
 * the same sample type and unit (so `process_cpu:cpu:nanoseconds:…` finds the
 * Node SDK's `wall:cpu:nanoseconds:…`). Null when nothing of that kind is stored.
 */
async function resolveProfileType(db: Queryable, sel: ProfileSelector, ms: LabelMatcher[], signal?: AbortSignal): Promise<string | null> {
  const params: unknown[] = [];
  const where = selectionSql(ms, sel.range, params);
  const r = await cancellableQuery<{ profile_type: string }>(db, `SELECT DISTINCT p.profile_type FROM embedded_profile p WHERE ${where}`, params, signal);
  const types = r.rows.map((x) => x.profile_type);
  if (types.includes(sel.profileTypeId)) return sel.profileTypeId;
  const [, st, su] = sel.profileTypeId.split(':');
  return types.find((t) => t.split(':')[1] === st && t.split(':')[2] === su) ?? null;
}

/** The summed stacks of a selection (only samples of `spanIds` when given), as a flat model. */
async function merged(db: Queryable, sel: ProfileSelector, spanIds: readonly string[] | undefined, signal?: AbortSignal): Promise<FlameModel> {
  const ms = matchers(sel.labelSelector);
  const type = await resolveProfileType(db, sel, ms, signal);
  if (!type) return emptyModel();
  const params: unknown[] = [];
  let where = `p.profile_type = $${params.push(type)} AND ${selectionSql(ms, sel.range, params)}`;
  let unnest = 'unnest(p.stack_ids, p."values") AS u(stack_id, v)';
  if (spanIds) {
    const ids = `$${params.push(spanIds)}::text[]`;
    where += ` AND p.span_set && ${ids} AND u.span_id = ANY(${ids})`;
    unnest = 'unnest(p.stack_ids, p."values", p.span_ids) AS u(stack_id, v, span_id)';
  }
  const r = await cancellableQuery<{ frames: string[]; v: number }>(
    db,
    `WITH m AS (
       SELECT u.stack_id, sum(u.v::float8) AS v
       FROM embedded_profile p CROSS JOIN LATERAL ${unnest}
       WHERE ${where}
       GROUP BY u.stack_id
     )
     SELECT s.frames, m.v FROM m JOIN embedded_profile_stack s ON s.id = m.stack_id`,
    params,
    signal,
  );
  const names = new NameTable();
  return modelFromStacks({
    names: names.names,
    stacks: r.rows.map((x) => x.frames.map((f) => names.id(f))),
    values: r.rows.map((x) => x.v),
  });
}

/** As Pyroscope answers: at most `maxNodes` nodes (the rest folded into "other"), with maxSelf. */
function result(model: FlameModel, maxNodes?: number): FlameGraphResult {
  const flame = maxNodes ? capNodes(model, maxNodes) : model;
  return { flame, maxSelf: maxSelf(flame) };
}

/** The merged flame graph of a selection (SelectMergeStacktraces), optionally only samples of `spanSelector` spans. */
export async function selectMergeStacktraces(db: Queryable, sel: ProfileSelector, opts: { spanSelector?: string[] } & ReadOptions = {}): Promise<FlameGraphResult> {
  return result(await merged(db, sel, opts.spanSelector, opts.signal), opts.maxNodes);
}

/** The profile of exactly these spans: only samples labelled span_id ∈ spanIds. */
export async function spanProfile(db: Queryable, sel: ProfileSelector, spanIds: readonly string[], opts: ReadOptions = {}): Promise<FlameGraphResult> {
  for (const id of spanIds) if (!/^[0-9a-f]{1,16}$/i.test(id)) throw badRequest(`not a span id: ${JSON.stringify(id)}`);
  return result(await merged(db, sel, spanIds.map((s) => s.toLowerCase()), opts.signal), opts.maxNodes);
}

/** Both sides of a comparison as one diff model (left = before). */
export async function diff(db: Queryable, left: ProfileSelector, right: ProfileSelector, opts: ReadOptions = {}): Promise<{ flame: FlameModel; leftTicks: number; rightTicks: number }> {
  const [l, r] = await Promise.all([merged(db, left, undefined, opts.signal), merged(db, right, undefined, opts.signal)]);
  return { flame: result(diffModels(l, r), opts.maxNodes).flame, leftTicks: l.value[0], rightTicks: r.value[0] };
}

/** Profile types stored in a time range. */
export async function profileTypes(db: Queryable, range: TimeRange, opts: { signal?: AbortSignal } = {}): Promise<ProfileType[]> {
  const r = await cancellableQuery<{ profile_type: string }>(
    db,
    `SELECT DISTINCT profile_type FROM embedded_profile WHERE time_until >= $1 AND time_from <= $2 ORDER BY 1`,
    [new Date(range.from).toISOString(), new Date(range.to).toISOString()],
    opts.signal,
  );
  return r.rows.map(({ profile_type: id }) => {
    const [name, sampleType, sampleUnit, periodType, periodUnit] = id.split(':');
    return { id, name, sampleType, sampleUnit, periodType, periodUnit };
  });
}

/** Label names of the series matching `matchers` (each a selector string). */
export async function labelNames(db: Queryable, opts: { matchers?: string[]; range: TimeRange }): Promise<string[]> {
  const params: unknown[] = [];
  const where = selectionSql((opts.matchers ?? []).flatMap(matchers), opts.range, params);
  const r = await db.query<{ k: string }>(`SELECT DISTINCT jsonb_object_keys(p.labels) AS k FROM embedded_profile p WHERE ${where} ORDER BY 1`, params);
  return r.rows.map((x) => x.k);
}

export async function labelValues(db: Queryable, name: string, opts: { matchers?: string[]; range: TimeRange }): Promise<string[]> {
  const params: unknown[] = [name];
  const where = selectionSql((opts.matchers ?? []).flatMap(matchers), opts.range, params);
  const r = await db.query<{ v: string }>(`SELECT DISTINCT p.labels ->> $1 AS v FROM embedded_profile p WHERE ${where} AND p.labels ? $1 ORDER BY 1`, params);
  return r.rows.map((x) => x.v);
}

/** The selection's total per step (SelectSeries), one series. */
export async function selectSeries(db: Queryable, sel: ProfileSelector, opts: { stepS: number }): Promise<Series[]> {
  const ms = matchers(sel.labelSelector);
  const type = await resolveProfileType(db, sel, ms);
  if (!type) return [];
  const stepMs = Math.max(1, Math.round(opts.stepS * 1000));
  const params: unknown[] = [type, stepMs];
  const where = `p.profile_type = $1 AND ${selectionSql(ms, sel.range, params)}`;
  const r = await db.query<{ t: string; v: number }>(
    `SELECT (floor(extract(epoch FROM p.time_from) * 1000 / $2) * $2)::float8 AS t, sum(p.total)::float8 AS v
     FROM embedded_profile p WHERE ${where} GROUP BY 1 ORDER BY 1`,
    params,
  );
  return [{ labels: Object.fromEntries(ms.filter((m) => m.op === '=').map((m) => [m.name, m.value])), values: r.rows.map((x) => [Number(x.t), x.v]) }];
}
