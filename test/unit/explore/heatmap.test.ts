import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cellTimeRange,
  exemplarsInCell,
  fillColumns,
  formatCell,
  heatmapExemplars,
  heatmapFromCells,
  heatmapFromClassic,
  heatmapFromNative,
  heatmapFromTempo,
  parseCell,
  SPAN_HEATMAP_BOUNDS,
  trimRows,
} from '../../../lib/explore/heatmap';
import { decodeHeatmap, encodeHeatmap } from '../../../lib/explore/json';

const T = 1_700_000_000_000;

test('classic buckets: cumulative le series per step become per-row rates, each column one step before its point', () => {
  // Two steps (15 s); per-second rates of a histogram with bounds 0.1, 0.5, +Inf; two label sets summed.
  const h = heatmapFromClassic(
    [
      { labels: { le: '0.1' }, values: [[T, 1], [T + 15_000, 0]] },
      { labels: { le: '0.5' }, values: [[T, 3], [T + 15_000, 2]] },
      { labels: { le: '+Inf' }, values: [[T, 4], [T + 15_000, 2]] },
      { labels: { le: '0.5', pod: 'b' }, values: [[T, 1]] },
      { labels: { le: '+Inf', pod: 'b' }, values: [[T, 1]] },
      { labels: { le: 'not-a-number' }, values: [[T, 99]] },
    ],
    15,
  );
  assert.deepEqual(h.times, [T - 15_000, T]);
  assert.deepEqual(h.rows, [{ lower: 0, upper: 0.1 }, { lower: 0.1, upper: 0.5 }, { lower: 0.5, upper: Infinity }]);
  assert.deepEqual(h.counts, [[1, 3, 1], [0, 2, 0]]);
  assert.equal(h.unit, 'requests/s');
});

test('native histograms: rows are the union of every point’s buckets', () => {
  const h = heatmapFromNative(
    [
      {
        labels: {},
        values: [],
        histograms: [
          { timestamp: T, count: 3, sum: 1, buckets: [{ lower: 0.5, upper: 1, count: 2 }, { lower: 1, upper: 2, count: 1 }] },
          { timestamp: T + 60_000, count: 1, sum: 3, buckets: [{ lower: 2, upper: 4, count: 1 }] },
        ],
      },
    ],
    60,
  );
  assert.deepEqual(h.rows.map((r) => r.upper), [1, 2, 4]);
  assert.deepEqual(h.counts, [[2, 1, 0], [0, 0, 1]]);
});

test('Tempo histogram_over_time: one series per __bucket (upper bound, s), lower = the bucket below', () => {
  const h = heatmapFromTempo(
    [
      { labels: { __bucket: '0.512', 'resource.service.name': 'x' }, values: [[T, 3], [T + 60_000, 5]] },
      { labels: { __bucket: '0.128' }, values: [[T + 60_000, 1]] },
      { labels: { __bucket: 'junk' }, values: [[T, 7]] },
    ],
    60,
  );
  assert.deepEqual(h.rows, [{ lower: 0.064, upper: 0.128 }, { lower: 0.128, upper: 0.512 }]);
  assert.deepEqual(h.times, [T, T + 60_000]);
  assert.deepEqual(h.counts, [[0, 3], [1, 5]]);
});

test('embedded cells: a column per step from the range start, rows are the bounds plus +Inf; cells outside are dropped', () => {
  const h = heatmapFromCells([{ column: 0, row: 0, count: 2 }, { column: 2, row: SPAN_HEATMAP_BOUNDS.length, count: 1 }, { column: 9, row: 0, count: 5 }], T, 10, 3);
  assert.equal(h.rows.length, SPAN_HEATMAP_BOUNDS.length + 1);
  assert.equal(h.rows.at(-1)!.upper, Infinity);
  assert.deepEqual(h.times, [T, T + 10_000, T + 20_000]);
  assert.equal(h.counts[0][0], 2);
  assert.equal(h.counts[2][SPAN_HEATMAP_BOUNDS.length], 1);
  assert.equal(h.counts.flat().reduce((a, b) => a + b), 3);
  // Infinity survives JSON.
  assert.deepEqual(decodeHeatmap(JSON.parse(JSON.stringify(encodeHeatmap(h)))), h);
});

