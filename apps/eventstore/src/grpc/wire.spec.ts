import { WireReader, WireType, WireWriter } from './wire.js';

const bytes = (hex: string): Buffer => Buffer.from(hex.replace(/ /g, ''), 'hex');

describe('WireReader', () => {
  it('reads varints of every length, cutting uint32 to 32 bits as protobuf does', () => {
    expect(new WireReader(bytes('00')).uint32()).toBe(0);
    expect(new WireReader(bytes('ac 02')).uint32()).toBe(300);
    expect(new WireReader(bytes('ff ff ff ff 0f')).uint32()).toBe(0xffffffff);
    // -1 as an int32 is ten bytes on the wire.
    expect(new WireReader(bytes('ff ff ff ff ff ff ff ff ff 01')).uint32() | 0).toBe(-1);
  });

  it('reads 64-bit varints exactly, signed and unsigned', () => {
    const tenBytes = bytes('ff ff ff ff ff ff ff ff ff 01');
    expect(new WireReader(tenBytes).uint64()).toBe(18446744073709551615n);
    expect(new WireReader(tenBytes).int64()).toBe(-1n);
    expect(new WireReader(tenBytes).int64Number()).toBe(-1);
    expect(new WireReader(bytes('80 80 80 80 80 80 80 80 80 01')).int64()).toBe(-(2n ** 63n));
    // 2^49: one byte past the number fast path.
    expect(new WireReader(bytes('80 80 80 80 80 80 80 01')).uint64()).toBe(2n ** 49n);
    expect(new WireReader(bytes('ff ff ff ff ff ff 7f')).int64Number()).toBe(2 ** 49 - 1);
  });

  it('skips fields of wire types 0, 1, 2 and 5 and refuses groups', () => {
    const reader = new WireReader(
      bytes('ff ff ff ff ff ff ff ff ff 01' + '0102030405060708' + '03 aabbcc' + '01020304' + '2a'),
    );
    reader.skip(WireType.varint);
    reader.skip(WireType.fixed64);
    reader.skip(WireType.lengthDelimited);
    reader.skip(WireType.fixed32);
    expect(reader.uint32()).toBe(42);
    expect(reader.done).toBe(true);
    expect(() => new WireReader(bytes('0b 0c')).skip(3)).toThrow('unsupported wire type 3');
  });

  it('fails on truncated input and overlong varints instead of reading past the message', () => {
    expect(() => new WireReader(bytes('80')).uint32()).toThrow('truncated');
    expect(() => new WireReader(bytes('05 0102')).bytes()).toThrow('truncated');
    expect(() => new WireReader(bytes('0102')).skip(WireType.fixed32)).toThrow('truncated');
    expect(() => new WireReader(bytes('ff'.repeat(10) + '01')).skip(WireType.varint)).toThrow('malformed');
    // An embedded message ends where its length says, even if its parent goes on.
    const inner = new WireReader(bytes('02 0801 0802')).message();
    expect(inner.tag()).toBe(8);
    expect(inner.uint32()).toBe(1);
    expect(inner.done).toBe(true);
  });

  it('returns bytes as views and decodes strings as UTF-8', () => {
    const message = bytes('05 68c3a96c6c 02 0102');
    const reader = new WireReader(message);
    expect(reader.string()).toBe('héll');
    const view = reader.bytes();
    expect([...view]).toEqual([1, 2]);
    expect(view.buffer).toBe(message.buffer);
  });
});

describe('WireWriter', () => {
  it('writes 64-bit values as two’s complement varints', () => {
    const writer = new WireWriter();
    writer.uint64(1, -1n);
    writer.uint64(2, 2n ** 64n - 1n);
    writer.uint64(3, 300);
    expect(writer.finish().toString('hex')).toBe(
      '08' + 'ff'.repeat(9) + '01' + '10' + 'ff'.repeat(9) + '01' + '18ac02',
    );
  });

  it('fills in embedded lengths of one, two and three bytes', () => {
    for (const length of [0, 127, 128, 16_383, 16_384, 100_000]) {
      const writer = new WireWriter();
      writer.uint64(1, 7);
      const start = writer.begin(2);
      writer.bytes(3, Buffer.alloc(length, 0xab));
      writer.end(start);
      writer.bool(4, true);
      const reader = new WireReader(writer.finish());
      expect(reader.tag()).toBe(8);
      expect(reader.uint32()).toBe(7);
      expect(reader.tag()).toBe(18);
      const inner = reader.message();
      expect(inner.tag()).toBe(26);
      const body = inner.bytes();
      expect(body.length).toBe(length);
      expect(body.every((byte) => byte === 0xab)).toBe(true);
      expect(reader.tag()).toBe(32);
      expect(reader.bool()).toBe(true);
      expect(reader.done).toBe(true);
    }
  });

  it('writes strings as UTF-8 and starts afresh after finish', () => {
    const writer = new WireWriter();
    writer.string(1, 'é'.repeat(100));
    const first = writer.finish();
    expect(first.subarray(0, 3).toString('hex')).toBe('0ac801');
    expect(first.subarray(3).toString('utf8')).toBe('é'.repeat(100));
    writer.empty(2);
    expect(writer.finish().toString('hex')).toBe('1200');
  });
});
