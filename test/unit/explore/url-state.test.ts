import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeExplore, EMPTY_EXPLORE, exploreHref, readExploreState, writeExploreState, type ExploreState } from '../../../lib/explore/url-state';
import { readTimeRangeParams } from '../../../lib/time-range';

const T = 1_764_860_000_000;

test('a view survives its URL: every selection written is read back; defaults are left out', () => {
  const view: ExploreState = {
    ...EMPTY_EXPLORE,
    pq: 'sum(rate(x_count[1m]))',
    pmode: 'heatmap',
    hsel: 'x{job="a"}',
    pcell: { from: T, to: T + 15_000, lower: 0.1, upper: 0.25 },
    tq: '{ kind = server }',
    trace: 'ab'.repeat(16),
    span: 'cd'.repeat(8),
    qsig: 'perplexity_std',
    svc: 'shop',
    cmp: 'range',
    cfrom: T - 60_000,
    cto: T,
    zoom: ['main', 'work'],
    fn: 'slowPath',
  };
  const url = writeExploreState('from=now-1h&to=now', view);
  assert.deepEqual(readExploreState(url), view);
  assert.equal(url.get('from'), 'now-1h', 'the time range is kept');
  assert.equal(writeExploreState('', EMPTY_EXPLORE).toString(), '');
  // A crafted id or range is dropped, not guessed.
  const bad = readExploreState(new URLSearchParams('trace=xyz&span=12&cfrom=5&cto=4&qsig=nope'));
  assert.deepEqual([bad.trace, bad.span, bad.cfrom, bad.cto, bad.qsig], [null, null, null, null, 'entropy']);
});

test('a new trace query drops its heatmap cell; a new trace its span', () => {
  const s = { ...EMPTY_EXPLORE, tq: 'a', tcell: { from: T, to: T + 1, lower: 0, upper: 1 }, trace: 'ab'.repeat(16), span: 'cd'.repeat(8) };
  assert.equal(changeExplore(s, { tq: 'b' }).tcell, null);
  assert.equal(changeExplore(s, { trace: 'ef'.repeat(16) }).span, null);
  assert.equal(changeExplore(s, { svc: 'x' }).span, s.span);
});

test('Explore opened from another page: the absolute range and the service', () => {
  const href = exploreHref({ from: T + 0.4, to: T + 60_000.2 }, 'trisight-sandbox');
  assert.ok(href.startsWith('/explore?'));
  const p = new URLSearchParams(href.slice('/explore?'.length));
  assert.deepEqual(readTimeRangeParams(p, T + 120_000).range, { from: T, to: T + 60_001 });
  assert.deepEqual(readExploreState(p), { ...EMPTY_EXPLORE, svc: 'trisight-sandbox' });
  assert.equal(new URLSearchParams(exploreHref({ from: T, to: T + 1 }).split('?')[1]).has('svc'), false, 'no service: every service');
});
