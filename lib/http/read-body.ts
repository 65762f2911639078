// Reading untrusted request bodies with a hard size limit, for every route
// that takes a body (the ingest receivers, the API's JSON routes): the size is
// checked while streaming, so a huge upload is cut off early.
import { ApiError } from '@/lib/api-errors';

/** A request body we refuse; `status` is the HTTP status to answer with (errorResponse keeps it). */
export class BodyRefused extends ApiError {
  constructor(
    readonly status: 400 | 413 | 415 | 422,
    message: string,
  ) {
    super(status, message);
    this.name = 'BodyRefused';
  }
}

/** Reads the body, refusing (413) as soon as it passes `maxBytes`. */
export async function readBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new BodyRefused(413, `body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`);
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyRefused(413, `body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** A small JSON body (a form, a command): 413 past `maxBytes`, 400 when it is not JSON. */
export async function readJsonBody(req: Request, maxBytes: number): Promise<unknown> {
  const bytes = await readBody(req, maxBytes);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new BodyRefused(400, 'the body must be JSON');
  }
}

/** The media type of a Content-Type header, lower-case, without parameters. */
export function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
