import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alignToStep, chooseStep, MAX_POINTS_PER_SERIES, niceStep, promDuration, rateWindowS } from '../../../lib/datasources/prometheus/step';

const H = 3600_000;
const D = 24 * H;

test('chooseStep: one point per pixel, rounded up to a nice step, bounded below and by 11,000 points', () => {
  const table: { name: string; rangeMs: number; widthPx: number; minStepS?: number; step: number }[] = [
    { name: '5 min on 300 px → 1 s', rangeMs: 5 * 60_000, widthPx: 300, step: 1 },
    { name: '1 h on 1200 px → 3 s per px → 5 s', rangeMs: H, widthPx: 1200, step: 5 },
    { name: '1 h on 1200 px with 15 s scrape → 15 s', rangeMs: H, widthPx: 1200, minStepS: 15, step: 15 },
    { name: '6 h on 1000 px → 21.6 s → 30 s', rangeMs: 6 * H, widthPx: 1000, step: 30 },
    { name: '24 h on 1440 px → exactly 60 s', rangeMs: D, widthPx: 1440, step: 60 },
    { name: '7 d on 800 px → 756 s → 15 min', rangeMs: 7 * D, widthPx: 800, step: 900 },
    { name: '1 y on 100 px → 3.65 d → 4 d', rangeMs: 365 * D, widthPx: 100, step: 4 * 86400 },
    // A very wide panel would ask for more points than Prometheus allows.
    { name: '1 d on 100,000 px → limit wins: 86400/10998 = 7.86 s → 10 s', rangeMs: D, widthPx: 100_000, step: 10 },
    { name: '30 d on 1e6 px → 235.7 s → 5 min', rangeMs: 30 * D, widthPx: 1_000_000, step: 300 },
    { name: 'zero width treated as one pixel', rangeMs: 60_000, widthPx: 0, step: 60 },
    { name: 'empty range → minimum step', rangeMs: 0, widthPx: 500, step: 1 },
  ];
  for (const t of table) {
    const step = chooseStep({ range: { from: 1_700_000_000_000, to: 1_700_000_000_000 + t.rangeMs }, widthPx: t.widthPx, minStepS: t.minStepS });
    assert.equal(step, t.step, t.name);
    const { start, end } = alignToStep({ from: 1_700_000_000_123, to: 1_700_000_000_123 + t.rangeMs }, step);
    assert.ok((end - start) / step <= MAX_POINTS_PER_SERIES, `${t.name}: aligned range within the limit`);
  }
});

test('niceStep beyond a day rounds up to whole days', () => {
  assert.equal(niceStep(0.2), 1);
  assert.equal(niceStep(86400), 86400);
  assert.equal(niceStep(86401), 2 * 86400);
});

test('alignToStep snaps start down and end up to step multiples', () => {
  assert.deepEqual(alignToStep({ from: 1_000_007_000, to: 1_000_062_500 }, 15), { start: 1_000_005, end: 1_000_065 });
  assert.deepEqual(alignToStep({ from: 60_000, to: 120_000 }, 60), { start: 60, end: 120 });
});

test('rateWindowS: at least four scrapes and at least one step', () => {
  assert.equal(rateWindowS(5, 15), 60);
  assert.equal(rateWindowS(300, 15), 300);
});

test('promDuration writes exact PromQL durations', () => {
  assert.deepEqual([60, 90, 3600, 7200, 86400, 0.5].map(promDuration), ['1m', '90s', '1h', '2h', '1d', '500ms']);
});
