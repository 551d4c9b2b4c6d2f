import type { promises as fs } from 'node:fs';

import { MAX_RECORD_SIZE, RECORD_HEADER_SIZE, RECORD_VERSION, checkRecord } from './record.js';

/**
 * Segment file layout: a 16-byte header (u32 magic 'ESLG', u32 version, f64 position of the file's
 * byte 0, equal to the number in its name), then records back to back (record.ts).
 *
 * Header version 1: written before the log marked its writes. Version 2: the first record of every
 * write to the file carries FLAG_WRITE_START, so recovery can tell the last write from earlier ones.
 */
export const SEGMENT_MAGIC = 0x474c5345; // 'ESLG'
export const SEGMENT_HEADER_SIZE = 16;
export const SEGMENT_VERSION = 2;
export const SEGMENT_NAME = /^\d{20}\.log$/;
const SCAN_CHUNK = 8 * 1024 * 1024;

export const segmentFileName = (start: number): string => `${String(start).padStart(20, '0')}.log`;

export function encodeSegmentHeader(start: number, version = SEGMENT_VERSION): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_SIZE);
  header.writeUInt32LE(SEGMENT_MAGIC, 0);
  header.writeUInt32LE(version, 4);
  header.writeDoubleLE(start, 8);
  return header;
}

export type HeaderCheck = { ok: true; version: number } | { ok: false; reason: string };

export async function readSegmentHeader(handle: fs.FileHandle, start: number): Promise<HeaderCheck> {
  const header = Buffer.alloc(SEGMENT_HEADER_SIZE);
  const { bytesRead } = await handle.read(header, 0, SEGMENT_HEADER_SIZE, 0);
  if (bytesRead < SEGMENT_HEADER_SIZE) return { ok: false, reason: `header cut short at ${bytesRead} bytes` };
  if (header.readUInt32LE(0) !== SEGMENT_MAGIC) return { ok: false, reason: 'bad segment magic' };
  const version = header.readUInt32LE(4);
  if (version !== 1 && version !== SEGMENT_VERSION)
    return { ok: false, reason: `unknown segment version ${version}` };
  if (header.readDoubleLE(8) !== start)
    return { ok: false, reason: 'segment start does not match the file name' };
  return { ok: true, version };
}

export interface SegmentVisitor {
  /** A valid record: `length` bytes at `offset` of `chunk`, which is byte `fileOffset` of the file. */
  record(fileOffset: number, chunk: Buffer, offset: number, length: number): void;
  /** Bytes [fileOffset, end) hold no valid record; `end` is the next valid record or the file's size. */
  damage(fileOffset: number, end: number, reason: string): void;
}

/**
 * Walks a segment's records from `from` to `size` and returns where its written bytes end. Where a
 * record fails its checks, the walk looks for the next valid record byte by byte (length, version and
 * field lengths must agree before the CRC is even computed) and goes on from there, so that damage in
 * the middle of a file is told apart from a torn end: only the latter has no valid record after it.
 *
 * The log fills a segment with zeros ahead of its writes (see FileLog), so a file may end in zeros
 * that were never written as records: where a record would start and every byte to the end of the
 * file is zero, that is unwritten space, not damage. No record can start there (its length is at
 * least RECORD_HEADER_SIZE), and damage followed by zeros only is reported up to its last non-zero
 * byte, the zeros after it being unwritten too.
 */
export async function walkSegment(
  handle: fs.FileHandle,
  size: number,
  visitor: SegmentVisitor,
  from = SEGMENT_HEADER_SIZE,
): Promise<number> {
  let fileOffset = from;
  while (fileOffset < size) {
    // SCAN_CHUNK exceeds MAX_RECORD_SIZE, so a record cut by the chunk's end fits in the next read.
    const chunk = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, size - fileOffset));
    await readFully(handle, chunk, fileOffset);
    const atEndOfFile = fileOffset + chunk.length >= size;
    let offset = 0;
    let damage: string | undefined;
    while (offset < chunk.length) {
      const check = checkRecord(chunk, offset);
      if (!check.ok) {
        const cutByChunk = check.reason.startsWith('truncated') && !atEndOfFile && offset > 0;
        if (!cutByChunk) damage = check.reason;
        break;
      }
      visitor.record(fileOffset + offset, chunk, offset, check.length);
      offset += check.length;
    }
    fileOffset += offset;
    if (damage !== undefined) {
      const written = await endOfNonZero(handle, fileOffset, size);
      if (written === fileOffset) return fileOffset;
      const next = await nextValidRecord(handle, fileOffset + 1, written, size);
      visitor.damage(fileOffset, next === size ? written : next, damage);
      if (next === size) return written;
      fileOffset = next;
    }
  }
  return size;
}

/** The end of the last non-zero byte in [from, size), or `from` when they are all zeros. */
async function endOfNonZero(handle: fs.FileHandle, from: number, size: number): Promise<number> {
  for (let end = size; end > from;) {
    const start = Math.max(from, end - SCAN_CHUNK);
    const window = Buffer.allocUnsafe(end - start);
    await readFully(handle, window, start);
    // A whole window of zeros is told by one memcmp; only the window with data is looked at bytewise.
    if (!window.equals(zeros(window.length))) {
      let index = window.length - 1;
      while (window[index] === 0) index -= 1;
      return start + index + 1;
    }
    end = start;
  }
  return from;
}

/**
 * File offset of the first valid record starting in [from, before), or `size` when there is none.
 * `before` is the end of the file's last non-zero byte: a record cannot start in the zeros after it
 * (its length would be 0), though it may end in them, so windows are read up to `size`. Without that
 * bound the search walked the zeros filled ahead byte by byte, up to 64 MiB, on every start after a
 * torn write.
 */
async function nextValidRecord(
  handle: fs.FileHandle,
  from: number,
  before: number,
  size: number,
): Promise<number> {
  for (let start = from; start < before; start += SCAN_CHUNK) {
    const window = Buffer.allocUnsafe(Math.min(SCAN_CHUNK + MAX_RECORD_SIZE, size - start));
    await readFully(handle, window, start);
    const candidates = Math.min(SCAN_CHUNK, window.length - RECORD_HEADER_SIZE + 1, before - start);
    for (let offset = 0; offset < candidates; offset += 1) {
      // Most offsets fail on these two bytes: no object is built for them.
      const length = window.readUInt32LE(offset);
      if (length < RECORD_HEADER_SIZE || length > MAX_RECORD_SIZE || window[offset + 9] !== RECORD_VERSION)
        continue;
      if (checkRecord(window, offset).ok) return start + offset;
    }
  }
  return size;
}

let zeroBuffer: Buffer | undefined;
/** `length` (at most 8 MiB) zero bytes, from one buffer allocated when first needed: never written to. */
export function zeros(length: number): Buffer {
  zeroBuffer ??= Buffer.alloc(SCAN_CHUNK);
  return zeroBuffer.subarray(0, length);
}

async function readFully(handle: fs.FileHandle, buffer: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done);
    if (bytesRead === 0) throw new Error(`short read at byte ${position + done}`);
    done += bytesRead;
  }
}
