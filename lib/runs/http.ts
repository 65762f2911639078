// Responses shared by the run-panel route handlers: a read's JSON (never cached)
// or the API's error contract (404 for NotFound, a backend's failure keeps its name).
import { errorResponse } from '@/lib/api-errors';

/** A JSON body produced as a stream (a large trace); errors before the first byte get the same answers as respond(). */
export async function respondStream(read: () => Promise<ReadableStream<Uint8Array>>): Promise<Response> {
  try {
    return new Response(await read(), { headers: { 'content-type': 'application/json', 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
}

/** Runs a panel read and answers its JSON, or the error contract. */
export async function respond(read: () => Promise<unknown>): Promise<Response> {
  try {
    return Response.json(await read(), { headers: { 'cache-control': 'no-store' } });
  } catch (e) {
    return errorResponse(e);
  }
}
