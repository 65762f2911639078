// Model-side quality signals of one request, computed where the logits are:
// - prompt token entropy: Shannon entropy (bits) of the prompt's token
//   distribution — junk (random bytes) is high, repeated-token injection is low;
// - output perplexity: exp of the mean negative log-probability the model gave
//   the tokens it emitted (natural log, the model's own distribution at T = 1);
// - perplexity drift: the largest standard deviation of per-token perplexity
//   over a sliding window of W tokens — a sudden rise flags an unstable stretch.
// Pure functions; the scheduler feeds them one token at a time.

/** Shannon entropy in bits of the distribution of token ids in `tokens` (0 for fewer than 2 tokens). */
export function tokenEntropyBits(tokens: ArrayLike<number>): number {
  const n = tokens.length;
  if (n < 2) return 0;
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) counts.set(tokens[i], (counts.get(tokens[i]) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** log p(token) under softmax(logits), computed stably (max-shifted log-sum-exp). */
export function logProbability(logits: ArrayLike<number>, token: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  return logits[token] - max - Math.log(sum);
}

export const DEFAULT_PERPLEXITY_WINDOW = 16;

/**
 * Running statistics of a request's output: perplexity over all tokens and the
 * largest sliding-window standard deviation of per-token perplexity exp(-log p).
 * O(1) per token: the window keeps a ring of values and their running sums.
 */
export class OutputQuality {
  private count = 0;
  private sumNegLogP = 0;
  private readonly ring: Float64Array;
  private sum = 0;
  private sumSq = 0;
  private maxStd = 0;

  constructor(readonly window = DEFAULT_PERPLEXITY_WINDOW) {
    if (!Number.isInteger(window) || window < 2) throw new RangeError(`perplexity window must be a whole number ≥ 2, got ${window}`);
    this.ring = new Float64Array(window);
  }

  add(logProb: number) {
    const tokenPpl = Math.exp(-logProb);
    this.sumNegLogP -= logProb;
    const slot = this.count % this.window;
    if (this.count >= this.window) {
      const old = this.ring[slot];
      this.sum -= old;
      this.sumSq -= old * old;
    }
    this.ring[slot] = tokenPpl;
    this.sum += tokenPpl;
    this.sumSq += tokenPpl * tokenPpl;
    this.count++;
    if (this.count >= this.window) {
      const mean = this.sum / this.window;
      // Population std of the window; clamp the rounding error of the running sums.
      const std = Math.sqrt(Math.max(0, this.sumSq / this.window - mean * mean));
      if (std > this.maxStd) this.maxStd = std;
    }
  }

  get tokens(): number {
    return this.count;
  }

  /** exp(mean −log p) over every token so far; undefined before the first token. */
  get perplexity(): number | undefined {
    return this.count ? Math.exp(this.sumNegLogP / this.count) : undefined;
  }

  /** Max over full windows of the std of per-token perplexity; undefined while shorter than one window. */
  get windowStdMax(): number | undefined {
    return this.count >= this.window ? this.maxStd : undefined;
  }
}
