import { randomUUID } from 'node:crypto';

import {
  FLAG_COMMIT_END,
  FLAG_TOMBSTONE,
  checkRecord,
  decodeRecord,
  encodeRecords,
  uuidToBytes,
} from './record.js';

const record = (flags = 0) => ({
  id: uuidToBytes(randomUUID())!,
  stream: 'order-é1',
  revision: 41,
  type: 'OrderPlaced',
  contentType: 'application/json',
  created: 1_700_000_000_123,
  data: Buffer.from('{"total":12}'),
  metadata: Buffer.from([1, 2, 3]),
  flags,
});
const sample = () => encodeRecords([record()]);

describe('record format', () => {
  it('round-trips every field', () => {
    const buffer = sample();
    expect(checkRecord(buffer, 0)).toEqual({ ok: true, length: buffer.length });
    expect(decodeRecord(buffer, 0)).toMatchObject({
      stream: 'order-é1',
      revision: 41,
      type: 'OrderPlaced',
      contentType: 'application/json',
      created: 1_700_000_000_123,
      flags: FLAG_COMMIT_END,
    });
    expect(Buffer.from(decodeRecord(buffer, 0).data).toString()).toBe('{"total":12}');
  });

  it('detects any flipped bit through the CRC32', () => {
    const buffer = sample();
    for (const offset of [8, 30, 60, buffer.length - 1]) {
      const corrupt = Buffer.from(buffer);
      corrupt[offset]! ^= 0x10;
      expect(checkRecord(corrupt, 0)).toEqual({ ok: false, reason: 'checksum mismatch' });
    }
  });

  it('tells a truncated record from a complete one', () => {
    const buffer = sample();
    expect(checkRecord(buffer.subarray(0, buffer.length - 1), 0)).toEqual({
      ok: false,
      reason: 'truncated record',
    });
    expect(checkRecord(buffer.subarray(0, 10), 0)).toEqual({ ok: false, reason: 'truncated header' });
  });

  it('encodes an append as consecutive valid records, only the last one marked COMMIT_END', () => {
    const buffer = encodeRecords([record(), record(), record(FLAG_TOMBSTONE)]);
    const flags: number[] = [];
    for (let offset = 0; offset < buffer.length;) {
      const check = checkRecord(buffer, offset);
      expect(check.ok).toBe(true);
      flags.push(decodeRecord(buffer, offset).flags);
      offset += check.ok ? check.length : buffer.length;
    }
    expect(flags).toEqual([0, 0, FLAG_TOMBSTONE | FLAG_COMMIT_END]);
  });

  it('reads canonical and undashed uuids alike and refuses anything else', () => {
    const id = randomUUID();
    expect(uuidToBytes(id)!.toString('hex')).toBe(id.replace(/-/g, ''));
    expect(uuidToBytes(id.replace(/-/g, '').toUpperCase())!.toString('hex')).toBe(id.replace(/-/g, ''));
    expect(uuidToBytes(`${id.slice(0, 35)}z`)).toBeUndefined();
    expect(uuidToBytes('not-a-uuid')).toBeUndefined();
  });
});
