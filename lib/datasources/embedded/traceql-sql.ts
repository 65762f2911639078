// A parsed TraceQL span filter (./traceql.ts) as a WHERE clause over
// embedded_span. Pure: values go into `params`, never into the SQL text.
// Attribute comparisons are typed as in Tempo: `span.code = 500` matches the
// number 500, not the string "500"; a missing attribute matches nothing but
// `= nil` (so `!=` never matches spans that lack the attribute).
import type { CompareOp, FieldRef, Literal, SpanFilter } from './traceql';

const COLUMNS = { name: 'name', kind: 'kind', status: 'status', duration: 'duration_ns', statusMessage: "coalesce(status_message, '')", spanId: 'span_id', traceId: 'trace_id' } as const;

const SQL_OP: Record<Exclude<CompareOp, '=~' | '!~'>, string> = { '=': '=', '!=': '<>', '>': '>', '>=': '>=', '<': '<', '<=': '<=' };

export function filterSql(f: SpanFilter, params: unknown[]): string {
  const p = (v: unknown) => `$${params.push(v)}`;
  switch (f.op) {
    case 'all':
      return 'TRUE';
    case 'none':
      return 'FALSE';
    case 'and':
    case 'or':
      return `(${f.args.map((a) => filterSql(a, params)).join(f.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `NOT coalesce(${filterSql(f.arg, params)}, FALSE)`;
    case 'compare':
      return compareSql(f.field, f.cmp, f.value, !!f.loose, p);
  }
}

function compareSql(field: FieldRef, cmp: CompareOp, v: Literal, loose: boolean, p: (v: unknown) => string): string {
  if (field.scope === 'intrinsic') {
    const col = COLUMNS[field.name];
    if (v.type === 'duration') return `${col} ${SQL_OP[cmp as keyof typeof SQL_OP]} ${p(v.ns.toString())}`;
    const value = v.type === 'string' || v.type === 'keyword' ? v.value : String(v.type === 'nil' ? '' : v.value);
    if (field.name === 'spanId' || field.name === 'traceId') return `${col} ${cmp === '!=' ? '<>' : '='} ${p(value.toLowerCase())}`;
    return textCompare(col, cmp, value, p);
  }
  // The resource's service.name lives in its own column.
  if (field.key === 'service.name' && field.scope !== 'span') {
    const col = field.scope === 'resource' ? 'service' : `coalesce(attributes ->> 'service.name', service)`;
    if (v.type === 'nil') return cmp === '=' ? 'FALSE' : 'TRUE';
    if (v.type !== 'string') return 'FALSE';
    return textCompare(col, cmp, v.value, p);
  }
  const json =
    field.scope === 'span' ? `(attributes -> ${p(field.key)})` : field.scope === 'resource' ? `(resource_attributes -> ${p(field.key)})` : `coalesce(attributes -> ${p(field.key)}, resource_attributes -> ${p(field.key)})`;
  switch (v.type) {
    case 'nil':
      return `${json} ${cmp === '=' ? 'IS NULL' : 'IS NOT NULL'}`;
    case 'bool':
      return `${json} ${SQL_OP[cmp as '=' | '!=']} ${p(JSON.stringify(v.value))}::jsonb`;
    case 'number':
      // The CASE keeps Postgres from casting a string attribute to a number (an error).
      return `(CASE WHEN jsonb_typeof(${json}) = 'number' THEN (${json})::float8 END) ${SQL_OP[cmp as keyof typeof SQL_OP]} ${p(v.value)}`;
    case 'string': {
      const text = loose ? `(${json} #>> '{}')` : `(CASE WHEN jsonb_typeof(${json}) = 'string' THEN ${json} #>> '{}' END)`;
      return textCompare(text, cmp, v.value, p);
    }
    default:
      return 'FALSE';
  }
}

function textCompare(col: string, cmp: CompareOp, value: string, p: (v: unknown) => string): string {
  // TraceQL regular expressions match the whole value, as in Prometheus.
  if (cmp === '=~') return `${col} ~ ${p(`^(?:${value})$`)}`;
  if (cmp === '!~') return `${col} !~ ${p(`^(?:${value})$`)}`;
  return `${col} ${SQL_OP[cmp]} ${p(value)}`;
}
