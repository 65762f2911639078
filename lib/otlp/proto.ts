// Protobuf message definitions for OTLP traces (opentelemetry-proto
// common/v1, resource/v1, trace/v1, collector/trace/v1) and Tempo's
// tempopb.Trace, written from the .proto field numbers as a protobufjs JSON
// descriptor so that no code generation step is needed.
import Long from 'long';
import protobuf from 'protobufjs';

// protobufjs finds `long` through a dynamic require that bundlers cannot see;
// without it 64-bit nanosecond timestamps would be decoded as lossy doubles.
protobuf.util.Long = Long as unknown as protobuf.Long['constructor'] & typeof protobuf.util.Long;
protobuf.configure();

type Fields = Record<string, { type: string; id: number; rule?: 'repeated' }>;
const msg = (fields: Fields, oneofs?: Record<string, { oneof: string[] }>) => ({ fields, ...(oneofs ? { oneofs } : {}) });

const KeyValue = { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } };

const descriptor = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: {
              nested: {
                v1: {
                  nested: {
                    AnyValue: msg(
                      {
                        stringValue: { type: 'string', id: 1 },
                        boolValue: { type: 'bool', id: 2 },
                        intValue: { type: 'int64', id: 3 },
                        doubleValue: { type: 'double', id: 4 },
                        arrayValue: { type: 'ArrayValue', id: 5 },
                        kvlistValue: { type: 'KeyValueList', id: 6 },
                        bytesValue: { type: 'bytes', id: 7 },
                      },
                      { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
                    ),
                    ArrayValue: msg({ values: { type: 'AnyValue', id: 1, rule: 'repeated' } }),
                    KeyValueList: msg({ values: { type: 'KeyValue', id: 1, rule: 'repeated' } }),
                    KeyValue: msg(KeyValue),
                    InstrumentationScope: msg({
                      name: { type: 'string', id: 1 },
                      version: { type: 'string', id: 2 },
                      attributes: { type: 'KeyValue', id: 3, rule: 'repeated' },
                      droppedAttributesCount: { type: 'uint32', id: 4 },
                    }),
                  },
                },
              },
            },
            resource: {
              nested: {
                v1: {
                  nested: {
                    Resource: msg({
                      attributes: { type: 'opentelemetry.proto.common.v1.KeyValue', id: 1, rule: 'repeated' },
                      droppedAttributesCount: { type: 'uint32', id: 2 },
                    }),
                  },
                },
              },
            },
            trace: {
              nested: {
                v1: {
                  nested: {
                    ResourceSpans: msg({
                      resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
                      scopeSpans: { type: 'ScopeSpans', id: 2, rule: 'repeated' },
                      schemaUrl: { type: 'string', id: 3 },
                      // Deprecated pre-1.0 name kept on a high number by the spec; same layout as ScopeSpans.
                      instrumentationLibrarySpans: { type: 'ScopeSpans', id: 1000, rule: 'repeated' },
                    }),
                    ScopeSpans: msg({
                      scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
                      spans: { type: 'Span', id: 2, rule: 'repeated' },
                      schemaUrl: { type: 'string', id: 3 },
                    }),
                    Span: msg({
                      traceId: { type: 'bytes', id: 1 },
                      spanId: { type: 'bytes', id: 2 },
                      traceState: { type: 'string', id: 3 },
                      parentSpanId: { type: 'bytes', id: 4 },
                      name: { type: 'string', id: 5 },
                      kind: { type: 'int32', id: 6 },
                      startTimeUnixNano: { type: 'fixed64', id: 7 },
                      endTimeUnixNano: { type: 'fixed64', id: 8 },
                      attributes: { type: 'opentelemetry.proto.common.v1.KeyValue', id: 9, rule: 'repeated' },
                      droppedAttributesCount: { type: 'uint32', id: 10 },
                      events: { type: 'Event', id: 11, rule: 'repeated' },
                      droppedEventsCount: { type: 'uint32', id: 12 },
                      links: { type: 'Link', id: 13, rule: 'repeated' },
                      droppedLinksCount: { type: 'uint32', id: 14 },
                      status: { type: 'Status', id: 15 },
                      flags: { type: 'fixed32', id: 16 },
                    }),
                    Event: msg({
                      timeUnixNano: { type: 'fixed64', id: 1 },
                      name: { type: 'string', id: 2 },
                      attributes: { type: 'opentelemetry.proto.common.v1.KeyValue', id: 3, rule: 'repeated' },
                      droppedAttributesCount: { type: 'uint32', id: 4 },
                    }),
                    Link: msg({
                      traceId: { type: 'bytes', id: 1 },
                      spanId: { type: 'bytes', id: 2 },
                      traceState: { type: 'string', id: 3 },
                      attributes: { type: 'opentelemetry.proto.common.v1.KeyValue', id: 4, rule: 'repeated' },
                      droppedAttributesCount: { type: 'uint32', id: 5 },
                      flags: { type: 'fixed32', id: 6 },
                    }),
                    // Field 1 is reserved in the spec (the old deprecated_code).
                    Status: msg({ message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } }),
                  },
                },
              },
            },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: msg({
                          resourceSpans: { type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1, rule: 'repeated' },
                        }),
                        ExportTraceServiceResponse: msg({ partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } }),
                        ExportTracePartialSuccess: msg({
                          rejectedSpans: { type: 'int64', id: 1 },
                          errorMessage: { type: 'string', id: 2 },
                        }),
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    google: {
      nested: {
        rpc: {
          nested: {
            // The error body an OTLP/HTTP server returns with a 4xx/5xx status.
            Status: msg({ code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } }),
          },
        },
      },
    },
    tempopb: {
      nested: {
        // What Tempo returns for GET /api/traces/<id> with Accept: application/protobuf.
        Trace: msg({ batches: { type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1, rule: 'repeated' } }),
        // GET /api/v2/traces/<id> with Accept: application/protobuf (pkg/tempopb/tempo.proto);
        // status is the PartialStatus enum (0 COMPLETE, 1 PARTIAL), metrics (field 2) are not read.
        TraceByIDResponse: msg({ trace: { type: 'tempopb.Trace', id: 1 }, status: { type: 'int32', id: 3 }, message: { type: 'string', id: 4 } }),
      },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);

export const ExportTraceServiceRequest = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
export const ExportTraceServiceResponse = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
export const TempoTrace = root.lookupType('tempopb.Trace');
export const TempoTraceByIdResponse = root.lookupType('tempopb.TraceByIDResponse');
export const RpcStatus = root.lookupType('google.rpc.Status');
