// One streamed completion against an OpenAI-compatible server, timed on the client:
// TTFT, the gaps between output chunks and E2E, as benchmark_serving measures them.
import { randomBytes } from 'node:crypto';
import { EventSourceParserStream } from 'eventsource-parser/stream';
import { wallClockMs, type ClientSpan, type ClientSpans } from './client-spans';
import { errorBodyText } from './error-text';
import type { PlannedRequest } from './prompt';
import type { RequestSample } from './report';

/** A fresh W3C trace context for a request without a client span (version 00, not sampled). */
export function newTraceContext(): { traceId: string; spanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  // Flag 00 leaves the decision to the server's sampler (the sandbox traces P0
  // always and P1 by its token-count policy, recording the probability so counts
  // can be re-weighted). The trace id still links each client-side latency to
  // its trace whenever the server keeps it.
  return { traceId, spanId, traceparent: `00-${traceId}-${spanId}-00` };
}

export interface CompletionTarget {
  /** the target's configured name (on client spans) */
  name?: string;
  /** base URL without trailing slash, from server config only */
  baseUrl: string;
  model: string;
  /** only servers that take a `priority` string get one: vLLM would reject "P0" (it wants an int) */
  sendPriority: boolean;
}

export interface CompletionSettings {
  maxTokens: number;
  temperature: number;
}

/** Thrown when the run itself was stopped: the request is neither completed nor failed. */
export class RequestAborted extends Error {}

const MAX_ERROR_BODY = 300;
export { errorBodyText };

interface CompletionChunk {
  choices?: { text?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
  error?: { message?: string } | string;
}

/**
 * Sends one request with `stream: true` and times it. `runSignal` stops the whole run
 * (→ RequestAborted); `timeoutMs` fails this request alone. With `clientSpans`, the
 * request gets a client span (kept when the server keeps its trace).
 */
export async function streamCompletion(
  target: CompletionTarget,
  req: PlannedRequest,
  settings: CompletionSettings,
  runSignal: AbortSignal,
  timeoutMs: number,
  clientSpans?: ClientSpans,
): Promise<RequestSample> {
  const t0 = performance.now();
  const startMs = performance.timeOrigin + t0;
  const span: ClientSpan | undefined = clientSpans?.start(
    { model: target.model, target: target.name ?? target.baseUrl, priority: req.priority, maxTokens: settings.maxTokens, temperature: settings.temperature, seed: req.seed, baseUrl: target.baseUrl },
    startMs,
  );
  const { traceId, traceparent } = span ?? newTraceContext();
  const signal = AbortSignal.any([runSignal, AbortSignal.timeout(timeoutMs)]);
  let first: number | null = null;
  let last = 0;
  const itl: number[] = [];
  let chunks = 0;
  let usage: CompletionChunk['usage'] = null;
  let httpStatus: number | undefined;
  const sample = (ok: boolean, error?: string, errorType?: string): RequestSample => {
    const end = performance.now();
    const s: RequestSample = {
      index: req.index,
      priority: req.priority,
      traceId,
      startMs,
      ok,
      ...(error ? { error } : {}),
      ttftMs: first === null ? null : first - t0,
      e2eMs: end - t0,
      itlMs: itl,
      // The sandbox's tokenizer is byte-level, so the prompt's length is its token count
      // when a server does not report usage.
      promptTokens: usage?.prompt_tokens ?? Buffer.byteLength(req.prompt),
      outputTokens: usage?.completion_tokens ?? chunks,
    };
    span?.end({ ok, httpStatus, errorType, inputTokens: s.promptTokens, outputTokens: s.outputTokens, ttftMs: s.ttftMs, endMs: performance.timeOrigin + end });
    return s;
  };

  try {
    const body = {
      model: target.model,
      prompt: req.prompt,
      max_tokens: settings.maxTokens,
      temperature: settings.temperature,
      seed: req.seed,
      stream: true,
      stream_options: { include_usage: true },
      ...(target.sendPriority ? { priority: req.priority } : {}),
    };
    const res = await fetch(`${target.baseUrl}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', traceparent },
      body: JSON.stringify(body),
      signal,
    });
    httpStatus = res.status;
    span?.serverAnswered(res.headers.get('traceresponse'));
    if (!res.ok || !res.body) {
      const text = errorBodyText(await res.text().catch(() => ''));
      return sample(false, `HTTP ${res.status}${text ? `: ${text}` : ''}`, String(res.status));
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (value.data === '[DONE]') break;
      let chunk: CompletionChunk;
      try {
        chunk = JSON.parse(value.data) as CompletionChunk;
      } catch {
        await reader.cancel();
        return sample(false, 'malformed stream chunk', 'malformed_stream');
      }
      if (chunk.error) {
        await reader.cancel();
        const msg = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'error');
        return sample(false, `stream error: ${msg.slice(0, MAX_ERROR_BODY)}`, 'stream_error');
      }
      if (chunk.usage) usage = chunk.usage;
      if (chunk.choices?.[0]?.text) {
        const now = performance.now();
        if (first === null) first = now;
        else itl.push(now - last);
        last = now;
        chunks++;
      }
    }
    return sample(true);
  } catch (e) {
    if (runSignal.aborted) {
      span?.end({ ok: false, httpStatus, errorType: 'cancelled', inputTokens: 0, outputTokens: chunks, ttftMs: null, endMs: wallClockMs() });
      throw new RequestAborted();
    }
    if (signal.aborted) return sample(false, `timeout after ${timeoutMs} ms`, 'timeout');
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return sample(false, cause ?? (e as Error).message ?? String(e), cause ?? 'error');
  }
}

/** The first model the server lists at GET /v1/models. */
export async function firstModel(baseUrl: string, signal: AbortSignal): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${baseUrl}/v1/models`, { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new Error(`GET /v1/models: ${cause ?? (e as Error).message}`);
  }
  if (!res.ok) throw new Error(`GET /v1/models: HTTP ${res.status}`);
  const j = (await res.json().catch(() => null)) as { data?: { id?: unknown }[] } | null;
  const id = j?.data?.[0]?.id;
  if (typeof id !== 'string' || !id) throw new Error('GET /v1/models: no model listed');
  return id;
}
