// SandboxTelemetry driven by the real scheduler over the fake runner: span tree,
// batch spans and their links, and exemplar/metric bookkeeping — without HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Scheduler } from '../../../workers/sandbox/serve/scheduler';
import { runtimeTelemetry, SandboxTelemetry, telemetryTags, type TelemetryOptions } from '../../../workers/sandbox/telemetry';
import { nodeProcessTelemetry } from '../../../workers/sandbox/telemetry/node';
import { FakeRunner, argmax } from './fake-runner';

function collector() {
  const spans: ReadableSpan[] = [];
  const exporter: SpanExporter = {
    export(batch, done) {
      spans.push(...batch);
      done({ code: 0 });
    },
    shutdown: async () => {},
  };
  return { spans, exporter };
}

test('batch spans link exactly the sampled requests of each batch membership', async () => {
  const { spans, exporter } = collector();
  const runner = new FakeRunner();
  let sched!: Scheduler;
  const options: TelemetryOptions = {
    model: 'trisight-fake',
    backend: 'cpu',
    preset: 'fake',
    traces: { exporter, exportDelayMs: 10 },
    sampling: { p1Base: 0, minProbability: 0 },
    metrics: true,
    processMetrics: false,
    profiling: false,
    recordPrompts: false,
  };
  const stats = () => sched.stats();
  const tel = new SandboxTelemetry(options, stats, (tags) => nodeProcessTelemetry(options, stats, tags));
  sched = new Scheduler(runner, { maxBatch: 4, maxQueue: 8, prefixCacheEntries: 0, telemetry: tel, now: () => performance.now() });
  const run = (name: string, priority: 'P0' | 'P1', n: number) =>
    new Promise<string | undefined>((resolve) => {
      const spansOf = tel.startRequest({
        headers: {},
        arrivalMs: performance.now(),
        tokenizedMs: performance.now(),
        priority,
        maxTokens: n,
        temperature: 0,
        topK: 0,
        promptTokens: 2,
        prompt: name,
      });
      sched.submit({
        prompt: Int32Array.from([1, 2]),
        maxTokens: n,
        priority,
        arrivalMs: performance.now(),
        deadlineMs: performance.now() + 10_000,
        sample: argmax,
        trace: spansOf,
        onToken: () => {},
        onFinish: (f) => {
          spansOf.end({ id: name, finishReason: f.finishReason, httpStatus: 200, inputTokens: f.promptTokens, outputTokens: f.completionTokens, timings: f.timings });
          resolve(spansOf.traceId);
        },
        onAbort: () => resolve(undefined),
      });
    });
  // a (P0, long) and b (P0, short) and c (P1: never sampled here) decode together.
  const [ta, tb, tc] = await Promise.all([run('a', 'P0', 8), run('b', 'P0', 3), run('c', 'P1', 5)]);
  await tel.shutdown();
  assert.ok(ta && tb);
  assert.equal(tc, undefined, 'P1 not sampled');

  const decodeOf = (traceId: string) => spans.find((s) => s.name === 'decode' && s.spanContext().traceId === traceId)!;
  const da = decodeOf(ta).spanContext().spanId;
  const db = decodeOf(tb).spanContext().spanId;
  const batches = spans.filter((s) => s.name === 'decode_batch');
  assert.ok(batches.length >= 2, 'membership changed at least once (b and c finished before a)');
  for (const b of batches) {
    const linked = b.links.map((l) => l.context.spanId).sort();
    const size = b.attributes['trisight.batch.size'] as number;
    assert.ok(linked.length <= size);
    // Links only to sampled decode spans (c has none).
    for (const id of linked) assert.ok(id === da || id === db);
    assert.equal(b.attributes['trisight.sampling.probability'], 1);
    assert.ok((b.attributes['trisight.batch.steps'] as number) >= 1);
  }
  // The first batch has all three decoding; the last has a alone.
  assert.deepEqual(batches[0].links.map((l) => l.context.spanId).sort(), [da, db].sort());
  assert.equal(batches[0].attributes['trisight.batch.size'], 3);
  assert.deepEqual(batches.at(-1)!.links.map((l) => l.context.spanId), [da]);
  // Each decode span lists the batch spans it took part in.
  const ids = new Set(batches.map((b) => b.spanContext().spanId));
  const listed = decodeOf(ta).attributes['trisight.batch.span_ids'] as string[];
  assert.ok(listed.length >= 2 && listed.every((id) => ids.has(id)));
  // Total decode steps across batch spans = scheduler decode steps.
  const steps = batches.reduce((n, b) => n + (b.attributes['trisight.batch.steps'] as number), 0);
  assert.equal(steps, sched.stats().decodeSteps);

  // Metrics saw all three requests, exemplars only for the sampled ones.
  const text = (await tel.metrics!.exposition()).body;
  assert.match(text, /^gen_ai_server_request_duration_seconds_count\{[^}]*\} 3$/m);
  const exemplarTraces = new Set([...text.matchAll(/trace_id="([0-9a-f]{32})"/g)].map((m) => m[1]));
  assert.ok(exemplarTraces.size >= 1);
  for (const t of exemplarTraces) assert.ok(t === ta || t === tb);
});

test('profile tags name a helper thread (its share is not in the CPU profile); one thread adds no tag', () => {
  assert.equal(telemetryTags({ backend: 'cpu', preset: 'tiny', cpuThreads: 2 }).cpu_threads, '2');
  assert.equal(telemetryTags({ backend: 'cpu', preset: 'tiny', cpuThreads: 1 }).cpu_threads, undefined);
  assert.equal(runtimeTelemetry({ backend: 'cpu', preset: 'tiny', params: 1, vocabSize: 258, maxSeqLen: 256, layers: 4, threads: 2, kvBytesPerPosition: 4096 }).cpuThreads, 2);
});
