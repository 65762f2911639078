// Span times from the real sandbox: every child span lies within its parent and
// a request's stages follow each other (tokenize → queue → prefill → decode).
// Requests sent one at a time to an idle sandbox are the sharp case: tokenize
// and queue then take microseconds, so any span time taken from a coarser or
// different clock (Date.now() is whole milliseconds) lands before its parent.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../workers/sandbox/serve/index';
import { startSinks, type ReceivedSpan, type Sinks } from '../helpers/telemetry-sinks';

let sinks: Sinks;
let sb: Sandbox;

async function complete(prompt: string, maxTokens: number): Promise<void> {
  const r = await fetch(`${sb.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: sb.model, prompt, max_tokens: maxTokens, temperature: 0, ignore_eos: true, priority: 'P0' }),
  });
  assert.equal(r.status, 200);
  await r.json();
}

before(async () => {
  sinks = await startSinks();
  sb = await startSandbox({ preset: 'tiny', backend: 'cpu', maxBatch: 4, telemetry: { otlpEndpoint: sinks.url, exportDelayMs: 100 } });
  // One at a time (idle sandbox, near-zero queue), then a burst that queues and batches.
  for (let i = 0; i < 24; i++) await complete('x'.repeat(1 + (i % 5)), 1 + (i % 3));
  await Promise.all(Array.from({ length: 12 }, (_, i) => complete(`request ${i} `.repeat(1 + (i % 4)), 4 + i)));
  await sb.close(); // flushes the spans
});

after(async () => {
  await sb?.close();
  await sinks?.close();
});

const us = (ns: bigint) => `${Number(ns) / 1e3} µs`;

test('every child span starts and ends within its parent', () => {
  const byId = new Map(sinks.spans.map((s) => [`${s.traceId}/${s.spanId}`, s]));
  const violations: string[] = [];
  let children = 0;
  for (const s of sinks.spans) {
    if (s.endTimeUnixNano < s.startTimeUnixNano) violations.push(`${s.name} ends before it starts`);
    const parent = s.parentSpanId ? byId.get(`${s.traceId}/${s.parentSpanId}`) : undefined;
    if (!parent) continue;
    children++;
    if (s.startTimeUnixNano < parent.startTimeUnixNano) violations.push(`${s.name} starts ${us(parent.startTimeUnixNano - s.startTimeUnixNano)} before its parent ${parent.name}`);
    if (s.endTimeUnixNano > parent.endTimeUnixNano) violations.push(`${s.name} ends ${us(s.endTimeUnixNano - parent.endTimeUnixNano)} after its parent ${parent.name}`);
  }
  // tokenize, queue, prefill under each of the 36 request spans, and decode under those with more than one token.
  const decoded = sinks.spans.filter((s) => s.kind === 2 && (s.attributes['gen_ai.usage.output_tokens'] as number) > 1).length;
  assert.equal(children, 36 * 3 + decoded);
  assert.deepEqual(violations, []);
});

test("a request's stages follow each other: tokenize, queue, prefill, decode", () => {
  const roots = sinks.spans.filter((s) => s.kind === 2);
  assert.equal(roots.length, 36);
  const violations: string[] = [];
  for (const root of roots) {
    const kid = (name: string) => sinks.spans.find((s) => s.traceId === root.traceId && s.parentSpanId === root.spanId && s.name === name);
    const stages = ['tokenize', 'queue', 'prefill', 'decode'].map(kid).filter((s): s is ReceivedSpan => !!s);
    // A one-token answer's only token comes from prefill: no decode span.
    assert.equal(stages.length, (root.attributes['gen_ai.usage.output_tokens'] as number) > 1 ? 4 : 3, `stages of ${root.traceId}`);
    for (let i = 1; i < stages.length; i++) {
      const [a, b] = [stages[i - 1], stages[i]];
      if (b.startTimeUnixNano < a.endTimeUnixNano) violations.push(`${root.traceId}: ${b.name} starts ${us(a.endTimeUnixNano - b.startTimeUnixNano)} before ${a.name} ends`);
    }
  }
  assert.deepEqual(violations, []);
});

test('the request span lasts exactly the duration the server measured (the histogram observes the same number)', () => {
  // ttft ≤ duration, both on the same clock: the span's end is arrival + total.
  for (const root of sinks.spans.filter((s) => s.kind === 2)) {
    const durMs = Number(root.endTimeUnixNano - root.startTimeUnixNano) / 1e6;
    const ttft = root.attributes['trisight.timings.ttft_ms'] as number;
    assert.ok(ttft > 0 && ttft <= durMs + 1e-6, `ttft ${ttft} ms within the span's ${durMs} ms`);
  }
});
