// GPU time, seen three ways, on the WebGPU backend (SwiftShader on CI): the
// pushed pprof GPU profile (stacks `prefill | decode step → kernel`, span_id
// labels), the per-kernel metrics in /metrics, and the GPU summary on prefill,
// decode and decode_batch spans. Expected dispatches come from the model's
// definition (a forward pass of the tiny preset, GEMV path), not from the code
// under test.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PRESETS, kvDim } from '../../workers/sandbox/model/config';
import { startSandbox } from '../../workers/sandbox/serve/index';
import { PHASE_FRAME, SUBMISSION_FRAME } from '../../workers/sandbox/telemetry/gpu-profile';
import { sandboxTelemetryTo, startSinks, type ReceivedProfile, type ReceivedSpan, type Sinks } from '../helpers/telemetry-sinks';

const MODEL = 'trisight-tiny';
const L = PRESETS.tiny.nLayers;
/** Dispatches of one forward pass of ≤ 4 rows with logits: embedding, per layer (norm, qkv, rope, kv store, attention, out-proj, residual, norm, gate|up, swiglu, down, residual), final norm, LM head. */
const PASS: Record<string, number> = { embedding: 1, rmsnorm: 2 * L + 1, gemv: 4 * L + 1, rope: L, kv_store: L, attention: L, residual: 2 * L, swiglu: L };
const PASS_DISPATCHES = Object.values(PASS).reduce((a, b) => a + b, 0);

interface GpuSample {
  stack: string[];
  spanId: string | undefined;
  ns: number;
  dispatches: number;
}

function gpuSamples(profiles: ReceivedProfile[]): GpuSample[] {
  const out: GpuSample[] = [];
  for (const { profile: p } of profiles) {
    const st = p.stringTable.strings;
    if (st[Number(p.sampleType[1]?.type)] !== 'gpu_time') continue;
    const fn = new Map(p.function.map((f) => [Number(f.id), st[Number(f.name)]]));
    const locName = new Map(p.location.map((l) => [Number(l.id), fn.get(Number(l.line[0].functionId))!]));
    for (const s of p.sample) {
      const span = s.label.find((l) => st[Number(l.key)] === 'span_id');
      out.push({
        stack: s.locationId.map((id) => locName.get(Number(id))!).reverse(),
        spanId: span ? st[Number(span.str)] : undefined,
        dispatches: Number(s.value[0]),
        ns: Number(s.value[1]),
      });
    }
  }
  return out;
}

const metric = (scrape: string, name: string, labels: string) => {
  const m = new RegExp(`^${name}${labels ? `\\{${labels}\\}` : ''} ([0-9.e+-]+)$`, 'm').exec(scrape);
  return m ? Number(m[1]) : undefined;
};

