import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clientLatenciesMs,
  FlameQuery,
  inBucket,
  pickProfileType,
  profileKinds,
  profilesMayStillArrive,
  profileSpanIds,
  queryObject,
  requestsInBucket,
  servedBy,
  servedText,
  rowsFromSamples,
  rowsFromSearch,
  runRange,
  runServiceName,
  SANDBOX_BOUNDS,
  SANDBOX_SERVICE,
  serviceSelector,
  SpanProfileQuery,
  TraceQuery,
  TracesQuery,
} from '../../../lib/runs/views';
import type { SampleColumns } from '../../../lib/loadruns/samples';
import type { ProfileType } from '../../../lib/model/types';
import { SERVICE_NAME } from '../../../workers/sandbox/telemetry';
import { REQUEST_DURATION_BUCKETS, TPOT_BUCKETS, TTFT_BUCKETS } from '../../../workers/sandbox/telemetry/metrics';

const T0 = 1_700_000_000_000;
// Four requests: one failed, one with a single token (no TPOT).
const samples: SampleColumns = {
  v: 1,
  t0: T0,
  index: [0, 1, 2, 3],
  priority: ['P0', 'P1', 'P0', 'P0'],
  traceId: ['a'.repeat(32), 'b'.repeat(32), 'c'.repeat(32), 'd'.repeat(32)],
  startOffsetMs: [0, 10, 20, 30],
  ok: [true, true, false, true],
  errors: { 2: 'HTTP 500' },
  ttftMs: [4, 30, null, 6],
  e2eMs: [120, 300, 5, 480],
  tpotMs: [12, null, null, 20],
  promptTokens: [8, 8, 8, 8],
  outputTokens: [9, 1, 0, 24],
};

test('the sandbox constants match what the sandbox itself uses', () => {
  assert.equal(SANDBOX_SERVICE, SERVICE_NAME);
  assert.deepEqual(SANDBOX_BOUNDS, { e2e: REQUEST_DURATION_BUCKETS, ttft: TTFT_BUCKETS, tpot: TPOT_BUCKETS });
});

test("a run's service: the sandbox's and a browser run's are known, another target's is not", () => {
  assert.equal(runServiceName('sandbox'), SANDBOX_SERVICE);
  assert.equal(runServiceName('browser'), 'trisight-browser');
  assert.equal(runServiceName('my-vllm'), null);
});

test('client-side latencies per tab skip failed requests and missing values', () => {
  assert.deepEqual(clientLatenciesMs(samples, 'e2e'), [120, 300, 480]);
  assert.deepEqual(clientLatenciesMs(samples, 'ttft'), [4, 30, 6]);
  assert.deepEqual(clientLatenciesMs(samples, 'tpot'), [12, 20]);
  assert.deepEqual(clientLatenciesMs(null, 'e2e'), []);
});

test('requests in a bucket use (lower, upper] in seconds, slowest first', () => {
  assert.equal(inBucket(0.005, { lower: 0, upper: 0.005 }), true);
  assert.equal(inBucket(0.005, { lower: 0.005, upper: 0.01 }), false);
  assert.deepEqual(requestsInBucket(samples, 'ttft', { lower: 0.001, upper: 0.01 }).map((r) => r.index), [3, 0]);
  assert.deepEqual(requestsInBucket(samples, 'e2e', { lower: 0.1, upper: Infinity }).map((r) => r.index), [3, 1, 0]);
  // The failed request's 5 ms is not a latency.
  assert.deepEqual(requestsInBucket(samples, 'e2e', { lower: 0, upper: 0.01 }), []);
});

test('the run window starts at the first request and pads both ends; a running run ends now', () => {
  const run = { createdAt: new Date(T0 - 5000).toISOString(), startedAt: new Date(T0).toISOString(), finishedAt: new Date(T0 + 10_000).toISOString() };
  assert.deepEqual(runRange(run), { from: T0 - 2000, to: T0 + 12_000 });
  assert.deepEqual(runRange({ ...run, startedAt: null, finishedAt: null }, T0 + 1000), { from: T0 - 7000, to: T0 + 1000 });
});

test('query parameters: 400-worthy input names the parameter', () => {
  const bad = TracesQuery.safeParse({ metric: 'e2e', bucket: '1-0.5' });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error!.issues.map((i) => i.path), [['bucket']]);
  assert.match(bad.error!.issues[0].message, /bucket must look like 0\.25-0\.5/);
  const missing = TracesQuery.safeParse({});
  assert.deepEqual(missing.error!.issues.map((i) => i.path), [['bucket']]);
  assert.equal(TracesQuery.safeParse({ metric: 'p99', bucket: '0-1' }).error!.issues[0].path[0], 'metric');
  assert.deepEqual(TracesQuery.parse({ bucket: '10-inf' }), { metric: 'e2e', bucket: { lower: 10, upper: Infinity }, limit: 50 });
  assert.equal(TracesQuery.safeParse({ bucket: '0-1', limit: '1000' }).error!.issues[0].path[0], 'limit');
  assert.equal(FlameQuery.safeParse({ compare: 'x' }).error!.issues[0].path[0], 'compare');
  assert.deepEqual(SpanProfileQuery.parse({ trace: 'ABC', span: 'f' }), { trace: 'abc'.padStart(32, '0'), span: 'f'.padStart(16, '0'), kind: 'cpu' });
  assert.equal(SpanProfileQuery.safeParse({ trace: 'x'.repeat(32), span: '1' }).error!.issues[0].path[0], 'trace');
  assert.equal(TraceQuery.safeParse({ from: '5' }).error!.issues[0].path[0], 'to');
  assert.equal(TraceQuery.safeParse({ from: '5', to: '4' }).error!.issues[0].path[0], 'to');
  assert.deepEqual(queryObject('http://x/a?metric=ttft&metric=e2e&bucket=0-1'), { metric: 'ttft', bucket: '0-1' });
});

