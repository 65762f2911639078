import http from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

// A scrape target serving native histograms, which Prometheus reads only from
// the protobuf exposition format (prom-client has no native histograms). The
// messages are io.prometheus.client's metrics.proto, written from its field
// numbers as a protobufjs descriptor (only the fields used here).

const root = protobuf.Root.fromJSON({
  nested: {
    io: {
      nested: {
        prometheus: {
          nested: {
            client: {
              nested: {
                LabelPair: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
                BucketSpan: { fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } } },
                Histogram: {
                  fields: {
                    sampleCount: { type: 'uint64', id: 1 },
                    sampleSum: { type: 'double', id: 2 },
                    schema: { type: 'sint32', id: 5 },
                    zeroThreshold: { type: 'double', id: 6 },
                    zeroCount: { type: 'uint64', id: 7 },
                    positiveSpan: { rule: 'repeated', type: 'BucketSpan', id: 12 },
                    positiveDelta: { rule: 'repeated', type: 'sint64', id: 13 },
                  },
                },
                Metric: { fields: { label: { rule: 'repeated', type: 'LabelPair', id: 1 }, histogram: { type: 'Histogram', id: 7 } } },
                MetricFamily: {
                  fields: {
                    name: { type: 'string', id: 1 },
                    help: { type: 'string', id: 2 },
                    type: { type: 'int32', id: 3 },
                    metric: { rule: 'repeated', type: 'Metric', id: 4 },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
});
const MetricFamily = root.lookupType('io.prometheus.client.MetricFamily');
const HISTOGRAM = 4; // MetricType.HISTOGRAM
const CONTENT_TYPE = 'application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited';

export interface NativeHistogramSpec {
  name: string;
  help: string;
  labels: Record<string, string>;
  /** bucket i of schema 0 holds (2^(i-1), 2^i] */
  positiveBuckets: Map<number, number>;
  zeroThreshold: number;
  zeroCount: number;
  sum: number;
}

/** Sparse buckets → spans (runs of consecutive indices) and count deltas, as the exposition encodes them. */
function spansAndDeltas(buckets: Map<number, number>): { spans: { offset: number; length: number }[]; deltas: number[] } {
  const idx = [...buckets.keys()].sort((a, b) => a - b);
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let prevIdx: number | undefined;
  let prevCount = 0;
  for (const i of idx) {
    if (prevIdx !== undefined && i === prevIdx + 1) spans[spans.length - 1].length++;
    else spans.push({ offset: prevIdx === undefined ? i : i - prevIdx - 1, length: 1 });
    deltas.push(buckets.get(i)! - prevCount);
    prevCount = buckets.get(i)!;
    prevIdx = i;
  }
  return { spans, deltas };
}

function encode(spec: NativeHistogramSpec): Uint8Array {
  const { spans, deltas } = spansAndDeltas(spec.positiveBuckets);
  const count = [...spec.positiveBuckets.values()].reduce((a, b) => a + b, spec.zeroCount);
  return MetricFamily.encodeDelimited(
    MetricFamily.fromObject({
      name: spec.name,
      help: spec.help,
      type: HISTOGRAM,
      metric: [
        {
          label: Object.entries(spec.labels).map(([name, value]) => ({ name, value })),
          histogram: { sampleCount: count, sampleSum: spec.sum, schema: 0, zeroThreshold: spec.zeroThreshold, zeroCount: spec.zeroCount, positiveSpan: spans, positiveDelta: deltas },
        },
      ],
    }),
  ).finish();
}

/** Serves `spec`; `update()` replaces what the next scrape sees (a histogram that grows). */
export async function startNativeHistogramExporter(spec: NativeHistogramSpec): Promise<{ host: string; update(next: NativeHistogramSpec): void; stop(): Promise<void> }> {
  let body = encode(spec);
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    update: (next) => {
      body = encode(next);
    },
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