async function run(gpuTiming: 'auto' | 'submission', requests: { priority: 'P0' | 'P1'; prompt: string }[], gpuKernelSampleEvery = 1) {
  const sinks = await startSinks();
  const sb = await startSandbox({
    preset: 'tiny',
    backend: 'webgpu',
    gpuTiming,
    gpuKernelSampleEvery,
    maxBatch: 4,
    telemetry: sandboxTelemetryTo(sinks.url), // P0 traced, P1 never; one profile push, at close
  });
  let scrape = '';
  try {
    await Promise.all(
      requests.map(async (r) => {
        const res = await fetch(`${sb.url}/v1/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          // 2-letter prompts (3 tokens with BOS) keep prefill on the GEMV path, cheap on SwiftShader
          body: JSON.stringify({ model: MODEL, prompt: r.prompt, max_tokens: 4, ignore_eos: true, priority: r.priority }),
        });
        assert.equal(res.status, 200, await res.clone().text());
        await res.json();
      }),
    );
    scrape = await (await fetch(`${sb.url}/metrics`)).text();
  } finally {
    await sb.close();
    await sinks.close();
  }
  return { sinks, scrape };
}

describe('GPU time per span on WebGPU, every dispatch timed with timestamp queries', () => {
  let sinks: Sinks;
  let scrape: string;
  let samples: GpuSample[];
  const spanById = () => new Map(sinks.spans.map((s) => [s.spanId, s]));

  before(async () => {
    ({ sinks, scrape } = await run('auto', [
      { priority: 'P0', prompt: 'hi' },
      { priority: 'P0', prompt: 'ok' },
      { priority: 'P1', prompt: 'no' },
    ]));
    samples = gpuSamples(sinks.profiles);
  });
  after(() => sinks?.close());

  test("SwiftShader's adapter in the webgpu package has timestamp-query, and the sandbox uses it", () => {
    const roots = sinks.spans.filter((s) => s.name === `text_completion ${MODEL}`);
    assert.equal(roots.length, 2);
    assert.equal(roots[0].resource.backend, 'webgpu');
    assert.equal(roots[0].resource.gpu_timing, 'timestamp-query');
    assert.match(String(roots[0].resource.gpu_adapter), /\S/);
    assert.match(scrape, /^sandbox_gpu_kernel_duration_seconds_count\{kernel="gemv",phase="decode",timing="timestamp-query"\} \d+$/m);
  });

  test('the GPU profile is stacks of phase → kernel, one forward pass of dispatches per prefill and per decode step', () => {
    assert.ok(samples.length > 0, 'a gpu_time profile was pushed');
    const p = sinks.profiles.find((x) => x.profile.stringTable.strings.includes('gpu_time'))!;
    assert.match(p.query.get('name') ?? '', /^trisight-sandbox\{.*backend=webgpu.*gpu_timing=timestamp-query.*\}$/);
    const byPhase = new Map<string, Map<string, number>>();
    for (const s of samples) {
      assert.equal(s.stack.length, 2, s.stack.join(' → '));
      const [phase, kernel] = s.stack;
      assert.ok([PHASE_FRAME.prefill, PHASE_FRAME.decode].includes(phase), phase);
      const m = byPhase.get(phase) ?? new Map<string, number>();
      m.set(kernel, (m.get(kernel) ?? 0) + s.dispatches);
      byPhase.set(phase, m);
      assert.ok(s.ns > 0, `${phase} → ${kernel} has GPU time`);
    }
    const steps = metric(scrape, 'sandbox_decode_steps_total', '')!;
    // three requests, one prefill pass each (3 prompt tokens), then batched decode steps
    for (const [phase, passes] of [[PHASE_FRAME.prefill, 3], [PHASE_FRAME.decode, steps]] as const) {
      const got = Object.fromEntries(byPhase.get(phase) ?? []);
      const want = Object.fromEntries(Object.entries(PASS).map(([k, n]) => [k, n * passes]));
      assert.deepEqual(got, want, `${phase}: dispatches per kernel`);
    }
  });

  test("per-kernel metrics count every dispatch and agree with the profile's time", () => {
    const steps = metric(scrape, 'sandbox_decode_steps_total', '')!;
    assert.ok(steps >= 3);
    let total = 0;
    for (const phase of ['prefill', 'decode'] as const) {
      for (const [kernel, n] of Object.entries(PASS)) {
        const passes = phase === 'prefill' ? 3 : steps;
        assert.equal(metric(scrape, 'sandbox_gpu_dispatches_total', `kernel="${kernel}",phase="${phase}"`), n * passes, `${phase} ${kernel}`);
        const count = metric(scrape, 'sandbox_gpu_kernel_duration_seconds_count', `kernel="${kernel}",phase="${phase}",timing="timestamp-query"`);
        assert.equal(count, n * passes);
        const sum = metric(scrape, 'sandbox_gpu_kernel_duration_seconds_sum', `kernel="${kernel}",phase="${phase}",timing="timestamp-query"`)!;
        const profiled = samples.filter((s) => s.stack[0] === PHASE_FRAME[phase] && s.stack[1] === kernel).reduce((a, s) => a + s.ns, 0);
        assert.ok(Math.abs(sum * 1e9 - profiled) <= n * passes, `${phase} ${kernel}: metric ${sum * 1e9} ns vs profile ${profiled} ns`);
        total += n * passes;
      }
    }
    assert.equal(total, (3 + steps) * PASS_DISPATCHES);
  });

  test("a request's GPU span profile holds its own prefill and its batches' steps, and the spans carry the same sums", () => {
    const ids = spanById();
    const bySpan = new Map<string, GpuSample[]>();
    for (const s of samples) if (s.spanId) bySpan.set(s.spanId, [...(bySpan.get(s.spanId) ?? []), s]);
    const sum = (list: GpuSample[] | undefined, f: (s: GpuSample) => number) => (list ?? []).reduce((a, s) => a + f(s), 0);
    const prefills = sinks.spans.filter((s) => s.name === 'prefill');
    const decodes = sinks.spans.filter((s) => s.name === 'decode');
    assert.equal(prefills.length, 2);
    for (const p of prefills) {
      const own = bySpan.get(p.spanId);
      assert.ok(own?.every((s) => s.stack[0] === PHASE_FRAME.prefill), 'prefill span: prefill kernels only');
      assert.equal(sum(own, (s) => s.dispatches), PASS_DISPATCHES);
      assert.equal(p.attributes['trisight.gpu.dispatches'], PASS_DISPATCHES);
      assert.equal(p.attributes['trisight.gpu.timing'], 'timestamp-query');
      const ms = p.attributes['trisight.gpu.kernel_time_ms'] as number;
      assert.ok(Math.abs(ms * 1e6 - sum(own, (s) => s.ns)) < 1e3 + PASS_DISPATCHES, `prefill ${ms} ms vs profile`);
      assert.equal(p.attributes['trisight.kv_cache.bytes'], (p.attributes['trisight.kv_cache.positions'] as number) * 2 * L * kvDim(PRESETS.tiny) * 4);
    }
    for (const d of decodes) {
      // the request's own decode span labels only its token sampling (CPU): no GPU work is charged to it
      assert.equal(bySpan.get(d.spanId), undefined);
      const batches = d.attributes['trisight.batch.span_ids'] as string[];
      assert.ok(batches.length >= 1);
      let dispatches = 0;
      let ns = 0;
      for (const b of batches) {
        assert.equal(ids.get(b)?.name, 'decode_batch');
        const list = bySpan.get(b);
        assert.ok(list?.every((s) => s.stack[0] === PHASE_FRAME.decode), 'batch span: decode kernels only');
        dispatches += sum(list, (s) => s.dispatches);
        ns += sum(list, (s) => s.ns);
        const batch = ids.get(b)!;
        assert.equal(batch.attributes['trisight.gpu.dispatches'], (batch.attributes['trisight.batch.steps'] as number) * PASS_DISPATCHES);
      }
      assert.equal(d.attributes['trisight.gpu.dispatches'], dispatches);
      assert.ok(Math.abs((d.attributes['trisight.gpu.batch_kernel_time_ms'] as number) * 1e6 - ns) < 1e3 * batches.length + dispatches);
      assert.ok((d.attributes['trisight.gpu.kernel_time_share_ms'] as number) <= (d.attributes['trisight.gpu.batch_kernel_time_ms'] as number));
    }
    // The unsampled P1 request's prefill is in the profile, without a span id.
    const unlabelledPrefill = samples.filter((s) => !s.spanId && s.stack[0] === PHASE_FRAME.prefill);
    assert.equal(sum(unlabelledPrefill, (s) => s.dispatches), PASS_DISPATCHES);
  });

  test('GPU buffer memory and KV-cache gauges', () => {
    const w = PRESETS.tiny;
    assert.ok(metric(scrape, 'sandbox_gpu_buffer_bytes', 'kind="weights"')! > 3.5e6, 'the weights (~3.7 MB)');
    const kv = metric(scrape, 'sandbox_gpu_buffer_bytes', 'kind="kv_cache"')!;
    assert.equal(metric(scrape, 'sandbox_kv_cache_bytes', 'state="reserved"'), kv);
    assert.equal(kv % (w.maxSeqLen * 2 * L * kvDim(w) * 4), 0, 'whole sequence slots');
    // 7-token sequences are too short for the prefix cache (8): all freed, none in use
    assert.equal(metric(scrape, 'sandbox_kv_cache_bytes', 'state="used"'), 0);
    assert.ok(metric(scrape, 'sandbox_gpu_buffer_bytes', 'kind="timestamps"')! > 0);
  });
});

describe('GPU time with the kernel split sampled (one pass in 32 timed per dispatch; the default is 128)', () => {
  test('dispatch counts stay exact, every pass is timed whole, only sampled passes feed the kernel histogram, and spans equal their profile', async () => {
    const { sinks, scrape } = await run('auto', [{ priority: 'P0', prompt: 'hi' }, { priority: 'P0', prompt: 'ok' }], 32);
    const samples = gpuSamples(sinks.profiles);
    const steps = metric(scrape, 'sandbox_decode_steps_total', '')!;
    const byKernel = new Map<string, number>();
    for (const s of samples.filter((x) => x.stack[0] === PHASE_FRAME.decode)) byKernel.set(s.stack[1], (byKernel.get(s.stack[1]) ?? 0) + s.dispatches);
    assert.deepEqual(Object.fromEntries(byKernel), Object.fromEntries(Object.entries(PASS).map(([k, n]) => [k, n * steps])));
    assert.equal(metric(scrape, 'sandbox_gpu_pass_duration_seconds_count', 'phase="decode",timing="timestamp-query"'), steps);
    assert.equal(metric(scrape, 'sandbox_gpu_dispatches_total', 'kernel="gemv",phase="decode"'), PASS.gemv * steps);
    // the first pass of each shape (batches of 2 and 1 are one shape: both GEMV) and pass 0, 32, … are timed per dispatch: fewer than all
    const observed = metric(scrape, 'sandbox_gpu_kernel_duration_seconds_count', 'kernel="gemv",phase="decode",timing="timestamp-query"')!;
    assert.ok(observed >= PASS.gemv && observed < PASS.gemv * steps, `${observed} gemv observations of ${PASS.gemv * steps} dispatches`);
    for (const b of sinks.spans.filter((x) => x.name === 'decode_batch')) {
      const ns = samples.filter((x) => x.spanId === b.spanId).reduce((a, x) => a + x.ns, 0);
      assert.ok(Math.abs((b.attributes['trisight.gpu.kernel_time_ms'] as number) * 1e6 - ns) < 1e3 + PASS_DISPATCHES * (b.attributes['trisight.batch.steps'] as number));
    }
    assert.equal(sinks.spans.find((x) => x.name === 'prefill')!.resource.gpu_kernel_sample_every, '32');
  });
});

describe('GPU time without timestamp queries: submission bracketing', () => {
  test('one frame per pass that says it includes queueing, and spans that say so', async () => {
    const { sinks, scrape } = await run('submission', [{ priority: 'P0', prompt: 'hi' }]);
    const samples = gpuSamples(sinks.profiles);
    assert.ok(samples.length > 0);
    for (const s of samples) assert.equal(s.stack[1], SUBMISSION_FRAME);
    const prefill = sinks.spans.find((s: ReceivedSpan) => s.name === 'prefill')!;
    assert.equal(prefill.attributes['trisight.gpu.timing'], 'submission');
    assert.equal(prefill.attributes['trisight.gpu.dispatches'], PASS_DISPATCHES);
    const steps = metric(scrape, 'sandbox_decode_steps_total', '')!;
    assert.equal(metric(scrape, 'sandbox_gpu_kernel_duration_seconds_count', 'kernel="all",phase="decode",timing="submission"'), steps);
    assert.equal(metric(scrape, 'sandbox_gpu_dispatches_total', 'kernel="all",phase="decode"'), steps * PASS_DISPATCHES);
  });
});
