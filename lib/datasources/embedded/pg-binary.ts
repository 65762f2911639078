// Postgres int8[] values in the binary wire format (array_send / array_recv),
// so a push's stack ids, values and span ids travel as 12 bytes per number
// instead of JSON that the server must parse. node-postgres sends a Buffer
// parameter in binary format; the statement's `$n::int8[]` gives its type.

const INT8_OID = 20;

/** Builds one int8[]: append 64-bit values as two 32-bit halves or as a number, then take the Buffer. */
export class Int8ArrayParam {
  private buf: Buffer;
  private view: DataView;
  private n = 0;
  private pos = 20;

  constructor(capacity = 16) {
    this.buf = Buffer.allocUnsafe(20 + 12 * capacity);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  private room(): void {
    if (this.pos + 12 > this.buf.length) {
      const b = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(b, 0, 0, this.pos);
      this.buf = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.length);
    }
  }

  /** A 64-bit value from its high and low 32 bits (two's complement). */
  pushHalves(hi: number, lo: number): void {
    this.room();
    // DataView writes are big-endian by default, as Postgres wants them.
    const v = this.view;
    v.setInt32(this.pos, 8);
    v.setInt32(this.pos + 4, hi | 0);
    v.setInt32(this.pos + 8, lo | 0);
    this.pos += 12;
    this.n++;
  }

  /** An integer-valued number (rounded); exact within ±2^53. */
  push(v: number): void {
    const x = Math.round(v);
    const hi = Math.floor(x / 4294967296);
    this.pushHalves(hi, x - hi * 4294967296);
  }

  get length(): number {
    return this.n;
  }

  /** The array in Postgres's binary format; an empty array has no dimensions. */
  toBuffer(): Buffer {
    const b = this.buf;
    if (this.n === 0) {
      b.writeInt32BE(0, 0); // ndim
      b.writeInt32BE(0, 4); // has nulls
      b.writeInt32BE(INT8_OID, 8);
      return b.subarray(0, 12);
    }
    b.writeInt32BE(1, 0);
    b.writeInt32BE(0, 4);
    b.writeInt32BE(INT8_OID, 8);
    b.writeInt32BE(this.n, 12); // dimension length
    b.writeInt32BE(1, 16); // lower bound
    return b.subarray(0, this.pos);
  }
}

/** A span id (1–16 hex digits) as the signed int8 the store keeps, in decimal (for query parameters). */
export function spanIdToInt8(hex: string): string {
  return BigInt.asIntN(64, BigInt(`0x${hex}`)).toString();
}

/** The stored int8 back as 16 lower-case hex digits. */
export function int8ToSpanId(v: string | bigint): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16).padStart(16, '0');
}
