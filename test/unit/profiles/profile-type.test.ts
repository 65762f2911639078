// Profile type ids as Pyroscope's /ingest derives them, one case per push in
// Pyroscope's own ingest test (pkg/ingester/pyroscope/ingest_handler_test.go,
// TestIngestPPROFFixtures: the fixture, its sample_type_config, the expected
// __name__), with the whole ids spelled out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SAMPLE_TYPE_CONFIG, decodePprof, profileName, profileStacks, pushProfileTypes, type SampleTypeConfig } from '../../../lib/profiles';
import { fixture, fixtureJson } from '../../helpers/fixtures';

const CASES: { file: string; config?: string; spyName?: string; name: string; ids: string[] }[] = [
  { file: 'req_2.pprof', config: 'req_2.st.json', name: 'goroutines', ids: ['goroutines:goroutine:count:goroutine:count'] },
  { file: 'req_3.pprof', config: 'req_3.st.json', name: 'block', ids: ['block:contentions:count:contentions:count', 'block:delay:nanoseconds:contentions:count'] },
  { file: 'req_4.pprof', config: 'req_4.st.json', name: 'mutex', ids: ['mutex:contentions:count:contentions:count', 'mutex:delay:nanoseconds:contentions:count'] },
  {
    file: 'req_5.pprof',
    config: 'req_5.st.json',
    name: 'memory',
    ids: ['memory:alloc_objects:count:space:bytes', 'memory:alloc_space:bytes:space:bytes', 'memory:inuse_objects:count:space:bytes', 'memory:inuse_space:bytes:space:bytes'],
  },
  { file: 'cpu.pb.gz', name: 'process_cpu', ids: ['process_cpu:samples:count:cpu:nanoseconds', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds'] },
  { file: 'cpu-exemplars.pb.gz', name: 'process_cpu', ids: ['process_cpu:samples:count:cpu:nanoseconds', 'process_cpu:cpu:nanoseconds:cpu:nanoseconds'] },
  { file: 'cpu-js.pb.gz', name: 'wall', ids: ['wall:sample:count:wall:microseconds', 'wall:wall:microseconds:wall:microseconds'] },
  { file: 'heap-js.pprof', name: 'memory', ids: ['memory:objects:count:space:bytes', 'memory:space:bytes:space:bytes'] },
  {
    file: 'heap.pb.gz',
    name: 'memory',
    ids: ['memory:alloc_objects:count:space:bytes', 'memory:alloc_space:bytes:space:bytes', 'memory:inuse_objects:count:space:bytes', 'memory:inuse_space:bytes:space:bytes'],
  },
  { file: 'nodejs-heap.pb.gz', name: 'memory', ids: ['memory:inuse_objects:count:inuse_space:bytes', 'memory:inuse_space:bytes:inuse_space:bytes'] },
  { file: 'nodejs-wall.pb.gz', name: 'wall', ids: ['wall:samples:count:wall:microseconds', 'wall:wall:microseconds:wall:microseconds'] },
  { file: 'pyspy-1.pb.gz', spyName: 'scripting', name: 'process_cpu', ids: ['process_cpu:samples:count::milliseconds'] },
  { file: 'profile_java.pb', name: 'process_cpu', ids: ['process_cpu:cpu:nanoseconds:cpu:nanoseconds'] },
  // Not in Pyroscope's table ("todo add pprof from dotnet"): its .NET fix, `-` → `_` in sample types.
  {
    file: 'dotnet-pprof-3.pb.gz',
    spyName: 'dotnetspy',
    name: 'process_cpu',
    ids: ['process_cpu:cpu:nanoseconds::nanoseconds', 'process_cpu:exception:count::nanoseconds', 'process_cpu:alloc_samples:count::nanoseconds', 'process_cpu:alloc_size:bytes::nanoseconds', 'process_cpu:lock_count:count::nanoseconds', 'process_cpu:lock_time:nanoseconds::nanoseconds'],
  },
];

for (const c of CASES) {
  test(`${c.file}${c.config ? ` with ${c.config}` : ''}: ${c.name}`, () => {
    const p = profileStacks(decodePprof(fixture(`pyroscope/${c.file}`)));
    const config = c.config ? fixtureJson<SampleTypeConfig>(`pyroscope/${c.config}`) : undefined;
    const { types } = pushProfileTypes(p, { sampleTypeConfig: config, spyName: c.spyName ?? 'foo239' });
    assert.deepEqual(types.map((t) => t.id), c.ids);
    assert.ok(types.every((t) => t.name === c.name));
  });
}

test('the profile name: wall first, then a display name, then the first sample type that says what it is', () => {
  const table: [string[], SampleTypeConfig | undefined, string][] = [
    [['samples', 'wall', 'cpu'], undefined, 'wall'], // wall wins whatever comes first
    [['samples', 'cpu'], undefined, 'process_cpu'], // the default mapping shows samples as "cpu"
    [['samples'], {}, 'samples'], // a push's config replaces the default one whole
    [['samples'], { samples: { 'display-name': 'cpu_samples' } }, 'process_cpu'],
    [['goroutine'], undefined, 'goroutines'],
    [['contentions', 'delay'], undefined, 'mutex'], // the default names Go's contentions as mutex_count
    [['contentions', 'delay'], { contentions: { 'display-name': 'block_count' } }, 'block'],
    [['alloc_objects', 'alloc_space'], undefined, 'memory'],
    [['space'], undefined, 'memory'],
    [['gpu_time', 'dispatches'], undefined, 'dispatches'], // nothing recognised: the last sample type's name
  ];
  for (const [types, config, want] of table) assert.equal(profileName(types, config), want, `${types} ${JSON.stringify(config)}`);
  assert.equal(profileName(['x'], DEFAULT_SAMPLE_TYPE_CONFIG), 'x');
});

test('.NET detection: dotnetspy, or an unknown spy whose config has inuse-space', () => {
  const p = { sampleTypes: [{ type: 'alloc-size', unit: 'bytes' }], periodType: { type: '', unit: '' } };
  assert.equal(pushProfileTypes(p, { spyName: 'dotnetspy' }).types[0].sampleType, 'alloc_size');
  assert.equal(pushProfileTypes(p, { spyName: 'unknown', sampleTypeConfig: { 'inuse-space': {} } }).types[0].sampleType, 'alloc_size');
  assert.equal(pushProfileTypes(p, { spyName: 'unknown' }).types[0].sampleType, 'alloc-size');
  assert.equal(pushProfileTypes(p, { spyName: 'nodespy' }).types[0].sampleType, 'alloc-size');
});
