// Responses shared by the run-panel route handlers: 404 for what is not there,
// the API's error contract for everything else (a backend's failure keeps its name).
import { errorResponse, type ApiErrorBody } from '@/lib/api-errors';
import { NotFound } from './panels';

export function notFoundResponse(message: string): Response {
  return Response.json({ error: { message } } satisfies ApiErrorBody, { status: 404 });
}

/** A JSON body produced as a stream (a large trace); errors before the first byte get the same answers as respond(). */
export async function respondStream(read: () => Promise<ReadableStream<Uint8Array>>): Promise<Response> {
  try {
    return new Response(await read(), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  } catch (e) {
    if (e instanceof NotFound) return notFoundResponse(e.message);
    return errorResponse(e);
  }
}

/** Runs a panel read and answers its JSON, a 404 for NotFound, or the error contract. */
export async function respond(read: () => Promise<unknown>): Promise<Response> {
  try {
    return Response.json(await read(), { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    if (e instanceof NotFound) return notFoundResponse(e.message);
    return errorResponse(e);
  }
}
