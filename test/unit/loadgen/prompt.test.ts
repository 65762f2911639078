import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePrompt, makeRandomPrompt, makeRepeatedPrompt, mulberry32, planRequest, rngFor } from '../../../lib/loadgen/prompt';
import { tokenEntropyBits } from '../../../workers/sandbox/model/quality';

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

test('prompt kinds: a repeated word has near-zero entropy, random bytes the most, natural text between; lengths exact', () => {
  const bytes = (s: string) => Array.from(Buffer.from(s, 'latin1'));
  const rng = mulberry32(5);
  const natural = makePrompt(rng, 160);
  const repeated = makeRepeatedPrompt(rng, 160);
  const random = makeRandomPrompt(rng, 160);
  for (const p of [natural, repeated, random]) assert.equal(p.length, 160);
  assert.match(random, /^[!-~]+$/, 'printable ASCII only (valid JSON and UTF-8)');
  const [hn, hr, hx] = [natural, repeated, random].map((p) => tokenEntropyBits(bytes(p)));
  assert.ok(hr < 3, `repeated ${hr}`);
  assert.ok(hn > 3.5 && hn < 5, `natural ${hn}`);
  assert.ok(hx > 6, `random ${hx}`);
});

test('a prompt mix is followed, and a natural-only run draws exactly the prompts it drew before mixes existed', () => {
  const base = { seed: 9, promptLength: { mode: 'range' as const, min: 16, max: 64 }, p0Fraction: 0.2 };
  const counts = { natural: 0, repeated: 0, random: 0 };
  for (let i = 0; i < 3000; i++) counts[planRequest({ ...base, promptMix: { natural: 50, repeated: 30, random: 20 } }, i).kind]++;
  assert.ok(Math.abs(counts.natural / 3000 - 0.5) < 0.04 && Math.abs(counts.repeated / 3000 - 0.3) < 0.04 && Math.abs(counts.random / 3000 - 0.2) < 0.04, JSON.stringify(counts));
  for (let i = 0; i < 20; i++) {
    const before = planRequest(base, i);
    const now = planRequest({ ...base, promptMix: { natural: 100, repeated: 0, random: 0 } }, i);
    assert.deepEqual(now, before);
    assert.equal(now.kind, 'natural');
  }
  assert.ok([...Array(50).keys()].every((i) => planRequest({ ...base, promptMix: { natural: 0, repeated: 0, random: 100 } }, i).kind === 'random'));
});
