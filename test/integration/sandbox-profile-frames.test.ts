// What the sandbox's profiler pushes names its TypeScript frames by file and
// real line (`./…/mapped-work.ts:burnArrow:9`), arrow functions included:
// the Pyroscope SDK gets the source maps Node holds for tsx-compiled modules.
// A real push to a local receiver, between two regular flushes.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startProfiling, type Profiler } from '../../workers/sandbox/telemetry/profiling';
import { startSinks, type Sinks } from '../helpers/telemetry-sinks';
import { burnArrow, burnNamed } from '../unit/sandbox-serve/fixtures/mapped-work';

let sinks: Sinks | undefined;
let profiler: Profiler | undefined;
after(async () => {
  await profiler?.stop();
  await sinks?.close();
});

test('pushed frames read file:function:line with the TypeScript lines', { timeout: 60_000 }, async () => {
  sinks = await startSinks();
  profiler = startProfiling({ serverAddress: sinks.url, appName: 'frames', tags: {}, flushIntervalMs: 500, samplingIntervalMicros: 1000 });
  const names = new Set<string>();
  // Burn until a regular flush (not the final one at stop) has brought our frames.
  for (let round = 0; round < 40 && ![...names].some((n) => n.includes(':burnArrow:')); round++) {
    burnNamed(60);
    burnArrow(60);
    await new Promise((r) => setTimeout(r, 100));
    for (const p of sinks.profiles) {
      const strings = p.profile.stringTable.strings;
      for (const f of p.profile.function) names.add(strings[Number(f.name)]);
    }
  }
  const ours = [...names].filter((n) => n.includes('fixtures/mapped-work.ts'));
  assert.ok(ours.includes('./test/unit/sandbox-serve/fixtures/mapped-work.ts:burnNamed:2'), `frames: ${ours}`);
  assert.ok(ours.includes('./test/unit/sandbox-serve/fixtures/mapped-work.ts:burnArrow:9'), `frames: ${ours}`);
});
