// The embedded trace store: spans received over OTLP live in Postgres
// (table embedded_span) and are read back as the same Trace / TraceSummary the
// Tempo client returns. Writes are one multi-row INSERT per batch (rows
// expanded server-side from one JSON parameter), so a batch is atomic and
// never goes row by row through an ORM.
import type pg from 'pg';
import type { Attributes, Span, SpanEvent, SpanLink, TimeRange, Trace, TraceSummary } from '@/lib/model/types';
import { BackendError } from '@/lib/model/types';
import { ATTR_SAMPLING_PROBABILITY, samplingProbability } from '@/lib/model/sampling';
import { normalizeTraceId } from '@/lib/otlp/decode';
import type { SearchParams, SearchResult, TagValue } from '@/lib/datasources/tempo/types';
import { andFilters, MATCH_ALL, parseDuration, parseTags, parseTraceQL, TraceQLError, type SpanFilter } from './traceql';
import { filterSql } from './traceql-sql';
import { cancellableQuery } from './cancellable';

export { ATTR_SAMPLING_PROBABILITY };

type Queryable = Pick<pg.Pool | pg.PoolClient | pg.Client, 'query'>;

const bigintToJson = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/**
 * Stores spans in one statement: the whole batch or, on any error, nothing,
 * under the push's tenant (X-Scope-OrgID; '' for none).
 * A span already stored (same trace and span id, e.g. an exporter retry) is
 * skipped. Returns the number of rows written.
 */
export async function insertSpans(db: Queryable, spans: readonly Span[], opts: { tenant?: string } = {}): Promise<number> {
  if (spans.length === 0) return 0;
  // Short keys keep the JSON parameter small; json_to_recordset names them below.
  const rows = spans.map((s) => ({
    t: s.traceId,
    s: s.spanId,
    p: s.parentSpanId ?? null,
    sv: s.service,
    n: s.name,
    k: s.kind,
    st: s.startTimeUnixNano.toString(),
    en: s.endTimeUnixNano.toString(),
    d: (s.endTimeUnixNano > s.startTimeUnixNano ? s.endTimeUnixNano - s.startTimeUnixNano : 0n).toString(),
    ss: s.status,
    sm: s.statusMessage ?? null,
    a: s.attributes,
    r: s.resourceAttributes,
    e: s.events,
    l: s.links,
    sp: samplingProbability(s.attributes),
  }));
  const r = await db.query(
    `INSERT INTO embedded_span (trace_id, span_id, parent_span_id, service, name, kind, start_ns, end_ns, duration_ns,
                                status, status_message, attributes, resource_attributes, events, links, sampling_probability, tenant)
     SELECT t, s, p, sv, n, k, st, en, d, ss, sm, a, r, e, l, sp, $2
     FROM json_to_recordset($1::json) AS x(t text, s text, p text, sv text, n text, k text, st bigint, en bigint, d bigint,
                                            ss text, sm text, a jsonb, r jsonb, e jsonb, l jsonb, sp float8)
     ON CONFLICT (trace_id, span_id) DO NOTHING`,
    [JSON.stringify(rows, bigintToJson), opts.tenant ?? ''],
  );
  return r.rowCount ?? 0;
}

export interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  service: string;
  name: string;
  kind: Span['kind'];
  start_ns: string;
  end_ns: string;
  status: Span['status'];
  status_message: string | null;
  attributes: Attributes;
  resource_attributes: Attributes;
  events: (Omit<SpanEvent, 'timeUnixNano'> & { timeUnixNano: string })[];
  links: SpanLink[];
}

export const SPAN_COLUMNS = 'trace_id, span_id, parent_span_id, service, name, kind, start_ns, end_ns, status, status_message, attributes, resource_attributes, events, links';

export function rowToSpan(r: SpanRow): Span {
  const s: Span = {
    traceId: r.trace_id,
    spanId: r.span_id,
    service: r.service,
    name: r.name,
    kind: r.kind,
    startTimeUnixNano: BigInt(r.start_ns),
    endTimeUnixNano: BigInt(r.end_ns),
    status: r.status,
    attributes: r.attributes,
    resourceAttributes: r.resource_attributes,
    events: r.events.map((e) => ({ ...e, timeUnixNano: BigInt(e.timeUnixNano) })),
    links: r.links,
  };
  if (r.parent_span_id) s.parentSpanId = r.parent_span_id;
  if (r.status_message) s.statusMessage = r.status_message;
  return s;
}

/** A trace larger than this (TRACE_MAX_SPANS by default) is returned cut short and marked partial (as Tempo does for too-large traces). */
export const MAX_TRACE_SPANS = 20_000;

