import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { encode, time } from '@datadog/pprof';
import {
  PprofDecodeError,
  PprofTooLargeError,
  decodePprof,
  pickSampleType,
  pprofToModel,
  profileStacks,
  profileTypeOf,
} from '../../../lib/profiles';
import { childrenOf, indexModel } from '../../../lib/model/flame';
import { checkSums, dump } from '../../helpers/flame-models';
import { fixture } from '../../helpers/fixtures';

const pyroscopeFixture = (name: string) => fixture(`pyroscope/${name}`);
const load = (name: string) => profileStacks(decodePprof(pyroscopeFixture(name)));

const sumOf = (p: ReturnType<typeof load>, i: number, where = (_l: Record<string, string>) => true) =>
  p.samples.filter((s) => where(s.labels)).reduce((a, s) => a + s.values[i], 0);

test('small Go CPU profile: cpu/nanoseconds chosen, the pprof period, tree sums to the samples', () => {
  const p = load('cpu.pb.gz');
  assert.deepEqual(p.sampleTypes.map((t) => `${t.type}/${t.unit}`), ['samples/count', 'cpu/nanoseconds']);
  assert.equal(p.period, 10_000_000);
  assert.equal(pickSampleType(p.sampleTypes), 1);
  assert.equal(p.samples.length, 7);
  const tree = pprofToModel(p);
  assert.equal(tree.names[tree.name[0]], 'total');
  assert.equal(tree.value[0], sumOf(p, 1));
  assert.ok(tree.value[0] > 0);
  checkSums(tree);
  assert.equal(profileTypeOf(p, 1).id, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds');
  // Go roots its stacks in runtime entry points; frames are function names.
  assert.ok(p.stacks.every((st) => st.every((f) => typeof f === 'string' && f.length > 0)));
});

test('Node.js wall profile: units stay as the pprof has them (microseconds), as Pyroscope keeps them', () => {
  const p = load('nodejs-wall.pb.gz');
  const raw = decodePprof(pyroscopeFixture('nodejs-wall.pb.gz'));
  assert.deepEqual(p.sampleTypes.map((t) => `${t.type}/${t.unit}`), ['samples/count', 'wall/microseconds']);
  assert.equal(p.samples.length, 16);
  const rawWall = raw.sample.reduce((a, s) => a + Number(s.value[1]), 0);
  assert.equal(sumOf(p, 1), rawWall);
  assert.equal(p.period, 10_000);
  assert.equal(profileTypeOf(p, 1).id, 'wall:wall:microseconds:wall:microseconds');
  assert.equal(pickSampleType(p.sampleTypes), 1);
  checkSums(pprofToModel(p));
});

test('JavaScript CPU profile (sample/count + wall/microseconds)', () => {
  const p = load('cpu-js.pb.gz');
  assert.equal(p.samples.length, 50);
  assert.equal(pickSampleType(p.sampleTypes), 1);
  const tree = pprofToModel(p);
  assert.equal(tree.value[0], sumOf(p, 1));
  checkSums(tree);
  assert.ok(Math.max(...p.stacks.map((s) => s.length)) >= 42, 'deep stacks kept whole');
});

test('Node.js heap profile: picks a sample type by name when asked', () => {
  const p = load('nodejs-heap.pb.gz');
  assert.deepEqual(p.sampleTypes.map((t) => t.type), ['inuse_objects', 'inuse_space']);
  const space = pprofToModel(p, { sampleType: 'inuse_space' });
  assert.equal(space.value[0], sumOf(p, 1));
  assert.equal(profileTypeOf(p, 1).name, 'memory');
});

test('.NET profile (not gzipped) with six sample types: cpu chosen, each type sums on its own', () => {
  const bytes = pyroscopeFixture('dotnet-pprof-3.pb.gz');
  assert.notEqual(bytes[0], 0x1f, 'fixture is raw protobuf despite its name');
  const p = profileStacks(decodePprof(bytes));
  assert.deepEqual(
    p.sampleTypes.map((t) => t.type),
    ['cpu', 'exception', 'alloc-samples', 'alloc-size', 'lock-count', 'lock-time'],
  );
  assert.equal(pickSampleType(p.sampleTypes), 0);
  // Its functions carry no ids: references resolve by position, so every frame has a real name.
  assert.ok(p.stacks.flat().every((f) => f !== '<unknown>' && f !== ''));
  for (let i = 0; i < p.sampleTypes.length; i++) {
    const t = pprofToModel(p, { sampleType: p.sampleTypes[i].type });
    assert.equal(t.value[0], sumOf(p, i));
    checkSums(t);
  }
  assert.ok(sumOf(p, 0) > 0);
});

test('Go CPU profile with per-sample labels (foo, profile_id, function)', () => {
  const p = load('cpu-exemplars.pb.gz');
  assert.equal(p.samples.length, 480);
  const keys = new Set(p.samples.flatMap((s) => Object.keys(s.labels)));
  assert.deepEqual([...keys].sort(), ['foo', 'function', 'profile_id']);
  const fast = pprofToModel(p, { where: (l) => l.function === 'fast' });
  const slow = pprofToModel(p, { where: (l) => l.function === 'slow' });
  const all = pprofToModel(p);
  assert.ok(fast.value[0] > 0 && slow.value[0] > 0);
  assert.ok(fast.value[0] + slow.value[0] <= all.value[0]);
});

test('span-profile filtering: only samples labelled span_id, 33 of 63', () => {
  const p = load('go-cpu-span-id.pb.gz');
  assert.equal(p.samples.length, 63);
  const labelled = p.samples.filter((s) => s.labels.span_id !== undefined);
  assert.equal(labelled.length, 33);
  assert.ok(labelled.every((s) => s.labels.span_id === '239'));
  const tree = pprofToModel(p, { where: (l) => l.span_id === '239' });
  assert.equal(tree.value[0], sumOf(p, 1, (l) => l.span_id === '239'));
  assert.ok(tree.value[0] < pprofToModel(p).value[0]);
  assert.equal(pprofToModel(p, { where: (l) => l.span_id === 'ffffffffffffffff' }).value[0], 0);
});

test('invalid UTF-8 in strings decodes to replacement characters, never NUL', () => {
  const p = load('invalid_utf8.pb.gz');
  const frames = p.stacks.flat();
  assert.ok(frames.some((f) => f.includes('\uFFFD')));
  assert.ok(frames.every((f) => !f.includes('\u0000')));
  const m = pprofToModel(p);
  assert.equal(childrenOf(indexModel(m), 0).length, 1);
});

test('junk, truncated and oversized inputs fail with a reason', () => {
  assert.throws(() => decodePprof(new Uint8Array()), (e: unknown) => e instanceof PprofDecodeError && /empty/.test(e.message));
  assert.throws(() => decodePprof(Buffer.from('hello, this is not a profile')), PprofDecodeError);
  const gz = pyroscopeFixture('cpu.pb.gz');
  assert.throws(() => decodePprof(gz.subarray(0, gz.length - 20)), (e: unknown) => e instanceof PprofDecodeError && /gzip/.test(e.message));
  // A profile whose sample points at a location that does not exist.
  const raw = gunzipSync(gz);
  // sample { location_id: 999, value: [1, 2] }
  const bad = Buffer.concat([raw, Buffer.from([0x12, 0x07, 0x08, 0xe7, 0x07, 0x10, 0x01, 0x10, 0x02])]);
  assert.throws(() => profileStacks(decodePprof(bad)), (e: unknown) => e instanceof PprofDecodeError && /unknown location 999/.test(e.message));
  const bomb = gzipSync(Buffer.alloc(2 << 20));
  assert.throws(() => decodePprof(bomb, 1 << 20), PprofTooLargeError);
});

test('pprofToModel merges shared prefixes and keeps hostile names as data', () => {
  const evil = '<img src=x onerror=alert(1)>';
  const p = {
    ...load('cpu.pb.gz'),
    stacks: [['main', 'a', evil], ['main', 'a'], ['main', 'b']],
    samples: [
      { stack: 0, values: [0, 5], labels: {} },
      { stack: 1, values: [0, 2], labels: {} },
      { stack: 2, values: [0, 3], labels: {} },
      { stack: 0, values: [0, 1], labels: {} },
    ],
  };
  assert.deepEqual(dump(pprofToModel(p)), ['total 11/0', '  main 11/0', '    a 8/2', `      ${evil} 6/6`, '    b 3/3']);
});

test('a real @datadog/pprof wall+CPU profile (what @pyroscope/nodejs pushes) keeps span_id labels and CPU time', async () => {
  time.start({ intervalMicros: 1000, durationMillis: 5000, withContexts: true, collectCpuTime: true });
  const burn = (ms: number) => {
    const end = performance.now() + ms;
    let x = 0;
    while (performance.now() < end) x += Math.sqrt(x + 1);
    return x;
  };
  const t0 = performance.now();
  time.setContext({ labels: { span_id: '00f067aa0ba902b7' } });
  burn(80);
  time.setContext({ labels: {} });
  const spanMs = performance.now() - t0;
  burn(40);
  const profile = time.stop(false, (a: { context?: { context?: { labels?: Record<string, string> } } }) => ({ ...(a.context?.context?.labels ?? {}) }));
  const p = profileStacks(decodePprof(await encode(profile)));
  assert.deepEqual(p.sampleTypes.map((t) => `${t.type}/${t.unit}`), ['sample/count', 'wall/nanoseconds', 'cpu/nanoseconds']);
  assert.equal(pickSampleType(p.sampleTypes), 2);
  assert.ok(p.period > 0);
  const span = pprofToModel(p, { where: (l) => l.span_id === '00f067aa0ba902b7' });
  assert.ok(span.value[0] > 0, 'labelled samples exist');
  // CPU time attributed to the span cannot exceed its wall duration (plus one sampling period of slack).
  assert.ok(span.value[0] <= spanMs * 1e6 + p.period, `${span.value[0]} ns > ${spanMs} ms`);
  assert.ok(span.value[0] < pprofToModel(p).value[0]);
});

