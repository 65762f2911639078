import { readFileSync } from 'node:fs';
import path from 'node:path';

// Recorded responses of real Tempo, Pyroscope and Prometheus servers, kept in the
// repository (test/fixtures/README.md names each file's source) so a plain clone
// runs every test.
export const FIXTURES_DIR = path.resolve(import.meta.dirname, '..', 'fixtures');

/** Bytes of a fixture file, path relative to test/fixtures (e.g. "tempo/search.traceql.json"). */
export function fixture(rel: string) {
  return readFileSync(path.join(FIXTURES_DIR, rel));
}

export function fixtureJson<T = unknown>(rel: string): T {
  return JSON.parse(fixture(rel).toString('utf8')) as T;
}
