/**
 * Protobuf wire format (https://protobuf.dev/programming-guides/encoding/), just what the hand-written
 * codecs in `streams-codec.ts` need: google-protobuf builds an object graph per message and was the
 * largest part of the server's CPU per appended event.
 */
export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/** A varint of up to 7 bytes holds at most 49 bits, so it is exact as a JavaScript number. */
const FAST_VARINT_BYTES = 7;
const MAX_VARINT_BYTES = 10;

export class WireReader {
  private readonly buffer: Buffer;
  private pos: number;
  private readonly end: number;

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A field's tag: its number is `tag >>> 3`, its wire type `tag & 7`. */
  tag(): number {
    return this.uint32();
  }

  /** A varint cut to 32 bits, as protobuf parsers read uint32, enums and lengths. */
  uint32(): number {
    let value = 0;
    for (let index = 0; index < MAX_VARINT_BYTES; index += 1) {
      const byte = this.byte();
      if (index < 5) value |= (byte & 0x7f) << (7 * index);
      if (byte < 0x80) return value >>> 0;
    }
    throw new Error('malformed varint');
  }

  bool(): boolean {
    return this.int64Number() !== 0;
  }

  uint64(): bigint {
    const fast = this.fastVarint();
    return fast !== undefined ? BigInt(fast) : BigInt.asUintN(64, this.bigVarint());
  }

  int64(): bigint {
    const fast = this.fastVarint();
    return fast !== undefined ? BigInt(fast) : BigInt.asIntN(64, this.bigVarint());
  }

  /** A signed 64-bit varint as a number (exact up to 2^53), for values such as timestamps. */
  int64Number(): number {
    return this.fastVarint() ?? Number(BigInt.asIntN(64, this.bigVarint()));
  }

  /** A length-delimited field's bytes: a view into the message, not a copy. */
  bytes(): Buffer {
    const start = this.delimited();
    return this.buffer.subarray(start, this.pos);
  }

  string(): string {
    const start = this.delimited();
    return this.buffer.toString('utf8', start, this.pos);
  }

  /** A reader over an embedded message. */
  message(): WireReader {
    const start = this.delimited();
    return new WireReader(this.buffer, start, this.pos);
  }

  /** Steps over a field this codec does not know, as protobuf requires of every parser. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.varint:
        for (let index = 0; this.byte() >= 0x80; index += 1) {
          if (index === MAX_VARINT_BYTES - 1) throw new Error('malformed varint');
        }
        return;
      case WireType.fixed64:
        return this.advance(8);
      case WireType.lengthDelimited:
        this.delimited();
        return;
      case WireType.fixed32:
        return this.advance(4);
      default:
        // Groups (3, 4) are a proto2 feature none of these messages use.
        throw new Error(`unsupported wire type ${wireType}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.end) throw new Error('truncated message');
    return this.buffer[this.pos++]!;
  }

  private advance(length: number): void {
    if (this.pos + length > this.end) throw new Error('truncated message');
    this.pos += length;
  }

  /** Reads a length prefix and moves past its bytes; returns where they start. */
  private delimited(): number {
    const length = this.uint32();
    const start = this.pos;
    this.advance(length);
    return start;
  }

  /** The varint as a number if it is short enough to be exact; undefined (position moved) otherwise. */
  /** The varint as an exact number when it fits in 7 bytes; otherwise undefined, having read nothing. */
  private fastVarint(): number | undefined {
    const start = this.pos;
    let value = 0;
    let scale = 1;
    for (let index = 0; index < FAST_VARINT_BYTES; index += 1) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    this.pos = start;
    return undefined;
  }

  private bigVarint(): bigint {
    let value = 0n;
    for (let index = 0; index < MAX_VARINT_BYTES; index += 1) {
      const byte = this.byte();
      value |= BigInt(byte & 0x7f) << BigInt(7 * index);
      if (byte < 0x80) return value;
    }
    throw new Error('malformed varint');
  }
}

/**
 * Writes messages into one reusable buffer; `finish` copies the result out. An embedded message or
 * string is written after a one-byte length placeholder (`begin`/`end`), and moved up in the rare case
 * its length needs more than one byte, so no message is measured before it is written.
 */
export class WireWriter {
  private buffer = Buffer.allocUnsafe(4096);
  private at = 0;

  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.at);
    this.buffer.copy(out, 0, 0, this.at);
    this.at = 0;
    return out;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** A non-negative integer below 2^53. */
  varint(value: number): void {
    this.reserve(MAX_VARINT_BYTES);
    this.at = this.putVarint(this.at, value);
  }

  /** uint64 and (non-negative) int32/enum fields. */
  uint64(field: number, value: number | bigint): void {
    this.tag(field, WireType.varint);
    if (typeof value === 'number') return this.varint(value);
    this.reserve(MAX_VARINT_BYTES);
    // Two's complement, as int64 fields carry negative numbers.
    let rest = BigInt.asUintN(64, value);
    while (rest >= 0x80n) {
      this.buffer[this.at++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.buffer[this.at++] = Number(rest);
  }

  bool(field: number, value: boolean): void {
    this.uint64(field, value ? 1 : 0);
  }

  bytes(field: number, value: Uint8Array): void {
    this.tag(field, WireType.lengthDelimited);
    this.varint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.at);
    this.at += value.length;
  }

  string(field: number, value: string): void {
    const start = this.begin(field);
    this.reserve(3 * value.length);
    this.at += this.buffer.write(value, this.at, 'utf8');
    this.end(start);
  }

  /** A field of type google.protobuf.Empty (or any message left at its defaults). */
  empty(field: number): void {
    this.tag(field, WireType.lengthDelimited);
    this.varint(0);
  }

  /** Starts an embedded message; returns what `end` needs to fill in its length. */
  begin(field: number): number {
    this.tag(field, WireType.lengthDelimited);
    this.reserve(1);
    this.at += 1;
    return this.at;
  }

  end(start: number): void {
    const length = this.at - start;
    if (length < 0x80) {
      this.buffer[start - 1] = length;
      return;
    }
    const extra = varintSize(length) - 1;
    this.reserve(extra);
    this.buffer.copyWithin(start + extra, start, this.at);
    this.at += extra;
    this.putVarint(start - 1, length);
  }

  /** Writes a varint (a non-negative number below 2^53) at `at`, in space already reserved. */
  private putVarint(at: number, value: number): number {
    let next = at;
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[next++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.buffer[next++] = rest;
    return next;
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }
}

export function varintSize(value: number): number {
  let size = 1;
  for (let rest = value; rest >= 0x80; rest = Math.floor(rest / 0x80)) size += 1;
  return size;
}
