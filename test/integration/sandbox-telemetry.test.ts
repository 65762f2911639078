// Telemetry shape, end to end: the sandbox exports OTLP/HTTP traces and pushes
// pprof CPU profiles to local listeners; we check span names and gen_ai.*
// attributes, W3C traceparent continuation, sampling probabilities, exemplars in
// the OpenMetrics scrape, and that every pprof span_id label is an exported span
// (carrying pyroscope.profile.id), with batched decode steps labelled by a batch
// span linked to its requests — never by one of the requests.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox, type Sandbox } from '../../workers/sandbox/serve/index';
import { sandboxTelemetryTo, startSinks, type ReceivedSpan, type Sinks } from '../helpers/telemetry-sinks';

const MODEL = 'trisight-tiny';
const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN = 'b7ad6b7169203331';

describe('sandbox telemetry', () => {
  let sinks: Sinks;
  let sb: Sandbox;
  let scrape = '';
  let firstScrape = '';
  const responses: { priority: string; traceresponse: string | null; status: number }[] = [];
  const EMAIL = 'jane.doe@example.com';

  before(async () => {
    sinks = await startSinks();
    sb = await startSandbox({
      preset: 'tiny',
      backend: 'cpu',
      maxBatch: 4,
      // P1 never traced, P0 always: the split is deterministic for the test.
      telemetry: { ...sandboxTelemetryTo(sinks.url), profileSamplingIntervalMicros: 1000, recordPrompts: true },
    });
    // Before any request: the model's success series exist at zero, so increase() counts the first requests.
    firstScrape = await (await fetch(`${sb.url}/metrics`)).text();
    const send = async (priority: string, prompt: string, headers: Record<string, string> = {}) => {
      const r = await fetch(`${sb.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ model: MODEL, prompt, max_tokens: 48, temperature: 0.8, ignore_eos: true, priority }),
      });
      await r.json();
      responses.push({ priority, traceresponse: r.headers.get('traceresponse'), status: r.status });
    };
    // Concurrent P0 and P1 requests share decode steps.
    await Promise.all([
      send('P0', `contact ${EMAIL} about the shared prefix of this prompt`, { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01` }),
      send('P0', 'the second sampled request, with a prompt long enough for two prefill chunks'),
      send('P0', 'third'),
      send('P1', 'an unsampled request in the same batch'),
      send('P1', 'another unsampled one'),
    ]);
    scrape = await (await fetch(`${sb.url}/metrics`)).text();
    await sb.close(); // flushes spans and pushes the last profile
  });
  after(async () => {
    await sb?.close();
    await sinks?.close();
  });

  test('the served model\'s latency, token and quality series exist at zero before its first request', () => {
    const model = `gen_ai_request_model="${MODEL}"`;
    for (const name of ['gen_ai_server_request_duration_seconds_count', 'gen_ai_server_time_to_first_token_seconds_count', 'gen_ai_server_time_per_output_token_seconds_count', 'gen_ai_server_tokens_total', 'sandbox_prompt_entropy_bits_count']) {
      const line = firstScrape.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(model));
      assert.ok(line, `${name} for ${MODEL} is exposed before the first request`);
      assert.match(line, / 0$/, line);
    }
    // Failures keep their error_type series to themselves: none before a failure.
    assert.doesNotMatch(firstScrape, /error_type=/);
  });

  const roots = () => sinks.spans.filter((s) => s.name === `text_completion ${MODEL}`);
  const byId = () => new Map(sinks.spans.map((s) => [s.spanId, s]));

  test('one text_completion span per sampled request, with gen_ai.* attributes', () => {
    const r = roots();
    assert.equal(r.length, 3, 'only the three P0 requests are traced');
    for (const s of r) {
      assert.equal(s.kind, 2, 'SERVER');
      assert.equal(s.attributes['gen_ai.operation.name'], 'text_completion');
      assert.equal(s.attributes['gen_ai.provider.name'], 'trisight');
      assert.equal(s.attributes['gen_ai.request.model'], MODEL);
      assert.equal(s.attributes['gen_ai.request.max_tokens'], 48);
      assert.equal(s.attributes['gen_ai.request.temperature'], 0.8);
      assert.ok((s.attributes['gen_ai.usage.input_tokens'] as number) > 1);
      assert.equal(s.attributes['gen_ai.usage.output_tokens'], 48);
      assert.equal(s.attributes['error.type'], undefined);
      assert.equal(s.attributes['trisight.priority'], 'P0');
      assert.equal(s.resource['service.name'], 'trisight-sandbox');
      assert.equal(s.resource.backend, 'cpu');
      assert.equal(s.resource.preset, 'tiny');
    }
    // The traceresponse header names each sampled request's trace.
    const sampledHeaders = responses.filter((x) => x.traceresponse).map((x) => x.traceresponse!.split('-')[1]);
    assert.deepEqual(new Set(sampledHeaders), new Set(r.map((s) => s.traceId)));
    assert.ok(responses.filter((x) => x.priority === 'P1').every((x) => x.traceresponse === null));
  });

  test('incoming traceparent is continued', () => {
    const s = roots().find((x) => x.traceId === PARENT_TRACE);
    assert.ok(s, 'a request span in the caller trace');
    assert.equal(s.parentSpanId, PARENT_SPAN);
  });

  test('child spans queue, tokenize, prefill and decode with their figures', () => {
    const ids = byId();
    for (const root of roots()) {
      const kids = sinks.spans.filter((s) => s.parentSpanId === root.spanId && s.traceId === root.traceId);
      assert.deepEqual(kids.map((k) => k.name).sort(), ['decode', 'prefill', 'queue', 'tokenize']);
      const prefill = kids.find((k) => k.name === 'prefill')!;
      assert.equal(prefill.attributes['gen_ai.usage.input_tokens'], root.attributes['gen_ai.usage.input_tokens']);
      assert.equal(typeof prefill.attributes['trisight.prefix_cache.hit_tokens'], 'number');
      const decode = kids.find((k) => k.name === 'decode')!;
      assert.equal(decode.attributes['trisight.decode.steps'], 47);
      assert.ok((decode.attributes['trisight.batch.size.max'] as number) >= 2, 'decoded in a shared batch');
      assert.ok((decode.attributes['trisight.kv_cache.positions'] as number) > 47);
      for (const b of decode.attributes['trisight.batch.span_ids'] as string[]) assert.equal(ids.get(b)?.name, 'decode_batch');
    }
  });

  test('every span records the probability it was sampled with', () => {
    for (const s of sinks.spans) {
      const p = s.attributes['trisight.sampling.probability'];
      assert.equal(typeof p, 'number', `${s.name} lacks trisight.sampling.probability`);
      assert.ok((p as number) > 0 && (p as number) <= 1);
    }
  });

  test('prompts are recorded redacted when enabled', () => {
    const withPrompt = roots().find((s) => String(s.attributes['gen_ai.input.messages']).includes('contact'));
    assert.ok(withPrompt);
    const text = String(withPrompt.attributes['gen_ai.input.messages']);
    assert.ok(!text.includes(EMAIL));
    assert.match(text, /contact \[EMAIL\] about/);
    assert.equal(withPrompt.attributes['trisight.redaction.email'], 1, 'the span counts what was redacted');
    assert.equal(withPrompt.attributes['redaction.masked.count'], 1);
    assert.equal(typeof withPrompt.attributes['gen_ai.output.messages'], 'string');
  });

  test('decode_batch spans link to the sampled requests decoded together', () => {
    const ids = byId();
    const batches = sinks.spans.filter((s) => s.name === 'decode_batch');
    assert.ok(batches.length >= 1);
    for (const b of batches) {
      assert.ok(b.links.length >= 1);
      assert.ok(b.links.length <= (b.attributes['trisight.batch.size'] as number));
      for (const l of b.links) assert.equal(ids.get(l.spanId)?.name, 'decode', 'links point at request decode spans');
      assert.ok((b.attributes['trisight.batch.steps'] as number) >= 1);
    }
  });

  test('metrics count every request, sampled or not; exemplars point only at exported traces', () => {
    const count = /^gen_ai_server_request_duration_seconds_count\{[^}]*\} (\d+)$/m.exec(scrape);
    assert.equal(Number(count?.[1]), 5);
    assert.match(scrape, /^sandbox_trace_sampling_decisions_total\{priority="P1",sampled="false"\} 2$/m);
    assert.match(scrape, /^# TYPE gen_ai_server_time_to_first_token_seconds histogram$/m);
    assert.match(scrape, /^gen_ai_server_time_per_output_token_seconds_bucket\{le="0.075",/m);
    assert.match(scrape, /^sandbox_kv_cache_usage_ratio /m);
    assert.match(scrape, /^sandbox_prefix_cache_hit_ratio /m);
    assert.match(scrape, /^process_cpu_seconds_total /m);
    assert.match(scrape, /^# EOF$/m, 'OpenMetrics exposition');
    const traceIds = new Set(sinks.spans.map((s) => s.traceId));
    const exemplars = [...scrape.matchAll(/ # \{trace_id="([0-9a-f]{32})",span_id="([0-9a-f]{16})"\} /g)];
    assert.ok(exemplars.length >= 3, 'duration, TTFT and TPOT buckets carry exemplars');
    for (const [, traceId, spanId] of exemplars) {
      assert.ok(traceIds.has(traceId), `exemplar trace ${traceId} was exported`);
      assert.equal(byId().get(spanId)?.name, `text_completion ${MODEL}`);
    }
  });

  test('the heap profile is pushed too, with the KV cache apart from the rest of (external) memory', () => {
    const heap = sinks.profiles.filter((x) => x.profile.stringTable.strings.includes('inuse_space'));
    assert.ok(heap.length >= 1, 'a heap profile was pushed');
    const p = heap.at(-1)!.profile;
    const st = p.stringTable.strings;
    assert.deepEqual(p.sampleType.map((t) => st[Number(t.type)]), ['inuse_objects', 'inuse_space']);
    const name = (locId: unknown) => {
      const loc = p.location.find((l) => Number(l.id) === Number(locId))!;
      return st[Number(p.function.find((f) => Number(f.id) === Number(loc.line[0].functionId))!.name)];
    };
    const kv = p.sample.find((x) => x.locationId.length === 2 && name(x.locationId[0]) === 'KV cache' && name(x.locationId[1]) === '(external)');
    assert.ok(kv, '(external) → KV cache');
    // the CPU backend allocated one KV cache per concurrent sequence (kept pooled): what /metrics reports as reserved
    const reserved = Number(/^sandbox_kv_cache_bytes\{state="reserved"\} (\d+)$/m.exec(scrape)?.[1]);
    assert.ok(reserved > 0);
    assert.equal(Number(kv.value[1]), reserved);
    assert.ok(p.sample.some((x) => x.locationId.length > 1 && name(x.locationId.at(-1)) !== '(external)'), 'JS-heap allocation sites too');
  });

  test('pprof span_id labels match exported spans carrying pyroscope.profile.id', () => {
    const cpuProfiles = sinks.profiles.filter((x) => x.profile.stringTable.strings.includes('cpu'));
    assert.ok(cpuProfiles.length >= 1, 'a CPU profile was pushed to /ingest');
    const p = cpuProfiles.at(-1)!;
    assert.match(p.query.get('name') ?? '', /^trisight-sandbox\{.*backend=cpu.*preset=tiny.*\}$/);
    const types = p.profile.sampleType.map((t) => p.profile.stringTable.strings[Number(t.type)]);
    assert.ok(types.includes('cpu'), `sample types ${types}`);
    const ids = byId();
    const labelled = new Map<string, number>();
    for (const prof of cpuProfiles) for (const [id, v] of prof.labelValues('span_id')) labelled.set(id, (labelled.get(id) ?? 0) + v);
    assert.ok(labelled.size >= 1, 'some CPU samples carry span_id');
    const kinds = new Set<string>();
    for (const id of labelled.keys()) {
      assert.match(id, /^[0-9a-f]{16}$/);
      const span = ids.get(id);
      assert.ok(span, `span_id ${id} from the profile is an exported span`);
      assert.equal(span.attributes['pyroscope.profile.id'], id);
      kinds.add(span.name);
      // Shared decode compute is labelled by the batch span, never by a request span.
      assert.ok(['prefill', 'decode', 'decode_batch'].includes(span.name), span.name);
    }
    // Most CPU goes into the batched forward pass; it must be attributed to batch spans.
    assert.ok(kinds.has('decode_batch'), `labelled span kinds: ${[...kinds]}`);
    // Unsampled (P1) work is never labelled with a sampled request's span: all labelled
    // request spans belong to P0 traces.
    const p0Traces = new Set(roots().map((r: ReceivedSpan) => r.traceId));
    for (const id of labelled.keys()) {
      const span = ids.get(id)!;
      if (span.name !== 'decode_batch') assert.ok(p0Traces.has(span.traceId));
    }
  });
});
