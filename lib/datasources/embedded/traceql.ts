// The TraceQL the embedded trace store runs, parsed with Grafana's own grammar
// (@grafana/lezer-traceql, the one Grafana's editor uses) rather than by hand:
// one span set `{ … }` whose conditions are joined by `&&` / `||`, grouped
// with parentheses or negated with `!`, e.g. what lib/correlate's
// bucketTraceQL writes:
//   { resource.service.name = "sandbox" && kind = server && duration > 250ms && duration <= 500ms }
// Anything else the grammar knows (pipelines, structural operators, span-set
// operators, aggregates, TraceQL metrics, event/link scopes, trace-level
// intrinsics) is refused by name instead of being half-understood. Pure.
import { parser } from '@grafana/lezer-traceql';
import type { SyntaxNode } from '@lezer/common';

export class TraceQLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceQLError';
  }
}

/** Span intrinsics the store has columns for. */
export type Intrinsic = 'name' | 'kind' | 'status' | 'duration' | 'statusMessage' | 'spanId' | 'traceId';

export type FieldRef =
  | { scope: 'intrinsic'; name: Intrinsic }
  /** `span.x`, `resource.x`, or unscoped `.x` (span first, then resource) */
  | { scope: 'span' | 'resource' | 'any'; key: string };

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '=~' | '!~';

export type Literal =
  | { type: 'string'; value: string }
  | { type: 'number'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'duration'; ns: bigint }
  /** kind / status values: `server`, `error`, … */
  | { type: 'keyword'; value: string }
  | { type: 'nil' };

export type SpanFilter =
  | { op: 'all' }
  | { op: 'none' }
  | { op: 'and' | 'or'; args: SpanFilter[] }
  | { op: 'not'; arg: SpanFilter }
  /** `loose`: compare attribute values as text (tags search: `http.status_code=500` matches the number 500) */
  | { op: 'compare'; field: FieldRef; cmp: CompareOp; value: Literal; loose?: boolean };

export const MATCH_ALL: SpanFilter = { op: 'all' };

const UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, µs: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

/** `250ms`, `1.5s`, `2m` → ns. */
export function parseDuration(s: string): bigint {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(s.trim());
  if (!m) throw new TraceQLError(`not a duration: ${JSON.stringify(s)}`);
  const [whole, frac = ''] = m[1].split('.');
  const unit = UNITS[m[2]];
  // Exact decimal arithmetic: 0.1s must be 100000000ns, not a float approximation.
  const scale = 10n ** BigInt(frac.length);
  return (BigInt(whole + frac) * unit) / scale;
}

const ENUMS: Record<'kind' | 'status', readonly string[]> = {
  kind: ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'],
  status: ['unset', 'ok', 'error'],
};

const INTRINSICS: Record<string, Intrinsic> = {
  name: 'name',
  'span:name': 'name',
  kind: 'kind',
  'span:kind': 'kind',
  status: 'status',
  'span:status': 'status',
  duration: 'duration',
  'span:duration': 'duration',
  statusMessage: 'statusMessage',
  'span:statusMessage': 'statusMessage',
  'span:id': 'spanId',
  'trace:id': 'traceId',
};

/** What the grammar's other constructs are called when refused. */
const REFUSED_NODES: Record<string, string> = {
  Pipe: 'pipelines (`| …`)',
  And: 'joining span sets with `&&` (conditions inside one `{ }` may use `&&`)',
  Or: 'joining span sets with `||` (conditions inside one `{ }` may use `||`)',
  Gt: 'the child structural operator `>`',
  Lt: 'the parent structural operator `<`',
  Desc: 'the descendant structural operator `>>`',
  Anc: 'the ancestor structural operator `<<`',
  ExperimentalOp: 'structural operators',
  UnionStructuralOp: 'union structural operators',
  ScalarFilter: 'aggregate filters such as `count() > 2`',
  SelectOperation: '`select(…)`',
  GroupOperation: '`by(…)`',
  CoalesceOperation: '`coalesce()`',
  MetricsOperation: 'TraceQL metrics (`rate()`, `count_over_time()`, …)',
  MetricsExpression: 'TraceQL metrics',
  WithHint: 'query hints (`with(…)`)',
  WrappedSpansetPipeline: 'parenthesised span-set pipelines',
};

const SUBSET = 'it runs one span set, e.g. `{ resource.service.name = "api" && duration > 250ms }`';

function kids(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment' && c.name !== 'BlockComment') out.push(c);
  return out;
}

function refuse(what: string): never {
  throw new TraceQLError(`the embedded store does not support ${what}: ${SUBSET}`);
}

