import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exploreQualityNote, QUALITY_ATTRIBUTES, qualityRequestsOf, qualitySearchQuery } from '../../../lib/explore/quality';
import type { Attributes, TraceSummary } from '../../../lib/model/types';

const span = (spanId: string, ms: number, attributes: Attributes) => ({ spanId, startTimeUnixNano: 0n, durationNanos: BigInt(ms * 1e6), attributes });
const trace = (traceId: string, spans: TraceSummary['spans']): TraceSummary => ({ traceId, rootServiceName: 's', rootTraceName: 'r', startTimeUnixNano: 0n, durationMs: 0, spans });

test('the search asks Tempo for the quality attributes with select(); the embedded store gets the plain span set it runs', () => {
  assert.equal(qualitySearchQuery('sandbox', 'embedded'), '{ resource.service.name = "sandbox" && kind = server }');
  assert.equal(qualitySearchQuery('', 'embedded'), '{ kind = server }');
  const tempo = qualitySearchQuery('sandbox', 'tempo');
  assert.match(tempo, /^\{ resource\.service\.name = "sandbox" && kind = server \} \| select\(/);
  for (const a of QUALITY_ATTRIBUTES) assert.ok(tempo.includes(`span.${a}`), a);
  assert.deepEqual(QUALITY_ATTRIBUTES, [
    'trisight.prompt.entropy_bits',
    'trisight.output.perplexity',
    'trisight.output.perplexity_window_std_max',
    'trisight.kv_cache.blocks_reused',
    'trisight.kv_cache.blocks_computed',
  ]);
});

test('one request per trace: the span carrying the signals (not a proxy span before it), its duration as E2E; traces without a matched span left out', () => {
  const r = qualityRequestsOf([
    trace('a'.repeat(32), [span('p', 120, { 'http.route': '/v1' }), span('s', 100, { 'trisight.prompt.entropy_bits': 3.5, 'trisight.kv_cache.blocks_reused': 1, 'trisight.kv_cache.blocks_computed': 3 })]),
    trace('b'.repeat(32), [span('x', 7.5, { other: 1 })]),
    trace('c'.repeat(32), []),
    trace('d'.repeat(32), undefined),
  ]);
  assert.deepEqual(r, [
    { traceId: 'a'.repeat(32), e2eMs: 100, kind: null, values: { entropy: 3.5, kv_reuse: 0.25 } },
    { traceId: 'b'.repeat(32), e2eMs: 7.5, kind: null, values: {} },
  ]);
});

test('the note says what to do: nothing in range, no attributes, a capped read; nothing when all is there', () => {
  assert.match(exploreQualityNote('shop', 0, 0, 500)!, /No request \(server\) span of "shop".*widen the range/);
  assert.match(exploreQualityNote('', 0, 0, 500)!, /of any service/);
  assert.match(exploreQualityNote('shop', 10, 0, 500)!, /"shop" carry no quality attributes.*bundled sandbox/);
  assert.match(exploreQualityNote('sandbox', 500, 10, 500)!, /500 most recent request spans.*narrow the range/);
  assert.equal(exploreQualityNote('sandbox', 40, 40, 500), undefined);
});
