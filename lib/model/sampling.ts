// Head-sampling weights, shared by every place that counts sampled spans (the
// embedded store's span rows, the trace-based SLIs counted by Tempo). Pure.
import type { AttrValue, Attributes } from './types';

/** The span attribute the sandbox records its head-sampling probability in. */
export const ATTR_SAMPLING_PROBABILITY = 'trisight.sampling.probability';

/** The probability a span was sampled with, when it says one (a number in (0, 1]); null otherwise. */
export function samplingProbabilityOf(value: AttrValue | undefined): number | null {
  return typeof value === 'number' && value > 0 && value <= 1 ? value : null;
}

/** The probability recorded in a span's attributes, or null. */
export function samplingProbability(a: Attributes): number | null {
  return samplingProbabilityOf(a[ATTR_SAMPLING_PROBABILITY]);
}

/** How many requests one stored span stands for: 1 ÷ its sampling probability, 1 when it records none. */
export function samplingWeight(value: AttrValue | undefined): number {
  const p = samplingProbabilityOf(value);
  return p === null ? 1 : 1 / p;
}
