import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import {
  AdaptiveSampler,
  DEFAULT_SAMPLING_POLICY,
  anyOfProbability,
  samplingProbability,
  traceIdBelow,
  type SamplingPolicy,
} from '../../../workers/sandbox/telemetry/sampling';

const policy: SamplingPolicy = { p1Base: 0.5, referenceTokens: 100, exponent: 1, minProbability: 0.02 };

test('probability by priority and token count', () => {
  const rows: [('P0' | 'P1'), number, number][] = [
    ['P0', 10, 1],
    ['P0', 100_000, 1],
    ['P1', 10, 0.5],
    ['P1', 100, 0.5],
    ['P1', 200, 0.25],
    ['P1', 1000, 0.05],
    ['P1', 100_000, 0.02], // floor
  ];
  for (const [p, tokens, expected] of rows) assert.ok(Math.abs(samplingProbability(p, tokens, policy) - expected) < 1e-12, `${p} ${tokens}`);
  // Falls monotonically with tokens.
  let last = 1;
  for (let t = 1; t < 5000; t += 37) {
    const v = samplingProbability('P1', t, DEFAULT_SAMPLING_POLICY);
    assert.ok(v <= last);
    last = v;
  }
  // A steeper exponent falls faster.
  assert.ok(samplingProbability('P1', 400, { ...policy, exponent: 2 }) < samplingProbability('P1', 400, policy));
});

test('trace-id decision is consistent and has the right frequency', () => {
  let hits = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const id = randomBytes(16).toString('hex');
    if (traceIdBelow(id, 0.25)) hits++;
    assert.equal(traceIdBelow(id, 0.25), traceIdBelow(id, 0.25));
  }
  assert.ok(Math.abs(hits / n - 0.25) < 0.02, `frequency ${hits / n}`);
  assert.equal(traceIdBelow('f'.repeat(32), 1), true);
  assert.equal(traceIdBelow('0'.repeat(32), 0), false);
});

test('any-of probability for batch spans', () => {
  assert.equal(anyOfProbability([1, 0.1]), 1);
  assert.ok(Math.abs(anyOfProbability([0.5, 0.5]) - 0.75) < 1e-12);
  assert.equal(anyOfProbability([]), 0);
});

const sampler = new AdaptiveSampler({ ...policy, p1Base: 0.5 });
const traceLow = '0123456789abcdef0000000000000001'; // random part ≈ 0: below any p > 0
const traceHigh = '0123456789abcdef00ffffffffffffff'; // random part ≈ 1: above any p < 1
const remote = (sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: traceLow, spanId: '1111111111111111', traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });

test('sampler: P0 always, P1 by probability, recording the probability', () => {
  const p0 = sampler.shouldSample(ROOT_CONTEXT, traceHigh, 'x', SpanKind.SERVER, { 'trisight.priority': 'P0', 'trisight.sampling.tokens': 5000 }, []);
  assert.equal(p0.decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(p0.attributes?.['trisight.sampling.probability'], 1);
  const p1in = sampler.shouldSample(ROOT_CONTEXT, traceLow, 'x', SpanKind.SERVER, { 'trisight.priority': 'P1', 'trisight.sampling.tokens': 200 }, []);
  assert.equal(p1in.decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(p1in.attributes?.['trisight.sampling.probability'], 0.25);
  const p1out = sampler.shouldSample(ROOT_CONTEXT, traceHigh, 'x', SpanKind.SERVER, { 'trisight.priority': 'P1', 'trisight.sampling.tokens': 200 }, []);
  assert.equal(p1out.decision, SamplingDecision.NOT_RECORD);
});

test('sampler: incoming traceparent — a sampling caller is followed, otherwise the policy decides; P0 is traced anyway', () => {
  const follow = sampler.shouldSample(remote(true), traceHigh, 'x', SpanKind.SERVER, { 'trisight.priority': 'P1', 'trisight.sampling.tokens': 99999 }, []);
  assert.equal(follow.decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(follow.attributes?.['trisight.sampling.rule'], 'parent');
  // Flag 00: the caller records nothing, so the token-count policy applies (p = 0.5 here).
  const policyIn = sampler.shouldSample(remote(false), traceLow, 'x', SpanKind.SERVER, { 'trisight.priority': 'P1', 'trisight.sampling.tokens': 1 }, []);
  assert.equal(policyIn.decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(policyIn.attributes?.['trisight.sampling.rule'], 'tokens');
  assert.equal(policyIn.attributes?.['trisight.sampling.probability'], 0.5);
  const policyOut = sampler.shouldSample(remote(false), traceHigh, 'x', SpanKind.SERVER, { 'trisight.priority': 'P1', 'trisight.sampling.tokens': 1 }, []);
  assert.equal(policyOut.decision, SamplingDecision.NOT_RECORD);
  const p0 = sampler.shouldSample(remote(false), traceHigh, 'x', SpanKind.SERVER, { 'trisight.priority': 'P0' }, []);
  assert.equal(p0.decision, SamplingDecision.RECORD_AND_SAMPLED);
});

test('sampler: child spans follow their local parent', () => {
  const local = (sampled: boolean) =>
    trace.setSpanContext(ROOT_CONTEXT, { traceId: traceHigh, spanId: '2222222222222222', traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: false });
  assert.equal(sampler.shouldSample(local(true), traceHigh, 'prefill', SpanKind.INTERNAL, {}, []).decision, SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(sampler.shouldSample(local(false), traceHigh, 'prefill', SpanKind.INTERNAL, {}, []).decision, SamplingDecision.NOT_RECORD);
});
