import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromColumns, slowest, toColumns } from '../../../lib/loadruns/samples';
import type { RequestSample } from '../../../lib/loadgen/report';

const t0 = 1_700_000_000_000;
const samples: RequestSample[] = [
  { index: 0, priority: 'P0', traceId: 'a'.repeat(32), startMs: t0, ok: true, ttftMs: 100.123, e2eMs: 500.456, itlMs: [], promptTokens: 10, outputTokens: 5 },
  { index: 1, priority: 'P1', traceId: 'b'.repeat(32), startMs: t0 + 12.5, ok: false, error: 'HTTP 429', ttftMs: null, e2eMs: 3, itlMs: [], promptTokens: 20, outputTokens: 0 },
  { index: 2, priority: 'P1', traceId: 'c'.repeat(32), startMs: t0 + 20, ok: true, ttftMs: 50, e2eMs: 800, itlMs: [], promptTokens: 30, outputTokens: 1 },
];

test('samples survive the columnar form (ms rounded to 0.01), with TPOT and errors', () => {
  const c = toColumns(samples, t0);
  assert.deepEqual(c.startOffsetMs, [0, 12.5, 20]);
  assert.deepEqual(c.tpotMs, [100.08, null, null]); // (500.456 − 100.123) / 4; one-token and failed requests have none
  assert.deepEqual(c.errors, { 1: 'HTTP 429' });
  const rows = fromColumns(JSON.parse(JSON.stringify(c)));
  assert.equal(rows.length, 3);
  assert.deepEqual(rows[1], { index: 1, priority: 'P1', traceId: 'b'.repeat(32), startMs: t0 + 12.5, ok: false, error: 'HTTP 429', ttftMs: null, e2eMs: 3, tpotMs: null, promptTokens: 20, outputTokens: 0 });
  assert.equal(rows[0].ttftMs, 100.12);
  assert.equal(rows[0].e2eMs, 500.46);
});

test('slowest puts failures first, then the longest E2E', () => {
  const rows = fromColumns(toColumns(samples, t0));
  assert.deepEqual(slowest(rows, 2).map((r) => r.index), [1, 2]);
  assert.deepEqual(slowest(rows, 10).map((r) => r.index), [1, 2, 0]);
});
