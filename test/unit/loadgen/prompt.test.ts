import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePrompt, mulberry32, planRequest, rngFor } from '../../../workers/loadgen/prompt';

const params = { seed: 7, promptLength: { mode: 'range' as const, min: 5, max: 40 }, p0Fraction: 0.3 };

test('a prompt is real words, exactly as many bytes as asked', () => {
  for (const n of [1, 2, 17, 300, 4096]) {
    const p = makePrompt(mulberry32(n), n);
    assert.equal(Buffer.byteLength(p), n);
    assert.match(p, /^[A-Za-z ]+$/);
  }
  const long = makePrompt(mulberry32(1), 2000);
  // Every word but the (possibly cut) last one is a whole word from the list: more than one distinct word.
  const words = long.split(' ').slice(0, -1);
  assert.ok(new Set(words.map((w) => w.toLowerCase())).size > 20);
  assert.ok(words.every((w) => w.length > 0));
});

test('request i is the same for the same seed and differs between indices and seeds', () => {
  assert.deepEqual(planRequest(params, 12), planRequest(params, 12));
  assert.notEqual(planRequest(params, 12).prompt, planRequest(params, 13).prompt);
  assert.notEqual(planRequest(params, 12).prompt, planRequest({ ...params, seed: 8 }, 12).prompt);
  assert.notEqual(rngFor(1, 0)(), rngFor(1, 1)());
});

test('prompt lengths stay in the uniform range and reach both ends', () => {
  const lengths = Array.from({ length: 2000 }, (_, i) => planRequest(params, i).prompt.length);
  assert.equal(Math.min(...lengths), 5);
  assert.equal(Math.max(...lengths), 40);
  const fixed = planRequest({ ...params, promptLength: { mode: 'fixed', tokens: 64 } }, 3);
  assert.equal(fixed.prompt.length, 64);
});

test('the P0 share follows p0Fraction, with 0 and 1 exact', () => {
  const share = (p0Fraction: number) =>
    Array.from({ length: 2000 }, (_, i) => planRequest({ ...params, p0Fraction }, i)).filter((r) => r.priority === 'P0').length / 2000;
  assert.equal(share(0), 0);
  assert.equal(share(1), 1);
  const s = share(0.3);
  assert.ok(Math.abs(s - 0.3) < 0.04, `P0 share ${s}`);
});
