// The ingest path's own pprof decoder against pprof-format (the reference):
// every fixture must give the same sample types, period, stacks, values and
// labels both ways; broken input must fail with a reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Function as PFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { PprofDecodeError, SAMPLE_ONLY_LABELS, decodePprof, decodeProfile, decodeProfileSliced, profileStacks, type LeanProfile } from '../../../lib/profiles';
import { fixture } from '../../helpers/fixtures';
import { makeProfile } from '../../helpers/pprof-pushes';

const FIXTURES = ['cpu.pb.gz', 'cpu-exemplars.pb.gz', 'cpu-js.pb.gz', 'nodejs-wall.pb.gz', 'nodejs-heap.pb.gz', 'dotnet-pprof-3.pb.gz', 'go-cpu-span-id.pb.gz', 'invalid_utf8.pb.gz'];
const raw = (b: Uint8Array) => (b[0] === 0x1f && b[1] === 0x8b ? new Uint8Array(gunzipSync(b)) : b);

/** Per sample: frames, values, and labels (span id included, as the reference gives it), as text. */
function leanSamples(p: LeanProfile): string[] {
  const out: string[] = [];
  for (let i = 0; i < p.sampleCount; i++) {
    const s = p.sampleStack[i];
    const frames = Array.from(p.stackFrames.subarray(p.stackStart[s], p.stackStart[s + 1]), (f) => p.names[f]);
    const values = Array.from(p.sampleValues.subarray(i * p.sampleTypes.length, (i + 1) * p.sampleTypes.length));
    const labels: Record<string, string> = { ...p.labelSets[p.sampleLabels[i]] };
    if (p.spanHas[i]) labels.span_id = ((BigInt(p.spanHi[i] >>> 0) << 32n) | BigInt(p.spanLo[i] >>> 0)).toString(16);
    out.push(JSON.stringify([frames, values, Object.entries(labels).sort()]));
  }
  return out;
}

function refSamples(bytes: Uint8Array): string[] {
  const p = profileStacks(decodePprof(bytes));
  return p.samples.map((s) => {
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.labels)) {
      // The lean decoder keeps span ids as numbers and leaves the other sample-only labels out.
      if (k === 'span_id') labels.span_id = BigInt(`0x${v}`).toString(16);
      else if (!SAMPLE_ONLY_LABELS.has(k)) labels[k] = v;
    }
    return JSON.stringify([p.stacks[s.stack], s.values, Object.entries(labels).sort()]);
  });
}

test('every fixture decodes to the same samples, stacks, values and labels as pprof-format', () => {
  for (const name of FIXTURES) {
    const bytes = fixture(`pyroscope/${name}`);
    const lean = decodeProfile(raw(bytes));
    const ref = profileStacks(decodePprof(bytes));
    assert.deepEqual(lean.sampleTypes, ref.sampleTypes, name);
    assert.deepEqual(lean.periodType, ref.periodType, name);
    assert.equal(lean.period, ref.period, name);
    assert.equal(lean.stackCount, ref.stacks.length, `${name}: distinct stacks`);
    assert.deepEqual(leanSamples(lean), refSamples(bytes), name);
  }
});

test('bench-shaped pushes (1,100 samples, half with span ids) decode like pprof-format, sliced or not', async () => {
  for (let seed = 0; seed < 5; seed++) {
    const bytes = makeProfile(seed, ['00000000000000ff', 'abcdef0123456789', 'ffffffffffffffff']);
    const sliced = await decodeProfileSliced(raw(bytes), 0.01);
    assert.deepEqual(leanSamples(sliced), refSamples(bytes));
    assert.deepEqual(leanSamples(decodeProfile(raw(bytes))), leanSamples(sliced));
  }
});

test('unpacked repeated fields, negative and 64-bit values, numeric labels and ids left out', () => {
  const st = new StringTable();
  const p = new Profile({
    sampleType: [new ValueType({ type: st.dedup('delta'), unit: st.dedup('count') })],
    function: [new PFunction({ name: st.dedup('main') }), new PFunction({ name: st.dedup('leaf') })],
    location: [new Location({ line: [new Line({ functionId: 1 })] }), new Location({ line: [new Line({ functionId: 2 })] })],
    sample: [
      new Sample({ locationId: [2, 1], value: [-5], label: [new Label({ key: st.dedup('bytes'), num: 4096, numUnit: st.dedup('bytes') })] }),
      new Sample({ locationId: [1], value: [2 ** 40 + 3] }),
    ],
    stringTable: st,
  });
  const lean = decodeProfile(p.encode());
  assert.deepEqual(leanSamples(lean), [
    JSON.stringify([['main', 'leaf'], [-5], [['bytes', '4096bytes']]]),
    JSON.stringify([['main'], [2 ** 40 + 3], []]),
  ]);
  // Packed or not, the same profile: re-encode the location ids one tag per id (field 1, varint).
  const sample = new Uint8Array([0x08, 0x01, 0x10, 0x07]); // location_id 1, value 7
  const bytes = new Uint8Array([...p.encode(), 0x12, sample.length, ...sample]);
  assert.deepEqual(leanSamples(decodeProfile(bytes)).at(-1), JSON.stringify([['main'], [7], []]));
});

test('junk, truncated and inconsistent profiles fail with a reason', () => {
  const fails = (bytes: Uint8Array, re: RegExp) => assert.throws(() => decodeProfile(bytes), (e: unknown) => e instanceof PprofDecodeError && re.test(e.message), String(re));
  fails(new Uint8Array(), /empty/);
  fails(Buffer.from('hello, this is not a profile'), /malformed/);
  const good = raw(fixture('pyroscope/cpu.pb.gz'));
  fails(good.subarray(0, good.length - 20), /malformed pprof protobuf/);
  // sample { location_id: 999, value: [1, 2] }
  fails(Buffer.concat([good, Buffer.from([0x12, 0x07, 0x08, 0xe7, 0x07, 0x10, 0x01, 0x10, 0x02])]), /unknown location 999/);
  // sample { location_id: 1, value: [1] } for two sample types
  fails(Buffer.concat([good, Buffer.from([0x12, 0x04, 0x08, 0x01, 0x10, 0x01])]), /has 1 values for 2 sample types/);
  // a location whose line names function 777
  fails(Buffer.concat([good, Buffer.from([0x22, 0x06, 0x08, 0x63, 0x22, 0x02, 0x08, 0x7f])]), /unknown function 127/);
  // a sample type naming string 10,000
  fails(Buffer.concat([good, Buffer.from([0x0a, 0x04, 0x08, 0x90, 0x4e, 0x10])]), /string index|malformed/);
});

test('a gzip bomb in the pprof is refused before it is inflated whole', async () => {
  const { gunzipProfile, PprofTooLargeError } = await import('../../../lib/profiles');
  await assert.rejects(gunzipProfile(gzipSync(Buffer.alloc(2 << 20)), 1 << 20), PprofTooLargeError);
});

test('the sliced decoder lets the event loop run between slices', async () => {
  const bytes = raw(makeProfile(1, ['00000000000000ff']));
  let turns = 0;
  let running = true;
  const tick = () => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  // sliceMs 0: yield after every slice of work.
  const p = await decodeProfileSliced(bytes, 0);
  running = false;
  assert.equal(p.sampleCount, 1100);
  assert.ok(turns >= 5, `other callbacks ran ${turns} times while it decoded`);
});
