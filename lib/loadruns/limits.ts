// A load target's own limits, read from its `GET /v1/models` (vLLM lists each
// model's `max_model_len`; the sandbox does too), so a run whose prompts and
// max_tokens cannot fit the model's context is refused before it starts
// instead of failing every request.
import { z } from 'zod';
import type { Issue, LoadParams } from '@/lib/loadgen/params';

export interface ModelLimits {
  model: string;
  /** context length in tokens (prompt + output); null when the server does not say */
  maxModelLen: number | null;
}

const ModelsBody = z.object({
  data: z
    .array(z.object({ id: z.string().min(1), max_model_len: z.number().int().positive().optional() }))
    .min(1, 'lists no model'),
});

/** `GET /v1/models` body → the limits of `model` (default: the first listed, as the load generator picks). */
export function parseModels(body: unknown, model?: string): ModelLimits {
  const r = ModelsBody.safeParse(body);
  if (!r.success) throw new Error(`GET /v1/models: ${r.error.issues[0]?.message ?? 'not an OpenAI model list'}`);
  const m = (model && r.data.data.find((x) => x.id === model)) || r.data.data[0];
  return { model: m.id, maxModelLen: m.max_model_len ?? null };
}

/**
 * The longest prompt a run may send: its prompt length in tokens of a
 * byte-level tokenizer (one byte each), an upper bound for BPE tokenizers.
 */
export const longestPrompt = (p: LoadParams['promptLength']) => (p.mode === 'fixed' ? p.tokens : p.max);

/**
 * Whether a run's longest prompt plus max_tokens fits the context. The server
 * adds a start-of-sequence token to every prompt, so one token of the context
 * is taken: prompt + max_tokens ≤ max_model_len − 1. Issues are in the API's
 * terms (the form words them for people).
 */
export function contextIssues(params: Pick<LoadParams, 'promptLength' | 'maxTokens'>, maxModelLen: number): Issue[] {
  const prompt = longestPrompt(params.promptLength);
  const room = maxModelLen - 1;
  if (prompt + params.maxTokens <= room) return [];
  const path = params.promptLength.mode === 'fixed' ? 'promptLength.tokens' : 'promptLength.max';
  if (prompt >= room) {
    return [{ path, message: `${path}: a ${prompt}-token prompt leaves no room for output in the model's context of ${maxModelLen} tokens (one is the start token); at most ${room - 1}` }];
  }
  return [
    {
      path: 'maxTokens',
      message: `maxTokens: a ${prompt}-token prompt + ${params.maxTokens} output tokens exceeds the model's context of ${maxModelLen} tokens (one is the start token); at most ${room - prompt} for this prompt length`,
    },
  ];
}

const cache = new Map<string, { at: number; value: Promise<ModelLimits> }>();
const CACHE_MS = 30_000;

/** The target's limits from `GET <baseUrl>/v1/models`, cached 30 s; rejects with a one-line reason. */
export function fetchModelLimits(baseUrl: string, opts: { model?: string; timeoutMs?: number; now?: number } = {}): Promise<ModelLimits> {
  const now = opts.now ?? Date.now();
  const key = `${baseUrl}\n${opts.model ?? ''}`;
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_MS) return hit.value;
  const value = (async () => {
    let res: Response;
    try {
      res = await fetch(`${baseUrl}/v1/models`, { signal: AbortSignal.timeout(opts.timeoutMs ?? 3_000), redirect: 'error' });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      throw new Error(`the target does not answer GET /v1/models (${cause ?? (e as Error).name})`);
    }
    if (!res.ok) throw new Error(`the target answers GET /v1/models with HTTP ${res.status}`);
    return parseModels(await res.json().catch(() => null), opts.model);
  })();
  cache.set(key, { at: now, value });
  // A failure is not remembered: the next form load asks again.
  value.catch(() => cache.delete(key));
  return value;
}
