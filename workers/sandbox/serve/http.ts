// HTTP routes of the sandbox (node:http): POST /v1/completions (JSON or SSE),
// GET /v1/models, /healthz, /metrics. Handlers validate, hand the request to the
// scheduler and shape the response; the model work happens in the scheduler loop.
import { logProbability, OutputQuality, tokenEntropyBits } from '../model/quality';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Rng } from '../model/rng';
import { sample } from '../model/sampling';
import { StreamDecoder, encode } from '../model/tokenizer';
import type { BackendInfo } from '../runtime/types';
import type { RequestSpans, SandboxTelemetry } from '../telemetry';
import { guardRequest } from './guard';
import { apiError, checkTokenLimits, parseCompletion, type ApiError, type Limits } from './schema';
import type { AbortReason, FinishInfo, Scheduler } from './scheduler';

export interface ServeContext {
  model: string;
  info: BackendInfo;
  limits: Limits;
  scheduler: Scheduler;
  telemetry: SandboxTelemetry;
  requestTimeoutMs: number;
  recordPrompts: boolean;
  /** tokens in the sliding window of the output-perplexity std */
  perplexityWindow: number;
  draining: boolean;
  created: number;
  /** host names allowed besides loopback ones (guard.ts) */
  allowedHosts: readonly string[];
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const sendError = (res: ServerResponse, e: ApiError, headers?: Record<string, string>) => sendJson(res, e.status, e.body, headers);

class BodyError extends Error {
  constructor(readonly apiError: ApiError) {
    super(apiError.body.error.message);
  }
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyError(apiError(413, `body: larger than the limit of ${maxBytes} bytes`, 'invalid_request_error', null));
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError(apiError(400, 'body: not valid JSON', 'invalid_request_error', null));
  }
}

const ABORT: Record<AbortReason, { status: number; errorType: string; message: (ms: number) => string; type: string }> = {
  deadline: { status: 504, errorType: 'deadline_exceeded', type: 'timeout', message: (ms) => `request exceeded the deadline of ${ms} ms; its KV cache was freed` },
  cancelled: { status: 499, errorType: 'cancelled', type: 'cancelled', message: () => 'client closed the request' },
  shutdown: { status: 503, errorType: 'shutdown', type: 'server_shutting_down', message: () => 'server shut down before the request finished' },
  error: { status: 500, errorType: 'internal', type: 'server_error', message: () => 'model error' },
};

/** W3C Trace Context Level 2 `traceresponse`: tells the client which trace the request went to. */
function traceHeaders(spans: RequestSpans): Record<string, string> {
  return spans.traceId ? { traceresponse: `00-${spans.traceId}-${spans.spanId}-01` } : {};
}