const msToNs = (ms: number) => BigInt(Math.round(ms)) * 1_000_000n;

/** An integer in [min, max] (`fallback` when not a finite number): safe to write into SQL as a LIMIT. */
function clampInt(v: number | undefined, fallback: number, min: number, max: number): number {
  return Number.isFinite(v) ? Math.min(Math.max(Math.trunc(v!), min), max) : fallback;
}

/** The WHERE clause and parameters selecting one trace's spans (in a range, when given); a malformed id is a 400. */
export function traceWhere(id: string, range?: TimeRange): { traceId: string; where: string; params: unknown[] } {
  let traceId: string;
  try {
    traceId = normalizeTraceId(id.trim());
  } catch (e) {
    throw new BackendError('embedded', 400, `not a trace id: ${(e as Error).message}`, 'bad_request');
  }
  const params: unknown[] = [traceId];
  let where = 'trace_id = $1';
  if (range) {
    params.push(msToNs(range.from).toString(), msToNs(range.to).toString());
    // A span belongs to the range when it overlaps it.
    where += ' AND end_ns >= $2 AND start_ns <= $3';
  }
  return { traceId, where, params };
}

/**
 * A trace by id (hex, any case, leading zeros dropped or not; or base64); null when none of its
 * spans is stored. One larger than `maxSpans` (TRACE_MAX_SPANS) is cut to its first spans by
 * start time and marked partial, as Tempo does: never more than that is read.
 */
export async function getTrace(db: Queryable, id: string, opts: { range?: TimeRange; signal?: AbortSignal; maxSpans?: number } = {}): Promise<Trace | null> {
  const { traceId, where, params } = traceWhere(id, opts.range);
  const max = clampInt(opts.maxSpans, MAX_TRACE_SPANS, 1, 1_000_000);
  const r = await cancellableQuery<SpanRow>(db, `SELECT ${SPAN_COLUMNS} FROM embedded_span WHERE ${where} ORDER BY start_ns, span_id LIMIT ${max + 1}`, params, opts.signal);
  if (r.rows.length > max) {
    r.rows.length = max;
    return { traceId, spans: r.rows.map(rowToSpan), partial: true };
  }
  if (r.rows.length === 0) return null;
  return { traceId, spans: r.rows.map(rowToSpan) };
}

/** SQL WHERE over embedded_span for a span filter and a time range (span start within it); `params` is appended to. */
export function conditionsSql(f: SpanFilter, range: TimeRange | undefined, params: unknown[]): string {
  const where: string[] = [];
  const p = (v: unknown) => `$${params.push(v)}`;
  if (range) where.push(`start_ns >= ${p(msToNs(range.from).toString())}`, `start_ns <= ${p(msToNs(range.to).toString())}`);
  if (f.op !== 'all') where.push(filterSql(f, params));
  return where.length ? where.join(' AND ') : 'TRUE';
}

/** A TraceQL or tags query as a span filter; what the store cannot run is a 400 naming the part. */
function parseQuery(run: () => SpanFilter): SpanFilter {
  try {
    return run();
  } catch (e) {
    if (e instanceof TraceQLError) throw new BackendError('embedded', 400, e.message, 'bad_request');
    throw e;
  }
}

/** Turns Tempo search parameters into a span filter; a query the store cannot run is a 400. */
export function searchConditions(params: SearchParams): SpanFilter {
  return parseQuery(() => {
    const base = params.q ? parseTraceQL(params.q) : params.tags ? parseTags(params.tags) : MATCH_ALL;
    // Tempo's minDuration/maxDuration (tags search) bound the duration as well.
    const bounds: SpanFilter[] = [];
    const duration = { scope: 'intrinsic', name: 'duration' } as const;
    if (params.minDuration) bounds.push({ op: 'compare', field: duration, cmp: '>=', value: { type: 'duration', ns: parseDuration(params.minDuration) } });
    if (params.maxDuration) bounds.push({ op: 'compare', field: duration, cmp: '<=', value: { type: 'duration', ns: parseDuration(params.maxDuration) } });
    return andFilters(base, ...bounds);
  });
}

/**
 * Traces with at least one span matching the conditions, most recent first,
 * each with its root's service and name, its whole duration and up to `spss`
 * matched spans — the shape Tempo's /api/search returns.
 */
