import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../../workers/sandbox/model/rng';
import { argmax, sample, topKIndices } from '../../../workers/sandbox/model/sampling';

const logits = Float32Array.from([0.1, 2.5, -1, 2.4, 0, 3.1, 3.1, -5]);

test('the PRNG is deterministic per seed and roughly uniform', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 1000 }, () => a.next());
  assert.deepEqual(xs, Array.from({ length: 1000 }, () => b.next()));
  assert.notDeepEqual(xs, Array.from({ length: 1000 }, () => c.next()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
});

test('greedy (temperature 0) is the argmax, lowest index on ties, and ignores the rng', () => {
  assert.equal(argmax(logits), 5);
  const rng = new Rng(1);
  for (let i = 0; i < 5; i++) assert.equal(sample(logits, { temperature: 0, topK: 3 }, rng), 5);
});

test('topKIndices returns the k largest in descending order', () => {
  assert.deepEqual(topKIndices(logits, 4), [5, 6, 1, 3]);
  assert.deepEqual(topKIndices(logits, 1), [5]);
  assert.deepEqual(topKIndices(logits, 8).length, 8);
});

test('sampling with a seed reproduces the same token sequence; another seed gives another', () => {
  const run = (seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 50 }, () => sample(logits, { temperature: 1 }, rng));
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
});

test('top-k never picks outside the k best', () => {
  const rng = new Rng(9);
  const allowed = new Set([5, 6, 1]);
  for (let i = 0; i < 500; i++) assert.ok(allowed.has(sample(logits, { temperature: 5, topK: 3 }, rng)));
});

test('temperature 1 sampling frequencies follow softmax(logits)', () => {
  const rng = new Rng(11);
  const n = 20000;
  const counts = new Array(logits.length).fill(0);
  for (let i = 0; i < n; i++) counts[sample(logits, { temperature: 1 }, rng)]++;
  const z = Array.from(logits).reduce((s, l) => s + Math.exp(l), 0);
  logits.forEach((l, i) => {
    const p = Math.exp(l) / z;
    assert.ok(Math.abs(counts[i] / n - p) < 0.015, `token ${i}: ${counts[i] / n} vs ${p}`);
  });
});

test('a low temperature concentrates on the best tokens, a high one spreads out', () => {
  const spread = (temperature: number) => {
    const rng = new Rng(3);
    return new Set(Array.from({ length: 400 }, () => sample(logits, { temperature }, rng))).size;
  };
  const cold = new Rng(3);
  const coldPicks = new Set(Array.from({ length: 400 }, () => sample(logits, { temperature: 0.05 }, cold)));
  assert.ok([...coldPicks].every((t) => t === 5 || t === 6), `cold picks ${[...coldPicks]}`);
  assert.ok(spread(10) >= 7);
});
