// Seeded prompts and priorities. Request i of a run is the same text and priority
// every time the run is repeated with the same seed, whatever the concurrency or
// the order requests finish in, so two runs can be compared request for request.
import { mulberry32 } from '../random';
import type { LoadParams, PromptKind, PromptLength, PromptMix } from './params';

export { mulberry32 };

/** A stream per (seed, request index), independent of how many values other requests drew. */
export function rngFor(seed: number, index: number): () => number {
  // Mix the index in with a multiplicative hash so neighbouring indices diverge at once.
  return mulberry32((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0);
}

// Ordinary English so the sandbox's byte-level tokenizer and real BPE tokenizers
// both see text shaped like a user prompt (prefix caches, token counts).
const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an they ' +
  'one you were her all she there would their we him been has when who will more no if out so said what up its ' +
  'about into than them can only other new some could time these two may then do first any my now such like our ' +
  'over man me even most made after also did many before must through back years where much your way well down ' +
  'should because each just those people how too little state good very make world still own see men work long get ' +
  'here between both life being under never day same another know while last might us great old year off come since ' +
  'against go came right used take three model server request latency token queue batch kernel memory cache trace ' +
  'profile metric window answer question explain summarise describe compare why slow fast report system'
).split(' ');

/** Real-word text of exactly `bytes` ASCII bytes (= tokens for a byte-level tokenizer). */
export function makePrompt(rng: () => number, bytes: number): string {
  let s = '';
  while (s.length < bytes) {
    const w = WORDS[Math.floor(rng() * WORDS.length)];
    s += s ? ` ${w}` : w[0].toUpperCase() + w.slice(1);
  }
  return s.slice(0, bytes);
}

/** One short word repeated to `bytes`: a handful of distinct tokens, near-zero entropy (injection padding). */
export function makeRepeatedPrompt(rng: () => number, bytes: number): string {
  const w = WORDS[Math.floor(rng() * WORDS.length)];
  return `${w} `.repeat(Math.ceil(bytes / (w.length + 1))).slice(0, bytes);
}

/** Printable ASCII bytes drawn uniformly: the highest entropy a byte-level prompt can have short of binary (junk traffic). */
export function makeRandomPrompt(rng: () => number, bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += String.fromCharCode(33 + Math.floor(rng() * 94));
  return s;
}

/** The kind of request `index` draws from the mix (a run of one kind draws nothing, so its prompts stay as before). */
export function drawPromptKind(rng: () => number, mix: PromptMix): PromptKind {
  if (mix.natural === 100) return 'natural';
  const x = rng() * 100;
  if (x < mix.natural) return 'natural';
  return x < mix.natural + mix.repeated ? 'repeated' : 'random';
}

const MAKERS: Record<PromptKind, (rng: () => number, bytes: number) => string> = {
  natural: makePrompt,
  repeated: makeRepeatedPrompt,
  random: makeRandomPrompt,
};

export function drawPromptLength(rng: () => number, p: PromptLength): number {
  if (p.mode === 'fixed') return p.tokens;
  return p.min + Math.floor(rng() * (p.max - p.min + 1));
}

export type Priority = 'P0' | 'P1';

export interface PlannedRequest {
  index: number;
  prompt: string;
  kind: PromptKind;
  priority: Priority;
  /** passed to the server's sampler so reruns produce the same completions */
  seed: number;
}

/** Request `index` of a run: built on demand so a 10,000-request run never holds all prompts. */
export function planRequest(params: Pick<LoadParams, 'seed' | 'promptLength' | 'p0Fraction'> & { promptMix?: PromptMix }, index: number): PlannedRequest {
  const rng = rngFor(params.seed, index);
  const priority: Priority = rng() < params.p0Fraction ? 'P0' : 'P1';
  const length = drawPromptLength(rng, params.promptLength);
  const seed = Math.floor(rng() * 2 ** 31);
  const kind = drawPromptKind(rng, params.promptMix ?? { natural: 100, repeated: 0, random: 0 });
  return { index, prompt: MAKERS[kind](rng, length), kind, priority, seed };
}
