// OTLP traces → our Span model. One walk serves both wire forms: objects
// decoded by protobufjs (ids as bytes, 64-bit ints as Long) and OTLP JSON
// (ids hex — or base64 from older Tempo —, 64-bit ints as strings, enums as
// numbers or names). Pure: no I/O.
import type { AttrValue, Attributes, Span, SpanEvent, SpanKind, SpanLink, SpanStatus } from '@/lib/model/types';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus, TempoTrace, TempoTraceByIdResponse } from './proto';

/** The input cannot be read as OTLP at all (the receiver answers 400 with `message`). */
export class OtlpDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OtlpDecodeError';
  }
}

export interface OtlpDecodeResult {
  spans: Span[];
  /** Spans that were well-formed protobuf/JSON but invalid (bad ids, times): OTLP partial success. */
  rejectedSpans: number;
  /** The first few reasons, `path: problem`, for partial_success.error_message. */
  errors: string[];
  /** What was dropped from kept spans (links with unreadable ids, when reading), `path: problem (…)` */
  warnings: string[];
}

/**
 * How to treat a span whose link has an unreadable id: a receiver rejects the
 * span (reported as an OTLP partial success); a reader of a stored trace
 * keeps the span, drops the link and says so in `warnings`.
 */
export interface DecodeOptions {
  badLinks?: 'reject-span' | 'drop-link';
  /**
   * JSON with neither `resourceSpans` nor `batches` but other keys: a receiver
   * ignores unknown fields as OTLP requires (an empty export); a reader of a
   * trace refuses it by name rather than show an empty trace.
   */
  refuseUnknownShape?: boolean;
}

const MAX_REPORTED_ERRORS = 5;
const SPAN_KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES: SpanStatus[] = ['unset', 'ok', 'error'];

/** An error in one span: the span is rejected, its siblings are kept. */
class SpanError extends Error {}

type Loose = Record<string, unknown>;

const isObj = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

function list(v: unknown, path: string, Err: new (m: string) => Error): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new Err(`${path}: expected an array`);
  return v;
}

function obj(v: unknown, path: string, Err: new (m: string) => Error): Loose | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new Err(`${path}: expected an object`);
  return v;
}

/**
 * Makes a string safe for any consumer, Postgres included: NUL is not
 * allowed in Postgres text/jsonb and lone surrogates (from invalid UTF-8 or
 * broken JSON escapes) are not valid Unicode. Both become U+FFFD.
 */
export function cleanString(s: string): string {
  if (s.indexOf('\u0000') >= 0) s = s.replaceAll('\u0000', '\uFFFD');
  const w = s as unknown as WellFormed;
  return w.isWellFormed() ? s : w.toWellFormed();
}

/** ES2024 string methods (Node ≥ 20); our TypeScript lib target is ES2023. */
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

function str(v: unknown, path: string, Err: new (m: string) => Error): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new Err(`${path}: expected a string`);
  return cleanString(v);
}

const HEX = /^[0-9a-fA-F]*$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/**
 * Normalises an id to lower-case hex of `bytes` bytes. Accepts hex (also
 * with leading zeros dropped, as Tempo prints them) and base64 (older Tempo
 * JSON). An all-hex string is read as hex: base64 of 8 or 16 bytes carries
 * `=` padding, so the two forms Tempo emits cannot be confused.
 * Returns '' for an empty id.
 */
export function normalizeId(s: string, bytes: 8 | 16): string {
  const hexLen = bytes * 2;
  if (s === '') return '';
  if (HEX.test(s) && s.length <= hexLen) return s.toLowerCase().padStart(hexLen, '0');
  if (BASE64.test(s)) {
    const buf = Buffer.from(s, 'base64');
    if (buf.length === bytes) return buf.toString('hex');
  }
  throw new Error(`expected ${bytes} bytes as hex or base64, got ${JSON.stringify(s.slice(0, 48))}`);
}

/** 32 lower-case hex chars (left-pads ids whose leading zeros were dropped). */
export const normalizeTraceId = (s: string) => normalizeId(s, 16);
/** 16 lower-case hex chars. */
export const normalizeSpanId = (s: string) => normalizeId(s, 8);

