// Next-token selection from logits: greedy, temperature, top-k. Deterministic
// for a given Rng seed, so a request with `seed` reproduces its output.

import type { Rng } from './rng';

export interface SamplingParams {
  /** 0 (or below) means greedy */
  temperature: number;
  /** keep only the k most likely tokens; 0 or ≥ vocab means no limit */
  topK?: number;
}

export function argmax(logits: ArrayLike<number>): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i] > bestV) {
      bestV = logits[i];
      best = i;
    }
  }
  return best;
}

/** Indices of the k largest logits, in descending order of logit (ties: lower index first). */
export function topKIndices(logits: ArrayLike<number>, k: number): number[] {
  const idx: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    let j: number;
    if (idx.length < k) {
      j = idx.length;
      idx.push(i);
    } else {
      if (v <= logits[idx[k - 1]]) continue;
      j = k - 1;
    }
    // insertion into the small sorted list; k is small compared to the vocabulary
    while (j > 0 && logits[idx[j - 1]] < v) {
      idx[j] = idx[j - 1];
      j--;
    }
    idx[j] = i;
  }
  return idx;
}

export function sample(logits: ArrayLike<number>, params: SamplingParams, rng: Rng): number {
  const { temperature } = params;
  if (!(temperature > 0)) return argmax(logits);
  const n = logits.length;
  const k = params.topK && params.topK > 0 && params.topK < n ? params.topK : n;
  const cand = k < n ? topKIndices(logits, k) : null;
  const at = (j: number) => (cand ? cand[j] : j);
  // softmax over the candidates, shifted by the max for numerical stability
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, logits[at(j)]);
  const probs = new Float64Array(k);
  let sum = 0;
  for (let j = 0; j < k; j++) {
    const p = Math.exp((logits[at(j)] - max) / temperature);
    probs[j] = p;
    sum += p;
  }
  let r = rng.next() * sum;
  for (let j = 0; j < k; j++) {
    r -= probs[j];
    if (r < 0) return at(j);
  }
  return at(k - 1); // rounding left a sliver of mass; the last candidate owns it
}
