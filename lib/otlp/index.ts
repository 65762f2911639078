// OTLP trace decoding shared by the embedded receiver (app/v1/traces) and the
// Tempo client (trace by id in JSON or tempopb protobuf).
export {
  OtlpDecodeError,
  cleanString,
  decodeExportTraceServiceRequest,
  decodeOtlpJson,
  decodeOtlpJsonText,
  decodeTempoTraceProto,
  encodeExportTraceServiceResponse,
  encodeRpcStatus,
  exportTraceServiceResponseJson,
  normalizeId,
  normalizeSpanId,
  normalizeTraceId,
  partialSuccess,
} from './decode';
export type { OtlpDecodeResult, PartialSuccess } from './decode';
