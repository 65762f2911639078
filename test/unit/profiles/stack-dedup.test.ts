// Stack deduplication on the ingest path: samples are grouped into stacks by
// their location-id sequence (a hash, confirmed by comparing ids) and stack
// ids are remembered per frame sequence. These checks would fail if the
// caching confused two stacks or gave equal frames different ids. Rows carry
// Postgres binary int8[] arrays, read back here.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { decodeProfile, type LeanProfile } from '../../../lib/profiles';
import { profileRows, stackId } from '../../../lib/datasources/embedded/profile-ingest';
import { int8ToSpanId } from '../../../lib/datasources/embedded/pg-binary';

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
const decode = (bytes: Uint8Array) => decodeProfile(new Uint8Array(gunzipSync(bytes)));
const framesOf = (p: LeanProfile, k: number) => Array.from(p.stackFrames.subarray(p.stackStart[k], p.stackStart[k + 1]), (f) => p.names[f]);

/** A Postgres binary int8[] (array_send) read back as decimal strings. */
function int8s(b: Buffer): string[] {
  const ndim = b.readInt32BE(0);
  if (ndim === 0) return [];
  assert.equal(ndim, 1);
  assert.equal(b.readInt32BE(8), 20, 'element type int8');
  const n = b.readInt32BE(12);
  assert.equal(b.readInt32BE(16), 1, 'lower bound 1');
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    assert.equal(b.readInt32BE(20 + 12 * i), 8);
    out.push(b.readBigInt64BE(24 + 12 * i).toString());
  }
  assert.equal(b.length, 20 + 12 * n);
  return out;
}

test('samples with the same location ids share a stack; order, prefixes and inlining keep stacks apart', () => {
  const p = decode(
    build([
      { locs: [3, 2, 1], value: 1 },
      { locs: [2, 3, 1], value: 2 },
      { locs: [3, 2, 1], value: 4 },
      { locs: [2, 1], value: 8 },
      { locs: [5, 1], value: 16 },
      { locs: [], value: 32 },
    ]),
  );
  assert.deepEqual(
    Array.from({ length: p.stackCount }, (_, k) => framesOf(p, k)),
    [['main', 'a', 'b'], ['main', 'b', 'a'], ['main', 'a'], ['main', 'a', 'b'], []],
  );
  // Values stay in the pprof's unit (microseconds here), as Pyroscope keeps them.
  assert.deepEqual(Array.from(p.sampleStack), [0, 1, 0, 2, 3, 4]);
  assert.deepEqual(Array.from(p.sampleValues), [1, 2, 4, 8, 16, 32]);
  assert.deepEqual(p.sampleTypes, [{ type: 'cpu', unit: 'microseconds' }]);
});

test('identical frames reached through different location ids get one stack id, equal to the SHA-256 of the frames', () => {
  // Locations 2 and 4 are both function a: two location sequences, one frame sequence.
  const bytes = build([
    { locs: [3, 2, 1], value: 1 },
    { locs: [3, 4, 1], value: 2 },
    { locs: [2, 1], value: 4 },
  ]);
  const p = decode(bytes);
  assert.equal(p.stackCount, 3);
  assert.deepEqual(framesOf(p, 0), framesOf(p, 1));
  assert.equal(stackId(framesOf(p, 0)), sha(['main', 'a', 'b']));
  // A prefix of a known stack is a stack of its own.
  assert.equal(stackId(['main', 'a']), sha(['main', 'a']));
  assert.equal(stackId(['main', 'b']), sha(['main', 'b']));
  // The rows refer to stacks by those ids, summed per (stack, span): the first two samples are one entry.
  const { rows, stacks } = profileRows({ service: 's', labels: { service_name: 's' }, from: 0, until: 10_000, profile: p });
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].profileTypes, ['process_cpu:cpu:microseconds:cpu:microseconds']);
  assert.deepEqual(int8s(rows[0].stackIds), [sha(['main', 'a', 'b']), sha(['main', 'a'])]);
  assert.deepEqual(int8s(rows[0].values), ['3', '4']);
  assert.deepEqual(int8s(rows[0].spanIds), ['0', '0']);
  assert.deepEqual(int8s(rows[0].spanSet), []);
  assert.deepEqual(int8s(rows[0].totals), ['7']);
  assert.deepEqual(stacks.map((s) => [s.entry.id, s.frames()]), [[sha(['main', 'a', 'b']), ['main', 'a', 'b']], [sha(['main', 'a']), ['main', 'a']]]);
  // A later push decodes its names anew and finds the same ids.
  assert.deepEqual(int8s(profileRows({ service: 's', labels: {}, from: 0, until: 1, profile: decode(bytes) }).rows[0].stackIds), [sha(['main', 'a', 'b']), sha(['main', 'a'])]);
});

test('labels per sample: span ids apart, strings, numbers with units; series per label set', () => {
  const p = decode(
    build([
      { locs: [2, 1], value: 1, labels: [{ key: 'span_id', str: '00000000000000aa' }] },
      { locs: [2, 1], value: 2, labels: [{ key: 'span_id', str: 'ffffffffffffffff' }, { key: 'env', str: 'dev' }] },
      { locs: [2, 1], value: 4, labels: [{ key: 'bytes', num: 512, unit: 'bytes' }, { key: 'n', num: 3 }] },
      { locs: [2, 1], value: 8 },
      { locs: [2, 1], value: 16, labels: [{ key: 'span_id', str: 'not-hex' }, { key: 'span_name', str: 'prefill' }] },
      { locs: [2, 1], value: 32, labels: [{ key: 'span_id', str: '00000000000000aa' }] },
    ]),
  );
  assert.deepEqual(p.labelSets, [{}, { env: 'dev' }, { bytes: '512bytes', n: '3' }]);
  assert.deepEqual(Array.from(p.sampleLabels), [0, 1, 2, 0, 0, 0]);
  assert.deepEqual(Array.from(p.spanHas), [1, 1, 0, 0, 0, 1]);
  const { rows } = profileRows({ service: 's', labels: { service_name: 's' }, from: 0, until: 1, profile: p });
  assert.deepEqual(
    rows.map((r) => ({ labels: r.labels, values: int8s(r.values), spans: int8s(r.spanIds).map(int8ToSpanId), set: int8s(r.spanSet).map(int8ToSpanId) })),
    [
      // no labels: span aa (1 + 32), no span (8 + 16: a span id that is not hex is no span id)
      { labels: { service_name: 's' }, values: ['33', '24'], spans: ['00000000000000aa', '0000000000000000'], set: ['00000000000000aa'] },
      { labels: { env: 'dev', service_name: 's' }, values: ['2'], spans: ['ffffffffffffffff'], set: ['ffffffffffffffff'] },
      { labels: { bytes: '512bytes', n: '3', service_name: 's' }, values: ['4'], spans: ['0000000000000000'], set: [] },
    ],
  );
});
