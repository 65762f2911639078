import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRESETS } from '../../../workers/sandbox/model/config';
import { encode } from '../../../workers/sandbox/model/tokenizer';
import { generateWeights, paramCount } from '../../../workers/sandbox/model/weights';
import { CpuRunner } from '../../../workers/sandbox/runtime/cpu';
import { createRunner } from '../../../workers/sandbox/runtime/index';
import { maxAbsDiff, refForward } from './reference';

const tinyWeights = generateWeights(PRESETS.tiny, 1234);
const prompt = encode('Hello, sandbox! ünïcode', { bos: true });

test('the presets are about 1M and about 25M parameters', () => {
  const tiny = paramCount(PRESETS.tiny);
  const small = paramCount(PRESETS.small);
  assert.ok(tiny > 0.8e6 && tiny < 1.2e6, `tiny ${tiny}`);
  assert.ok(small > 22e6 && small < 28e6, `small ${small}`);
});

test('weights are a pure function of the seed', () => {
  assert.deepEqual(generateWeights(PRESETS.tiny, 1234).data, tinyWeights.data);
  assert.notDeepEqual(generateWeights(PRESETS.tiny, 1235).data.subarray(0, 100), tinyWeights.data.subarray(0, 100));
});

test('prefill then decode match the naive f64 reference forward pass (max abs diff < 1e-4)', async () => {
  const runner = new CpuRunner(tinyWeights, 'tiny');
  const seq = runner.allocSequence();
  const ref = refForward(tinyWeights, [...prompt, 65, 66]);
  const logits = await runner.prefill(seq, prompt);
  assert.equal(seq.length, prompt.length);
  assert.equal(logits.length, PRESETS.tiny.vocabSize);
  assert.ok(maxAbsDiff(logits, ref[prompt.length - 1]) < 1e-4, `prefill diff ${maxAbsDiff(logits, ref[prompt.length - 1])}`);
  const [l1] = await runner.decode([{ seq, token: 65 }]);
  const [l2] = await runner.decode([{ seq, token: 66 }]);
  assert.ok(maxAbsDiff(l1, ref[prompt.length]) < 1e-4);
  assert.ok(maxAbsDiff(l2, ref[prompt.length + 1]) < 1e-4);
  assert.equal(seq.length, prompt.length + 2);
});

test('a prompt longer than one prefill chunk gives the same logits as feeding it token by token', async () => {
  const runner = new CpuRunner(tinyWeights, 'tiny');
  const long = encode('A longer prompt that spans several prefill chunks of sixteen tokens each.');
  const a = runner.allocSequence();
  const la = await runner.prefill(a, long);
  const b = runner.allocSequence();
  let lb = await runner.prefill(b, long.subarray(0, 1));
  for (let i = 1; i < long.length; i++) [lb] = await runner.decode([{ seq: b, token: long[i] }]);
  assert.deepEqual(la, lb);
});

test('batched decode equals decoding each sequence alone, bit for bit', async () => {
  const runner = new CpuRunner(tinyWeights, 'tiny');
  const prompts = ['one', 'second prompt', 'third, longer prompt here'].map((p) => encode(p, { bos: true }));
  const batched = await Promise.all(prompts.map(async (p) => ({ seq: runner.allocSequence(), p })));
  const alone = prompts.map(() => runner.allocSequence());
  for (let i = 0; i < prompts.length; i++) {
    await runner.prefill(batched[i].seq, prompts[i]);
    await runner.prefill(alone[i], prompts[i]);
  }
  for (let step = 0; step < 3; step++) {
    const out = await runner.decode(batched.map((b, i) => ({ seq: b.seq, token: 70 + i + step })));
    for (let i = 0; i < prompts.length; i++) {
      const [single] = await runner.decode([{ seq: alone[i], token: 70 + i + step }]);
      assert.deepEqual(out[i], single, `step ${step} seq ${i}`);
    }
  }
});

test('copyPrefix reuses a cached prefix: continuing from it equals prefilling the whole prompt', async () => {
  const runner = new CpuRunner(tinyWeights, 'tiny');
  const full = encode('shared system prompt | user question');
  const n = encode('shared system prompt | ').length;
  const donor = runner.allocSequence();
  await runner.prefill(donor, full.subarray(0, n + 3)); // donor went further than the shared part
  const reused = runner.allocSequence();
  runner.copyPrefix(donor, reused, n);
  assert.equal(reused.length, n);
  const a = await runner.prefill(reused, full.subarray(n));
  const fresh = runner.allocSequence();
  const b = await runner.prefill(fresh, full);
  assert.deepEqual(a, b);
  assert.throws(() => runner.copyPrefix(donor, reused, donor.length + 1), RangeError);
});

