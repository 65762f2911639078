// Request and response helpers shared by the /api/slos route handlers.
import { z } from 'zod';
import { ApiError, type ApiErrorBody, errorResponse } from '@/lib/api-errors';
import { readJsonBody } from '@/lib/http/read-body';
import { SloInvalid } from './service';

/** The JSON body of a request, refused with 413 past `maxBytes` and 400 when it is not a JSON object. */
export async function jsonBody(req: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const v = await readJsonBody(req, maxBytes);
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ApiError(400, 'the body must be a JSON object');
  return v as Record<string, unknown>;
}

/** A zod parse of route input that fails as a 400 naming each field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new SloInvalid(r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })));
  return r.data;
}

export const SloId = z.string().uuid('not an SLO id');

/** Runs a handler body; SloInvalid answers 400 with its issues, everything else the API's error contract. */
export async function sloRoute(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SloInvalid) return Response.json({ error: { message: e.message, issues: e.issues } } satisfies ApiErrorBody, { status: 400 });
    return errorResponse(e);
  }
}

export const noStore = { 'cache-control': 'no-store' };
