// Reading untrusted request bodies with hard size limits: the compressed size
// while streaming (so a huge upload is cut off early) and the decompressed
// size while inflating (so a gzip bomb is cut off too).
import { gunzip, gunzipSync, inflate, inflateSync } from 'node:zlib';
import { ApiError } from '@/lib/api-errors';

/** A request body we refuse; `status` is the HTTP status to answer with (errorResponse keeps it). */
export class IngestError extends ApiError {
  constructor(
    readonly status: 400 | 413 | 415 | 422,
    message: string,
  ) {
    super(status, message);
    this.name = 'IngestError';
  }
}

/** Reads the body, refusing (413) as soon as it passes `maxBytes`. */
export async function readBody(req: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) throw new IngestError(413, `body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`);
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
      throw new IngestError(413, `body exceeds the limit of ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

/** A small JSON body (a form, a command): 413 past `maxBytes`, 400 when it is not JSON. */
export async function readJson(req: Request, maxBytes: number): Promise<unknown> {
  const bytes = await readBody(req, maxBytes);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new IngestError(400, 'the body must be JSON');
  }
}

/** Undoes Content-Encoding (identity, gzip, deflate) within `maxBytes` of output. */
export function decodeContentEncoding(body: Uint8Array, encoding: string | null, maxBytes: number): Uint8Array {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  if (enc !== 'gzip' && enc !== 'deflate') throw new IngestError(415, `unsupported Content-Encoding ${JSON.stringify(enc)}: use gzip or none`);
  try {
    return (enc === 'gzip' ? gunzipSync : inflateSync)(body, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new IngestError(413, `decompressed body exceeds the limit of ${maxBytes} bytes`);
    throw new IngestError(400, `malformed ${enc} body: ${(e as Error).message}`);
  }
}

/** decodeContentEncoding on libuv's thread pool: the request thread is not held while a big body inflates. */
export function decodeContentEncodingAsync(body: Uint8Array, encoding: string | null, maxBytes: number): Promise<Uint8Array> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return Promise.resolve(body);
  if (enc !== 'gzip' && enc !== 'deflate') return Promise.reject(new IngestError(415, `unsupported Content-Encoding ${JSON.stringify(enc)}: use gzip or none`));
  return new Promise((resolve, reject) =>
    (enc === 'gzip' ? gunzip : inflate)(body, { maxOutputLength: maxBytes }, (e, out) => {
      if (!e) resolve(out);
      else if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new IngestError(413, `decompressed body exceeds the limit of ${maxBytes} bytes`));
      else reject(new IngestError(400, `malformed ${enc} body: ${e.message}`));
    }),
  );
}

/** The media type of a Content-Type header, lower-case, without parameters. */
export function mediaType(contentType: string | null): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}