export async function completions(req: IncomingMessage, res: ServerResponse, ctx: ServeContext): Promise<void> {
  const arrivalMs = performance.now();
  const priorityHint = 'P1';
  if (ctx.draining) {
    ctx.telemetry.metrics?.rejected(priorityHint, 'shutting_down');
    return sendError(res, apiError(503, 'server is shutting down', 'server_shutting_down'), { 'retry-after': '5', connection: 'close' });
  }
  let body: unknown;
  try {
    body = await readJson(req, ctx.limits.maxBodyBytes);
  } catch (e) {
    ctx.telemetry.metrics?.rejected(priorityHint, 'invalid_request');
    if (e instanceof BodyError) return sendError(res, e.apiError);
    throw e;
  }
  const parsed = parseCompletion(body, ctx.limits);
  if (!parsed.ok) {
    ctx.telemetry.metrics?.rejected(priorityHint, 'invalid_request');
    return sendError(res, parsed.error);
  }
  const p = parsed.value;
  if (p.model !== ctx.model) {
    ctx.telemetry.metrics?.rejected(p.priority, 'model_not_found');
    return sendError(res, apiError(404, `model: ${JSON.stringify(p.model)} does not exist; this server serves ${JSON.stringify(ctx.model)}`, 'invalid_request_error', 'model', 'model_not_found'));
  }
  const promptText = typeof p.prompt === 'string' ? p.prompt : p.prompt[0];
  const tokens = encode(promptText, { bos: true });
  const limitError = checkTokenLimits(tokens.length, p.max_tokens, ctx.limits);
  if (limitError) {
    ctx.telemetry.metrics?.rejected(p.priority, 'invalid_request');
    return sendError(res, limitError);
  }
  const tokenizedMs = performance.now();
  const spans = ctx.telemetry.startRequest({
    headers: req.headers,
    arrivalMs,
    tokenizedMs,
    priority: p.priority,
    maxTokens: p.max_tokens,
    temperature: p.temperature,
    topK: p.top_k,
    seed: p.seed,
    promptTokens: tokens.length,
    prompt: ctx.recordPrompts ? promptText : '',
  });
  const id = `cmpl-${randomBytes(12).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const decoder = new StreamDecoder();
  const parts: string[] = [];
  const rng = new Rng(p.seed ?? (Math.random() * 2 ** 32) >>> 0);
  const params = { temperature: p.temperature, topK: p.top_k };
  // Quality signals: the prompt's token entropy (without the BOS marker) and the
  // log-probability the model gave each token it emitted.
  const promptEntropyBits = tokenEntropyBits(tokens.subarray(1));
  const quality = new OutputQuality(ctx.perplexityWindow);
  let outputTokens = 0;
  let finished = false;
  let streaming = false;
  const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'text_completion', created, model: ctx.model, choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }], ...extra })}\n\n`;
  const startStream = () => {
    if (streaming) return;
    streaming = true;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...traceHeaders(spans) });
  };

  const onFinish = (f: FinishInfo) => {
    finished = true;
    const tail = decoder.end();
    if (tail) parts.push(tail);
    const usage = {
      prompt_tokens: f.promptTokens,
      completion_tokens: f.completionTokens,
      total_tokens: f.promptTokens + f.completionTokens,
      prompt_tokens_details: { cached_tokens: f.cachedTokens },
    };
    const timings = f.timings;
    spans.end({
      id,
      finishReason: f.finishReason,
      httpStatus: 200,
      inputTokens: f.promptTokens,
      outputTokens: f.completionTokens,
      completion: ctx.recordPrompts ? parts.join('') : undefined,
      timings,
      quality: {
        promptEntropyBits,
        perplexity: quality.perplexity,
        perplexityWindowStdMax: quality.windowStdMax,
        perplexityWindow: quality.window,
        cachedTokens: f.cachedTokens,
        promptTokens: f.promptTokens,
      },
    });
    if (p.stream) {
      startStream();
      if (tail) res.write(chunk({ text: tail }));
      res.write(chunk({ text: '', finish_reason: f.finishReason }, { timings }));
      if (p.stream_options?.include_usage) res.write(`data: ${JSON.stringify({ id, object: 'text_completion', created, model: ctx.model, choices: [], usage, timings })}\n\n`);
      res.end('data: [DONE]\n\n');
    } else {
      sendJson(
        res,
        200,
        {
          id,
          object: 'text_completion',
          created,
          model: ctx.model,
          choices: [{ index: 0, text: parts.join(''), logprobs: null, finish_reason: f.finishReason }],
          usage,
          timings,
        },
        traceHeaders(spans),
      );
    }
  };

  const onAbort = (reason: AbortReason, error?: unknown) => {
    finished = true;
    const a = ABORT[reason];
    if (reason === 'error') console.error(`sandbox: request ${id} failed:`, error);
    spans.end({ id, errorType: a.errorType, httpStatus: a.status, inputTokens: tokens.length, outputTokens, timings: { total: performance.now() - arrivalMs } });
    if (res.destroyed || res.writableEnded) return;
    const e = apiError(a.status, a.message(ctx.requestTimeoutMs), a.type, null, a.errorType);
    if (streaming) {
      // Headers are out (200): report the error in-band, as OpenAI-compatible servers do.
      res.write(`data: ${JSON.stringify(e.body)}\n\n`);
      res.end('data: [DONE]\n\n');
    } else {
      sendError(res, e, traceHeaders(spans));
    }
  };

  const submitted = ctx.scheduler.submit({
    prompt: tokens,
    maxTokens: p.max_tokens,
    ignoreEos: p.ignore_eos,
    priority: p.priority,
    arrivalMs,
    deadlineMs: arrivalMs + ctx.requestTimeoutMs,
    sample: (logits) => {
      const t = sample(logits, params, rng);
      quality.add(logProbability(logits, t));
      return t;
    },
    trace: spans,
    onToken: (t) => {
      outputTokens++;
      const text = decoder.push(t);
      if (!text) return;
      if (p.stream) {
        startStream();
        res.write(chunk({ text }));
      } else {
        parts.push(text);
      }
    },
    onFinish,
    onAbort,
  });
  if (!submitted.accepted) {
    const full = submitted.reason === 'queue_full';
    const e = full
      ? apiError(429, `the scheduler queue is full (${ctx.scheduler.waitingCount} waiting); retry after ${submitted.retryAfterS} s`, 'rate_limit_exceeded', null, 'queue_full')
      : apiError(503, 'server is shutting down', 'server_shutting_down');
    spans.end({ id, errorType: submitted.reason, httpStatus: e.status, inputTokens: tokens.length, outputTokens: 0 });
    return sendError(res, e, { 'retry-after': String(submitted.retryAfterS) });
  }
  // A client that goes away frees its batch slot and KV cache at the next step.
  res.on('close', () => {
    if (!finished) submitted.cancel();
  });
}

