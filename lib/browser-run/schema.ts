// What a browser run reports when it is done: the load parameters it ran, the
// adapter, its window, and what the page measured per request. The server
// recomputes the report from the samples (lib/browser-run/store.ts), so the
// figures on the run page come from one place, whoever ran the load. Pure.
import { z } from 'zod';
import { LoadParams } from '@/lib/loadgen/params';

/** The target name browser runs are stored under (LOAD_TARGETS cannot use it). */
export const BROWSER_TARGET = 'browser';
/** The OTel service.name and Pyroscope application of a browser run's spans and GPU profile. */
export const BROWSER_SERVICE = 'trisight-browser';

/**
 * A browser run is the user's own GPU and tab: smaller bounds than a server
 * run's, which also bound the report's size (every inter-token gap comes along).
 */
export const BROWSER_LIMITS = { requests: 200, concurrency: 16, maxTokens: 256, maxDurationS: 600 } as const;

const ms = z.number().finite().min(0).max(3_600_000);

const Sample = z
  .object({
    index: z.number().int().min(0),
    priority: z.enum(['P0', 'P1']),
    traceId: z.string().regex(/^[0-9a-f]{32}$/, 'traceId must be 32 lower-case hex digits'),
    startMs: z.number().int().min(0),
    ok: z.boolean(),
    error: z.string().max(300).optional(),
    ttftMs: ms.nullable(),
    e2eMs: ms,
    itlMs: z.array(ms).max(BROWSER_LIMITS.maxTokens),
    promptTokens: z.number().int().min(0).max(100_000),
    outputTokens: z.number().int().min(0).max(BROWSER_LIMITS.maxTokens),
  })
  .strict();

export const BrowserRunBody = z
  .object({
    params: LoadParams.refine((p) => p.requests <= BROWSER_LIMITS.requests, { message: `params.requests: a browser run sends at most ${BROWSER_LIMITS.requests}`, path: ['requests'] })
      .refine((p) => p.concurrency <= BROWSER_LIMITS.concurrency, { message: `params.concurrency: at most ${BROWSER_LIMITS.concurrency} in a browser run`, path: ['concurrency'] })
      .refine((p) => p.maxTokens <= BROWSER_LIMITS.maxTokens, { message: `params.maxTokens: at most ${BROWSER_LIMITS.maxTokens} in a browser run`, path: ['maxTokens'] })
      .refine((p) => p.maxDurationS <= BROWSER_LIMITS.maxDurationS, { message: `params.maxDurationS: at most ${BROWSER_LIMITS.maxDurationS} in a browser run`, path: ['maxDurationS'] }),
    model: z.string().trim().min(1).max(128),
    adapter: z.object({ name: z.string().max(256), isFallbackAdapter: z.boolean(), vendor: z.string().max(128).optional(), architecture: z.string().max(128).optional() }).strict(),
    /** unix ms of the first request and of the run's end */
    startedAtMs: z.number().int().min(0),
    finishedAtMs: z.number().int().min(0),
    stopReason: z.enum(['completed', 'cancelled', 'time-cap']),
    aborted: z.number().int().min(0),
    samples: z.array(Sample).max(BROWSER_LIMITS.requests),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.finishedAtMs < b.startedAtMs) ctx.addIssue({ code: 'custom', path: ['finishedAtMs'], message: 'finishedAtMs must not be before startedAtMs' });
    if (b.finishedAtMs - b.startedAtMs > (b.params.maxDurationS + 60) * 1000) ctx.addIssue({ code: 'custom', path: ['finishedAtMs'], message: 'the run is longer than its own time cap' });
    if (b.samples.length + b.aborted > b.params.requests) ctx.addIssue({ code: 'custom', path: ['samples'], message: 'more samples and aborted requests than the run sent' });
    const seen = new Set<number>();
    for (const [i, s] of b.samples.entries()) {
      if (s.index >= b.params.requests || seen.has(s.index)) ctx.addIssue({ code: 'custom', path: ['samples', i, 'index'], message: 'sample index outside the run or repeated' });
      seen.add(s.index);
    }
  });
export type BrowserRunBody = z.infer<typeof BrowserRunBody>;
