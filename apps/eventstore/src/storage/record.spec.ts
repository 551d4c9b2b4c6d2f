import { randomUUID } from 'node:crypto';

import {
  FLAG_COMMIT_END,
  checkRecord,
  decodeRecord,
  encodeRecord,
  markCommitEnd,
  uuidToBytes,
} from './record.js';

const sample = () =>
  encodeRecord({
    id: uuidToBytes(randomUUID())!,
    stream: 'order-é1',
    revision: 41,
    type: 'OrderPlaced',
    contentType: 'application/json',
    created: 1_700_000_000_123,
    data: Buffer.from('{"total":12}'),
    metadata: Buffer.from([1, 2, 3]),
    flags: 0,
  });

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
      flags: 0,
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

  it('marking the end of an append keeps the checksum valid', () => {
    const buffer = sample();
    markCommitEnd(buffer);
    expect(checkRecord(buffer, 0).ok).toBe(true);
    expect(decodeRecord(buffer, 0).flags & FLAG_COMMIT_END).toBe(FLAG_COMMIT_END);
  });
});
