import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeView, EMPTY_VIEW, readViewState, writeViewState, type RunViewState } from '../../../lib/runs/url-state';

const TRACE = 'ab'.repeat(16);
const SPAN = 'cd'.repeat(8);
const RUN = '0f0e9a2c-1b7d-4c55-9e61-3f5d2a1b0c9d';

test('a full view round-trips through the URL and keeps unrelated parameters', () => {
  const s: RunViewState = {
    tab: 'ttft',
    bucket: { lower: 0.005, upper: 0.01 },
    trace: TRACE,
    span: SPAN,
    flame: 'gpu',
    zoom: ['main', 'forward & <b>'],
    q: 'gemv',
    fn: 'matmul',
    fview: 'sandwich',
    compare: RUN,
    szoom: ['decode'],
    sq: 'attn',
    quality: 'kv_reuse',
    tsort: 'perplexity_std',
  };
  const qs = writeViewState('from=now-1h&to=now&zoom=stale', s);
  assert.equal(qs.get('from'), 'now-1h');
  assert.deepEqual(qs.getAll('zoom'), ['main', 'forward & <b>']);
  assert.deepEqual(readViewState(new URLSearchParams(qs.toString())), s);
  // The default view writes nothing.
  assert.equal(writeViewState('', EMPTY_VIEW).toString(), '');
});

test('values that do not parse are dropped, and text is bounded', () => {
  const s = readViewState(new URLSearchParams(`tab=p99&bucket=2-1&trace=xyz&span=${SPAN}00&compare=nope&q=${'a'.repeat(2000)}`));
  assert.equal(s.tab, 'e2e');
  assert.equal(s.bucket, null);
  assert.equal(s.trace, null);
  assert.equal(s.span, null);
  assert.equal(s.compare, null);
  assert.equal(s.q.length, 500);
  assert.equal(readViewState(new URLSearchParams('flame=disk')).flame, 'cpu');
  assert.equal(readViewState(new URLSearchParams('quality=vibes')).quality, 'entropy');
  assert.equal(readViewState(new URLSearchParams('tsort=vibes')).tsort, null);
  // Upper-case ids from a hand-written link are normalised.
  assert.equal(readViewState(new URLSearchParams(`trace=${TRACE.toUpperCase()}`)).trace, TRACE);
});

test('changes clear what they invalidate', () => {
  const open: RunViewState = { ...EMPTY_VIEW, bucket: { lower: 0, upper: 0.01 }, trace: TRACE, span: SPAN, szoom: ['x'], sq: 'y', zoom: ['main'] };
  // New tab: its buckets differ; the open trace is still the run's.
  assert.deepEqual(changeView(open, { tab: 'tpot' }), { ...open, tab: 'tpot', bucket: null });
  // New bucket: other traces.
  assert.deepEqual(changeView(open, { bucket: { lower: 0.01, upper: 0.02 } }), { ...open, bucket: { lower: 0.01, upper: 0.02 }, trace: null, span: null, szoom: [], sq: '' });
  // Same bucket again changes nothing.
  assert.deepEqual(changeView(open, { bucket: { lower: 0, upper: 0.01 } }), open);
  // New span: the span profile's zoom and search go.
  assert.deepEqual(changeView(open, { span: '1'.repeat(16) }), { ...open, span: '1'.repeat(16), szoom: [], sq: '' });
  // A trace picked with its span keeps that span.
  assert.deepEqual(changeView(open, { trace: 'e'.repeat(32), span: '2'.repeat(16) }).span, '2'.repeat(16));
  // Comparing another run: the zoom path belonged to the single profile.
  assert.deepEqual(changeView(open, { compare: RUN }).zoom, []);
  // Another kind of profile (CPU → GPU): other frames, so zooms and the picked function go; the span stays.
  assert.deepEqual(changeView({ ...open, fn: 'matmul' }, { flame: 'gpu' }), { ...open, flame: 'gpu', zoom: [], szoom: [], fn: null });
});