function id(v: unknown, bytes: 8 | 16, path: string): string {
  // protobufjs leaves an absent bytes field at its default, a shared empty array.
  if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) return '';
  if (v instanceof Uint8Array) {
    if (v.length === 0) return '';
    if (v.length !== bytes) throw new SpanError(`${path}: expected ${bytes} bytes, got ${v.length}`);
    return Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
  }
  if (typeof v !== 'string') throw new SpanError(`${path}: expected a hex or base64 string`);
  try {
    return normalizeId(v, bytes);
  } catch (e) {
    throw new SpanError(`${path}: ${(e as Error).message}`);
  }
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/** protobufjs Long, or the {low, high} pairs older OTel JS exporters wrote into JSON. */
interface LongBits {
  low: number;
  high: number;
}
const isLongBits = (v: unknown): v is LongBits => isObj(v) && typeof v.low === 'number' && typeof v.high === 'number';

const INT64_MAX = 2n ** 63n - 1n;

/** A timestamp in ns: unsigned 64-bit on the wire, but beyond int64 (year 2262) it is no real time and no store can hold it. */
function timeNanos(v: unknown, path: string): bigint {
  const t = uint64(v, path);
  if (t > INT64_MAX) throw new SpanError(`${path}: ${t} is beyond any real time`);
  return t;
}

function uint64(v: unknown, path: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'string') {
    if (!/^\d{1,20}$/.test(v)) throw new SpanError(`${path}: expected an unsigned integer string`);
    return BigInt(v);
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new SpanError(`${path}: expected an unsigned integer`);
    return BigInt(Math.trunc(v));
  }
  if (isLongBits(v)) return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  throw new SpanError(`${path}: expected an unsigned integer`);
}

/** int64 attribute: a number when exact, otherwise its decimal string. */
function int64(v: unknown, path: string): number | string {
  let b: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) b = BigInt(v);
  else if (isLongBits(v)) b = BigInt.asIntN(64, (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0));
  else throw new SpanError(`${path}: expected an integer`);
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString();
}

function enumValue<T>(v: unknown, names: T[], prefix: string, path: string): T {
  if (v === undefined || v === null) return names[0];
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v < names.length ? names[v] : names[0];
  if (typeof v === 'string') {
    const name = v.startsWith(prefix) ? v.slice(prefix.length).toLowerCase() : v.toLowerCase();
    const i = names.indexOf(name as T);
    if (i >= 0) return names[i];
    if (/^\d+$/.test(v)) return enumValue(Number(v), names, prefix, path);
  }
  throw new SpanError(`${path}: unknown value ${JSON.stringify(v)}`);
}

const has = (o: Loose, k: string) => Object.hasOwn(o, k) && o[k] !== undefined && o[k] !== null;

function anyValue(v: unknown, path: string, depth: number): AttrValue {
  const o = obj(v, path, SpanError);
  if (!o) return null;
  // Nested arrays/kvlists are bounded so that a hostile body cannot blow the stack.
  if (depth > 32) throw new SpanError(`${path}: nested too deeply`);
  if (has(o, 'stringValue')) return str(o.stringValue, `${path}.stringValue`, SpanError);
  if (has(o, 'boolValue')) {
    if (typeof o.boolValue !== 'boolean') throw new SpanError(`${path}.boolValue: expected a boolean`);
    return o.boolValue;
  }
  if (has(o, 'intValue')) return int64(o.intValue, `${path}.intValue`);
  if (has(o, 'doubleValue')) {
    const d = o.doubleValue;
    if (typeof d === 'number') return Number.isFinite(d) ? d : String(d);
    // proto3 JSON spells non-finite doubles as strings; JSON (and jsonb) cannot hold them as numbers.
    if (typeof d === 'string' && /^(NaN|-?Infinity)$/.test(d)) return d;
    if (typeof d === 'string' && d.trim() !== '' && Number.isFinite(Number(d))) return Number(d);
    throw new SpanError(`${path}.doubleValue: expected a number`);
  }
  if (has(o, 'arrayValue')) {
    const a = obj(o.arrayValue, `${path}.arrayValue`, SpanError);
    return list(a?.values, `${path}.arrayValue.values`, SpanError).map((x, i) => anyValue(x, `${path}.arrayValue.values[${i}]`, depth + 1));
  }
  if (has(o, 'kvlistValue')) {
    const kv = obj(o.kvlistValue, `${path}.kvlistValue`, SpanError);
    return keyValues(kv?.values, `${path}.kvlistValue.values`, SpanError, depth + 1);
  }
  if (has(o, 'bytesValue')) {
    const b = o.bytesValue;
    if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64');
    if (typeof b === 'string' && BASE64.test(b)) return b;
    throw new SpanError(`${path}.bytesValue: expected base64`);
  }
  return null;
}

