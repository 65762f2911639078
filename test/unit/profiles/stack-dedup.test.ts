// Stack deduplication on the ingest path: samples are grouped into stacks by
// their location-id sequence (a hash, confirmed by comparing ids) and stack
// ids are remembered per frame sequence. These checks would fail if the
// caching confused two stacks or gave equal frames different ids.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { decodePprof, profileStacks } from '../../../lib/profiles';
import { profileRows, stackId } from '../../../lib/datasources/embedded/profiles';

/**
 * Functions main, a, b; locations 1 → main, 2 → a, 3 → b, 4 → a again (another
 * line of the same function), 5 → an inlined b inside a. Samples list the leaf first.
 */
function build(samples: { locs: number[]; value: number; labels?: { key: string; str?: string; num?: number; unit?: string }[] }[]): Uint8Array {
  const st = new StringTable();
  const fn = (id: number, name: string) => new PFunction({ id, name: st.dedup(name) });
  const loc = (id: number, ...fnIds: number[]) => new Location({ id, line: fnIds.map((functionId) => new Line({ functionId })) });
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup('cpu'), unit: st.dedup('microseconds') })],
    periodType: new ValueType({ type: st.dedup('cpu'), unit: st.dedup('microseconds') }),
    period: 10_000,
    function: [fn(1, 'main'), fn(2, 'a'), fn(3, 'b')],
    location: [loc(1, 1), loc(2, 2), loc(3, 3), loc(4, 2), loc(5, 3, 2)],
    sample: samples.map(
      (s) =>
        new Sample({
          locationId: s.locs,
          value: [s.value],
          label: (s.labels ?? []).map((l) => new Label({ key: st.dedup(l.key), str: l.str ? st.dedup(l.str) : 0, num: l.num ?? 0, numUnit: l.unit ? st.dedup(l.unit) : 0 })),
        }),
    ),
    stringTable: st,
  });
  return gzipSync(p.encode());
}

const sha = (frames: string[]) => createHash('sha256').update(frames.join('\u0000')).update('\u0000').digest().readBigInt64BE(0).toString();

test('samples with the same location ids share a stack; order, prefixes and inlining keep stacks apart', () => {
  const p = profileStacks(
    decodePprof(
      build([
        { locs: [3, 2, 1], value: 1 },
        { locs: [2, 3, 1], value: 2 },
        { locs: [3, 2, 1], value: 4 },
        { locs: [2, 1], value: 8 },
        { locs: [5, 1], value: 16 },
        { locs: [], value: 32 },
      ]),
    ),
  );
  assert.deepEqual(p.stacks, [['main', 'a', 'b'], ['main', 'b', 'a'], ['main', 'a'], ['main', 'a', 'b'], []]);
  assert.deepEqual(
    p.samples.map((s) => [s.stack, s.values[0]]),
    [[0, 1_000], [1, 2_000], [0, 4_000], [2, 8_000], [3, 16_000], [4, 32_000]],
  );
});

test('identical frames reached through different location ids get one stack id, equal to the SHA-256 of the frames', () => {
  // Locations 2 and 4 are both function a: two location sequences, one frame sequence.
  const bytes = build([
    { locs: [3, 2, 1], value: 1 },
    { locs: [3, 4, 1], value: 2 },
    { locs: [2, 1], value: 4 },
  ]);
  const p = profileStacks(decodePprof(bytes));
  assert.equal(p.stacks.length, 3);
  assert.deepEqual(p.stacks[0], p.stacks[1]);
  assert.equal(stackId(p.stacks[0]), stackId(p.stacks[1]));
  assert.equal(stackId(p.stacks[0]), sha(['main', 'a', 'b']));
  // A prefix of a known stack is a stack of its own.
  assert.equal(stackId(p.stacks[2]), sha(['main', 'a']));
  assert.notEqual(stackId(p.stacks[2]), stackId(p.stacks[0]));
  // Fresh string objects (a later push decodes its names anew) find the same ids.
  const again = profileStacks(decodePprof(bytes));
  assert.equal(stackId(again.stacks[0]), sha(['main', 'a', 'b']));
  assert.equal(stackId(['main', 'b']), sha(['main', 'b']));
  // The rows refer to stacks by those ids.
  const { rows, stacks } = profileRows({ service: 's', labels: { service_name: 's' }, from: 0, until: 10_000, profile: p });
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].st, [sha(['main', 'a', 'b']), sha(['main', 'a', 'b']), sha(['main', 'a'])]);
  assert.deepEqual(rows[0].va, [1_000, 2_000, 4_000]);
  assert.deepEqual(stacks.get(sha(['main', 'a'])), ['main', 'a']);
});

test('labels per sample: strings, numbers with units, several at once, none', () => {
  const p = profileStacks(
    decodePprof(
      build([
        { locs: [2, 1], value: 1, labels: [{ key: 'span_id', str: '00000000000000aa' }] },
        { locs: [2, 1], value: 1, labels: [{ key: 'span_id', str: '00000000000000bb' }, { key: 'env', str: 'dev' }] },
        { locs: [2, 1], value: 1, labels: [{ key: 'bytes', num: 512, unit: 'bytes' }, { key: 'n', num: 3 }] },
        { locs: [2, 1], value: 1 },
      ]),
    ),
  );
  assert.deepEqual(
    p.samples.map((s) => s.labels),
    [{ span_id: '00000000000000aa' }, { span_id: '00000000000000bb', env: 'dev' }, { bytes: '512bytes', n: '3' }, {}],
  );
  assert.ok(p.samples.every((s) => s.stack === 0));
});
