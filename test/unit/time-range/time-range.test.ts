import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_TIME_RANGE,
  describeTimeRange,
  fromDatetimeLocal,
  isRelative,
  pageUsesTimeRange,
  parseTimeExpression,
  readTimeRangeParams,
  resolveTimeRange,
  toDatetimeLocal,
  withTimeRange,
} from '../../../lib/time-range';

const NOW = Date.UTC(2026, 10, 22, 6, 0, 0); // 2026-11-22T06:00:00Z

test('relative expressions resolve against now', () => {
  const cases: [string, number][] = [
    ['now', NOW],
    ['now-30s', NOW - 30_000],
    ['now-15m', NOW - 15 * 60_000],
    ['now-1h', NOW - 3_600_000],
    ['now-6h', NOW - 6 * 3_600_000],
    ['now-24h', NOW - 24 * 3_600_000],
    ['now-7d', NOW - 7 * 86_400_000],
    ['now-2w', NOW - 14 * 86_400_000],
    ['now+5m', NOW + 5 * 60_000],
    [' now-1h ', NOW - 3_600_000],
  ];
  for (const [expr, want] of cases) {
    assert.deepEqual(parseTimeExpression(expr, NOW), { ok: true, value: want }, expr);
  }
});

test('absolute instants: unix ms and ISO 8601', () => {
  assert.deepEqual(parseTimeExpression('1763791200000', NOW), { ok: true, value: 1763791200000 });
  assert.deepEqual(parseTimeExpression('2026-11-22T05:00:00Z', NOW), { ok: true, value: Date.UTC(2026, 10, 22, 5) });
  assert.deepEqual(parseTimeExpression('2026-11-22T05:00:00.250+01:00', NOW), { ok: true, value: Date.UTC(2026, 10, 22, 4, 0, 0, 250) });
});

test('bad expressions are rejected with the value named', () => {
  for (const bad of ['', 'now-', 'now-1y', 'now-1.5h', 'yesterday', '1700000000', '2026-13-40T00:00Z', 'now-1h; drop', '12/11/2026']) {
    const r = parseTimeExpression(bad, NOW);
    assert.equal(r.ok, false, bad);
    if (!r.ok && bad.trim()) assert.ok(r.error.length > 0);
  }
  const r = parseTimeExpression('1700000000', NOW); // seconds, not ms
  assert.ok(!r.ok && /out of range/.test(r.error));
});

test('a range must run forwards and stay within 90 days', () => {
  assert.deepEqual(resolveTimeRange({ from: 'now-1h', to: 'now' }, NOW), { ok: true, value: { from: NOW - 3_600_000, to: NOW } });
  const back = resolveTimeRange({ from: 'now', to: 'now-1h' }, NOW);
  assert.ok(!back.ok && back.error === 'from must be before to');
  const empty = resolveTimeRange({ from: 'now', to: 'now' }, NOW);
  assert.equal(empty.ok, false);
  const long = resolveTimeRange({ from: 'now-13w', to: 'now' }, NOW);
  assert.ok(!long.ok && /90 days/.test(long.error));
  const badTo = resolveTimeRange({ from: 'now-1h', to: 'later' }, NOW);
  assert.ok(!badTo.ok && badTo.error.startsWith('to: '));
});

test('URL params: missing → default, invalid → default with the reason', () => {
  const none = readTimeRangeParams(new URLSearchParams(''), NOW);
  assert.deepEqual(none.raw, DEFAULT_TIME_RANGE);
  assert.deepEqual(none.range, { from: NOW - 3_600_000, to: NOW });
  assert.equal(none.error, undefined);

  const ok = readTimeRangeParams(new URLSearchParams('from=now-6h&to=now'), NOW);
  assert.deepEqual(ok.range, { from: NOW - 6 * 3_600_000, to: NOW });

  const onlyFrom = readTimeRangeParams(new URLSearchParams('from=now-15m'), NOW);
  assert.deepEqual(onlyFrom.raw, { from: 'now-15m', to: 'now' });

  const bad = readTimeRangeParams(new URLSearchParams('from=soon&to=now'), NOW);
  assert.deepEqual(bad.raw, DEFAULT_TIME_RANGE);
  assert.match(bad.error ?? '', /^from: not a time: "soon"/);
});

test('withTimeRange keeps the other parameters', () => {
  const p = withTimeRange('run=abc&tab=ttft&from=now-1h&to=now', { from: 'now-15m', to: 'now' });
  assert.equal(p.toString(), 'run=abc&tab=ttft&from=now-15m&to=now');
});

test('descriptions: presets, other relative ranges and absolute ranges', () => {
  assert.equal(describeTimeRange({ from: 'now-1h', to: 'now' }, NOW), 'Last 1 hour');
  assert.equal(describeTimeRange({ from: 'now-3h', to: 'now' }, NOW), 'Last 3 hours');
  assert.equal(describeTimeRange({ from: 'now-1m', to: 'now' }, NOW), 'Last 1 minute');
  const a = String(Date.UTC(2026, 10, 22, 5, 0, 0));
  const b = String(Date.UTC(2026, 10, 22, 5, 30, 15));
  assert.equal(describeTimeRange({ from: a, to: b }, NOW), '2026-11-22 05:00:00 → 05:30:15 UTC');
  const c = String(Date.UTC(2026, 10, 23, 1, 0, 0));
  assert.equal(describeTimeRange({ from: a, to: c }, NOW), '2026-11-22 05:00:00 → 2026-11-23 01:00:00 UTC');
});

test('isRelative', () => {
  assert.equal(isRelative('now-1h'), true);
  assert.equal(isRelative('now'), true);
  assert.equal(isRelative('1763791200000'), false);
});

test('datetime-local round trip at a fixed UTC offset', () => {
  const ms = Date.UTC(2026, 10, 22, 5, 7);
  assert.equal(toDatetimeLocal(ms, 60), '2026-11-22T06:07');
  assert.equal(toDatetimeLocal(ms, -300), '2026-11-22T00:07');
  assert.deepEqual(fromDatetimeLocal('2026-11-22T06:07', 60), { ok: true, value: ms });
  assert.deepEqual(fromDatetimeLocal('2026-11-22T00:07', -300), { ok: true, value: ms });
  assert.equal(fromDatetimeLocal('22/11/2026 06:07', 0).ok, false);
});

test('the picker is shown only on pages that read the range', () => {
  assert.equal(pageUsesTimeRange('/explore', ['/explore']), true);
  assert.equal(pageUsesTimeRange('/explore/traces', ['/explore']), true);
  assert.equal(pageUsesTimeRange('/explorer', ['/explore']), false);
  // Today no page's panels read it: the run page has its own window.
  for (const p of ['/sandbox', '/sandbox/runs/x', '/explore', '/slos', '/incidents', '/status']) assert.equal(pageUsesTimeRange(p), false, p);
});
