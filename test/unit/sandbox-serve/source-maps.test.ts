// The sandbox's CPU profile frames carry the TypeScript file and line (tsx
// compiles each module onto one line) and a name for arrow functions, through
// the source maps Node keeps: the sourceMapper the Pyroscope SDK is given.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { time } from '@datadog/pprof';
import { NodeSourceMaps, nameFromSource } from '../../../workers/sandbox/telemetry/source-maps';
import { burnArrow, burnNamed } from './fixtures/mapped-work';

test('nameFromSource: the binding a function is defined in, none for a callback', () => {
  const table: [string, number, string | undefined][] = [
    ['export const burnArrow = (ms: number): number => {', 26, 'burnArrow'],
    ['  const step: Step = async (ctx) => {', 22, 'step'],
    ['  const step: Step = async (ctx) => {', 28, 'step'],
    ['export const burnArrow = (ms: number): number => {', 27, 'burnArrow'], // a column inside the parameter list
    ['  forward: (x) => x * 2,', 12, 'forward'],
    ['  handler = function (req) {', 13, 'handler'],
    ['  [1, 2].forEach((x) => sum(x));', 18, undefined],
    ['  queue.then((r) => r.json());', 15, undefined],
  ];
  for (const [line, col, want] of table) assert.equal(nameFromSource(line, col), want, line);
});

test('profile frames map back to the TypeScript lines, and arrow functions get their names', () => {
  const mapper = new NodeSourceMaps();
  const file = path.resolve(import.meta.dirname, 'fixtures', 'mapped-work.ts');
  assert.equal(mapper.hasMappingInfo(file), true, 'tsx registered a source map for the module');
  time.start({ intervalMicros: 500, durationMillis: 5_000, sourceMapper: mapper as never });
  burnNamed(120);
  burnArrow(120);
  // stop(true), as the SDK stops at every flush: @datadog/pprof drops the source mapper before a final stop() serializes.
  const p = time.stop(true);
  time.stop();
  const str = (i: number | bigint) => p.stringTable.strings[Number(i)];
  const seen = new Map<string, { file: string; line: number }>();
  for (const loc of p.location) {
    for (const ln of loc.line) {
      const f = p.function.find((x) => x.id === ln.functionId)!;
      if (str(f.filename) === file) seen.set(str(f.name), { file: str(f.filename), line: Number(ln.line) });
    }
  }
  assert.deepEqual(seen.get('burnNamed')?.line, 2, `frames: ${JSON.stringify([...seen])}`);
  assert.deepEqual(seen.get('burnArrow')?.line, 9, `frames: ${JSON.stringify([...seen])}`);
  assert.ok(![...seen.keys()].some((n) => n.startsWith('(anonymous')), 'no anonymous frame left in the fixture');
});
