// Request validation for POST /v1/completions (pure). Errors name the field and
// the limit, in OpenAI's error shape, so a client can fix its request.
import { z } from 'zod';

export interface Limits {
  /** prompt tokens (BOS included) */
  maxPromptTokens: number;
  /** max_tokens upper bound */
  maxNewTokens: number;
  /** context length: prompt tokens + max_tokens */
  maxSeqLen: number;
  vocabSize: number;
  /** request body bytes */
  maxBodyBytes: number;
}

export function limitsFor(maxSeqLen: number, vocabSize: number): Limits {
  return {
    maxPromptTokens: maxSeqLen - 1,
    maxNewTokens: maxSeqLen - 1,
    maxSeqLen,
    vocabSize,
    maxBodyBytes: 1 << 20,
  };
}

export function completionSchema(l: Limits) {
  const int = (field: string) => z.number({ error: `${field} must be a number` }).int({ error: `${field} must be an integer` });
  return z.object({
    model: z.string({ error: 'model must be a string' }).min(1, { error: 'model must not be empty' }),
    prompt: z
      .union([z.string(), z.array(z.string())], { error: 'prompt must be a string' })
      .refine((p) => typeof p === 'string' || p.length === 1, { error: 'prompt: only one prompt per request is supported' }),
    max_tokens: int('max_tokens')
      .min(1, { error: 'max_tokens must be at least 1' })
      .max(l.maxNewTokens, { error: `max_tokens must be at most ${l.maxNewTokens}` })
      .default(16),
    temperature: z
      .number({ error: 'temperature must be a number' })
      .min(0, { error: 'temperature must be at least 0' })
      .max(2, { error: 'temperature must be at most 2' })
      .default(1),
    top_k: int('top_k')
      .min(0, { error: 'top_k must be at least 0 (0: no limit)' })
      .max(l.vocabSize, { error: `top_k must be at most ${l.vocabSize}` })
      .default(0),
    seed: int('seed').min(0, { error: 'seed must be at least 0' }).max(0xffffffff, { error: 'seed must be at most 4294967295' }).optional(),
    stream: z.boolean({ error: 'stream must be a boolean' }).default(false),
    stream_options: z.object({ include_usage: z.boolean().default(false) }).optional(),
    n: z.literal(1, { error: 'n: only 1 completion per request is supported' }).optional(),
    /** vLLM extension: keep generating past end-of-sequence (fixed output lengths for benchmarks) */
    ignore_eos: z.boolean({ error: 'ignore_eos must be a boolean' }).default(false),
    priority: z.enum(['P0', 'P1'], { error: 'priority must be "P0" or "P1"' }).default('P1'),
  });
}

export type CompletionRequest = z.infer<ReturnType<typeof completionSchema>>;

export interface ApiError {
  status: number;
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
}

export function apiError(status: number, message: string, type: string, param: string | null = null, code: string | null = null): ApiError {
  return { status, body: { error: { message, type, param, code } } };
}

// Building a zod schema costs far more than using it: one per Limits object.
const schemas = new WeakMap<Limits, ReturnType<typeof completionSchema>>();

/** Validates a parsed JSON body; the first problem becomes a 400 naming its field. */
export function parseCompletion(body: unknown, l: Limits): { ok: true; value: CompletionRequest } | { ok: false; error: ApiError } {
  let schema = schemas.get(l);
  if (!schema) schemas.set(l, (schema = completionSchema(l)));
  const r = schema.safeParse(body);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const param = issue.path.length ? issue.path.join('.') : null;
  const message = param && !issue.message.startsWith(param.split('.')[0]) ? `${param}: ${issue.message}` : issue.message;
  return { ok: false, error: apiError(400, body === null || typeof body !== 'object' || Array.isArray(body) ? 'body must be a JSON object' : message, 'invalid_request_error', param) };
}

/** Token limits known only after tokenizing the prompt. */
export function checkTokenLimits(promptTokens: number, maxTokens: number, l: Limits): ApiError | undefined {
  if (promptTokens > l.maxPromptTokens) {
    return apiError(400, `prompt is ${promptTokens} tokens; the limit is ${l.maxPromptTokens} tokens`, 'invalid_request_error', 'prompt', 'context_length_exceeded');
  }
  if (promptTokens + maxTokens > l.maxSeqLen) {
    return apiError(
      400,
      `max_tokens: prompt (${promptTokens} tokens) + max_tokens (${maxTokens}) exceeds the context length of ${l.maxSeqLen} tokens`,
      'invalid_request_error',
      'max_tokens',
      'context_length_exceeded',
    );
  }
  return undefined;
}
