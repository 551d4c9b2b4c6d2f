import { crc32 } from 'node:zlib';

/**
 * On-disk record layout (little endian). Every record is self-describing and checksummed so that
 * recovery can tell a complete record from a torn or corrupted one without any other file:
 *
 *   0  u32  length of the whole record, header included
 *   4  u32  CRC32 of bytes [8, length)
 *   8  u8   flags (COMMIT_END: last record of an atomic append; TOMBSTONE: a hard delete; FILLER: no
 *           event, see `encodeFiller`; WRITE_START: first record of one write-and-fsync of the log)
 *   9  u8   format version
 *  10  u16  stream name length      12  u16 event type length     14  u16 content type length
 *  16  u32  data length             20  u32 custom metadata length
 *  24  f64  stream revision         32  f64 created, ms since the Unix epoch
 *  40  16B  event id (UUID bytes)
 *  56  stream name, event type, content type, data, custom metadata
 */
export const RECORD_HEADER_SIZE = 56;
export const RECORD_VERSION = 1;
export const FLAG_COMMIT_END = 1;
export const FLAG_TOMBSTONE = 2;
/**
 * Holds no event: the clean-shutdown marker, bytes `eventstore repair` took out of the log, or an
 * append of no events (which EventStoreDB answers with the position of a record it writes).
 */
export const FLAG_FILLER = 4;
/**
 * Set by the file log on the first record of every write it makes, after the previous write was
 * fsynced. A valid WRITE_START record after a damaged one therefore proves the damaged bytes were
 * durable (acknowledged) before: the damage is corruption, not a torn write.
 */
export const FLAG_WRITE_START = 8;
/** Larger than the 1 MiB append limit plus headers; anything bigger in a length field is corruption. */
export const MAX_RECORD_SIZE = 4 * 1024 * 1024;

export interface EventRecord {
  readonly id: Buffer;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly contentType: string;
  readonly created: number;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly flags: number;
}

/**
 * Encodes the records of one atomic append back to back into a single buffer (one allocation, and
 * one iovec for the log's writev, instead of one buffer per record and per name); the last record
 * is flagged COMMIT_END, so that recovery keeps whole appends only.
 */
export function encodeRecords(records: readonly EventRecord[]): Buffer {
  const lengths = records.map(
    (record) =>
      RECORD_HEADER_SIZE +
      Buffer.byteLength(record.stream) +
      Buffer.byteLength(record.type) +
      Buffer.byteLength(record.contentType) +
      record.data.length +
      record.metadata.length,
  );
  // Not from Node's shared pool: the tail cache keeps views of this buffer, and a view of a pooled
  // buffer keeps its whole 8 KiB slab alive (with whatever else was cut from it).
  const buffer = Buffer.allocUnsafeSlow(lengths.reduce((sum, length) => sum + length, 0));
  let offset = 0;
  records.forEach((record, index) => {
    const last = index === records.length - 1;
    writeRecord(
      buffer,
      offset,
      lengths[index]!,
      record,
      last ? record.flags | FLAG_COMMIT_END : record.flags,
    );
    offset += lengths[index]!;
  });
  return buffer;
}

function writeRecord(buffer: Buffer, at: number, length: number, record: EventRecord, flags: number): void {
  buffer.writeUInt32LE(length, at);
  buffer[at + 8] = flags;
  buffer[at + 9] = RECORD_VERSION;
  let offset = at + RECORD_HEADER_SIZE;
  const streamLength = buffer.write(record.stream, offset, 'utf8');
  offset += streamLength;
  const typeLength = buffer.write(record.type, offset, 'utf8');
  offset += typeLength;
  const contentTypeLength = buffer.write(record.contentType, offset, 'utf8');
  offset += contentTypeLength;
  buffer.writeUInt16LE(streamLength, at + 10);
  buffer.writeUInt16LE(typeLength, at + 12);
  buffer.writeUInt16LE(contentTypeLength, at + 14);
  buffer.writeUInt32LE(record.data.length, at + 16);
  buffer.writeUInt32LE(record.metadata.length, at + 20);
  buffer.writeDoubleLE(record.revision, at + 24);
  buffer.writeDoubleLE(record.created, at + 32);
  record.id.copy(buffer, at + 40, 0, 16);
  buffer.set(record.data, offset);
  buffer.set(record.metadata, offset + record.data.length);
  buffer.writeUInt32LE(crc32(buffer.subarray(at + 8, at + length)), at + 4);
}

export type RecordCheck = { ok: true; length: number } | { ok: false; reason: string };

