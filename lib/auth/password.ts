// Password hashing with node:crypto's scrypt (memory-hard), in a
// self-describing string so the cost can be raised later without breaking
// stored hashes: `scrypt$<logN>$<r>$<p>$<salt b64url>$<hash b64url>`.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

interface Cost {
  logN: number;
  r: number;
  p: number;
}

/** 2^15 × 8 × 128 B = 32 MiB per hash (OWASP's scrypt minimum is 2^17 with r=8 at p=1; 2^15 keeps sign-in under ~100 ms on 2 cores). */
export const DEFAULT_COST: Cost = { logN: 15, r: 8, p: 1 };
const KEY_BYTES = 32;
export const MIN_PASSWORD_LENGTH = 10;
const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, c: Cost): Promise<Buffer> {
  const N = 2 ** c.logN;
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { N, r: c.r, p: c.p, maxmem: 256 * N * c.r }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Why a new password is not acceptable, or null. */
export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password may have at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

export async function hashPassword(password: string, cost: Cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.logN, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `password` matches `stored`; false for a malformed stored hash. Constant-time in the comparison. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([\w-]{16,})\$([\w-]{32,})$/.exec(stored);
  if (!m || password.length > MAX_PASSWORD_LENGTH) return false;
  const cost = { logN: Number(m[1]), r: Number(m[2]), p: Number(m[3]) };
  if (cost.logN < 10 || cost.logN > 20 || cost.r < 1 || cost.p < 1) return false;
  const expected = Buffer.from(m[5], 'base64url');
  const key = await derive(password, Buffer.from(m[4], 'base64url'), cost);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash to verify against when the user does not exist, so a wrong name costs the same time as a wrong password. */
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummy;
}
