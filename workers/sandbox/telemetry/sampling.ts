// Adaptive head sampling (our seed design): P0 requests are always traced; P1
// requests are traced with a probability that falls with their token count, so
// long generations (many spans' worth of work, big payloads) are kept rarer.
// Every span records the probability it was sampled with (ATTR_SAMPLING_PROBABILITY)
// so a count of traces can be re-weighted by 1/p. Metrics never depend on this.
import { trace, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';

export type Priority = 'P0' | 'P1';

export const ATTR_PRIORITY = 'trisight.priority';
export const ATTR_SAMPLING_PROBABILITY = 'trisight.sampling.probability';
export const ATTR_SAMPLING_RULE = 'trisight.sampling.rule';
/** Token count the sampler decides on (prompt tokens + max_tokens), set at span start. */
export const ATTR_SAMPLING_TOKENS = 'trisight.sampling.tokens';

export interface SamplingPolicy {
  /** P1 probability for requests up to referenceTokens tokens */
  p1Base: number;
  /** token count from which the P1 probability starts to fall */
  referenceTokens: number;
  /** p = p1Base · (referenceTokens / tokens)^exponent beyond the reference */
  exponent: number;
  /** floor, so even very long P1 requests are sometimes traced */
  minProbability: number;
}

export const DEFAULT_SAMPLING_POLICY: SamplingPolicy = {
  p1Base: 1,
  referenceTokens: 64,
  exponent: 1,
  minProbability: 0.05,
};

/** The probability a request of this priority and token count is traced. */
export function samplingProbability(priority: Priority, tokens: number, policy: SamplingPolicy): number {
  if (priority === 'P0') return 1;
  const scale = tokens <= policy.referenceTokens ? 1 : (policy.referenceTokens / tokens) ** policy.exponent;
  return Math.min(1, Math.max(policy.minProbability, policy.p1Base * scale));
}

/**
 * Decision from the trace id's random low 56 bits (the W3C trace-context level 2
 * randomness), so the same trace id always gets the same decision for a given p.
 */
export function traceIdBelow(traceId: string, probability: number): boolean {
  if (probability >= 1) return true;
  if (probability <= 0) return false;
  const r = Number.parseInt(traceId.slice(18), 16) / 2 ** 56;
  return r < probability;
}

/**
 * OTel sampler for the sandbox's tracer:
 * - a span with a local parent follows its parent (children of a request span);
 * - a request span (carries ATTR_PRIORITY) applies the policy; with a remote
 *   parent (incoming traceparent) P0 is still always traced, and a P1 whose
 *   caller sampled (flag 01: the caller records this trace) is kept, recorded
 *   as rule "parent" with probability 1; a caller that did not sample (flag 00,
 *   e.g. our load generator, which records no spans) leaves the decision to
 *   the policy — its trace id is still continued;
 * - any other root span (the decode batch span) is only started when the caller
 *   already knows it must be recorded, so it is sampled.
 */
export class AdaptiveSampler implements Sampler {
  constructor(private readonly policy: SamplingPolicy) {}

  shouldSample(ctx: Context, traceId: string, _name: string, _kind: SpanKind, attributes: Attributes, _links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(ctx);
    const priority = attributes[ATTR_PRIORITY] as Priority | undefined;
    const sampledParent = parent ? (parent.traceFlags & 1) === 1 : false;
    if (parent && !parent.isRemote) {
      return { decision: sampledParent ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
    }
    if (priority === undefined) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    if (parent && priority === 'P1' && sampledParent) {
      return { decision: SamplingDecision.RECORD_AND_SAMPLED, attributes: { [ATTR_SAMPLING_PROBABILITY]: 1, [ATTR_SAMPLING_RULE]: 'parent' } };
    }
    const tokens = Number(attributes[ATTR_SAMPLING_TOKENS] ?? 0);
    const p = samplingProbability(priority, tokens, this.policy);
    if (!traceIdBelow(traceId, p)) return { decision: SamplingDecision.NOT_RECORD };
    return {
      decision: SamplingDecision.RECORD_AND_SAMPLED,
      attributes: { [ATTR_SAMPLING_PROBABILITY]: p, [ATTR_SAMPLING_RULE]: priority === 'P0' ? 'priority' : 'tokens' },
    };
  }

  toString(): string {
    return `AdaptiveSampler{p1Base=${this.policy.p1Base},ref=${this.policy.referenceTokens},exp=${this.policy.exponent},min=${this.policy.minProbability}}`;
  }
}

/** Probability that a span recorded whenever any of independent members is recorded. */
export function anyOfProbability(ps: number[]): number {
  let none = 1;
  for (const p of ps) none *= 1 - p;
  return 1 - none;
}
