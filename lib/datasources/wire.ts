import { BackendError } from '@/lib/model/types';
import type { RemoteBackend } from './http';

// Small shape checks shared by the parse modules. A response that does not fit
// becomes a BackendError naming the backend and the offending field, instead
// of an undefined that surfaces three components later.

export class Wire {
  constructor(readonly backend: RemoteBackend) {}

  fail(path: string, expected: string, got: unknown): never {
    const shown = got === undefined ? 'nothing' : JSON.stringify(got)?.slice(0, 80);
    throw new BackendError(this.backend, 200, `unexpected ${this.backend} response: ${path} should be ${expected}, got ${shown}`, 'bad_response');
  }

  obj(v: unknown, path: string): Record<string, unknown> {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(path, 'an object', v);
    return v as Record<string, unknown>;
  }

  arr(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) this.fail(path, 'an array', v);
    return v;
  }

  /** Optional array: a missing key is an empty list (proto3 JSON omits empty repeated fields). */
  optArr(v: unknown, path: string): unknown[] {
    return v === undefined || v === null ? [] : this.arr(v, path);
  }

  str(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, 'a string', v);
    return v;
  }

  optStr(v: unknown, path: string): string | undefined {
    return v === undefined || v === null ? undefined : this.str(v, path);
  }

  /** A number that may arrive as a JSON number or as a string (proto3 JSON int64). */
  num(v: unknown, path: string): number {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '') {
      const n = Number(v);
      if (!Number.isNaN(n)) return n;
    }
    return this.fail(path, 'a number', v);
  }

  /** A double as proto3 JSON writes it: a number, or the strings "NaN", "Infinity", "-Infinity". */
  float(v: unknown, path: string): number {
    if (v === 'NaN') return Number.NaN;
    if (v === 'Infinity' || v === '-Infinity') return Number(v);
    return this.num(v, path);
  }

  /** Like num, but absent (proto3 JSON omits zero values) means 0. */
  num0(v: unknown, path: string): number {
    return v === undefined || v === null ? 0 : this.num(v, path);
  }

  /** An int64 that must stay exact (nanosecond timestamps): string or integer number → bigint. */
  big(v: unknown, path: string): bigint {
    if (typeof v === 'string' && /^-?\d+$/.test(v.trim())) return BigInt(v.trim());
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    return this.fail(path, 'an integer', v);
  }

  big0(v: unknown, path: string): bigint {
    return v === undefined || v === null ? 0n : this.big(v, path);
  }

  labels(v: unknown, path: string): Record<string, string> {
    const o = this.obj(v, path);
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(o)) out[k] = this.str(val, `${path}.${k}`);
    return out;
  }
}
