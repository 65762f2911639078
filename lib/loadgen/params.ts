// The parameters of one load run, validated once at the edge (API, bench, tests).
// The limits are part of the product: a run is always bounded in count, concurrency
// and wall-clock time, whoever starts it.
import { z } from 'zod';

export const LIMITS = {
  requests: 10_000,
  concurrency: 64,
  /** prompt length in tokens of the sandbox's byte-level tokenizer (one ASCII byte = one token) */
  promptTokens: 4_096,
  maxTokens: 2_048,
  temperature: 2,
  /** overall cap on a run's wall-clock time */
  maxDurationS: 1_800,
  requestTimeoutS: 600,
} as const;

const int = (name: string, min: number, max: number) =>
  z
    .number({ error: `${name} must be a number` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be at least ${min}`)
    .max(max, `${name} must be at most ${max.toLocaleString('en-US')}`);

/** Prompt length: one fixed length, or uniform over [min, max] (both inclusive). */
export const PromptLength = z.discriminatedUnion(
  'mode',
  [
    z.object({ mode: z.literal('fixed'), tokens: int('promptLength.tokens', 1, LIMITS.promptTokens) }).strict(),
    z
      .object({
        mode: z.literal('range'),
        min: int('promptLength.min', 1, LIMITS.promptTokens),
        max: int('promptLength.max', 1, LIMITS.promptTokens),
      })
      .strict()
      .refine((r) => r.min <= r.max, { message: 'promptLength.min must not exceed promptLength.max', path: ['min'] }),
  ],
  { error: 'promptLength.mode must be "fixed" or "range"' },
);
export type PromptLength = z.infer<typeof PromptLength>;

/**
 * Shares (percent) of prompt kinds in a run: natural text, one short word
 * repeated (low token entropy, like injection padding) and random printable
 * bytes (high entropy, like junk traffic). Whole percents summing to 100.
 */
export const PROMPT_KINDS = ['natural', 'repeated', 'random'] as const;
export type PromptKind = (typeof PROMPT_KINDS)[number];
const share = (kind: PromptKind) => int(`promptMix.${kind}`, 0, 100);
export const PromptMix = z
  .object({ natural: share('natural').default(100), repeated: share('repeated').default(0), random: share('random').default(0) })
  .strict()
  .refine((m) => m.natural + m.repeated + m.random === 100, { message: 'promptMix: the shares of natural, repeated and random prompts must add up to 100 %', path: [] });
export type PromptMix = z.infer<typeof PromptMix>;

/** Service-level targets a request must all meet to count towards goodput (vLLM's --goodput). */
export const SloTargets = z
  .object({
    ttftMs: z.number().positive('slo.ttftMs must be positive').max(3_600_000).optional(),
    tpotMs: z.number().positive('slo.tpotMs must be positive').max(3_600_000).optional(),
    e2eMs: z.number().positive('slo.e2eMs must be positive').max(3_600_000).optional(),
  })
  .strict();
export type SloTargets = z.infer<typeof SloTargets>;

export const LoadParams = z
  .object({
    requests: int('requests', 1, LIMITS.requests),
    concurrency: int('concurrency', 1, LIMITS.concurrency),
    promptLength: PromptLength,
    promptMix: PromptMix.default({ natural: 100, repeated: 0, random: 0 }),
    maxTokens: int('maxTokens', 1, LIMITS.maxTokens),
    temperature: z
      .number({ error: 'temperature must be a number' })
      .min(0, 'temperature must be at least 0')
      .max(LIMITS.temperature, `temperature must be at most ${LIMITS.temperature}`),
    /** share of requests sent as priority P0 (the rest are P1) */
    p0Fraction: z.number({ error: 'p0Fraction must be a number' }).min(0, 'p0Fraction must be at least 0').max(1, 'p0Fraction must be at most 1'),
    /** seeds the prompts, the priority mix and the server's sampling */
    seed: int('seed', 0, 2 ** 31 - 1).default(1),
    /** the served model name; the target's first /v1/models entry when absent */
    model: z.string().trim().min(1).max(256).regex(/^[\w./:@-]+$/, 'model has characters a model id does not use').optional(),
    maxDurationS: int('maxDurationS', 1, LIMITS.maxDurationS).default(600),
    requestTimeoutS: int('requestTimeoutS', 1, LIMITS.requestTimeoutS).default(120),
    slo: SloTargets.default({}),
  })
  .strict();
export type LoadParams = z.infer<typeof LoadParams>;
export type LoadParamsInput = z.input<typeof LoadParams>;

export interface Issue {
  /** dotted field path, '' for the body itself */
  path: string;
  /** one line that names the field and, for a limit, the limit */
  message: string;
}

/** One issue per problem, each message naming the field: what a 400 says. */
export function describeIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => {
    const path = i.path.map(String).join('.');
    if (i.code === 'unrecognized_keys') {
      return { path, message: `${path ? `${path}: ` : ''}unknown field(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}` };
    }
    // Our own messages already start with the field name; zod's defaults do not.
    return { path, message: path && !i.message.startsWith(path) ? `${path}: ${i.message}` : i.message };
  });
}
