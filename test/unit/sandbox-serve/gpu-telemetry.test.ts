// The pure parts of the sandbox's GPU and memory telemetry: timestamp pairs to
// durations, the GPU pprof profile (read back with the app's own pprof
// decoder, so both ends agree on stacks, labels and profile type ids), the KV
// split of the heap profile, and the push name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Function as PFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { decodePprof, profileStacks, profileTypeOf } from '../../../lib/profiles';
import { parseAppName } from '../../../lib/profiles/labels';
import { dispatchDurationsNs } from '../../../workers/sandbox/runtime/gpu';
import { nextExpectMs } from '../../../workers/sandbox/runtime/webgpu-runner';
import type { GpuPassTiming } from '../../../workers/sandbox/runtime/types';
import { GpuProfileRecorder, PHASE_FRAME, SUBMISSION_FRAME } from '../../../workers/sandbox/telemetry/gpu-profile';
import { KV_CACHE_FRAME, splitKvCache } from '../../../workers/sandbox/telemetry/heap-profile';
import { pushName } from '../../../workers/sandbox/telemetry/profile-push';

test('dispatch durations are end − begin per pair; a pair written out of order counts as 0', () => {
  const ts = new BigUint64Array([100n, 350n, 400n, 400n, 900n, 800n]);
  assert.deepEqual(dispatchDurationsNs(ts, 3), [250, 0, 0]);
});

/** A pass of `kernels` [name, ms] pairs. */
const pass = (p: Partial<GpuPassTiming>, kernels: [string, number][]): GpuPassTiming => ({
  timing: 'timestamp-query',
  phase: 'decode',
  rows: 2,
  dispatches: kernels.length,
  shape: kernels.map(([k]) => k).join(','),
  kernels: kernels.map(([k]) => k),
  ms: kernels.map(([, ms]) => ms),
  totalMs: kernels.reduce((a, [, ms]) => a + ms, 0),
  split: false,
  ...p,
});

test('GPU profile: phase → kernel stacks with span_id labels, summed per span; read back by the app as gpu_time', () => {
  const rec = new GpuProfileRecorder(1_000);
  rec.add(pass({ phase: 'prefill', spanId: 'aaaaaaaaaaaaaaaa' }, [['gemv', 0.5], ['attention', 0.25]]));
  // a split pass (the time of the whole pass in measured proportions) counts the same way
  rec.add(pass({ phase: 'prefill', spanId: 'aaaaaaaaaaaaaaaa', split: true }, [['gemv', 0.5], ['attention', 0.25]]));
  rec.add(pass({ phase: 'decode', spanId: 'bbbbbbbbbbbbbbbb' }, [['gemv', 0.125], ['gemv', 0.125]]));
  rec.add(pass({ phase: 'decode' }, [['gemv', 1]])); // an unsampled batch: no span id
  const out = rec.take(3_000)!;
  assert.equal(out.fromMs, 1_000);
  assert.equal(out.untilMs, 3_000);
  assert.equal(rec.take(4_000), null, 'take() resets');

  const stacks = profileStacks(decodePprof(out.pprof, 1 << 20));
  assert.deepEqual(stacks.sampleTypes.map((t) => `${t.type}:${t.unit}`), ['dispatches:count', 'gpu_time:nanoseconds']);
  // As Pyroscope names it: no sample type says cpu, memory, mutex, block or goroutines, so the last one names the profile.
  assert.equal(profileTypeOf(stacks, 1).id, 'gpu_time:gpu_time:nanoseconds:gpu:nanoseconds');
  const rows = stacks.samples.map((s) => ({ stack: stacks.stacks[s.stack].join(' > '), span: s.labels.span_id, ns: s.values[1], n: s.values[0] }));
  rows.sort((a, b) => `${a.span}${a.stack}`.localeCompare(`${b.span}${b.stack}`));
  assert.deepEqual(rows, [
    { stack: `${PHASE_FRAME.prefill} > attention`, span: 'aaaaaaaaaaaaaaaa', ns: 500_000, n: 2 },
    { stack: `${PHASE_FRAME.prefill} > gemv`, span: 'aaaaaaaaaaaaaaaa', ns: 1_000_000, n: 2 },
    { stack: `${PHASE_FRAME.decode} > gemv`, span: 'bbbbbbbbbbbbbbbb', ns: 250_000, n: 2 },
    { stack: `${PHASE_FRAME.decode} > gemv`, span: undefined, ns: 1_000_000, n: 1 },
  ]);
});