/** Parses the supported subset; `{}`, `{ true }` or an empty string match every span. */
export function parseTraceQL(q: string): SpanFilter {
  if (!q.trim()) return MATCH_ALL;
  const tree = parser.parse(q);
  // Syntax errors first: the grammar marks them with error nodes.
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) {
        const at = q.slice(n.from, n.from + 24) || 'the end';
        throw new TraceQLError(`TraceQL syntax error at position ${n.from + 1}: ${JSON.stringify(at)}`);
      }
    },
  });
  const top = kids(tree.topNode);
  if (top.length !== 1 || top[0].name !== 'SpansetPipelineExpression') throw new TraceQLError(`not a TraceQL query; ${SUBSET}`);
  return spansetPipelineExpression(top[0], q);
}

function spansetPipelineExpression(n: SyntaxNode, q: string): SpanFilter {
  const c = kids(n);
  if (c.length === 1 && c[0].name === 'SpansetPipeline') return spansetPipeline(c[0], q);
  const op = c.find((x) => x.name !== 'SpansetPipelineExpression');
  refuse(REFUSED_NODES[op?.name ?? ''] ?? `${JSON.stringify(op ? q.slice(op.from, op.to) : q)}`);
}

function spansetPipeline(n: SyntaxNode, q: string): SpanFilter {
  const c = kids(n);
  if (c.length !== 1) refuse('pipelines');
  if (c[0].name !== 'SpansetFilter') refuse(REFUSED_NODES[c[0].name] ?? `\`${q.slice(c[0].from, c[0].to)}\``);
  const inner = kids(c[0]);
  if (inner.length === 0) return MATCH_ALL; // `{}`
  if (inner.length !== 1) throw new TraceQLError(`cannot read ${JSON.stringify(q.slice(c[0].from, c[0].to))}`);
  return fieldExpression(inner[0], q);
}

/** Text between a node's start and its first child: `(`, `!`, `-` (the grammar leaves them unnamed). */
const prefix = (n: SyntaxNode, child: SyntaxNode, q: string) => q.slice(n.from, child.from).replace(/\s+/g, '');

// The grammar's tree, with its unnamed tokens (parentheses, `!`, unary `-`) made explicit.
type Ast =
  | { k: 'bin'; op: 'and' | 'or'; l: Ast; r: Ast }
  | { k: 'cmp'; op: string; l: Ast; r: Ast }
  | { k: 'not' | 'neg' | 'paren'; arg: Ast }
  | { k: 'leaf'; node: SyntaxNode };

function build(n: SyntaxNode, q: string): Ast {
  if (n.name !== 'FieldExpression') return { k: 'leaf', node: n };
  const c = kids(n);
  if (c.length === 1) {
    const pre = prefix(n, c[0], q);
    const arg = build(c[0], q);
    if (pre === '') return arg;
    if (pre === '(') return { k: 'paren', arg };
    if (pre === '!') return { k: 'not', arg };
    if (pre === '-') return { k: 'neg', arg };
  }
  if (c.length === 3) {
    const [l, op, r] = c;
    if (op.name === 'And' || op.name === 'Or') return { k: 'bin', op: op.name === 'And' ? 'and' : 'or', l: build(l, q), r: build(r, q) };
    if (op.name === 'FieldOp') return { k: 'cmp', op: q.slice(op.from, op.to), l: build(l, q), r: build(r, q) };
  }
  throw new TraceQLError(`cannot read ${JSON.stringify(q.slice(n.from, n.to))} as a condition`);
}

/**
 * The grammar gives `!` and unary `-` the lowest precedence, so `!(a) && b`
 * arrives as `!((a) && b)` and `x > -3 && b` as `x > -(3 && b)`. TraceQL means
 * the unary operator to bind to what follows it: rotate it down to its
 * leftmost operand (`-` through comparisons too), then let a comparison whose
 * side turned into `&&` / `||` take only the nearest operand.
 */
function fix(a: Ast): Ast {
  switch (a.k) {
    case 'leaf':
      return a;
    case 'paren':
      return { k: 'paren', arg: fix(a.arg) };
    case 'not':
    case 'neg': {
      const arg = fix(a.arg);
      if (arg.k === 'bin' || (a.k === 'neg' && arg.k === 'cmp')) return fix({ ...arg, l: { k: a.k, arg: arg.l } });
      return { k: a.k, arg };
    }
    case 'bin':
      return { k: 'bin', op: a.op, l: fix(a.l), r: fix(a.r) };
    case 'cmp': {
      const l = fix(a.l);
      const r = fix(a.r);
      if (r.k === 'bin') return fix({ k: 'bin', op: r.op, l: { k: 'cmp', op: a.op, l, r: r.l }, r: r.r });
      if (l.k === 'bin') return fix({ k: 'bin', op: l.op, l: l.l, r: { k: 'cmp', op: a.op, l: l.r, r } });
      return { k: 'cmp', op: a.op, l, r };
    }
  }
}