export async function searchTraces(db: Queryable, params: SearchParams, opts: { signal?: AbortSignal } = {}): Promise<SearchResult> {
  const c = searchConditions(params);
  const limit = clampInt(params.limit, 20, 1, 1000);
  const spss = clampInt(params.spss, 3, 1, 100);
  const args: unknown[] = [];
  const where = conditionsSql(c, params.range, args);
  const t0 = performance.now();
  const r = await cancellableQuery<{
    trace_id: string;
    start_ns: string;
    end_ns: string;
    root_service: string | null;
    root_name: string | null;
    n: number;
    matched: { spanId: string; name: string; start: string; duration: string; attributes: Attributes }[];
  }>(
    db,
    `WITH m AS (
       SELECT trace_id, span_id, name, start_ns, duration_ns, attributes,
              row_number() OVER (PARTITION BY trace_id ORDER BY start_ns) AS k,
              max(start_ns) OVER (PARTITION BY trace_id) AS latest
       FROM embedded_span WHERE ${where}
     ), t AS (
       SELECT trace_id, max(latest) AS latest,
              json_agg(json_build_object('spanId', span_id, 'name', name, 'start', start_ns::text,
                                         'duration', duration_ns::text, 'attributes', attributes) ORDER BY start_ns)
                FILTER (WHERE k <= ${spss}) AS matched
       FROM m GROUP BY trace_id ORDER BY latest DESC LIMIT ${limit}
     )
     SELECT t.trace_id, a.start_ns::text, a.end_ns::text, a.root_service, a.root_name, a.n, t.matched
     FROM t CROSS JOIN LATERAL (
       SELECT min(s.start_ns) AS start_ns, max(s.end_ns) AS end_ns, count(*)::int AS n,
              (array_agg(s.service ORDER BY (s.parent_span_id IS NOT NULL), s.start_ns))[1] AS root_service,
              (array_agg(s.name ORDER BY (s.parent_span_id IS NOT NULL), s.start_ns))[1] AS root_name
       FROM embedded_span s WHERE s.trace_id = t.trace_id
     ) a
     ORDER BY t.latest DESC`,
    args,
    opts.signal,
  );
  const traces: TraceSummary[] = r.rows.map((row) => ({
    traceId: row.trace_id,
    rootServiceName: row.root_service ?? '',
    rootTraceName: row.root_name ?? '',
    spanCount: row.n,
    startTimeUnixNano: BigInt(row.start_ns),
    durationMs: Number(BigInt(row.end_ns) - BigInt(row.start_ns)) / 1e6,
    spans: (row.matched ?? []).map((m) => ({
      spanId: m.spanId,
      name: m.name,
      startTimeUnixNano: BigInt(m.start),
      durationNanos: BigInt(m.duration),
      attributes: m.attributes,
    })),
  }));
  return { traces, metrics: { inspectedTraces: traces.length, elapsedMs: performance.now() - t0 } };
}

/**
 * Values of one tag, Tempo v2 style (`resource.service.name`, `name`,
 * `span.http.route`, `status`, `kind`), optionally narrowed by a TraceQL span set.
 */
export async function tagValues(
  db: Queryable,
  scopedName: string,
  opts: { q?: string; range?: TimeRange; limit?: number; withoutTag?: { key: string; value: string }; signal?: AbortSignal } = {},
): Promise<TagValue[]> {
  const params: unknown[] = [];
  const c = opts.q ? parseQuery(() => parseTraceQL(opts.q!)) : MATCH_ALL;
  let where = conditionsSql(c, opts.range, params);
  if (opts.withoutTag) {
    // Not from spans marked sensitive on themselves or their resource (see lib/redaction/sensitivity.ts).
    const k = `$${params.push(opts.withoutTag.key)}`;
    const v = `$${params.push(opts.withoutTag.value.toLowerCase())}`;
    where += ` AND lower(trim(coalesce(attributes ->> ${k}, ''))) <> ${v} AND lower(trim(coalesce(resource_attributes ->> ${k}, ''))) <> ${v}`;
  }
  let expr: string;
  if (scopedName === 'resource.service.name') expr = 'service';
  else if (scopedName === 'name' || scopedName === 'kind' || scopedName === 'status') expr = scopedName;
  else if (scopedName.startsWith('resource.')) expr = `resource_attributes ->> $${params.push(scopedName.slice(9))}`;
  else if (scopedName.startsWith('span.')) expr = `attributes ->> $${params.push(scopedName.slice(5))}`;
  else throw new BackendError('embedded', 400, `unsupported tag ${JSON.stringify(scopedName)}: use resource.<name>, span.<name>, name, kind or status`, 'bad_request');
  const limit = clampInt(opts.limit, 1000, 1, 10_000);
  const r = await cancellableQuery<{ v: string }>(db, `SELECT DISTINCT ${expr} AS v FROM embedded_span WHERE ${where} AND ${expr} IS NOT NULL ORDER BY 1 LIMIT ${limit}`, params, opts.signal);
  return r.rows.map((row) => ({ type: 'string', value: row.v }));
}