export function healthz(res: ServerResponse, ctx: ServeContext): void {
  const st = ctx.scheduler.stats();
  sendJson(res, ctx.draining ? 503 : 200, {
    status: ctx.draining ? 'draining' : 'ok',
    backend: ctx.info.backend,
    adapter: ctx.info.adapter ?? null,
    preset: ctx.info.preset,
    model: ctx.model,
    params: ctx.info.params,
    threads: ctx.info.threads ?? 1,
    running: st.running,
    waiting: st.waiting,
  });
}

export function models(res: ServerResponse, ctx: ServeContext): void {
  sendJson(res, 200, {
    object: 'list',
    data: [{ id: ctx.model, object: 'model', created: ctx.created, owned_by: 'trisight', max_model_len: ctx.info.maxSeqLen }],
  });
}

export async function metrics(res: ServerResponse, ctx: ServeContext): Promise<void> {
  if (!ctx.telemetry.metrics) return sendError(res, apiError(404, 'metrics are disabled', 'not_found'));
  const { contentType, body } = await ctx.telemetry.metrics.exposition();
  res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function route(req: IncomingMessage, res: ServerResponse, ctx: ServeContext): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const refused = guardRequest(req.method, req.headers, ctx.allowedHosts);
  if (refused) return sendError(res, refused);
  const allow = (method: string) => {
    if (req.method === method || (method === 'GET' && req.method === 'HEAD')) return true;
    sendError(res, apiError(405, `${path} accepts ${method} only`, 'invalid_request_error'), { allow: method });
    return false;
  };
  switch (path) {
    case '/v1/completions':
      if (allow('POST')) await completions(req, res, ctx);
      return;
    case '/v1/models':
      if (allow('GET')) models(res, ctx);
      return;
    case '/healthz':
      if (allow('GET')) healthz(res, ctx);
      return;
    case '/metrics':
      if (allow('GET')) await metrics(res, ctx);
      return;
    default:
      sendError(res, apiError(404, `no route ${path}`, 'not_found'));
  }
}
