import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { encode, time } from '@datadog/pprof';
import {
  PprofDecodeError,
  PprofTooLargeError,
  decodePprof,
  flameTreeFromStacks,
  pickSampleType,
  pprofToFlameTree,
  profileStacks,
  profileTypeOf,
} from '../../../lib/profiles';
import type { FlameTree } from '../../../lib/model/types';
import { fixture } from '../../helpers/fixtures';

const pyroscopeFixture = (name: string) => fixture(`pyroscope/${name}`);
const load = (name: string) => profileStacks(decodePprof(pyroscopeFixture(name)));

/** Checks the tree invariants: total = self + Σ children.total everywhere. */
function assertConsistent(t: FlameTree): void {
  const sum = t.children.reduce((a, c) => a + c.total, 0);
  assert.ok(Math.abs(t.total - (t.self + sum)) < 1e-6 * Math.max(1, t.total), `node ${t.name}: ${t.total} ≠ ${t.self} + ${sum}`);
  t.children.forEach(assertConsistent);
}
const sumOf = (p: ReturnType<typeof load>, i: number, where = (_l: Record<string, string>) => true) =>
  p.samples.filter((s) => where(s.labels)).reduce((a, s) => a + s.values[i], 0);

test('small Go CPU profile: cpu/nanoseconds chosen, 100 Hz from the pprof period, tree sums to the samples', () => {
  const p = load('cpu.pb.gz');
  assert.deepEqual(p.sampleTypes.map((t) => `${t.type}/${t.unit}`), ['samples/count', 'cpu/nanoseconds']);
  assert.equal(p.period, 10_000_000);
  assert.equal(p.sampleRateHz, 100);
  assert.equal(pickSampleType(p.sampleTypes), 1);
  assert.equal(p.samples.length, 7);
  const tree = pprofToFlameTree(p);
  assert.equal(tree.name, 'total');
  assert.equal(tree.total, sumOf(p, 1));
  assert.ok(tree.total > 0);
  assertConsistent(tree);
  assert.equal(profileTypeOf(p, 1).id, 'process_cpu:cpu:nanoseconds:cpu:nanoseconds');
  // Go roots its stacks in runtime entry points; frames are function names.
  assert.ok(p.stacks.every((st) => st.every((f) => typeof f === 'string' && f.length > 0)));
});

test('Node.js wall profile: microseconds normalised to nanoseconds; count samples kept as counts', () => {
  const p = load('nodejs-wall.pb.gz');
  const raw = decodePprof(pyroscopeFixture('nodejs-wall.pb.gz'));
  assert.deepEqual(p.sampleTypes.map((t) => `${t.type}/${t.unit}`), ['samples/count', 'wall/nanoseconds']);
  assert.equal(p.samples.length, 16);
  const rawWall = raw.sample.reduce((a, s) => a + Number(s.value[1]), 0);
  assert.equal(sumOf(p, 1), rawWall * 1000);
  assert.equal(p.period, 10_000 * 1000);
  assert.equal(p.sampleRateHz, 100);
  assert.equal(pickSampleType(p.sampleTypes), 1);
  assertConsistent(pprofToFlameTree(p));
});

test('JavaScript CPU profile (sample/count + wall/microseconds)', () => {
  const p = load('cpu-js.pb.gz');
  assert.equal(p.samples.length, 50);
  assert.equal(pickSampleType(p.sampleTypes), 1);
  assert.equal(p.sampleRateHz, 1000);
  const tree = pprofToFlameTree(p);
  assert.equal(tree.total, sumOf(p, 1));
  assertConsistent(tree);
  assert.ok(Math.max(...p.stacks.map((s) => s.length)) >= 42, 'deep stacks kept whole');
});

test('Node.js heap profile: picks a sample type by name when asked', () => {
  const p = load('nodejs-heap.pb.gz');
  assert.deepEqual(p.sampleTypes.map((t) => t.type), ['inuse_objects', 'inuse_space']);
  const space = pprofToFlameTree(p, { sampleType: 'inuse_space' });
  assert.equal(space.total, sumOf(p, 1));
  assert.equal(profileTypeOf(p, 1).name, 'memory');
  assert.equal(p.sampleRateHz, undefined, 'a byte period is not a rate');
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
    const t = pprofToFlameTree(p, { sampleType: p.sampleTypes[i].type });
    assert.equal(t.total, sumOf(p, i));
    assertConsistent(t);
  }
  assert.ok(sumOf(p, 0) > 0);
});

test('Go CPU profile with per-sample labels (foo, profile_id, function)', () => {
  const p = load('cpu-exemplars.pb.gz');
  assert.equal(p.samples.length, 480);
  const keys = new Set(p.samples.flatMap((s) => Object.keys(s.labels)));
  assert.deepEqual([...keys].sort(), ['foo', 'function', 'profile_id']);
  const fast = pprofToFlameTree(p, { where: (l) => l.function === 'fast' });
  const slow = pprofToFlameTree(p, { where: (l) => l.function === 'slow' });
  const all = pprofToFlameTree(p);
  assert.ok(fast.total > 0 && slow.total > 0);
  assert.ok(fast.total + slow.total <= all.total);
});

test('span-profile filtering: only samples labelled span_id, 33 of 63', () => {
  const p = load('go-cpu-span-id.pb.gz');
  assert.equal(p.samples.length, 63);
  const labelled = p.samples.filter((s) => s.labels.span_id !== undefined);
  assert.equal(labelled.length, 33);
  assert.ok(labelled.every((s) => s.labels.span_id === '239'));
  const tree = pprofToFlameTree(p, { where: (l) => l.span_id === '239' });
  assert.equal(tree.total, sumOf(p, 1, (l) => l.span_id === '239'));
  assert.ok(tree.total < pprofToFlameTree(p).total);
  assert.equal(pprofToFlameTree(p, { where: (l) => l.span_id === 'ffffffffffffffff' }).total, 0);
});

test('invalid UTF-8 in strings decodes to replacement characters, never NUL', () => {
  const p = load('invalid_utf8.pb.gz');
  const frames = p.stacks.flat();
  assert.ok(frames.some((f) => f.includes('\uFFFD')));
  assert.ok(frames.every((f) => !f.includes('\u0000')));
  assert.equal(pprofToFlameTree(p).children.length, 1);
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

test('flameTreeFromStacks merges shared prefixes and keeps hostile names as data', () => {
  const evil = '<img src=x onerror=alert(1)>';
  const t = flameTreeFromStacks(
    [['main', 'a', evil], ['main', 'a'], ['main', 'b']],
    [
      { stack: 0, value: 5 },
      { stack: 1, value: 2 },
      { stack: 2, value: 3 },
      { stack: 0, value: 1 },
    ],
  );
  assert.deepEqual(t, {
    name: 'total',
    self: 0,
    total: 11,
    children: [
      {
        name: 'main',
        self: 0,
        total: 11,
        children: [
          { name: 'a', self: 2, total: 8, children: [{ name: evil, self: 6, total: 6, children: [] }] },
          { name: 'b', self: 3, total: 3, children: [] },
        ],
      },
    ],
  });
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
  assert.ok(p.period > 0 && p.sampleRateHz! > 0);
  const span = pprofToFlameTree(p, { where: (l) => l.span_id === '00f067aa0ba902b7' });
  assert.ok(span.total > 0, 'labelled samples exist');
  // CPU time attributed to the span cannot exceed its wall duration (plus one sampling period of slack).
  assert.ok(span.total <= spanMs * 1e6 + p.period, `${span.total} ns > ${spanMs} ms`);
  assert.ok(span.total < pprofToFlameTree(p).total);
});