function keyValues(v: unknown, path: string, Err: new (m: string) => Error, depth = 0): Attributes {
  const out: Attributes = {};
  const items = list(v, path, Err);
  for (let i = 0; i < items.length; i++) {
    const kv = obj(items[i], `${path}[${i}]`, Err);
    if (!kv) continue;
    const key = str(kv.key, `${path}[${i}].key`, Err);
    try {
      out[key] = anyValue(kv.value, `${path}[${i}].value`, depth);
    } catch (e) {
      // Outside a span (resource, scope) an unreadable attribute fails the request.
      if (Err !== SpanError && e instanceof SpanError) throw new Err(e.message);
      throw e;
    }
  }
  return out;
}

function span(s: Loose, path: string, service: string, resourceAttributes: Attributes, opts: DecodeOptions, warnings: string[]): Span {
  const traceId = id(s.traceId, 16, `${path}.traceId`);
  const spanId = id(s.spanId, 8, `${path}.spanId`);
  // The spec calls all-zero ids invalid; such a span could never be looked up.
  if (traceId === '' || traceId === ZERO_TRACE) throw new SpanError(`${path}.traceId: missing or all zero`);
  if (spanId === '' || spanId === ZERO_SPAN) throw new SpanError(`${path}.spanId: missing or all zero`);
  const parentSpanId = id(s.parentSpanId, 8, `${path}.parentSpanId`);
  const startTimeUnixNano = timeNanos(s.startTimeUnixNano, `${path}.startTimeUnixNano`);
  const endTimeUnixNano = timeNanos(s.endTimeUnixNano, `${path}.endTimeUnixNano`);
  const status = obj(s.status, `${path}.status`, SpanError);
  const statusMessage = status ? str(status.message, `${path}.status.message`, SpanError) : '';
  const events: SpanEvent[] = list(s.events, `${path}.events`, SpanError).map((ev, i) => {
    const e = obj(ev, `${path}.events[${i}]`, SpanError) ?? {};
    return {
      name: str(e.name, `${path}.events[${i}].name`, SpanError),
      timeUnixNano: timeNanos(e.timeUnixNano, `${path}.events[${i}].timeUnixNano`),
      attributes: keyValues(e.attributes, `${path}.events[${i}].attributes`, SpanError),
    };
  });
  const links: SpanLink[] = [];
  list(s.links, `${path}.links`, SpanError).forEach((lv, i) => {
    try {
      const l = obj(lv, `${path}.links[${i}]`, SpanError) ?? {};
      links.push({
        traceId: id(l.traceId, 16, `${path}.links[${i}].traceId`),
        spanId: id(l.spanId, 8, `${path}.links[${i}].spanId`),
        attributes: keyValues(l.attributes, `${path}.links[${i}].attributes`, SpanError),
      });
    } catch (e) {
      if (!(e instanceof SpanError) || opts.badLinks !== 'drop-link') throw e;
      if (warnings.length < MAX_REPORTED_ERRORS) warnings.push(`${e.message} (link dropped, span kept)`);
    }
  });
  const out: Span = {
    traceId,
    spanId,
    service,
    name: str(s.name, `${path}.name`, SpanError),
    kind: enumValue(s.kind, SPAN_KINDS, 'SPAN_KIND_', `${path}.kind`),
    startTimeUnixNano,
    endTimeUnixNano,
    status: enumValue(status?.code, STATUS_CODES, 'STATUS_CODE_', `${path}.status.code`),
    attributes: keyValues(s.attributes, `${path}.attributes`, SpanError),
    resourceAttributes,
    events,
    links,
  };
  if (parentSpanId && parentSpanId !== ZERO_SPAN) out.parentSpanId = parentSpanId;
  if (statusMessage) out.statusMessage = statusMessage;
  return out;
}

