import { promises as fs, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';

import { FLAG_COMMIT_END, checkRecord } from './record.js';

/**
 * The log is a sequence of records addressed by a logical position. Positions grow strictly and are
 * what clients see as commit/prepare positions. `reserve` hands out positions synchronously (so the
 * index can be updated before the bytes reach the disk) and `write` makes reserved bytes durable.
 */
export interface LogDevice {
  /** Calls `onRecord` for every record of every complete append, in order, cutting any torn tail. */
  open(onRecord: (position: number, chunk: Buffer, offset: number) => void): Promise<RecoveryReport>;
  /** Reserves room for one atomic append of `length` bytes and returns the position of its first byte. */
  reserve(length: number): number;
  /** Writes reserved appends (in reservation order) and returns once they are durable. */
  write(appends: readonly PendingWrite[]): Promise<void>;
  /** Reads `length` bytes at `position`; the range must lie within records written by one `write`-run. */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface PendingWrite {
  readonly position: number;
  readonly buffers: readonly Buffer[];
}

export interface RecoveryReport {
  readonly records: number;
  readonly truncatedBytes: number;
  readonly segments: number;
}

/** fsync is injectable so tests can count how many appends share one sync (group commit). */
export type SyncFn = (fd: fs.FileHandle) => Promise<void>;
const defaultSync: SyncFn = (handle) => handle.datasync();

const SEGMENT_MAGIC = 0x474c5345; // 'ESLG'
const SEGMENT_HEADER_SIZE = 16;
const SCAN_CHUNK = 8 * 1024 * 1024;

interface Segment {
  /** Logical position of the segment file's byte 0; its first record sits SEGMENT_HEADER_SIZE later. */
  readonly start: number;
  readonly path: string;
  handle: fs.FileHandle | undefined;
  /** Bytes reserved in this segment (header included); equals the file size once writes complete. */
  reserved: number;
}

export interface FileLogOptions {
  readonly segmentSize?: number;
  readonly sync?: SyncFn;
}

/**
 * Segmented append-only files `<start position, 20 digits>.log` in one directory. A new segment is
 * started only between appends, so an append never spans files, and a segment is synced before the
 * next one is written: after a crash only the newest segment can have a torn tail.
 */
export class FileLog implements LogDevice {
  private readonly segments: Segment[] = [];
  private readonly segmentSize: number;
  private readonly sync: SyncFn;

  constructor(
    private readonly directory: string,
    options: FileLogOptions = {},
  ) {
    this.segmentSize = options.segmentSize ?? 256 * 1024 * 1024;
    this.sync = options.sync ?? defaultSync;
  }

  async open(onRecord: (position: number, chunk: Buffer, offset: number) => void): Promise<RecoveryReport> {
    await fs.mkdir(this.directory, { recursive: true });
    const names = (await fs.readdir(this.directory)).filter((name) => /^\d{20}\.log$/.test(name)).sort();
    let records = 0;
    let truncatedBytes = 0;
    for (const [index, name] of names.entries()) {
      const isLast = index === names.length - 1;
      const segment: Segment = {
        start: Number(name.slice(0, 20)),
        path: join(this.directory, name),
        handle: undefined,
        reserved: 0,
      };
      const scan = await this.scanSegment(segment, onRecord);
      records += scan.records;
      if (scan.validEnd < scan.size) {
        if (!isLast) {
          throw new Error(
            `log segment ${segment.path} is corrupt at offset ${scan.validEnd} (${scan.reason}) ` +
              'and is not the newest segment; refusing to start',
          );
        }
        truncatedBytes = scan.size - scan.validEnd;
        if (scan.validEnd < SEGMENT_HEADER_SIZE) {
          await fs.rm(segment.path);
          continue;
        }
        await fs.truncate(segment.path, scan.validEnd);
      }
      segment.reserved = scan.validEnd;
      this.segments.push(segment);
    }
    const last = this.segments.at(-1);
    if (last) last.handle = await fs.open(last.path, fsConstants.O_RDWR);
    if (truncatedBytes > 0 && last?.handle) await this.sync(last.handle);
    return { records, truncatedBytes, segments: this.segments.length };
  }

  private async scanSegment(
    segment: Segment,
    onRecord: (position: number, chunk: Buffer, offset: number) => void,
  ): Promise<{ size: number; validEnd: number; records: number; reason: string }> {
    const handle = await fs.open(segment.path, 'r');
    try {
      const size = (await handle.stat()).size;
      const header = Buffer.alloc(SEGMENT_HEADER_SIZE);
      const { bytesRead } = await handle.read(header, 0, SEGMENT_HEADER_SIZE, 0);
      if (
        bytesRead < SEGMENT_HEADER_SIZE ||
        header.readUInt32LE(0) !== SEGMENT_MAGIC ||
        header.readDoubleLE(8) !== segment.start
      ) {
        return { size, validEnd: 0, records: 0, reason: 'bad segment header' };
      }
      // Records of an append are held back until its COMMIT_END record proves the append complete.
      let pending: { position: number; chunk: Buffer; offset: number }[] = [];
      let records = 0;
      let committedEnd = SEGMENT_HEADER_SIZE;
      let fileOffset = SEGMENT_HEADER_SIZE;
      let reason = '';
      scan: while (fileOffset < size) {
        // SCAN_CHUNK exceeds MAX_RECORD_SIZE, so a record cut by the chunk's end fits in the next read.
        const chunk = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, size - fileOffset));
        await handle.read(chunk, 0, chunk.length, fileOffset);
        const atEndOfFile = fileOffset + chunk.length >= size;
        let offset = 0;
        while (offset < chunk.length) {
          const check = checkRecord(chunk, offset);
          if (!check.ok) {
            const cutByChunk = check.reason.startsWith('truncated') && !atEndOfFile;
            if (cutByChunk) break;
            reason = check.reason;
            break scan;
          }
          pending.push({ position: segment.start + fileOffset + offset, chunk, offset });
          offset += check.length;
          if ((chunk[offset - check.length + 8]! & FLAG_COMMIT_END) !== 0) {
            for (const record of pending) onRecord(record.position, record.chunk, record.offset);
            records += pending.length;
            pending = [];
            committedEnd = fileOffset + offset;
          }
        }
        fileOffset += offset;
      }
      if (pending.length > 0 && !reason) reason = 'incomplete append';
      return { size, validEnd: committedEnd, records, reason };
    } finally {
      await handle.close();
    }
  }

  reserve(length: number): number {
    let current = this.segments.at(-1);
    if (
      !current ||
      (current.reserved + length > this.segmentSize && current.reserved > SEGMENT_HEADER_SIZE)
    ) {
      const start = current ? current.start + current.reserved : 0;
      current = {
        start,
        path: join(this.directory, `${String(start).padStart(20, '0')}.log`),
        handle: undefined,
        reserved: SEGMENT_HEADER_SIZE,
      };
      this.segments.push(current);
    }
    const position = current.start + current.reserved;
    current.reserved += length;
    return position;
  }

  async write(appends: readonly PendingWrite[]): Promise<void> {
    let index = 0;
    while (index < appends.length) {
      const segment = this.segmentOf(appends[index]!.position);
      const buffers: Buffer[] = [];
      const fileOffset = appends[index]!.position - segment.start;
      while (index < appends.length && this.segmentOf(appends[index]!.position) === segment) {
        buffers.push(...appends[index]!.buffers);
        index += 1;
      }
      const handle = segment.handle ?? (await this.createSegment(segment));
      await writeAll(handle, buffers, fileOffset);
      await this.sync(handle);
    }
  }

  private async createSegment(segment: Segment): Promise<fs.FileHandle> {
    const previous = this.segments[this.segments.indexOf(segment) - 1];
    const header = Buffer.alloc(SEGMENT_HEADER_SIZE);
    header.writeUInt32LE(SEGMENT_MAGIC, 0);
    header.writeUInt32LE(1, 4);
    header.writeDoubleLE(segment.start, 8);
    const handle = await fs.open(
      segment.path,
      fsConstants.O_RDWR | fsConstants.O_CREAT | fsConstants.O_TRUNC,
    );
    await writeAll(handle, [header], 0);
    await this.sync(handle);
    // The directory entry must be durable too, or the whole segment could vanish after a crash.
    const directory = await fs.open(this.directory, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
    segment.handle = handle;
    // Only the newest segment is written to; older ones are read through short-lived handles.
    if (previous?.handle) {
      await previous.handle.close();
      previous.handle = undefined;
    }
    return handle;
  }

  private segmentOf(position: number): Segment {
    let low = 0;
    let high = this.segments.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.segments[middle]!.start <= position) low = middle;
      else high = middle - 1;
    }
    return this.segments[low]!;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const segment = this.segmentOf(position);
    const buffer = Buffer.allocUnsafe(length);
    const handle = segment.handle ?? (await fs.open(segment.path, 'r'));
    try {
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(buffer, done, length - done, position - segment.start + done);
        if (bytesRead === 0) throw new Error(`short read at position ${position} in ${segment.path}`);
        done += bytesRead;
      }
    } finally {
      if (handle !== segment.handle) await handle.close();
    }
    return buffer;
  }

  async close(): Promise<void> {
    for (const segment of this.segments) {
      if (!segment.handle) continue;
      await this.sync(segment.handle);
      await segment.handle.close();
      segment.handle = undefined;
    }
  }
}