test('cells in the URL, and the exemplars that fall in one', () => {
  const c = { from: T, to: T + 15_000, lower: 0.25, upper: 0.5 };
  assert.equal(formatCell(c), `${T}-${T + 15_000}:0.25-0.5`);
  assert.deepEqual(parseCell(formatCell(c)), c);
  assert.deepEqual(parseCell(formatCell({ ...c, upper: Infinity })), { ...c, upper: Infinity });
  for (const bad of ['', 'x', `${T}-${T}:0.1-0.2`, `${T}-${T + 1}:0.5-0.25`, `${T}-${T + 1}:0.1`]) assert.equal(parseCell(bad), null, bad);
  const ex = heatmapExemplars([
    { labels: { trace_id: 'AB' }, value: 0.3, timestamp: T + 1 },
    { labels: { traceID: 'cd' }, value: 0.5, timestamp: T + 14_999 },
    { labels: { trace_id: 'ef' }, value: 0.25, timestamp: T + 2 },
    { labels: { trace_id: 'gh' }, value: 0.3, timestamp: T + 15_000 },
  ]);
  assert.deepEqual(exemplarsInCell(ex, c).map((e) => e.traceId), ['ab', 'cd']);
});

test('Prometheus heatmaps span the whole range: missing steps become empty columns', () => {
  const h = heatmapFromClassic([{ labels: { le: '+Inf' }, values: [[T + 30_000, 2]] }], 15);
  const f = fillColumns(h, { from: T - 1, to: T + 60_000 });
  assert.deepEqual(f.times, [T - 15_000, T, T + 15_000, T + 30_000, T + 45_000]);
  assert.deepEqual(f.counts.map((c) => c[0]), [0, 0, 2, 0, 0]);
  // A range that starts on a column keeps that column first.
  assert.equal(fillColumns(h, { from: T, to: T + 20_000 }).times[0], T);
  assert.equal(fillColumns({ ...h, rows: [], counts: [], times: [] }, { from: T, to: T + 60_000 }).times.length, 0);
});

test('rows drawn: one band of margin around the rows with counts or exemplars; a selected cell keeps its bounds', () => {
  // 19 span bands; requests at 4 ms and 180 ms (bands 3 and 9), an exemplar at 600 ms (band 11).
  const h = heatmapFromCells([{ column: 0, row: 3, count: 80 }, { column: 1, row: 9, count: 10 }], T, 15, 2);
  const t = trimRows({ ...h, exemplars: [{ timestamp: T, value: 0.6, traceId: 'ab' }] });
  assert.deepEqual([t.rows[0].lower, t.rows.at(-1)!.upper], [SPAN_HEATMAP_BOUNDS[1], SPAN_HEATMAP_BOUNDS[12]]);
  assert.equal(t.rows.length, 11);
  assert.deepEqual(t.counts.map((c) => c.reduce((a, b) => a + b, 0)), [80, 10]);
  // The cell of the slow requests has the same bounds before and after.
  const row = t.rows.findIndex((r) => r.lower === h.rows[9].lower);
  assert.equal(t.counts[1][row], 10);
  assert.deepEqual(t.rows[row], h.rows[9]);
  // Nothing to trim: an empty heatmap, or one whose every row is in use.
  assert.equal(trimRows({ ...h, counts: h.counts.map((c) => c.map(() => 0)) }).rows.length, h.rows.length);
  const full = heatmapFromCells(h.rows.map((_, i) => ({ column: 0, row: i, count: 1 })), T, 15, 1);
  assert.equal(trimRows(full), full);
});

test("a cell's traces are searched over the time its count covers: the rate window ending at its column's end when that is longer", () => {
  const cell = { from: 1_700_000_010_000, to: 1_700_000_020_000, lower: 0.1, upper: 0.25 };
  // rate(x[20s]) at a 10 s step: the column 10–20 s counts the requests of 0–20 s.
  assert.deepEqual(cellTimeRange(cell, 20_000), { from: 1_700_000_000_000, to: 1_700_000_020_000 });
  // Counted spans (no window), or a window no longer than the column: the column itself.
  assert.deepEqual(cellTimeRange(cell), { from: cell.from, to: cell.to });
  assert.deepEqual(cellTimeRange(cell, 5_000), { from: cell.from, to: cell.to });
});