test('limits: maxSeqLen, vocabulary, freed sequences and duplicate batch entries are rejected clearly', async () => {
  const runner = new CpuRunner(tinyWeights, 'tiny');
  const seq = runner.allocSequence();
  await assert.rejects(runner.prefill(seq, new Int32Array(PRESETS.tiny.maxSeqLen + 1)), /exceed maxSeqLen 256/);
  await assert.rejects(runner.prefill(seq, Int32Array.from([1, 999])), /outside the vocabulary/);
  await assert.rejects(runner.prefill(seq, new Int32Array(0)), /at least one token/);
  await runner.prefill(seq, Int32Array.from([1, 2]));
  await assert.rejects(runner.decode([{ seq, token: 1 }, { seq, token: 2 }]), /twice/);
  runner.freeSequence(seq);
  assert.equal(seq.length, 0);
  await assert.rejects(runner.decode([{ seq, token: 1 }]), /not allocated/);
  runner.freeSequence(seq); // harmless
  // a full sequence cannot take another token
  const full = runner.allocSequence();
  await runner.prefill(full, new Int32Array(PRESETS.tiny.maxSeqLen));
  await assert.rejects(runner.decode([{ seq: full, token: 1 }]), /full/);
});

test('a freed slot is reused and starts clean: the same prompt gives the same logits', async () => {
  const runner = new CpuRunner(tinyWeights, 'tiny');
  const a = runner.allocSequence();
  const first = await runner.prefill(a, prompt);
  await runner.decode([{ seq: a, token: 9 }]);
  runner.freeSequence(a);
  const b = runner.allocSequence();
  assert.notEqual(b.id, a.id);
  assert.deepEqual(await runner.prefill(b, prompt), first);
});

test('createRunner builds the cpu backend for a preset and seed', async () => {
  const r = await createRunner({ backend: 'cpu', preset: 'tiny', seed: 1234 });
  assert.equal(r.info.backend, 'cpu');
  assert.equal(r.info.preset, 'tiny');
  assert.equal(r.info.params, paramCount(PRESETS.tiny));
  assert.equal(r.info.vocabSize, 258);
  const seq = r.allocSequence();
  const viaFactory = await r.prefill(seq, prompt);
  const direct = await new CpuRunner(tinyWeights, 'tiny').prefill(new CpuRunner(tinyWeights, 'tiny').allocSequence(), prompt).catch(() => null);
  assert.equal(direct, null); // a handle from another runner is not accepted
  const own = new CpuRunner(tinyWeights, 'tiny');
  assert.deepEqual(await own.prefill(own.allocSequence(), prompt), viaFactory);
  await r.dispose();
  await assert.rejects(createRunner({ backend: 'cpu', preset: 'huge', seed: 1 }), /unknown preset "huge"/);
});

test('two-thread mode gives bit-identical logits to one thread, for one sequence and a batch', async () => {
  const one = new CpuRunner(tinyWeights, 'tiny');
  const two = await CpuRunner.create(tinyWeights, 'tiny', { threads: 2 });
  try {
    assert.equal(two.info.threads, 2);
    const a = [one.allocSequence(), one.allocSequence(), one.allocSequence()];
    const b = [two.allocSequence(), two.allocSequence(), two.allocSequence()];
    for (let i = 0; i < 3; i++) assert.deepEqual(await two.prefill(b[i], prompt.subarray(i)), await one.prefill(a[i], prompt.subarray(i)));
    for (let step = 0; step < 2; step++) {
      const oa = await one.decode(a.map((seq, i) => ({ seq, token: 40 + i })));
      const ob = await two.decode(b.map((seq, i) => ({ seq, token: 40 + i })));
      assert.deepEqual(ob, oa);
    }
    // a batch larger than the scratch buffers were sized for makes both grow (and the helper re-map them)
    const many = (r: CpuRunner) => Array.from({ length: 20 }, () => r.allocSequence());
    const [ma, mb] = [many(one), many(two)];
    for (let i = 0; i < 20; i++) {
      await one.prefill(ma[i], Int32Array.from([i + 1]));
      await two.prefill(mb[i], Int32Array.from([i + 1]));
    }
    const big = await two.decode(mb.map((seq, i) => ({ seq, token: 60 + i })));
    assert.deepEqual(big, await one.decode(ma.map((seq, i) => ({ seq, token: 60 + i }))));
    const fresh = new CpuRunner(tinyWeights, 'tiny');
    const alone = fresh.allocSequence();
    await fresh.prefill(alone, Int32Array.from([20]));
    assert.deepEqual((await fresh.decode([{ seq: alone, token: 79 }]))[0], big[19]);
  } finally {
    await two.dispose();
  }
});