test('profile type: CPU first, then wall time, then anything not GPU or memory; GPU and memory kinds pick their own', () => {
  const t = (id: string): ProfileType => {
    const [name, sampleType, sampleUnit, periodType, periodUnit] = id.split(':');
    return { id, name, sampleType, sampleUnit, periodType, periodUnit };
  };
  const wallSamples = t('wall:samples:count:wall:nanoseconds');
  const wallWall = t('wall:wall:nanoseconds:wall:nanoseconds');
  const wallCpu = t('wall:cpu:nanoseconds:wall:nanoseconds');
  const processCpu = t('process_cpu:cpu:nanoseconds:cpu:nanoseconds');
  assert.equal(pickProfileType([wallSamples, wallWall, wallCpu])?.id, wallCpu.id);
  assert.equal(pickProfileType([wallCpu, processCpu])?.id, processCpu.id);
  assert.equal(pickProfileType([wallSamples, wallWall])?.id, wallWall.id);
  assert.equal(pickProfileType([wallSamples])?.id, wallSamples.id);
  assert.equal(pickProfileType([]), null);
  const gpu = t('gpu:gpu_time:nanoseconds:gpu:nanoseconds');
  const dispatches = t('gpu:dispatches:count:gpu:nanoseconds');
  const inuseSpace = t('memory:inuse_space:bytes:space:bytes');
  const inuseObjects = t('memory:inuse_objects:count:space:bytes');
  const all = [dispatches, gpu, inuseObjects, inuseSpace, wallSamples];
  assert.equal(pickProfileType(all)?.id, wallSamples.id, 'the CPU graph never shows GPU or heap samples');
  assert.equal(pickProfileType(all, 'gpu')?.id, gpu.id);
  assert.equal(pickProfileType(all, 'memory')?.id, inuseSpace.id);
  assert.equal(pickProfileType([dispatches, wallCpu], 'memory'), null);
  // As Pyroscope (and the embedded store) name the sandbox's GPU profile: after its last sample type.
  const pgpu = t('dispatches:gpu_time:nanoseconds:gpu:nanoseconds');
  const pdispatches = t('dispatches:dispatches:count:gpu:nanoseconds');
  assert.equal(pickProfileType([pdispatches, pgpu], 'gpu')?.id, pgpu.id);
  assert.equal(pickProfileType([pdispatches, pgpu]), null, 'no CPU graph of GPU dispatches');
  assert.deepEqual(profileKinds([wallCpu, inuseSpace]), ['cpu', 'memory']);
  assert.equal(FlameQuery.parse({}).kind, 'cpu');
  assert.equal(FlameQuery.safeParse({ kind: 'disk' }).error!.issues[0].message, 'kind must be one of cpu, gpu, memory');
  assert.equal(SpanProfileQuery.safeParse({ trace: '1', span: '1', kind: 'memory' }).error!.issues[0].path[0], 'kind');
});

test('served by: the backend and GPU adapter from profile labels', () => {
  assert.deepEqual(servedBy({ backend: ['webgpu'], preset: ['tiny'], gpu_adapter: ['SwiftShader driver 5.0.0'], gpu_fallback_adapter: ['true'], gpu_timing: ['timestamp-query'], gpu_kernel_sample_every: ['32'] }), {
    backend: 'webgpu',
    preset: 'tiny',
    gpuAdapter: 'SwiftShader driver 5.0.0',
    fallbackAdapter: true,
    gpuTiming: 'timestamp-query',
    gpuKernelSampleEvery: 32,
    cpuThreads: null,
    mixed: false,
  });
  const cpu = servedBy({ backend: ['cpu', 'webgpu'], preset: ['tiny'], gpu_adapter: [] });
  assert.equal(cpu.gpuAdapter, null);
  assert.equal(cpu.fallbackAdapter, null);
  assert.equal(cpu.mixed, true);
  assert.equal(servedBy({ backend: ['cpu'], cpu_threads: ['2'] }).cpuThreads, 2);
});

