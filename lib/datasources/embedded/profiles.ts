// The embedded profile store's reads (writes: ./profile-ingest.ts). Each push
// is stored as rows of parallel int8 arrays (stack id, span id, and each
// sample type's values) already summed per (stack, span), so a merged flame
// graph is one GROUP BY over unnested arrays, and a span profile reads only
// the rows whose span_set (GIN) has the span.
import type pg from 'pg';
import { NameTable, capNodes, diffModels, emptyModel, maxSelf, modelFromStacks, type FlameModel } from '@/lib/model/flame';
import { BackendError, type ProfileType, type TimeRange } from '@/lib/model/types';
import { LabelSyntaxError, parseLabelSelector, type LabelMatcher } from '@/lib/profiles/labels';
import type { FlameGraphResult, ProfileSelector } from '@/lib/datasources/pyroscope/types';
import { cancellableQuery } from './cancellable';
import { spanIdToInt8 } from './pg-binary';

/** What a flame-graph read takes: Pyroscope's maxNodes, and the caller's AbortSignal (cancels the query in Postgres). */
export interface ReadOptions {
  maxNodes?: number;
  signal?: AbortSignal;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

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
  const r = await cancellableQuery<{ profile_type: string }>(db, `SELECT DISTINCT unnest(p.profile_types) AS profile_type FROM embedded_profile p WHERE ${where}`, params, signal);
  const types = r.rows.map((x) => x.profile_type);
  if (types.includes(sel.profileTypeId)) return sel.profileTypeId;
  const [, st, su] = sel.profileTypeId.split(':');
  return types.find((t) => t.split(':')[1] === st && t.split(':')[2] === su) ?? null;
}

/** The summed stacks of a selection (only samples of `spanIds` when given), as a flat model. */
async function merged(db: Queryable, sel: ProfileSelector, spanIds: readonly string[] | undefined, signal?: AbortSignal): Promise<FlameModel> {
  const ms = matchers(sel.labelSelector);
  for (const id of spanIds ?? []) if (!/^[0-9a-f]{1,16}$/i.test(id)) throw badRequest(`not a span id: ${JSON.stringify(id)}`);
  const type = await resolveProfileType(db, sel, ms, signal);
  if (!type) return emptyModel();
  const params: unknown[] = [];
  const t = `$${params.push(type)}::text`;
  let where = `p.profile_types @> ARRAY[${t}] AND ${selectionSql(ms, sel.range, params)}`;
  // The type's values: the t-th run of n in `values` (n = entries in the row).
  const values = 'p."values"[k.t * k.n + 1 : (k.t + 1) * k.n]';
  let unnest = `unnest(p.stack_ids, ${values}) AS u(stack_id, v)`;
  if (spanIds) {
    // Span ids are stored as int8 (their 64 bits), as Pyroscope keeps them.
    const ids = `$${params.push(spanIds.map(spanIdToInt8))}::int8[]`;
    where += ` AND p.span_set && ${ids} AND u.span_id = ANY(${ids})`;
    unnest = `unnest(p.stack_ids, ${values}, p.span_ids) AS u(stack_id, v, span_id)`;
  }
  const r = await cancellableQuery<{ frames: string[]; v: number }>(
    db,
    `WITH m AS (
       SELECT u.stack_id, sum(u.v::float8) AS v
       FROM embedded_profile p
       CROSS JOIN LATERAL (SELECT array_position(p.profile_types, ${t}) - 1 AS t, cardinality(p.stack_ids) AS n) k
       CROSS JOIN LATERAL ${unnest}
       WHERE ${where} AND u.v <> 0
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

/** The profile of exactly these spans (1–16 hex digits each): only samples labelled span_id ∈ spanIds. */
export async function spanProfile(db: Queryable, sel: ProfileSelector, spanIds: readonly string[], opts: ReadOptions = {}): Promise<FlameGraphResult> {
  return result(await merged(db, sel, spanIds, opts.signal), opts.maxNodes);
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
    `SELECT DISTINCT unnest(profile_types) AS profile_type FROM embedded_profile WHERE time_until >= $1 AND time_from <= $2 ORDER BY 1`,
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
