/**
 * A minimal protobuf wire reader. Written here rather than using protobufjs's Reader so that every
 * malformed input (truncation, overlong varint, bad wire type) fails with one error type the API server
 * maps to 400, 64-bit values come back as bigint without a Long dependency, and the tests — which
 * encode with protobufjs's Writer — exercise an independent code path.
 */

export class WireError extends Error {
  override readonly name = 'WireError';
}

export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/** Unknown fields may nest groups; bound the recursion that skipping them takes. */
const MAX_GROUP_DEPTH = 64;

const utf8 = new TextDecoder('utf-8');

export class WireReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Reads a key; returns the field number and wire type. */
  key(): { field: number; wire: number } {
    const k = this.smallVarint();
    const field = Math.floor(k / 8);
    if (field < 1 || field > 0x1fffffff) throw new WireError(`invalid field number ${field}`);
    return { field, wire: k % 8 };
  }

  /** A varint read as a number, for keys and lengths; anything past 2^32 is malformed there anyway. */
  private smallVarint(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.end) throw new WireError('unexpected end of data in varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (result > 0xffffffff) break;
        return result;
      }
    }
    throw new WireError('varint too large for a key or length');
  }

  /** An unsigned 64-bit varint. */
  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.end) throw new WireError('unexpected end of data in varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A varint used as a length: must fit in what remains. */
  length(): number {
    const n = this.smallVarint();
    if (n > this.end - this.pos) throw new WireError('length exceeds the remaining data');
    return n;
  }

  bytes(): Uint8Array {
    const n = this.length();
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return utf8.decode(this.bytes());
  }

  fixed64(): Uint8Array {
    return this.take(8);
  }

  fixed32(): Uint8Array {
    return this.take(4);
  }

  /** Skips a field's value of the given wire type. */
  skip(wire: number, field: number, depth = 0): void {
    switch (wire) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.take(8);
        return;
      case WireType.LengthDelimited: {
        // Not `this.pos += this.length()`: that reads pos before length() moves it.
        const n = this.length();
        this.pos += n;
        return;
      }
      case WireType.Fixed32:
        this.take(4);
        return;
      case WireType.StartGroup:
        if (depth >= MAX_GROUP_DEPTH) throw new WireError('groups nested too deeply');
        for (;;) {
          const k = this.key();
          if (k.wire === WireType.EndGroup) {
            if (k.field !== field) throw new WireError('mismatched end group');
            return;
          }
          this.skip(k.wire, k.field, depth + 1);
        }
      default:
        throw new WireError(`invalid wire type ${wire}`);
    }
  }

  private take(n: number): Uint8Array {
    if (this.end - this.pos < n) throw new WireError('unexpected end of data');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

const utf8Encoder = new TextEncoder();
/** One-byte varints, shared: most keys and lengths are below 128. */
const ONE_BYTE = Array.from({ length: 128 }, (_, i) => Uint8Array.of(i));

/**
 * A minimal protobuf wire writer (proto3: zero values are left out). Nested messages are written by a
 * child writer whose bytes are length-prefixed into the parent.
 */
export class WireWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.size += bytes.length;
  }

  private varint(n: number): void {
    if (n < 128) {
      this.push(ONE_BYTE[n]!);
      return;
    }
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    out.push(n);
    this.push(Uint8Array.from(out));
  }

  private key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, value: string | undefined): this {
    if (!value) return this;
    const bytes = utf8Encoder.encode(value);
    this.key(field, WireType.LengthDelimited);
    this.varint(bytes.length);
    this.push(bytes);
    return this;
  }

  strings(field: number, values: readonly string[] | undefined): this {
    for (const v of values ?? []) {
      const bytes = utf8Encoder.encode(v);
      this.key(field, WireType.LengthDelimited);
      this.varint(bytes.length);
      this.push(bytes);
    }
    return this;
  }

  bool(field: number, value: boolean | undefined): this {
    if (!value) return this;
    this.key(field, WireType.Varint);
    this.varint(1);
    return this;
  }

  /** A nested message, written by `fill` into a child writer (written even when empty). */
  message(field: number, fill: (w: WireWriter) => void): this {
    const child = new WireWriter();
    fill(child);
    this.key(field, WireType.LengthDelimited);
    this.varint(child.size);
    for (const c of child.chunks) this.push(c);
    return this;
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks, this.size);
  }
}
