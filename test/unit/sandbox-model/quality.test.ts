import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logProbability, OutputQuality, tokenEntropyBits } from '../../../workers/sandbox/model/quality';

const close = (a: number | undefined, b: number, eps = 1e-9) => assert.ok(a !== undefined && Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

test('prompt entropy in bits, against hand-computed cases', () => {
  close(tokenEntropyBits([7, 7, 7, 7]), 0); // one token repeated: no surprise
  close(tokenEntropyBits([1, 2]), 1); // two equally likely tokens: one bit
  close(tokenEntropyBits([1, 2, 3, 4]), 2);
  close(tokenEntropyBits(Array.from({ length: 256 }, (_, i) => i)), 8); // every byte once: 8 bits
  // p = (1/2, 1/4, 1/4): 0.5·1 + 2·0.25·2 = 1.5 bits
  close(tokenEntropyBits([5, 5, 6, 9]), 1.5);
  close(tokenEntropyBits([]), 0);
  close(tokenEntropyBits([3]), 0);
  // Order does not matter, only the distribution.
  close(tokenEntropyBits(new Int32Array([9, 6, 5, 5])), 1.5);
});

test('log-probability of a token under softmax, stable for large logits', () => {
  close(logProbability([0, 0], 1), Math.log(0.5));
  close(logProbability([Math.log(1), Math.log(3)], 1), Math.log(0.75));
  close(logProbability([1000, 1000, 1000, 1000], 2), Math.log(0.25)); // no overflow
  close(logProbability([-1000, 0], 1), 0); // p ≈ 1
});

test('perplexity: exp of the mean negative log-probability', () => {
  const q = new OutputQuality(4);
  assert.equal(q.perplexity, undefined);
  for (const p of [0.5, 0.25]) q.add(Math.log(p));
  // mean −ln p = (ln 2 + ln 4)/2 = 1.5 ln 2 → perplexity 2^1.5
  close(q.perplexity, 2 ** 1.5);
  // A model certain of every token has perplexity 1; uniform over V has perplexity V.
  const certain = new OutputQuality(2);
  for (let i = 0; i < 5; i++) certain.add(0);
  close(certain.perplexity, 1);
  const uniform = new OutputQuality(2);
  for (let i = 0; i < 5; i++) uniform.add(Math.log(1 / 256));
  close(uniform.perplexity, 256);
});

/** The naive reference: every window of per-token perplexities, its population std, the max. */
function naiveWindowStdMax(logProbs: number[], w: number): number | undefined {
  if (logProbs.length < w) return undefined;
  let best = 0;
  for (let end = w; end <= logProbs.length; end++) {
    const xs = logProbs.slice(end - w, end).map((l) => Math.exp(-l));
    const mean = xs.reduce((a, b) => a + b, 0) / w;
    const std = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / w);
    best = Math.max(best, std);
  }
  return best;
}

test('sliding-window std of per-token perplexity equals the naive reference', () => {
  // Deterministic pseudo-random log-probabilities with a burst of unlikely tokens in the middle.
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const logProbs = Array.from({ length: 300 }, (_, i) => Math.log(i > 140 && i < 160 ? 0.001 + rand() * 0.01 : 0.2 + rand() * 0.8));
  for (const w of [2, 5, 16, 64]) {
    const q = new OutputQuality(w);
    for (const l of logProbs) q.add(l);
    close(q.windowStdMax, naiveWindowStdMax(logProbs, w)!, 1e-6);
  }
  // Shorter than one window: no value yet; a constant stream: zero.
  const short = new OutputQuality(16);
  for (let i = 0; i < 15; i++) short.add(-1);
  assert.equal(short.windowStdMax, undefined);
  short.add(-1);
  close(short.windowStdMax, 0);
});

test('the burst raises the window std far above a steady stream', () => {
  const steady = new OutputQuality(16);
  const burst = new OutputQuality(16);
  for (let i = 0; i < 64; i++) {
    steady.add(Math.log(0.5));
    burst.add(Math.log(i >= 30 && i < 38 ? 0.01 : 0.5));
  }
  assert.equal(steady.windowStdMax, 0);
  assert.ok(burst.windowStdMax! > 40, `${burst.windowStdMax}`);
});

test('a window below 2 is refused', () => {
  assert.throws(() => new OutputQuality(1), /window must be a whole number ≥ 2/);
});
