// What POST /api/runs accepts: the load parameters plus a target NAME. Any other
// field (a `url` above all) is rejected: targets' URLs come from server config only.
import { z } from 'zod';
import { notFound } from '@/lib/api-errors';
import { describeIssues, LoadParams, type Issue } from '@/lib/loadgen/params';

export const CreateRunBody = z
  .object({
    target: z.string({ error: 'target must be a target name' }).min(1, 'target must be a target name').max(128),
    ...LoadParams.shape,
  })
  .strict();
export type CreateRunBody = z.infer<typeof CreateRunBody>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** Validates a request body against the limits and the configured target names. */
export function parseCreateRun(body: unknown, targetNames: readonly string[]): ParseResult<{ target: string; params: LoadParams }> {
  const r = CreateRunBody.safeParse(body);
  if (!r.success) return { ok: false, issues: describeIssues(r.error) };
  const { target, ...params } = r.data;
  if (!targetNames.includes(target)) {
    return { ok: false, issues: [{ path: 'target', message: `target: unknown target ${JSON.stringify(target)}; configured: ${targetNames.join(', ')}` }] };
  }
  return { ok: true, value: { target, params } };
}


export const RunId = z.uuid();

/** 404 for a load run id that is not stored. */
export const runNotFound = (id: string): Response => notFound(`no load run ${JSON.stringify(id)}`);