test('service selector quotes the name; the pending rule', () => {
  assert.equal(serviceSelector('trisight-sandbox'), '{service_name="trisight-sandbox"}');
  assert.equal(serviceSelector('a"b'), '{service_name="a\\"b"}');
  assert.equal(profilesMayStillArrive(T0, 5000, T0 + 7000), true);
  assert.equal(profilesMayStillArrive(T0, 5000, T0 + 9000), false);
});

test('trace rows: search results take the matched span, and the run\'s own request where the trace id matches', () => {
  const rows = rowsFromSearch(
    [
      {
        traceId: 'a'.repeat(32),
        rootServiceName: 'svc',
        rootTraceName: 'loadgen',
        startTimeUnixNano: BigInt(T0) * 1_000_000n,
        durationMs: 130,
        spans: [{ spanId: '1'.repeat(16), startTimeUnixNano: BigInt(T0 + 1) * 1_000_000n, durationNanos: 110_500_000n, attributes: { 'gen_ai.usage.output_tokens': 9, 'trisight.priority': 'P0', 'trisight.prompt.entropy_bits': 4.5 } }],
      },
      { traceId: 'e'.repeat(32), rootServiceName: 'svc', rootTraceName: 'x', startTimeUnixNano: BigInt(T0) * 1_000_000n, durationMs: 42 },
    ],
    samples,
    'e2e',
  );
  assert.deepEqual(rows[0], { traceId: 'a'.repeat(32), durationMs: 110.5, clientMs: 120, outputTokens: 9, priority: 'P0', startMs: T0 + 1, stored: true, quality: { entropy: 4.5 } });
  assert.deepEqual(rows[1], { traceId: 'e'.repeat(32), durationMs: 42, clientMs: null, outputTokens: null, priority: null, startMs: T0, stored: true, quality: {} });

  const fromSamples = rowsFromSamples(
    requestsInBucket(samples, 'ttft', { lower: 0.001, upper: 0.01 }),
    new Map([['d'.repeat(32), { durationMs: 470, startMs: T0 + 31, attributes: { 'gen_ai.usage.output_tokens': 24, 'trisight.priority': 'P0', 'trisight.output.perplexity': 7 } }]]),
    'ttft',
  );
  assert.deepEqual(fromSamples, [
    { traceId: 'd'.repeat(32), durationMs: 470, clientMs: 6, outputTokens: 24, priority: 'P0', startMs: T0 + 31, stored: true, quality: { perplexity: 7 } },
    { traceId: 'a'.repeat(32), durationMs: null, clientMs: 4, outputTokens: 9, priority: 'P0', startMs: T0, stored: false, quality: {} },
  ]);
});

test('a span profile adds the decode batches its spans list, reported as shared', () => {
  const span = (spanId: string, parentSpanId: string | undefined, attributes: Record<string, unknown> = {}) => ({
    traceId: 'f'.repeat(32), spanId, parentSpanId, service: 's', name: spanId, kind: 'internal' as const,
    startTimeUnixNano: 0n, endTimeUnixNano: 1n, status: 'unset' as const, attributes: attributes as never, resourceAttributes: {}, events: [], links: [],
  });
  const trace = {
    traceId: 'f'.repeat(32),
    spans: [
      span('a'.repeat(16), undefined),
      span('b'.repeat(16), 'a'.repeat(16), { 'trisight.batch.span_ids': ['1'.repeat(16), '2'.repeat(16), 'not an id', 'b'.repeat(16)] }),
    ],
  };
  assert.deepEqual(profileSpanIds(trace, ['a'.repeat(16), 'b'.repeat(16)]), {
    ids: ['a'.repeat(16), 'b'.repeat(16), '1'.repeat(16), '2'.repeat(16)],
    shared: ['1'.repeat(16), '2'.repeat(16)],
  });
  // A span outside the chosen set contributes nothing.
  assert.deepEqual(profileSpanIds(trace, ['a'.repeat(16)]), { ids: ['a'.repeat(16)], shared: [] });
});

test('profile types by the names people use; unknown ones by their own words', async () => {
  const { profileTypeLabel } = await import('../../../lib/runs/views');
  assert.equal(profileTypeLabel({ name: 'process_cpu', sampleType: 'cpu' }), 'CPU time');
  assert.equal(profileTypeLabel({ name: 'wall', sampleType: 'wall' }), 'Wall-clock time');
  assert.equal(profileTypeLabel({ name: 'memory', sampleType: 'alloc_space' }), 'Allocated memory');
  assert.equal(profileTypeLabel({ name: 'custom', sampleType: 'frobs' }), 'custom frobs');
});

test('served by: a CPU run with a helper thread says its share is missing from the CPU profile', () => {
  const base = { backend: 'cpu', preset: 'tiny', gpuAdapter: null, fallbackAdapter: null, gpuTiming: null, gpuKernelSampleEvery: null, mixed: false };
  assert.equal(servedText({ ...base, cpuThreads: null }), 'Served by the CPU backend.');
  assert.match(servedText({ ...base, cpuThreads: 2 }) ?? '', /^Served by the CPU backend, with 1 helper thread for the large matrix products: its CPU time is the “Non JS threads activity” frame/);
});
