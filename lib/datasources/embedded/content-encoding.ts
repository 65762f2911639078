// Undoing an ingest body's Content-Encoding with a hard limit on the
// decompressed size, so a gzip bomb is cut off too (lib/http/read-body limits
// the compressed size while streaming).
import { gunzip, gunzipSync, inflate, inflateSync } from 'node:zlib';
import { BodyRefused } from '@/lib/http/read-body';

/** Undoes Content-Encoding (identity, gzip, deflate) within `maxBytes` of output. */
export function decodeContentEncoding(body: Uint8Array, encoding: string | null, maxBytes: number): Uint8Array {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  if (enc !== 'gzip' && enc !== 'deflate') throw new BodyRefused(415, `unsupported Content-Encoding ${JSON.stringify(enc)}: use gzip or none`);
  try {
    return (enc === 'gzip' ? gunzipSync : inflateSync)(body, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new BodyRefused(413, `decompressed body exceeds the limit of ${maxBytes} bytes`);
    throw new BodyRefused(400, `malformed ${enc} body: ${(e as Error).message}`);
  }
}

/** decodeContentEncoding on libuv's thread pool: the request thread is not held while a big body inflates. */
export function decodeContentEncodingAsync(body: Uint8Array, encoding: string | null, maxBytes: number): Promise<Uint8Array> {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return Promise.resolve(body);
  if (enc !== 'gzip' && enc !== 'deflate') return Promise.reject(new BodyRefused(415, `unsupported Content-Encoding ${JSON.stringify(enc)}: use gzip or none`));
  return new Promise((resolve, reject) =>
    (enc === 'gzip' ? gunzip : inflate)(body, { maxOutputLength: maxBytes }, (e, out) => {
      if (!e) resolve(out);
      else if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') reject(new BodyRefused(413, `decompressed body exceeds the limit of ${maxBytes} bytes`));
      else reject(new BodyRefused(400, `malformed ${enc} body: ${e.message}`));
    }),
  );
}
