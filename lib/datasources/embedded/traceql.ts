// The TraceQL the embedded trace store understands: one span set of
// conditions joined by `&&`, e.g. what lib/correlate's bucketTraceQL writes:
//   { resource.service.name = "sandbox" && kind = server && duration > 250ms && duration <= 500ms }
// Anything else (`||`, pipelines, structural operators, aggregates) is refused
// with a message naming the part, instead of being half-understood. Pure.

export type Scalar = string | number | boolean;

export interface SpanConditions {
  service?: string;
  name?: string;
  kind?: string;
  status?: string;
  /** span duration bounds in ns; `Gt` bounds are exclusive, `Lte` inclusive etc. */
  minDurationNs?: bigint;
  minInclusive?: boolean;
  maxDurationNs?: bigint;
  maxInclusive?: boolean;
  /** span attribute equality */
  attributes: Record<string, Scalar>;
  /** resource attribute equality */
  resourceAttributes: Record<string, Scalar>;
}

export class TraceQLError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceQLError';
  }
}

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

type Token = { t: 'ident' | 'op' | 'str' | 'num' | 'dur' | 'punct'; v: string };

function tokenize(q: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '{' || c === '}') {
      out.push({ t: 'punct', v: c });
      i++;
      continue;
    }
    if (c === '"' || c === '`') {
      let j = i + 1;
      let v = '';
      while (j < q.length && q[j] !== c) {
        if (q[j] === '\\' && c === '"' && j + 1 < q.length) {
          v += q[j + 1];
          j += 2;
        } else v += q[j++];
      }
      if (j >= q.length) throw new TraceQLError('unterminated string');
      out.push({ t: 'str', v });
      i = j + 1;
      continue;
    }
    const op = /^(&&|\|\||!=|>=|<=|=~|!~|=|>|<|\||!)/.exec(q.slice(i));
    if (op) {
      out.push({ t: 'op', v: op[1] });
      i += op[1].length;
      continue;
    }
    const dur = /^-?\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h)\b/.exec(q.slice(i));
    if (dur) {
      out.push({ t: 'dur', v: dur[0] });
      i += dur[0].length;
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/.exec(q.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_.][A-Za-z0-9_.:/-]*/.exec(q.slice(i));
    if (id) {
      out.push({ t: 'ident', v: id[0] });
      i += id[0].length;
      continue;
    }
    throw new TraceQLError(`unexpected ${JSON.stringify(c)} at ${i}: the embedded store supports one span set, \`{ a = 1 && b > 2ms }\``);
  }
  return out;
}

const INTRINSIC_ENUM: Record<string, string[]> = {
  kind: ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'],
  status: ['unset', 'ok', 'error'],
};

/** Parses the supported subset; `{}` (or an empty string) matches every span. */
export function parseTraceQL(q: string): SpanConditions {
  const out: SpanConditions = { attributes: {}, resourceAttributes: {} };
  const toks = tokenize(q);
  if (toks.length === 0) return out;
  if (toks[0].v !== '{' || toks[toks.length - 1].v !== '}') throw new TraceQLError('the embedded store supports one span set: `{ … && … }`');
  const body = toks.slice(1, -1);
  if (body.some((t) => t.t === 'punct')) throw new TraceQLError('the embedded store supports one span set, without structural or pipeline operators');
  let i = 0;
  while (i < body.length) {
    const [lhs, op, rhs] = [body[i], body[i + 1], body[i + 2]];
    if (!lhs || !op || !rhs || lhs.t !== 'ident' || op.t !== 'op') throw new TraceQLError(`expected \`field op value\` at ${JSON.stringify(body.slice(i, i + 3).map((t) => t.v).join(' '))}`);
    condition(out, lhs.v, op.v, rhs);
    i += 3;
    if (i < body.length) {
      if (body[i].v !== '&&') throw new TraceQLError(`the embedded store joins conditions with && only, got ${JSON.stringify(body[i].v)}`);
      i++;
      if (i >= body.length) throw new TraceQLError('dangling &&');
    }
  }
  return out;
}

function scalar(tok: Token): Scalar {
  if (tok.t === 'str') return tok.v;
  if (tok.t === 'num') return Number(tok.v);
  if (tok.t === 'ident' && (tok.v === 'true' || tok.v === 'false')) return tok.v === 'true';
  throw new TraceQLError(`expected a value, got ${JSON.stringify(tok.v)}`);
}

function condition(out: SpanConditions, field: string, op: string, rhs: Token): void {
  if (field === 'duration' || field === 'span:duration') {
    if (rhs.t !== 'dur') throw new TraceQLError(`duration needs a duration literal like 250ms, got ${JSON.stringify(rhs.v)}`);
    const ns = parseDuration(rhs.v);
    if (op === '>' || op === '>=') {
      out.minDurationNs = ns;
      out.minInclusive = op === '>=';
    } else if (op === '<' || op === '<=') {
      out.maxDurationNs = ns;
      out.maxInclusive = op === '<=';
    } else if (op === '=') {
      out.minDurationNs = out.maxDurationNs = ns;
      out.minInclusive = out.maxInclusive = true;
    } else throw new TraceQLError(`duration ${op} is not supported`);
    return;
  }
  if (op !== '=') throw new TraceQLError(`only = is supported for ${field} by the embedded store`);
  const intrinsic = field.replace(/^span:/, '');
  if (intrinsic === 'name') {
    out.name = String(scalar(rhs));
    return;
  }
  if (intrinsic === 'kind' || intrinsic === 'status') {
    const v = rhs.t === 'ident' || rhs.t === 'str' ? rhs.v : '';
    if (!INTRINSIC_ENUM[intrinsic].includes(v)) throw new TraceQLError(`${intrinsic} must be one of ${INTRINSIC_ENUM[intrinsic].join(', ')}`);
    out[intrinsic] = v;
    return;
  }
  if (field === 'resource.service.name') {
    out.service = String(scalar(rhs));
    return;
  }
  if (field.startsWith('resource.')) {
    out.resourceAttributes[field.slice('resource.'.length)] = scalar(rhs);
    return;
  }
  if (field.startsWith('span.')) {
    out.attributes[field.slice('span.'.length)] = scalar(rhs);
    return;
  }
  // TraceQL's unscoped `.attr` means span or resource; the store checks span attributes.
  if (field.startsWith('.') && field.length > 1) {
    if (field === '.service.name') out.service = String(scalar(rhs));
    else out.attributes[field.slice(1)] = scalar(rhs);
    return;
  }
  throw new TraceQLError(`unsupported field ${JSON.stringify(field)}`);
}

/** Tempo's tags-based search (`service.name="x" http.status_code=500`), logfmt. */
export function parseTags(tags: string): SpanConditions {
  const out: SpanConditions = { attributes: {}, resourceAttributes: {} };
  const re = /\s*([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))/y;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(tags))) {
    last = re.lastIndex;
    const key = m[1];
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    if (key === 'service.name') out.service = value;
    else if (key === 'name') out.name = value;
    else out.attributes[key] = value;
  }
  if (tags.slice(last).trim()) throw new TraceQLError(`cannot read tags at ${JSON.stringify(tags.slice(last, last + 32))}`);
  return out;
}