const unwrap = (a: Ast): Ast => (a.k === 'paren' ? unwrap(a.arg) : a);
const text = (a: Ast, q: string): string => {
  switch (a.k) {
    case 'leaf':
      return q.slice(a.node.from, a.node.to);
    case 'paren':
      return `(${text(a.arg, q)})`;
    case 'not':
      return `!${text(a.arg, q)}`;
    case 'neg':
      return `-${text(a.arg, q)}`;
    default:
      return `${text(a.l, q)} ${a.k === 'bin' ? (a.op === 'and' ? '&&' : '||') : a.op} ${text(a.r, q)}`;
  }
};

function fieldExpression(n: SyntaxNode, q: string): SpanFilter {
  return toFilter(fix(build(n, q)), q);
}

function toFilter(a: Ast, q: string): SpanFilter {
  const x = unwrap(a);
  switch (x.k) {
    case 'bin': {
      const args = [toFilter(x.l, q), toFilter(x.r, q)].flatMap((f) => (f.op === x.op ? f.args : [f]));
      return { op: x.op, args };
    }
    case 'not':
      return { op: 'not', arg: toFilter(x.arg, q) };
    case 'cmp':
      return comparison(x.l, x.op, x.r, q);
    case 'leaf':
      if (x.node.name === 'Static') {
        const v = staticValue(x.node, q);
        if (v.type === 'bool') return v.value ? MATCH_ALL : { op: 'none' };
      }
      break;
  }
  const t = text(x, q).trim();
  throw new TraceQLError(`${JSON.stringify(t)} is not a condition: compare it, e.g. \`${t} = "value"\``);
}

/** The field of a comparison's left side. */
function fieldOf(a: Ast, q: string): FieldRef | null {
  const x = unwrap(a);
  if (x.k !== 'leaf') return null;
  const node = x.node;
  if (node.name === 'IntrinsicField') {
    const t = q.slice(node.from, node.to);
    const name = INTRINSICS[t];
    if (!name) refuse(`the intrinsic \`${t}\``);
    return { scope: 'intrinsic', name };
  }
  if (node.name === 'AttributeField') {
    const c = kids(node);
    const ident = c.find((y) => y.name === 'Identifier');
    if (!ident) throw new TraceQLError(`cannot read the attribute ${JSON.stringify(q.slice(node.from, node.to))}`);
    const key = identifier(q.slice(ident.from, ident.to));
    const scopeNode = c.find((y) => y !== ident);
    if (!scopeNode) return { scope: 'any', key };
    if (scopeNode.name === 'Span') return { scope: 'span', key };
    if (scopeNode.name === 'Resource') return { scope: 'resource', key };
    refuse(`the \`${q.slice(scopeNode.from, scopeNode.to)}.\` scope`);
  }
  return null;
}

/** `service.name`, or a quoted key `"my key"`. */
function identifier(t: string): string {
  if (t.startsWith('"')) return stringLiteral(t);
  return t;
}

function stringLiteral(t: string): string {
  if (t.startsWith('`')) return t.slice(1, -1); // raw string
  try {
    const v: unknown = JSON.parse(t);
    if (typeof v === 'string') return v;
  } catch {
    // fall through
  }
  throw new TraceQLError(`cannot read the string ${t.slice(0, 40)}`);
}

function staticValue(n: SyntaxNode, q: string, negative = false): Literal {
  const c = kids(n);
  const t = q.slice(n.from, n.to).trim();
  if (c.length === 0) {
    if (t === 'true' || t === 'false') return { type: 'bool', value: t === 'true' };
    if (t === 'nil') return { type: 'nil' };
    return { type: 'keyword', value: t };
  }
  const [v] = c;
  const s = q.slice(v.from, v.to);
  switch (v.name) {
    case 'String':
      return { type: 'string', value: stringLiteral(s) };
    case 'Integer':
    case 'Float':
      return { type: 'number', value: (negative ? -1 : 1) * Number(s) };
    case 'Duration':
      if (negative) throw new TraceQLError(`a duration cannot be negative: -${s}`);
      return { type: 'duration', ns: parseDuration(s) };
    case 'TemplateVariable':
      return refuse(`the template variable ${s}`);
    default:
      throw new TraceQLError(`cannot read the value ${JSON.stringify(t)}`);
  }
}

/** The right side of a comparison: a literal, possibly negated (`-3`) or parenthesised. */
function literalOf(a: Ast, q: string, negative = false): Literal | null {
  if (a.k === 'paren') return literalOf(a.arg, q, negative);
  if (a.k === 'neg') return literalOf(a.arg, q, !negative);
  if (a.k === 'leaf' && a.node.name === 'Static') return staticValue(a.node, q, negative);
  return null;
}

