// What the quality signals cost the sandbox, against the work they ride on,
// measured in the same process: per output token the server computes one
// log-probability over the vocabulary and updates the running perplexity and
// its window (model/quality.ts); the reference is one decode step of the same
// model producing those logits. Prompt entropy is once per request, over the
// prompt's tokens, against that request's prefill.
import { createRunner } from '../../workers/sandbox/runtime';
import { logProbability, OutputQuality, tokenEntropyBits } from '../../workers/sandbox/model/quality';
import { argmax } from '../../workers/sandbox/model/sampling';

const line = (name: string, value: number, unit: string, note = '') => console.log(`${name} ${value.toFixed(value < 10 ? 4 : 1)} ${unit}${note ? `  # ${note}` : ''}`);

const runner = await createRunner({ backend: 'cpu', preset: 'tiny', seed: 1, threads: 1 });
const STEPS = 200;
const rounds: { decodeMs: number; qualityMs: number; prefillMs: number; entropyMs: number }[] = [];
for (let round = 0; round < 5; round++) {
  const seq = runner.allocSequence();
  const prompt = Int32Array.from({ length: 48 }, (_, i) => 32 + ((i * 31) % 90));
  let t0 = performance.now();
  let logits = await runner.prefill(seq, prompt);
  const prefillMs = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < 200; i++) tokenEntropyBits(prompt);
  const entropyMs = (performance.now() - t0) / 200;
  const all: Float32Array[] = [];
  t0 = performance.now();
  for (let i = 0; i < STEPS && seq.length < runner.info.maxSeqLen - 1; i++) {
    const token = argmax(logits);
    logits = (await runner.decode([{ seq, token }]))[0];
    all.push(logits);
  }
  const decodeMs = (performance.now() - t0) / all.length;
  const q = new OutputQuality(16);
  t0 = performance.now();
  for (const l of all) q.add(logProbability(l, argmax(l)));
  const qualityMs = (performance.now() - t0) / all.length;
  runner.freeSequence(seq);
  rounds.push({ decodeMs, qualityMs, prefillMs, entropyMs });
}
await runner.dispose();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const decode = median(rounds.map((r) => r.decodeMs));
const quality = median(rounds.map((r) => r.qualityMs));
line('quality.per_token', quality * 1000, 'µs', 'log-probability over 256 logits + perplexity window update');
line('quality.decode_step_tiny', decode * 1000, 'µs', 'reference: one decode step, tiny preset, CPU, 1 thread');
line('quality.per_token_share', (quality / decode) * 100, '%', 'of the decode step it follows; budget for all telemetry ≤ 3 %');
line('quality.prompt_entropy_share', (median(rounds.map((r) => r.entropyMs)) / median(rounds.map((r) => r.prefillMs))) * 100, '%', 'of a 48-token prefill');