async function writeAll(handle: fs.FileHandle, buffers: Buffer[], fileOffset: number): Promise<void> {
  let offset = fileOffset;
  let pending = buffers;
  while (pending.length > 0) {
    // writev takes at most IOV_MAX (1024) buffers per call.
    const slice = pending.slice(0, 1024);
    const total = slice.reduce((sum, buffer) => sum + buffer.length, 0);
    const { bytesWritten } = await handle.writev(slice, offset);
    if (bytesWritten === total) {
      pending = pending.slice(slice.length);
      offset += total;
      continue;
    }
    // Partial write: continue from the first byte not written.
    const joined = Buffer.concat(pending).subarray(bytesWritten);
    pending = [joined];
    offset += bytesWritten;
  }
}

/** Keeps the log in memory (`--mem`): same positions and record format, nothing on disk. */
export class MemoryLog implements LogDevice {
  private readonly chunks: { position: number; buffer: Buffer }[] = [];
  private end = SEGMENT_HEADER_SIZE;

  async open(): Promise<RecoveryReport> {
    return { records: 0, truncatedBytes: 0, segments: 0 };
  }

  reserve(length: number): number {
    const position = this.end;
    this.end += length;
    return position;
  }

  async write(appends: readonly PendingWrite[]): Promise<void> {
    for (const append of appends) {
      let position = append.position;
      for (const buffer of append.buffers) {
        this.chunks.push({ position, buffer });
        position += buffer.length;
      }
    }
  }

  async read(position: number, length: number): Promise<Buffer> {
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.chunks[middle]!.position <= position) low = middle;
      else high = middle - 1;
    }
    const parts: Buffer[] = [];
    let remaining = length;
    let cursor = position;
    for (let index = low; remaining > 0 && index < this.chunks.length; index += 1) {
      const chunk = this.chunks[index]!;
      const from = cursor - chunk.position;
      const part = chunk.buffer.subarray(from, from + remaining);
      parts.push(part);
      remaining -= part.length;
      cursor += part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  async close(): Promise<void> {}
}
