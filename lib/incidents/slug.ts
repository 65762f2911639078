// Incident link slugs: short enough to read aloud, too many to guess. 26
// symbols from a 32-letter alphabet without look-alikes (l/1, o/0) carry
// 26 × 5 = 130 bits, all from the operating system's CSPRNG; a byte maps to a
// symbol by its low five bits, and 256 is a multiple of 32, so every symbol
// is equally likely.
import { randomBytes } from 'node:crypto';

export const SLUG_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export const SLUG_LENGTH = 26;
/** Entropy of one slug, in bits. */
export const SLUG_BITS = SLUG_LENGTH * Math.log2(SLUG_ALPHABET.length);
export const SLUG_PATTERN = /^[a-km-np-z2-9]{26}$/;

export function newSlug(random: (n: number) => Uint8Array = randomBytes): string {
  let out = '';
  for (const b of random(SLUG_LENGTH)) out += SLUG_ALPHABET[b & 31];
  return out;
}

export const isSlug = (s: string): boolean => SLUG_PATTERN.test(s);