test('GPU profile under submission timing: one frame for all kernels, counting every dispatch of the pass', () => {
  const rec = new GpuProfileRecorder(0);
  rec.add(pass({ timing: 'submission', dispatches: 51 }, [['submission', 2]]));
  const stacks = profileStacks(decodePprof(rec.take(10)!.pprof, 1 << 20));
  assert.deepEqual(stacks.stacks[stacks.samples[0].stack], [PHASE_FRAME.decode, SUBMISSION_FRAME]);
  assert.deepEqual(stacks.samples[0].values, [51, 2_000_000]);
});

function heapLike(external: number): Profile {
  const st = new StringTable();
  const fn = (id: number, name: string) => new PFunction({ id, name: st.dedup(name) });
  const loc = (id: number) => new Location({ id, line: [new Line({ functionId: id })] });
  return new Profile({
    sampleType: [new ValueType({ type: st.dedup('objects'), unit: st.dedup('count') }), new ValueType({ type: st.dedup('space'), unit: st.dedup('bytes') })],
    periodType: new ValueType({ type: st.dedup('space'), unit: st.dedup('bytes') }),
    function: [fn(1, 'main'), fn(2, 'allocate'), fn(3, '(external)')],
    location: [loc(1), loc(2), loc(3)],
    sample: [new Sample({ locationId: [2, 1], value: [10, 4096] }), new Sample({ locationId: [3], value: [1, external] })],
    stringTable: st,
  });
}

test('heap profile: the KV cache becomes its own frame under (external), the rest stays there', () => {
  const p = splitKvCache(heapLike(5_000_000), { bytes: 3_145_728, count: 3 });
  const stacks = profileStacks(decodePprof(p.encode(), 1 << 20));
  assert.deepEqual(stacks.sampleTypes.map((t) => t.type), ['inuse_objects', 'inuse_space']);
  assert.equal(profileTypeOf(stacks, 1).id, 'memory:inuse_space:bytes:space:bytes');
  const bytes = new Map(stacks.samples.map((s) => [stacks.stacks[s.stack].join(' > '), s.values[1]]));
  assert.equal(bytes.get(`(external) > ${KV_CACHE_FRAME}`), 3_145_728);
  assert.equal(bytes.get('(external)'), 5_000_000 - 3_145_728);
  assert.equal(bytes.get('main > allocate'), 4096, 'JS-heap samples untouched');
  // no KV on the host (WebGPU backend): nothing moves
  const gpu = profileStacks(decodePprof(splitKvCache(heapLike(1000), { bytes: 0, count: 0 }).encode(), 1 << 20));
  assert.ok(!gpu.stacks.some((s) => s.includes(KV_CACHE_FRAME)));
});

test('push name: labels the app parses back, adapter names made safe', () => {
  const name = pushName('trisight-sandbox', { backend: 'webgpu', gpu_adapter: 'NVIDIA H200 {PCIe}, rev=a1', empty: '' });
  const { service, labels } = parseAppName(name);
  assert.equal(service, 'trisight-sandbox');
  assert.equal(labels.backend, 'webgpu');
  assert.equal(labels.gpu_adapter, 'NVIDIA H200 PCIe rev a1');
  assert.equal(labels.empty, undefined);
});

test('the wait estimate before mapping results recovers from one slow pass', () => {
  // one 20 ms hiccup on a 1 ms pass: the runner then sleeps 0.8 × the estimate before mapping
  let e = nextExpectMs(nextExpectMs(0, 1), 20);
  assert.ok(e > 4, 'the hiccup pushes the estimate over the sleep threshold');
  // results already there on waking: without the wake check the estimate would stay above the sleep (≥ 0.8·e) forever
  for (let i = 0; i < 20 && e > 4; i++) e = nextExpectMs(e, e * 0.8 + 0.05, 0.05);
  assert.ok(e <= 4, `back under the threshold: ${e}`);
  // a genuinely long pass (it kept running after the wake) keeps its estimate
  assert.equal(nextExpectMs(100, 110, 30), 100 * 0.7 + 110 * 0.3);
});