function comparison(l: Ast, opText: string, r: Ast, q: string): SpanFilter {
  const field = fieldOf(l, q);
  if (!field) throw new TraceQLError(`the left side of ${opText} must be a field (\`name\`, \`span.http.route\`, …), got ${JSON.stringify(text(l, q).trim())}`);
  const value = literalOf(r, q);
  if (!value) throw new TraceQLError(`the right side of ${opText} must be a value, got ${JSON.stringify(text(r, q).trim())}`);
  const cmp = opText as CompareOp;
  if (!['=', '!=', '>', '>=', '<', '<=', '=~', '!~'].includes(cmp)) throw new TraceQLError(`unknown operator ${opText}`);
  checkTypes(field, cmp, value);
  return { op: 'compare', field, cmp, value };
}

const describe = (f: FieldRef) => (f.scope === 'intrinsic' ? f.name : `${f.scope === 'any' ? '' : f.scope}.${f.key}`);

function checkTypes(f: FieldRef, cmp: CompareOp, v: Literal): void {
  const regex = cmp === '=~' || cmp === '!~';
  const equality = cmp === '=' || cmp === '!=';
  const name = describe(f);
  if (f.scope === 'intrinsic') {
    switch (f.name) {
      case 'duration':
        if (v.type !== 'duration') throw new TraceQLError(`duration needs a duration literal like 250ms, got ${literalText(v)}`);
        if (regex) throw new TraceQLError(`duration cannot be matched with ${cmp}`);
        return;
      case 'kind':
      case 'status': {
        const value = v.type === 'keyword' || v.type === 'string' ? v.value : null;
        if (value === null || !ENUMS[f.name].includes(value)) throw new TraceQLError(`${f.name} must be one of ${ENUMS[f.name].join(', ')}`);
        if (!equality) throw new TraceQLError(`${f.name} can only be compared with = or !=`);
        return;
      }
      default:
        if (v.type !== 'string') throw new TraceQLError(`${name} needs a string value, got ${literalText(v)}`);
        if (!equality && !regex) throw new TraceQLError(`${name} can be compared with =, !=, =~ or !~`);
        if (regex) checkRegex(v.value);
        return;
    }
  }
  switch (v.type) {
    case 'string':
      if (!equality && !regex) throw new TraceQLError(`${name}: a string can be compared with =, !=, =~ or !~`);
      if (regex) checkRegex(v.value);
      return;
    case 'number':
      if (regex) throw new TraceQLError(`${name}: ${cmp} needs a string`);
      return;
    case 'bool':
    case 'nil':
      if (!equality) throw new TraceQLError(`${name}: ${literalText(v)} can only be compared with = or !=`);
      return;
    case 'keyword':
      throw new TraceQLError(`${name}: ${v.value} is not a value; quote strings ("${v.value}")`);
    case 'duration':
      throw new TraceQLError(`${name}: attributes hold no durations; compare a number`);
  }
}

function literalText(v: Literal): string {
  switch (v.type) {
    case 'string':
      return JSON.stringify(v.value);
    case 'duration':
      return `${v.ns}ns`;
    case 'nil':
      return 'nil';
    default:
      return String(v.value);
  }
}

/** RE2 and Postgres ARE differ in corners; reject what could not mean the same in both. */
function checkRegex(re: string): void {
  if (re.length > 500) throw new TraceQLError('regular expression longer than 500 characters');
  if (/\\[pPQEz]|\(\?[^:]/.test(re)) throw new TraceQLError(`the regular expression ${JSON.stringify(re)} uses syntax the embedded store does not run (\\p, \\Q, flags)`);
}

/** Tempo's tags-based search (`service.name="x" http.status_code=500`), logfmt; values compare as text. */
export function parseTags(tags: string): SpanFilter {
  const args: SpanFilter[] = [];
  const re = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/y;
  let last = 0;
  for (let m = re.exec(tags); m; m = re.exec(tags)) {
    last = re.lastIndex;
    const key = m[1];
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    const field: FieldRef = key === 'service.name' ? { scope: 'resource', key } : key === 'name' ? { scope: 'intrinsic', name: 'name' } : { scope: 'span', key };
    args.push({ op: 'compare', field, cmp: '=', value: { type: 'string', value }, loose: true });
  }
  if (tags.slice(last).trim()) throw new TraceQLError(`cannot read tags at ${JSON.stringify(tags.slice(last, last + 32))}`);
  return args.length === 0 ? MATCH_ALL : args.length === 1 ? args[0] : { op: 'and', args };
}

/** Both filters (for extra bounds such as Tempo's minDuration/maxDuration). */
export function andFilters(...fs: SpanFilter[]): SpanFilter {
  const args = fs.filter((f) => f.op !== 'all').flatMap((f) => (f.op === 'and' ? f.args : [f]));
  return args.length === 0 ? MATCH_ALL : args.length === 1 ? args[0] : { op: 'and', args };
}
