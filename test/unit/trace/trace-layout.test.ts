import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDurationMs, layoutTrace, timeTicks, visibleRows } from '../../../lib/model/trace-layout';
import type { Span, Trace } from '../../../lib/model/types';

const T0 = 1_763_791_200_000_000_000n; // ns
const TRACE = 'a'.repeat(32);

function span(id: string, parent: string | undefined, startMs: number, endMs: number, name = id): Span {
  return {
    traceId: TRACE,
    spanId: id.padStart(16, '0'),
    parentSpanId: parent?.padStart(16, '0'),
    service: 'sandbox',
    name,
    kind: 'internal',
    startTimeUnixNano: T0 + BigInt(Math.round(startMs * 1e6)),
    endTimeUnixNano: T0 + BigInt(Math.round(endMs * 1e6)),
    status: 'unset',
    attributes: {},
    resourceAttributes: {},
    events: [],
    links: [],
  };
}

const names = (t: Trace) => layoutTrace(t).rows.map((r) => `${'  '.repeat(r.depth)}${r.span.name}`);

test('depth-first order, siblings by start time, whatever the input order', () => {
  const trace: Trace = {
    traceId: TRACE,
    spans: [
      span('4', '2', 30, 60, 'decode'),
      span('3', '2', 10, 30, 'prefill'),
      span('1', undefined, 0, 100, 'POST /v1/chat/completions'),
      span('5', '1', 70, 90, 'respond'),
      span('2', '1', 5, 65, 'generate'),
    ],
  };
  assert.deepEqual(names(trace), ['POST /v1/chat/completions', '  generate', '    prefill', '    decode', '  respond']);
  const l = layoutTrace(trace);
  assert.equal(l.durationMs, 100);
  assert.equal(l.startUnixNano, T0);
  const decode = l.rows.find((r) => r.span.name === 'decode')!;
  assert.equal(decode.offsetMs, 30);
  assert.equal(decode.durationMs, 30);
  assert.equal(decode.left, 0.3);
  assert.equal(decode.width, 0.3);
  assert.equal(l.rows[0].childCount, 2);
  assert.equal(l.rows[1].childCount, 2);
  assert.equal(decode.childCount, 0);
});

test('a span whose parent is missing is shown as a marked root', () => {
  const l = layoutTrace({ traceId: TRACE, spans: [span('1', undefined, 0, 10), span('2', 'ff', 20, 30)] });
  assert.deepEqual(l.rows.map((r) => [r.span.name, r.depth, r.orphan]), [['1', 0, false], ['2', 0, true]]);
  assert.equal(l.durationMs, 30);
});

test('parent cycles and self-parents do not hang or drop spans', () => {
  const l = layoutTrace({ traceId: TRACE, spans: [span('1', '2', 0, 10), span('2', '1', 1, 5), span('3', '3', 2, 3)] });
  assert.equal(l.rows.length, 3);
  assert.deepEqual(new Set(l.rows.map((r) => r.span.name)), new Set(['1', '2', '3']));
});

test('a deep chain lays out without recursion limits', () => {
  const spans: Span[] = [];
  for (let i = 0; i < 20_000; i++) spans.push(span(String(i + 1), i ? String(i) : undefined, i * 0.001, 100));
  const l = layoutTrace({ traceId: TRACE, spans });
  assert.equal(l.rows.length, 20_000);
  assert.equal(l.rows[19_999].depth, 19_999);
});

test('negative durations are clamped and an empty trace is empty', () => {
  const l = layoutTrace({ traceId: TRACE, spans: [span('1', undefined, 10, 5)] });
  assert.equal(l.rows[0].durationMs, 0);
  assert.deepEqual(layoutTrace({ traceId: TRACE, spans: [] }).rows, []);
});

test('collapsing hides exactly the subtree', () => {
  const trace: Trace = {
    traceId: TRACE,
    spans: [span('1', undefined, 0, 100), span('2', '1', 5, 65), span('3', '2', 10, 30), span('4', '3', 11, 12), span('5', '1', 70, 90)],
  };
  const rows = layoutTrace(trace).rows;
  const ids = (rs: typeof rows) => rs.map((r) => r.span.name);
  assert.deepEqual(ids(visibleRows(rows, new Set())), ['1', '2', '3', '4', '5']);
  assert.deepEqual(ids(visibleRows(rows, new Set(['0000000000000002']))), ['1', '2', '5']);
  assert.deepEqual(ids(visibleRows(rows, new Set(['0000000000000003']))), ['1', '2', '3', '5']);
  assert.deepEqual(ids(visibleRows(rows, new Set(['0000000000000001']))), ['1']);
});

test('time ticks are round numbers covering the axis', () => {
  assert.deepEqual(timeTicks(100), [0, 20, 40, 60, 80, 100]);
  assert.deepEqual(timeTicks(7), [0, 2, 4, 6]);
  assert.deepEqual(timeTicks(0.3), [0, 0.1, 0.2, 0.3]);
  assert.deepEqual(timeTicks(0), [0]);
});

test('duration text', () => {
  assert.equal(formatDurationMs(0), '0 ms');
  assert.equal(formatDurationMs(0.25), '250 µs');
  assert.equal(formatDurationMs(3.456), '3.46 ms');
  assert.equal(formatDurationMs(42.34), '42.3 ms');
  assert.equal(formatDurationMs(420.4), '420 ms');
  assert.equal(formatDurationMs(1250), '1.25 s');
  assert.equal(formatDurationMs(61_000), '61.0 s');
});