/** Validates the record starting at `offset` of `chunk` (which must hold at least its header). */
export function checkRecord(chunk: Buffer, offset: number): RecordCheck {
  if (chunk.length - offset < RECORD_HEADER_SIZE) return { ok: false, reason: 'truncated header' };
  const length = chunk.readUInt32LE(offset);
  if (length < RECORD_HEADER_SIZE || length > MAX_RECORD_SIZE) return { ok: false, reason: 'bad length' };
  if (chunk.length - offset < length) return { ok: false, reason: 'truncated record' };
  if (chunk[offset + 9] !== RECORD_VERSION) return { ok: false, reason: 'unknown version' };
  // The field lengths must add up to the record's: cheap to test before the CRC, which makes the
  // byte-by-byte search for the next record after damaged bytes (see log.ts) fast.
  const fields =
    RECORD_HEADER_SIZE +
    chunk.readUInt16LE(offset + 10) +
    chunk.readUInt16LE(offset + 12) +
    chunk.readUInt16LE(offset + 14) +
    chunk.readUInt32LE(offset + 16) +
    chunk.readUInt32LE(offset + 20);
  if (fields !== length) return { ok: false, reason: 'inconsistent field lengths' };
  const expected = chunk.readUInt32LE(offset + 4);
  if (crc32(chunk.subarray(offset + 8, offset + length)) !== expected) {
    return { ok: false, reason: 'checksum mismatch' };
  }
  return { ok: true, length };
}

/**
 * A record of `length` bytes (RECORD_HEADER_SIZE to MAX_RECORD_SIZE) that holds no event: its payload
 * is zeros, counted as data. It closes an append (COMMIT_END) so that no record before it waits for it.
 */
export function encodeFiller(length: number): Buffer {
  const buffer = Buffer.alloc(length);
  buffer.writeUInt32LE(length, 0);
  buffer[8] = FLAG_FILLER | FLAG_COMMIT_END;
  buffer[9] = RECORD_VERSION;
  buffer.writeUInt32LE(length - RECORD_HEADER_SIZE, 16);
  buffer.writeUInt32LE(crc32(buffer.subarray(8, length)), 4);
  return buffer;
}

/** Adds `flag` to the valid record at `offset` of `buffer`, in place, and updates its CRC. */
export function addFlag(buffer: Buffer, offset: number, flag: number): void {
  const length = buffer.readUInt32LE(offset);
  buffer[offset + 8] = buffer[offset + 8]! | flag;
  buffer.writeUInt32LE(crc32(buffer.subarray(offset + 8, offset + length)), offset + 4);
}

/** Decodes a record that `checkRecord` accepted. Payload views share memory with `chunk`. */
export function decodeRecord(chunk: Buffer, offset: number): EventRecord {
  const streamLength = chunk.readUInt16LE(offset + 10);
  const typeLength = chunk.readUInt16LE(offset + 12);
  const contentTypeLength = chunk.readUInt16LE(offset + 14);
  const dataLength = chunk.readUInt32LE(offset + 16);
  const metadataLength = chunk.readUInt32LE(offset + 20);
  let cursor = offset + RECORD_HEADER_SIZE;
  const stream = chunk.toString('utf8', cursor, (cursor += streamLength));
  const type = chunk.toString('utf8', cursor, (cursor += typeLength));
  const contentType = chunk.toString('utf8', cursor, (cursor += contentTypeLength));
  const data = chunk.subarray(cursor, (cursor += dataLength));
  const metadata = chunk.subarray(cursor, cursor + metadataLength);
  return {
    flags: chunk[offset + 8] ?? 0,
    revision: chunk.readDoubleLE(offset + 24),
    created: chunk.readDoubleLE(offset + 32),
    id: chunk.subarray(offset + 40, offset + 56),
    stream,
    type,
    contentType,
    data,
    metadata,
  };
}

const HEX_32 = /^[0-9a-fA-F]{32}$/;

export function uuidToBytes(uuid: string): Buffer | undefined {
  // The canonical 8-4-4-4-12 form is what clients send: cut it without a global regex replace.
  const hex =
    uuid.length === 36 && uuid[8] === '-' && uuid[13] === '-' && uuid[18] === '-' && uuid[23] === '-'
      ? uuid.slice(0, 8) + uuid.slice(9, 13) + uuid.slice(14, 18) + uuid.slice(19, 23) + uuid.slice(24)
      : uuid.replace(/-/g, '');
  if (!HEX_32.test(hex)) return undefined;
  return Buffer.from(hex, 'hex');
}

export function bytesToUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
