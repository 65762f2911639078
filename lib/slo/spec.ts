import { z } from 'zod';

// The stored SLO definition, shaped after OpenSLO v1 (kind: SLO) so it can be
// exported as-is: ratio indicator with good/total PromQL, one or more
// objectives over a rolling window, budgeting by occurrences or time slices.
export const SloSpec = z.object({
  apiVersion: z.literal('openslo/v1').default('openslo/v1'),
  kind: z.literal('SLO').default('SLO'),
  metadata: z.object({ name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'lower-case DNS label (a-z, 0-9, -), at most 63 characters'), displayName: z.string().max(200).optional() }),
  spec: z.object({
    service: z.string().min(1).max(200),
    description: z.string().max(2000).default(''),
    budgetingMethod: z.enum(['Occurrences', 'Timeslices']).default('Occurrences'),
    indicator: z.object({
      metadata: z.object({ name: z.string().min(1).max(200) }),
      spec: z.object({
        ratioMetric: z.object({
          counter: z.boolean().default(true),
          good: z.object({ metricSource: z.object({ type: z.literal('Prometheus'), spec: z.object({ query: z.string().min(1).max(4000) }) }) }),
          total: z.object({ metricSource: z.object({ type: z.literal('Prometheus'), spec: z.object({ query: z.string().min(1).max(4000) }) }) }),
        }),
      }),
    }),
    timeWindow: z.array(z.object({ duration: z.string().regex(/^\d+[mhdw]$/, 'a duration like 28d'), isRolling: z.boolean().default(true) })).length(1),
    objectives: z.array(z.object({ displayName: z.string().max(200).optional(), target: z.number().gt(0).lt(1) })).min(1).max(10),
  }),
});
export type SloSpec = z.infer<typeof SloSpec>;
