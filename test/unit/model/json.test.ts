import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeHistogram, decodeTrace, decodeTraceSummaries, encodeHistogram, encodeTrace, encodeTraceSummaries } from '../../../lib/model/json';
import type { HistogramSeries, Trace } from '../../../lib/model/types';

test('a trace survives JSON with its nanosecond times exact', () => {
  const t: Trace = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spans: [
      {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: 'b7ad6b7169203331',
        service: 'trisight-sandbox',
        name: 'text_completion tiny',
        kind: 'server',
        startTimeUnixNano: 1763791200123456789n, // beyond 2^53: a number would round it
        endTimeUnixNano: 1763791200987654321n,
        status: 'ok',
        attributes: { 'gen_ai.usage.output_tokens': 32, 'x': '<img src=x>' },
        resourceAttributes: {},
        events: [{ name: 'first_token', timeUnixNano: 1763791200200000001n, attributes: {} }],
        links: [],
      },
    ],
  };
  const back = decodeTrace(JSON.parse(JSON.stringify(encodeTrace(t))));
  assert.deepEqual(back, t);
});

test('trace summaries keep their bigint fields', () => {
  const s = [{ traceId: 'a'.repeat(32), rootServiceName: 's', rootTraceName: 'n', startTimeUnixNano: 1763791200123456789n, durationMs: 12, spans: [{ spanId: 'b'.repeat(16), startTimeUnixNano: 1n, durationNanos: 2n, attributes: {} }] }];
  assert.deepEqual(decodeTraceSummaries(JSON.parse(JSON.stringify(encodeTraceSummaries(s)))), s);
});

test('the +Inf bucket survives JSON', () => {
  const h: HistogramSeries = { labels: { le: 'x' }, count: 3, sum: 1.5, buckets: [{ lower: 0, upper: 0.5, count: 2 }, { lower: 0.5, upper: Infinity, count: 1 }] };
  assert.equal(JSON.stringify(h).includes('null'), true, 'plain JSON loses Infinity');
  assert.deepEqual(decodeHistogram(JSON.parse(JSON.stringify(encodeHistogram(h)))), h);
});
