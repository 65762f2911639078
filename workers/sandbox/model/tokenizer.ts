// Byte-level tokenizer: a token is one UTF-8 byte (0–255), plus two special
// tokens. Any text round-trips exactly; no vocabulary file is needed.

export const BOS = 256;
export const EOS = 257;
export const VOCAB_SIZE = 258;

const encoder = new TextEncoder();

/** UTF-8 bytes of `text` as token ids, optionally preceded by BOS. */
export function encode(text: string, opts: { bos?: boolean } = {}): Int32Array {
  const bytes = encoder.encode(text);
  const off = opts.bos ? 1 : 0;
  const out = new Int32Array(bytes.length + off);
  if (opts.bos) out[0] = BOS;
  out.set(bytes, off);
  return out;
}

function toBytes(tokens: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(tokens.length);
  let n = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t >= 0 && t < 256) bytes[n++] = t; // special tokens carry no text
  }
  return bytes.subarray(0, n);
}

/** Text of a whole token sequence; invalid UTF-8 becomes U+FFFD. */
export function decode(tokens: ArrayLike<number>): string {
  return new TextDecoder().decode(toBytes(tokens));
}

/**
 * Incremental decoding for streaming: a multi-byte character split over
 * several tokens is emitted once it is complete, never as a broken half.
 */
export class StreamDecoder {
  private readonly td = new TextDecoder();
  private readonly one = new Uint8Array(1);

  /** Text completed by this token (often '' in the middle of a character). */
  push(token: number): string {
    if (token < 0 || token >= 256) return '';
    this.one[0] = token;
    return this.td.decode(this.one, { stream: true });
  }

  /** Flushes a dangling partial character (as U+FFFD). */
  end(): string {
    return this.td.decode();
  }
}