/** Walks ResourceSpans (protobufjs-decoded or JSON) into spans; `key` names the list in error paths. */
function walk(resourceSpans: unknown, key: string, opts: DecodeOptions = {}): OtlpDecodeResult {
  const result: OtlpDecodeResult = { spans: [], rejectedSpans: 0, errors: [], warnings: [] };
  const rsList = list(resourceSpans, key, OtlpDecodeError);
  for (let r = 0; r < rsList.length; r++) {
    const rpath = `${key}[${r}]`;
    const rs = obj(rsList[r], rpath, OtlpDecodeError);
    if (!rs) continue;
    const resource = obj(rs.resource, `${rpath}.resource`, OtlpDecodeError);
    const resourceAttributes = keyValues(resource?.attributes, `${rpath}.resource.attributes`, OtlpDecodeError);
    const svc = resourceAttributes['service.name'];
    // The resource semantic conventions' fallback when a service sets no name.
    const service = typeof svc === 'string' && svc !== '' ? svc : 'unknown_service';
    // Pre-1.0 OTLP (and 2021 Tempo) called scopeSpans instrumentationLibrarySpans.
    for (const scopeKey of ['scopeSpans', 'instrumentationLibrarySpans']) {
      const ssList = list(rs[scopeKey], `${rpath}.${scopeKey}`, OtlpDecodeError);
      for (let s = 0; s < ssList.length; s++) {
        const spath = `${rpath}.${scopeKey}[${s}]`;
        const ss = obj(ssList[s], spath, OtlpDecodeError);
        if (!ss) continue;
        const spans = list(ss.spans, `${spath}.spans`, OtlpDecodeError);
        for (let i = 0; i < spans.length; i++) {
          const p = `${spath}.spans[${i}]`;
          try {
            const so = obj(spans[i], p, SpanError);
            if (so) result.spans.push(span(so, p, service, resourceAttributes, opts, result.warnings));
          } catch (e) {
            if (!(e instanceof SpanError)) throw e;
            result.rejectedSpans++;
            if (result.errors.length < MAX_REPORTED_ERRORS) result.errors.push(e.message);
          }
        }
      }
    }
  }
  return result;
}

function decodeProto<T>(type: { decode(b: Uint8Array): T }, bytes: Uint8Array, what: string): T {
  try {
    return type.decode(bytes);
  } catch (e) {
    throw new OtlpDecodeError(`malformed ${what} protobuf: ${(e as Error).message}`);
  }
}

/** Decodes an OTLP/HTTP protobuf body (opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest). */
export function decodeExportTraceServiceRequest(bytes: Uint8Array): OtlpDecodeResult {
  const req = decodeProto(ExportTraceServiceRequest, bytes, 'ExportTraceServiceRequest') as unknown as Loose;
  return walk(req.resourceSpans, 'resourceSpans');
}

/** Decodes Tempo's tempopb.Trace protobuf (GET /api/traces/<id> with Accept: application/protobuf). */
export function decodeTempoTraceProto(bytes: Uint8Array, opts: DecodeOptions = {}): OtlpDecodeResult {
  const t = decodeProto(TempoTrace, bytes, 'tempopb.Trace') as unknown as Loose;
  return walk(t.batches, 'batches', opts);
}

/**
 * Decodes Tempo's tempopb.TraceByIDResponse protobuf (GET /api/v2/traces/<id>
 * with Accept: application/protobuf): the trace, and whether Tempo cut it short.
 */
export function decodeTempoTraceByIdProto(bytes: Uint8Array, opts: DecodeOptions = {}): OtlpDecodeResult & { partial: boolean; message: string } {
  const r = decodeProto(TempoTraceByIdResponse, bytes, 'tempopb.TraceByIDResponse') as unknown as Loose;
  const trace = obj(r.trace, 'trace', OtlpDecodeError);
  return { ...walk(trace?.batches, 'trace.batches', opts), partial: r.status === 1, message: typeof r.message === 'string' ? r.message : '' };
}

