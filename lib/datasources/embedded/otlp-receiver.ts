// OTLP/HTTP trace receiver (POST /v1/traces), per the OTLP specification:
// protobuf (application/x-protobuf) or JSON (application/json) bodies,
// optionally gzip-encoded; the response uses the request's encoding; spans
// that decode but are invalid are reported in partial_success while the rest
// are stored; a body that cannot be decoded is a 400 with a google.rpc.Status
// naming the problem. Every accepted batch is redacted (lib/redaction) and
// stored in one statement, so it is stored whole or not at all.
import type pg from 'pg';
import {
  OtlpDecodeError,
  decodeExportTraceServiceRequest,
  decodeOtlpJsonText,
  encodeExportTraceServiceResponse,
  encodeRpcStatus,
  exportTraceServiceResponseJson,
  partialSuccess,
  type OtlpDecodeResult,
} from '@/lib/otlp';
import { BodyRefused, mediaType, readBody } from '@/lib/http/read-body';
import { decodeContentEncoding } from './content-encoding';
import { appMetrics } from '@/lib/app-metrics';
import { receiverRedaction } from '@/lib/redaction/policy';
import { redactSpans, type RedactionPolicy } from '@/lib/redaction/telemetry';
import { ingestRefusal } from '@/lib/security/ingest-access';
import { tenantOf } from '@/lib/security/ingest-auth';
import { insertSpans } from './spans';

export const OTLP_LIMITS = {
  /** bytes on the wire */
  maxBodyBytes: 16 << 20,
  /** bytes after gzip */
  maxDecodedBytes: 64 << 20,
};

type Encoding = 'protobuf' | 'json';

// google.rpc.Code values used in OTLP error bodies.
const RPC_INVALID_ARGUMENT = 3;
const RPC_RESOURCE_EXHAUSTED = 8;
const RPC_UNAVAILABLE = 14;
const RPC_UNAUTHENTICATED = 16;

function respond(enc: Encoding, status: number, body: { ok: Uint8Array | object } | { code: number; message: string }): Response {
  if ('ok' in body) {
    return enc === 'protobuf'
      ? new Response(body.ok as Uint8Array<ArrayBuffer>, { status, headers: { 'content-type': 'application/x-protobuf' } })
      : Response.json(body.ok, { status });
  }
  return enc === 'protobuf'
    ? new Response(encodeRpcStatus(body.code, body.message) as Uint8Array<ArrayBuffer>, { status, headers: { 'content-type': 'application/x-protobuf' } })
    : Response.json({ code: body.code, message: body.message }, { status });
}

/** Decodes an OTLP trace export body (already un-gzipped) by its media type. */
export function decodeTraceExport(body: Uint8Array, type: string): OtlpDecodeResult {
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return decodeExportTraceServiceRequest(body);
  if (type === 'application/json') return decodeOtlpJsonText(body);
  throw new BodyRefused(415, `unsupported Content-Type ${JSON.stringify(type)}: use application/x-protobuf or application/json`);
}

/**
 * Handles one POST /v1/traces request against `db`; `redaction: null` stores spans as received (the
 * ingest bench's reference). 200 means stored durably: the app's connections commit with
 * synchronous_commit=on (lib/db durableUrl), and concurrent requests share WAL flushes in Postgres.
 */
export async function receiveOtlpTraces(req: Request, db: Pick<pg.Pool, 'query'>, opts: { redaction?: RedactionPolicy | null } = {}): Promise<Response> {
  const type = mediaType(req.headers.get('content-type'));
  const enc: Encoding = type === 'application/json' ? 'json' : 'protobuf';
  const refused = await ingestRefusal(req);
  if (refused) return respond(enc, refused.status, { code: refused.status === 401 ? RPC_UNAUTHENTICATED : RPC_INVALID_ARGUMENT, message: refused.message });
  const tenant = tenantOf(req.headers);
  if (typeof tenant !== 'string') return respond(enc, tenant.status, { code: RPC_INVALID_ARGUMENT, message: tenant.message });
  let decoded: OtlpDecodeResult;
  try {
    const raw = await readBody(req, OTLP_LIMITS.maxBodyBytes);
    const body = decodeContentEncoding(raw, req.headers.get('content-encoding'), OTLP_LIMITS.maxDecodedBytes);
    decoded = decodeTraceExport(body, type);
  } catch (e) {
    if (e instanceof BodyRefused) {
      return respond(enc, e.status, { code: e.status === 413 ? RPC_RESOURCE_EXHAUSTED : RPC_INVALID_ARGUMENT, message: e.message });
    }
    if (e instanceof OtlpDecodeError) return respond(enc, 400, { code: RPC_INVALID_ARGUMENT, message: e.message });
    throw e;
  }
  try {
    const redaction = opts.redaction === undefined ? receiverRedaction() : opts.redaction;
    await insertSpans(db, redaction ? redactSpans(decoded.spans, redaction) : decoded.spans, { tenant });
  } catch (e) {
    // 503 is retryable for OTLP exporters: the batch was not stored and may be sent again.
    return respond(enc, 503, { code: RPC_UNAVAILABLE, message: `could not store spans: ${(e as Error).message}` });
  }
  appMetrics().ingested.inc({ signal: 'spans', outcome: 'stored' }, decoded.spans.length);
  const ps = partialSuccess(decoded);
  return respond(enc, 200, { ok: enc === 'protobuf' ? encodeExportTraceServiceResponse(ps) : exportTraceServiceResponseJson(ps) });
}