/** snake_case → lowerCamelCase (proto3 JSON's field names). */
const camel = (k: string) => k.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Whether a JSON value spells OTLP's fields by their proto names (`resource_spans`, `trace_id`, …) somewhere near the top. */
function hasProtoNames(v: unknown, depth = 0): boolean {
  if (depth > 6) return false;
  if (Array.isArray(v)) return v.length > 0 && hasProtoNames(v[0], depth + 1);
  if (!isObj(v)) return false;
  for (const k in v) if (/_[a-z]/.test(k) || hasProtoNames(v[k], depth + 1)) return true;
  return false;
}

/**
 * proto3 JSON parsers must accept the proto field names as well as the
 * lowerCamelCase ones (Go's jsonpb with OrigName, several Grafana test files
 * write them): rename every object key. Safe for OTLP, whose user data
 * (attribute names) are values of `key`, never object keys.
 */
function camelKeys(v: unknown, depth = 0): unknown {
  if (depth > 64) throw new OtlpDecodeError('(body): nested too deeply');
  if (Array.isArray(v)) return v.map((x) => camelKeys(x, depth + 1));
  if (!isObj(v)) return v;
  const out: Loose = {};
  for (const k in v) out[camel(k)] = camelKeys(v[k], depth + 1);
  return out;
}

/**
 * Reads an already-parsed OTLP JSON traces object: an ExportTraceServiceRequest
 * (`resourceSpans`) or Tempo's v1 trace body (`resourceSpans`, or `batches`
 * in older releases), with lowerCamelCase or proto (snake_case) field names.
 * Tempo's v2 `{trace: …}` wrapper is the caller's to unwrap.
 */
export function decodeOtlpJson(body: unknown, opts: DecodeOptions = {}): OtlpDecodeResult {
  if (!isObj(body)) throw new OtlpDecodeError('(body): expected a JSON object');
  const o = hasProtoNames(body) ? (camelKeys(body) as Loose) : body;
  if (has(o, 'resourceSpans')) return walk(o.resourceSpans, 'resourceSpans', opts);
  if (has(o, 'batches')) return walk(o.batches, 'batches', opts);
  const keys = Object.keys(o);
  if (opts.refuseUnknownShape && keys.length) throw new OtlpDecodeError(`(body): expected resourceSpans (or resource_spans, or Tempo's batches), found ${keys.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}`);
  // An empty export (`{}`, or only fields this reader does not know) is valid OTLP: nothing to store.
  return { spans: [], rejectedSpans: 0, errors: [], warnings: [] };
}

/** Parses and decodes an OTLP JSON body given as text or bytes. */
export function decodeOtlpJsonText(text: string | Uint8Array): OtlpDecodeResult {
  const s = typeof text === 'string' ? text : new TextDecoder().decode(text);
  let body: unknown;
  try {
    body = JSON.parse(s);
  } catch (e) {
    throw new OtlpDecodeError(`malformed JSON: ${(e as Error).message}`);
  }
  return decodeOtlpJson(body);
}

export interface PartialSuccess {
  rejectedSpans: number;
  errorMessage: string;
}

/** partial_success for an export response; per the spec it is left out when nothing was rejected. */
export function partialSuccess(r: Pick<OtlpDecodeResult, 'rejectedSpans' | 'errors'>): PartialSuccess | undefined {
  if (r.rejectedSpans === 0) return undefined;
  const more = r.rejectedSpans > r.errors.length ? ` (and ${r.rejectedSpans - r.errors.length} more)` : '';
  return { rejectedSpans: r.rejectedSpans, errorMessage: r.errors.join('; ') + more };
}

/** ExportTraceServiceResponse as protobuf bytes. */
export function encodeExportTraceServiceResponse(p?: PartialSuccess): Uint8Array {
  return ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(p ? { partialSuccess: p } : {})).finish();
}

/** ExportTraceServiceResponse as OTLP JSON (int64 as a string, per proto3 JSON). */
export function exportTraceServiceResponseJson(p?: PartialSuccess): Record<string, unknown> {
  return p ? { partialSuccess: { rejectedSpans: String(p.rejectedSpans), errorMessage: p.errorMessage } } : {};
}

/** google.rpc.Status as protobuf bytes: the OTLP/HTTP error body (code 3 = INVALID_ARGUMENT). */
export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish();
}
