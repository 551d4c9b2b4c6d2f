import { promises as fs, constants as fsConstants, writevSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lockDataDirectory } from './data-lock.js';

import {
  FLAG_COMMIT_END,
  FLAG_FILLER,
  FLAG_WRITE_START,
  RECORD_HEADER_SIZE,
  addFlag,
  encodeFiller,
} from './record.js';
import {
  type HeaderCheck,
  SEGMENT_HEADER_SIZE,
  SEGMENT_NAME,
  SEGMENT_VERSION,
  encodeSegmentHeader,
  readSegmentHeader,
  segmentFileName,
  walkSegment,
  zeros,
} from './segment.js';
import {
  type DurableEnd,
  WRITER_CHECKPOINT_FILE,
  encodeCheckpoint,
  readCheckpoint,
  syncDirectory,
} from './checkpoint.js';

/**
 * The log is a sequence of records addressed by a logical position. Positions grow strictly and are
 * what clients see as commit/prepare positions. `reserve` hands out positions synchronously (so the
 * index can be updated before the bytes reach the disk) and `write` makes reserved bytes durable.
 */
export interface LogDevice {
  /**
   * Calls `onRecord` for every event record of every complete append, in order, and `onFiller` for
   * every record that holds no event (see FLAG_FILLER): a record's position is one a `$all` read may
   * start from, whatever it holds. Cuts a torn tail (an incomplete final write); refuses
   * (LogDamagedError) to start on damage that is not one.
   */
  open(
    onRecord: (position: number, chunk: Buffer, offset: number) => void,
    onFiller?: (position: number, length: number) => void,
  ): Promise<RecoveryReport>;
  /** Reserves room for one atomic append of `length` bytes and returns the position of its first byte. */
  reserve(length: number): number;
  /** Writes reserved appends (in reservation order) and returns once they are durable. */
  write(appends: readonly PendingWrite[]): Promise<void>;
  /**
   * After a `write` failed: gives up every reservation past the end of the last write that returned,
   * and removes from the files whatever the failed write left there, so that the next `reserve`
   * starts at that end again. Throws when the files cannot be cut back.
   */
  cutBack(): Promise<void>;
  /** Reads `length` bytes at `position`; the range must lie within records written by one `write`-run. */
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface PendingWrite {
  readonly position: number;
  /** The append's records back to back; the first buffer holds at least the whole first record. */
  readonly buffers: readonly Buffer[];
  /** How many of those records are events (not FILLER records): writer.chk counts them. */
  readonly events: number;
}

export interface RecoveryReport {
  readonly records: number;
  readonly truncatedBytes: number;
  readonly segments: number;
  /** What a cut torn tail was, and where its bytes were kept; undefined when nothing was cut. */
  readonly tornTail: TornTail | undefined;
  /** writer.chk was missing from a log that has segments (one written before it existed) and was written. */
  readonly checkpointCreated: boolean;
}

export interface TornTail {
  readonly file: string;
  /** The file's bytes [from, to) were cut; `from` is the end of the last complete append. */
  readonly from: number;
  readonly to: number;
  readonly reason: string;
  /** Copy of the cut bytes, written before the cut. */
  readonly keptAt: string;
}

/**
 * The log on disk cannot be served as it is, and recovery changed no byte of it: what `eventstore`
 * prints, in one line, before it exits instead of starting.
 */
export abstract class StartRefusedError extends Error {}

/**
 * Damage that a crash cannot have caused: recovery would have to delete acknowledged events to go
 * on, so the store does not start and leaves every byte as it is (`eventstore repair` handles it).
 */
export class LogDamagedError extends StartRefusedError {
  constructor(
    readonly file: string,
    readonly offset: number,
    readonly reason: string,
    /** Valid event records after the damage in this file (clean-shutdown markers not counted). */
    readonly followingEvents: number,
    readonly firstFollowingOffset: number | undefined,
    readonly newerSegments: number,
  ) {
    const first =
      firstFollowingOffset === undefined
        ? ''
        : ` (the first valid record at byte offset ${firstFollowingOffset})`;
    const newer = newerSegments > 0 ? `, and ${newerSegments} newer segment file(s) follow it` : '';
    super(
      `log segment ${file} is damaged at byte offset ${offset} (${reason}): ${followingEvents} valid ` +
        `event record(s) follow in this file${first}${newer}. Damage followed by data written later is ` +
        'not a torn final write, so the store refuses to start and has changed no byte on disk. ' +
        `\`npx switchboard-eventstore repair --data ${dirname(file)}\` copies the file aside and takes out only the damaged bytes ` +
        '(see apps/eventstore/README.md).',
    );
    this.name = 'LogDamagedError';
  }
}

/**
 * The log ends before the position writer.chk says was durable: acknowledged appends are gone (the
 * newest segment was deleted or cut short while the store was down). Only a backup can bring them
 * back; `eventstore repair` accepts the loss.
 */
export class LogEndsBeforeCheckpointError extends StartRefusedError {
  constructor(
    readonly directory: string,
    readonly checkpoint: DurableEnd,
    readonly logEnd: DurableEnd,
    /** The newest segment file left, which ends where the log does; undefined when none is left. */
    readonly newestFile: string | undefined,
  ) {
    const missingBytes = checkpoint.position - logEnd.position;
    const missingEvents = checkpoint.events - logEnd.events;
    // A segment starts where the one before it ends, so the first lost file, if any, is named after L.
    const where = newestFile
      ? `the end of ${newestFile} was cut off, or segment file(s) after it, from ${segmentFileName(logEnd.position)} on, were deleted`
      : 'no segment file is left';
    super(
      `the log in ${directory} ends at position ${logEnd.position}, but ${WRITER_CHECKPOINT_FILE} says it was ` +
        `durable up to position ${checkpoint.position}: ${missingBytes} bytes holding ${missingEvents} ` +
        `acknowledged event(s) are missing (${where}). The store refuses to start and has changed no byte ` +
        'on disk. Restore the missing files from a backup, or accept the loss with ' +
        `\`npx switchboard-eventstore repair --data ${directory}\`, which sets ${WRITER_CHECKPOINT_FILE} to what the log holds.`,
    );
    this.name = 'LogEndsBeforeCheckpointError';
  }
}

/** writer.chk fails its checks: whether the log lost acknowledged appends cannot be told. */
/**
 * Another process (still running) has the data directory open (see lockDataDirectory): two stores on
 * one log write their records at the same positions, and the log refuses to start once they stop.
 */
export class DataDirectoryInUseError extends StartRefusedError {
  constructor(
    readonly directory: string,
    readonly pid: number,
  ) {
    super(
      `the data directory ${directory} is in use by another eventstore process (pid ${pid}), and was ` +
        'left as it was: two stores on one log overwrite each other. Stop that process first, or give ' +
        'this one another --data directory.',
    );
    this.name = 'DataDirectoryInUseError';
  }
}

export class CheckpointDamagedError extends StartRefusedError {
  constructor(
    readonly directory: string,
    readonly reason: string,
  ) {
    super(
      `${join(directory, WRITER_CHECKPOINT_FILE)} is damaged (${reason}): without it the store cannot tell ` +
        'whether the log lost acknowledged appends, so it refuses to start and has changed no byte on disk. ' +
        `\`npx switchboard-eventstore repair --data ${directory}\` writes it again from what the log holds.`,
    );
    this.name = 'CheckpointDamagedError';
  }
}

/**
 * fsync is injectable so tests can count how many appends share one sync (group commit) and model a
 * power failure at any of them. A log given one writes without O_DSYNC and calls it after each write.
 */
export type SyncFn = (fd: fs.FileHandle) => Promise<void>;
const datasync: SyncFn = (handle) => handle.datasync();

/**
 * How the log puts bytes in its files: `buffers` back to back from `fileOffset` on (`onLoop`: see
 * ON_LOOP_WRITE_MAX). Every write of the log goes through it (records, zeros filled ahead, segment
 * headers, writer.chk, torn-tail copies), so that a test can make the disk fail as a full or failing
 * one does (ENOSPC, EIO), at once or after part of the bytes.
 */
export type WriteFn = (
  handle: fs.FileHandle,
  buffers: readonly Buffer[],
  fileOffset: number,
  onLoop: boolean,
) => Promise<void>;

/**
 * The index of the last of `parts` (segments or chunks, sorted by `start`, the first starting at or
 * before `position`) that starts at or before `position`: the one holding that byte of the log.
 */
const lastStartingAtOrBefore = (parts: readonly { readonly start: number }[], position: number): number => {
  let low = 0;
  let high = parts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (parts[middle]!.start <= position) low = middle;
    else high = middle - 1;
  }
  return low;
};

interface Segment {
  /** Logical position of the segment file's byte 0; its first record sits SEGMENT_HEADER_SIZE later. */
  readonly start: number;
  readonly path: string;
  handle: fs.FileHandle | undefined;
  /** Bytes reserved in this segment (header included); all of them are written once writes complete. */
  reserved: number;
  /** The file holds this many bytes, durably: records, then zeros filled ahead of the writes. */
  prepared: number;
  /** The zero-fill in progress: it writes the file's bytes from `from` on, and settles with `done`. */
  filling: { readonly from: number; readonly done: Promise<void> } | undefined;
}

export interface FileLogOptions {
  readonly segmentSize?: number;
  /** Replaces O_DSYNC writes with plain writes each followed by this call (tests). */
  readonly sync?: SyncFn;
  /** Replaces the writes to the files (tests that make the disk fail); see WriteFn. */
  readonly write?: WriteFn;
  /** Clock for the names of kept torn tails. */
  readonly now?: () => Date;
  /** Fill the newest segment with zeros ahead of its writes (default true; see FileLog). */
  readonly zeroFill?: boolean;
}

/**
 * How far ahead of its writes a segment is filled with zeros: as far as the segment already holds,
 * between 1 and 64 MiB, so that a small log stays small and a busy one is never caught up with.
 * 64 MiB is two seconds of the fastest appends bench:store measures (~30 MB/s); each fill writes at
 * most 4 MiB, a few milliseconds of the disk, so that no group commit waits long behind one.
 */
const FILL_LEAD_MIN = 1024 * 1024;
const FILL_LEAD_MAX = 64 * 1024 * 1024;
const FILL_CHUNK = 4 * 1024 * 1024;

/**
 * A group commit of at most this many bytes is written on the event loop's own thread. Handing a
 * write to libuv's thread pool costs the loop 25-32 µs to submit it (waking a pool thread; measured
 * here for a 32 KiB O_DSYNC write that took 165 µs in all) and a wake-up to hear back, and the write
 * ends ~35 µs later than the same write made on the loop. Appends whose writers wait for each other's
 * acknowledgements (bench:store (a)) pay that on every round trip: (a) went from 92-93% to 95-101% of
 * the client's ceiling (medians of 3 rounds, 2 to 5 runs), and the store's CPU per command in
 * bench:e2e from 0.26-0.27 to 0.21-0.23 ms.
 * The price: the loop serves no read while the write lasts. Under (a)'s load (6,900 writes of 6.5 KB
 * on average) that was 131 / 173 / 273 µs at p10 / p50 / p90, 2.4 ms at p99 and 10-15 ms at worst;
 * 64 writers and 2 readers paging `$all` at once read as fast either way (39-42k vs 42-43k events/s).
 * Larger writes (bench:store (b): ~400 KiB) and zero fills take milliseconds and stay in the pool,
 * where the loop can stage the next group and serve reads meanwhile.
 */
const ON_LOOP_WRITE_MAX = 64 * 1024;

interface SegmentScan {
  readonly size: number;
  /** Where the records end and the zeros filled ahead of them (if any) begin. */
  readonly written: number;
  readonly header: HeaderCheck;
  /** End of the last complete append before the first damage (the whole file when undamaged). */
  readonly committedEnd: number;
  readonly records: number;
  readonly endsWithMarker: boolean;
  readonly damage:
    | {
        readonly offset: number;
        readonly reason: string;
        readonly followingEvents: number;
        readonly followingRecords: number;
        readonly firstFollowingOffset: number | undefined;
        /** A valid WRITE_START record follows: the damaged bytes were fsynced before a later write. */
        readonly laterWrite: boolean;
      }
    | undefined;
}

/**
 * Segmented append-only files `<start position, 20 digits>.log` in one directory. A new segment is
 * started only between appends, so an append never spans files, and a segment is synced before the
 * next one is written: after a crash only the newest segment can have a torn tail, and within it only
 * the last write (each write is fsynced before the next begins, and begins with a WRITE_START record).
 *
 * A clean close ends the log with a marker record (a FILLER written as a write of its own), so that
 * damage to the last appended events of a store that was stopped is seen as damage, not as a torn
 * write: the marker is a valid record written after them.
 *
 * The newest segment is filled with zeros ahead of its writes, in the background, each fill durable
 * before any write lands in it. A durable write that grows a file must also commit the file system's
 * journal (the new size and blocks); one that overwrites zeros already on disk need not, and took
 * 128-159 µs instead of 188-254 µs here (apps/eventstore/README.md; PostgreSQL fills its WAL segments
 * for the same reason). A segment therefore ends in zeros that are not records: the scan calls them
 * unwritten (see walkSegment), and an older segment must hold records up to where the next one starts,
 * which is what keeps acknowledged bytes that come back as zeros from passing for unwritten space.
 */
export class FileLog implements LogDevice {
  private readonly segments: Segment[] = [];
  private readonly segmentSize: number;
  private readonly sync: SyncFn;
  private readonly writeBytes: WriteFn;
  /**
   * Without an injected sync, the segment being written is opened with O_DSYNC: a group commit is one
   * pwritev that returns once its bytes are durable (fdatasync's guarantee, file size included),
   * instead of a write and an fdatasync, each a round trip through libuv's thread pool and back to
   * the event loop. Under load that second round trip cost as much as the flush itself.
   */
  private readonly syncEachWrite: boolean;
  private readonly writeFlags: number;
  private readonly now: () => Date;
  private readonly zeroFill: boolean;
  private endsWithMarker = false;
  private failed = false;
  private closing = false;
  /** The end of the last write that returned, which is on disk. */
  private durable: DurableEnd = { position: 0, events: 0 };
  /** What writer.chk holds on disk. */
  private checkpointed: DurableEnd = { position: 0, events: 0 };
  private checkpointHandle: fs.FileHandle | undefined;
  /** The writer.chk write in flight; at most one at a time. */
  private checkpointing: Promise<void> | undefined;
  /** A writer.chk write that failed: the next write fails with it, as if it had failed itself. */
  private checkpointError: Error | undefined;
  /** Lets go of the data directory (see lockDataDirectory); undefined before open and after close. */
  private releaseLock: (() => Promise<void>) | undefined;

  constructor(
    private readonly directory: string,
    options: FileLogOptions = {},
  ) {
    this.segmentSize = options.segmentSize ?? 256 * 1024 * 1024;
    this.sync = options.sync ?? datasync;
    this.writeBytes = options.write ?? writeAll;
    this.syncEachWrite = options.sync !== undefined;
    this.writeFlags = fsConstants.O_RDWR | (this.syncEachWrite ? 0 : fsConstants.O_DSYNC);
    this.now = options.now ?? (() => new Date());
    this.zeroFill = options.zeroFill ?? true;
  }

  async open(
    onRecord: (position: number, chunk: Buffer, offset: number) => void,
    onFiller: (position: number, length: number) => void = () => undefined,
  ): Promise<RecoveryReport> {
    await fs.mkdir(this.directory, { recursive: true });
    // Before any byte of it is read: a second store would cut the live log's tail as torn, append its
    // epoch record where the running one appends next, and both would write over each other.
    const lock = await lockDataDirectory(this.directory);
    if ('heldBy' in lock) throw new DataDirectoryInUseError(this.directory, lock.heldBy);
    try {
      const report = await this.recover(onRecord, onFiller);
      this.releaseLock = lock.release;
      return report;
    } catch (error) {
      // A refused start leaves the directory as it found it, the lock file included.
      await lock.release();
      throw error;
    }
  }

  /** Checks the log (see open), cutting only a torn final write. */
  private async recover(
    onRecord: (position: number, chunk: Buffer, offset: number) => void,
    onFiller: (position: number, length: number) => void,
  ): Promise<RecoveryReport> {
    const checkpoint = await readCheckpoint(this.directory);
    if (checkpoint.kind === 'damaged') throw new CheckpointDamagedError(this.directory, checkpoint.reason);
    const names = (await fs.readdir(this.directory)).filter((name) => SEGMENT_NAME.test(name)).sort();
    // Everything is checked before anything is cut: a refusal must leave every byte as it was.
    const scans: { segment: Segment; scan: SegmentScan; headerCutShort: boolean }[] = [];
    for (const [index, name] of names.entries()) {
      const newerSegments = names.length - 1 - index;
      const segment = this.segment(Number(name.slice(0, 20)), 0);
      const scan = await scanSegment(segment, onRecord, onFiller);
      if (!scan.header.ok) {
        // A crash while a segment was created (before its header was fsynced) leaves a newest file of
        // at most a header's size with nothing acknowledged in it: its header is written again.
        if (newerSegments === 0 && scan.size <= SEGMENT_HEADER_SIZE) {
          scans.push({ segment, scan, headerCutShort: true });
          continue;
        }
        throw new LogDamagedError(
          segment.path,
          0,
          scan.header.reason,
          scan.records + (scan.damage?.followingEvents ?? 0),
          scan.size > SEGMENT_HEADER_SIZE ? SEGMENT_HEADER_SIZE : undefined,
          newerSegments,
        );
      }
      const nextStart = names[index + 1] === undefined ? undefined : Number(names[index + 1]!.slice(0, 20));
      const damage =
        scan.damage ?? (nextStart === undefined ? undefined : missingEnd(segment, scan, nextStart));
      if (damage) {
        const tornWrite =
          newerSegments === 0 &&
          (damage.followingRecords === 0 || (scan.header.version >= SEGMENT_VERSION && !damage.laterWrite));
        if (!tornWrite)
          throw new LogDamagedError(
            segment.path,
            damage.offset,
            damage.reason,
            damage.followingEvents,
            damage.firstFollowingOffset,
            newerSegments,
          );
      }
      scans.push({ segment, scan, headerCutShort: false });
    }
    const newest = scans.at(-1);
    const logEnd: DurableEnd = {
      position: newest
        ? newest.segment.start + (newest.headerCutShort ? SEGMENT_HEADER_SIZE : newest.scan.committedEnd)
        : 0,
      events: scans.reduce((sum, { scan }) => sum + scan.records, 0),
    };
    // A torn tail never reaches back before the checkpoint: it was written after the bytes it covers
    // were durable. A log that ends before it lost them after they were acknowledged.
    if (checkpoint.kind === 'read' && checkpoint.end.position > logEnd.position)
      throw new LogEndsBeforeCheckpointError(this.directory, checkpoint.end, logEnd, newest?.segment.path);
    let records = 0;
    let tornTail: TornTail | undefined;
    let rewritten = false;
    for (const { segment, scan, headerCutShort } of scans) {
      records += scan.records;
      if (headerCutShort) {
        if (scan.size > 0)
          tornTail = await this.cutTornTail(segment.path, 0, scan.size, 'segment header cut short');
        await fs.writeFile(segment.path, encodeSegmentHeader(segment.start));
        rewritten = true;
      } else if (scan.damage) {
        tornTail = await this.cutTornTail(segment.path, scan.committedEnd, scan.written, scan.damage.reason);
      }
      segment.reserved = headerCutShort ? SEGMENT_HEADER_SIZE : scan.committedEnd;
      // A cut takes the zeros after the torn bytes with it.
      segment.prepared = headerCutShort || scan.damage ? segment.reserved : scan.size;
      this.segments.push(segment);
      this.endsWithMarker = scan.endsWithMarker;
    }
    const last = this.segments.at(-1);
    if (last) last.handle = await fs.open(last.path, this.writeFlags);
    if ((tornTail || rewritten) && last?.handle) await this.sync(last.handle);
    if (last) this.fillAhead(last);
    this.durable = logEnd;
    // Not O_DSYNC, unlike the segments: see checkpointSoon for why its writes are not flushed one by one.
    this.checkpointHandle = await fs.open(
      join(this.directory, WRITER_CHECKPOINT_FILE),
      fsConstants.O_RDWR | fsConstants.O_CREAT,
    );
    if (checkpoint.kind === 'read') this.checkpointed = checkpoint.end;
    // After a crash the checkpoint may lag the log (see checkpointSoon): it is brought up to the end.
    if (checkpoint.kind === 'none' || !sameEnd(this.checkpointed, logEnd)) {
      await this.writeCheckpoint(logEnd);
      await this.sync(this.checkpointHandle);
    }
    if (checkpoint.kind === 'none') await syncDirectory(this.directory);
    return {
      records,
      truncatedBytes: tornTail ? tornTail.to - tornTail.from : 0,
      segments: this.segments.length,
      tornTail,
      checkpointCreated: checkpoint.kind === 'none' && this.segments.length > 0,
    };
  }

  /**
   * Brings writer.chk up to the durable end of the log, after the write that made it durable returned
   * and without holding up its acknowledgements: at most one checkpoint write is in flight, and the
   * next starts when it ends, covering every write that returned meanwhile. A synchronous checkpoint
   * (an extra durable write before each acknowledgement) would double the flushes a group commit waits
   * for; this one runs beside the next group's write instead.
   *
   * What that does and does not detect: a stopped store's checkpoint is exact (close writes it last),
   * so any acknowledged append lost while it was down is detected. After a crash the checkpoint may lag
   * the acknowledged end by the writes of one checkpoint write's time (a few hundred microseconds): the
   * loss of only those last appends afterwards would go unnoticed. The next start writes the
   * checkpoint up to the log's end again.
   *
   * Its writes reach the page cache, not the disk, until close (or the next start) flushes it: a
   * killed process loses none of them, and a power cut can only leave an older checkpoint, which never
   * lies ahead of the durable log and so never refuses a sound one; what it costs is detecting a
   * deletion after a power cut only up to that older position. Flushing each one (O_DSYNC, as the
   * segments are) measured in bench:store on a quiet machine, alternating builds, 3 runs each: (a) 64
   * single-event writers in process 44-60k ev/s against 64-66k without a checkpoint, and (b) 100-event
   * appends over gRPC 87% of the client's ceiling in every run against 88-97%: a second flush per group
   * commit. Written without the flush, the same runs gave 59-65k ev/s and 90-95%: no cost above the
   * noise.
   */
  private checkpointSoon(): void {
    if (this.checkpointing || this.failed || sameEnd(this.checkpointed, this.durable)) return;
    this.checkpointing = this.writeCheckpoint(this.durable).then(
      () => {
        this.checkpointing = undefined;
        this.checkpointSoon();
      },
      (error: unknown) => {
        this.checkpointing = undefined;
        this.checkpointError = error instanceof Error ? error : new Error(String(error));
      },
    );
  }

  private async writeCheckpoint(end: DurableEnd): Promise<void> {
    const handle = this.checkpointHandle!;
    await this.writeBytes(handle, [encodeCheckpoint(end)], 0, false);
    this.checkpointed = end;
  }

  /** Keeps a copy of the torn tail's bytes next to the segment, then cuts them. */
  private async cutTornTail(path: string, from: number, to: number, reason: string): Promise<TornTail> {
    const keptAt = `${path}.torn-${fileStamp(this.now())}`;
    const bytes = Buffer.allocUnsafe(to - from);
    const source = await fs.open(path, 'r');
    try {
      await source.read(bytes, 0, bytes.length, from);
    } finally {
      await source.close();
    }
    const copy = await fs.open(keptAt, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL);
    try {
      await this.writeBytes(copy, [bytes], 0, false);
      await copy.sync();
    } catch (error) {
      // A copy cut short (a full disk) must not pass for the torn bytes: nothing is cut without it.
      await copy.close();
      await fs.rm(keptAt, { force: true });
      throw error;
    }
    await copy.close();
    await fs.truncate(path, from);
    return { file: path, from, to, reason, keptAt };
  }

  reserve(length: number): number {
    let current = this.segments.at(-1);
    if (
      !current ||
      (current.reserved + length > this.segmentSize && current.reserved > SEGMENT_HEADER_SIZE)
    ) {
      current = this.segment(current ? current.start + current.reserved : 0, SEGMENT_HEADER_SIZE);
      this.segments.push(current);
    }
    const position = current.start + current.reserved;
    current.reserved += length;
    return position;
  }

  private segment(start: number, reserved: number): Segment {
    const path = join(this.directory, segmentFileName(start));
    return {
      start,
      path,
      handle: undefined,
      reserved,
      prepared: reserved,
      filling: undefined,
    };
  }

  async write(appends: readonly PendingWrite[]): Promise<void> {
    if (this.checkpointError) {
      // The disk failed under writer.chk: the log's is no more trustworthy (see `failed`). The error
      // keeps its code (ENOSPC, EIO…): what the store does next depends on it.
      this.failed = true;
      const { code } = this.checkpointError as NodeJS.ErrnoException;
      throw Object.assign(
        new Error(`writing ${WRITER_CHECKPOINT_FILE} failed: ${this.checkpointError.message}`),
        code === undefined ? {} : { code },
      );
    }
    this.endsWithMarker = false;
    let index = 0;
    while (index < appends.length) {
      const segment = this.segmentOf(appends[index]!.position);
      const buffers: Buffer[] = [];
      const fileOffset = appends[index]!.position - segment.start;
      let end = fileOffset;
      while (index < appends.length && this.segmentOf(appends[index]!.position) === segment) {
        for (const buffer of appends[index]!.buffers) {
          buffers.push(buffer);
          end += buffer.length;
        }
        index += 1;
      }
      // Marks where this write begins: recovery may cut within the last write only (see FileLog).
      addFlag(buffers[0]!, 0, FLAG_WRITE_START);
      try {
        const handle = segment.handle ?? (await this.createSegment(segment));
        // Zeros landing after the records would erase them: a write into a fill waits for it.
        while (segment.filling && end > segment.filling.from) await segment.filling.done;
        await this.writeBytes(handle, buffers, fileOffset, end - fileOffset <= ON_LOOP_WRITE_MAX);
        if (this.syncEachWrite) await this.sync(handle);
      } catch (error) {
        this.failed = true;
        throw error;
      }
      segment.prepared = Math.max(segment.prepared, end);
      this.fillAhead(segment);
    }
    const last = appends.at(-1);
    if (!last) return;
    this.durable = {
      position: last.position + last.buffers.reduce((sum, buffer) => sum + buffer.length, 0),
      events: this.durable.events + appends.reduce((sum, append) => sum + append.events, 0),
    };
    this.checkpointSoon();
  }

  /**
   * The failed write's appends were never acknowledged, and a later one must not land after their
   * bytes: recovery would then find their whole records between acknowledged ones and serve them.
   * So the newest segment holding durable bytes is cut (ftruncate, then synced) at the durable end,
   * zeros filled ahead included, and a segment begun after that end is deleted, as is its directory
   * entry; the next write starts at the durable end, in that segment.
   */
  async cutBack(): Promise<void> {
    this.failed = true;
    const end = this.durable.position;
    for (const segment of this.segments) if (segment.filling) await segment.filling.done;
    const beyond = this.segments.filter((segment) => segment.start >= end);
    for (const segment of beyond) {
      await segment.handle?.close();
      segment.handle = undefined;
      await fs.rm(segment.path, { force: true });
    }
    if (beyond.length > 0) await syncDirectory(this.directory);
    this.segments.splice(this.segments.length - beyond.length);
    const newest = this.segments.at(-1);
    if (newest) {
      const offset = end - newest.start;
      // Writing a newer segment closed this one's handle (see createSegment).
      newest.handle ??= await fs.open(newest.path, this.writeFlags);
      await newest.handle.truncate(offset);
      await this.sync(newest.handle);
      newest.reserved = offset;
      // The cut took the zeros filled ahead with it; a fill that failed (Infinity) may run again.
      newest.prepared = offset;
    }
    this.checkpointError = undefined;
    this.failed = false;
    this.checkpointSoon();
    if (newest) this.fillAhead(newest);
  }

  /**
   * Starts filling the newest segment with zeros up to its lead (FILL_LEAD_MIN..MAX) ahead of what is
   * reserved in it, one durable FILL_CHUNK at a time. A fill starts at or after every reserved byte,
   * so it never covers records; a write reaching into a fill in progress waits for it (see `write`).
   * A fill that fails is not retried for this segment: writes then grow the file, as without fills.
   */
  private fillAhead(segment: Segment): void {
    if (!this.zeroFill || this.failed || this.closing || segment.filling || segment !== this.segments.at(-1))
      return;
    const handle = segment.handle;
    if (!handle) return;
    const lead = Math.min(FILL_LEAD_MAX, Math.max(FILL_LEAD_MIN, segment.reserved));
    const target = Math.min(this.segmentSize, segment.reserved + lead);
    const from = Math.max(segment.prepared, segment.reserved);
    // Half a lead still ahead: not yet worth a fill (each is a durable write of its own).
    if (from >= target || from - segment.reserved >= lead / 2) return;
    const to = Math.min(target, from + FILL_CHUNK);
    const done = (async () => {
      await this.writeBytes(handle, [zeros(to - from)], from, false);
      if (this.syncEachWrite) await this.sync(handle);
    })().then(
      () => {
        segment.prepared = Math.max(segment.prepared, to);
        segment.filling = undefined;
        this.fillAhead(segment);
      },
      () => {
        segment.filling = undefined;
        // Nothing is left to fill from Infinity: fills stop for this segment.
        segment.prepared = Infinity;
      },
    );
    segment.filling = { from, done };
  }

  private async createSegment(segment: Segment): Promise<fs.FileHandle> {
    const previous = this.segments[this.segments.indexOf(segment) - 1];
    const handle = await fs.open(segment.path, this.writeFlags | fsConstants.O_CREAT | fsConstants.O_TRUNC);
    try {
      await this.writeBytes(handle, [encodeSegmentHeader(segment.start)], 0, false);
      await this.sync(handle);
      // The directory entry must be durable too, or the whole segment could vanish after a crash.
      await syncDirectory(this.directory);
    } catch (error) {
      await handle.close();
      throw error;
    }
    segment.handle = handle;
    // Only the newest segment is written to; older ones are read through short-lived handles.
    if (previous?.filling) await previous.filling.done;
    if (previous?.handle) {
      await previous.handle.close();
      previous.handle = undefined;
    }
    return handle;
  }

  private segmentOf(position: number): Segment {
    return this.segments[lastStartingAtOrBefore(this.segments, position)]!;
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
    if (this.segments.length > 0 && !this.endsWithMarker && !this.failed) {
      const marker = encodeFiller(RECORD_HEADER_SIZE);
      await this.write([{ position: this.reserve(marker.length), buffers: [marker], events: 0 }]);
      this.endsWithMarker = true;
    }
    this.closing = true;
    // The last checkpoint write covers everything written, the marker included: a stopped store's is exact.
    while (this.checkpointing) await this.checkpointing;
    if (this.checkpointHandle) await this.sync(this.checkpointHandle);
    await this.checkpointHandle?.close();
    this.checkpointHandle = undefined;
    for (const segment of this.segments) {
      if (segment.filling) await segment.filling.done;
      if (!segment.handle) continue;
      await this.sync(segment.handle);
      await segment.handle.close();
      segment.handle = undefined;
    }
    await this.releaseLock?.();
    this.releaseLock = undefined;
  }
}

/**
 * Reads a segment, handing the event records of complete appends before the first damage to
 * `onRecord` and the positions of their other records to `onFiller`, and describes what follows the
 * damage: recovery's decision rests on it.
 */
async function scanSegment(
  segment: Segment,
  onRecord: (position: number, chunk: Buffer, offset: number) => void,
  onFiller: (position: number, length: number) => void = () => undefined,
): Promise<SegmentScan> {
  const handle = await fs.open(segment.path, 'r');
  try {
    const size = (await handle.stat()).size;
    const header = await readSegmentHeader(handle, segment.start);
    // Records of an append are held back until its COMMIT_END record proves the append complete.
    let pending: { position: number; chunk: Buffer; offset: number; flags: number }[] = [];
    let records = 0;
    let committedEnd = SEGMENT_HEADER_SIZE;
    let endsWithMarker = false;
    let damage: { offset: number; reason: string } | undefined;
    let followingEvents = 0;
    let followingRecords = 0;
    let firstFollowingOffset: number | undefined;
    let laterWrite = false;
    const written = await walkSegment(handle, size, {
      record: (fileOffset, chunk, offset, length) => {
        const flags = chunk[offset + 8]!;
        if (damage) {
          followingRecords += 1;
          if ((flags & FLAG_FILLER) === 0) followingEvents += 1;
          if ((flags & FLAG_WRITE_START) !== 0) laterWrite = true;
          firstFollowingOffset ??= fileOffset;
          return;
        }
        pending.push({ position: segment.start + fileOffset, chunk, offset, flags });
        if ((flags & FLAG_COMMIT_END) === 0) return;
        for (const record of pending) {
          if ((record.flags & FLAG_FILLER) !== 0) {
            onFiller(record.position, record.chunk.readUInt32LE(record.offset));
            continue;
          }
          onRecord(record.position, record.chunk, record.offset);
          records += 1;
        }
        pending = [];
        committedEnd = fileOffset + length;
        endsWithMarker = (flags & FLAG_FILLER) !== 0 && (flags & FLAG_WRITE_START) !== 0;
      },
      damage: (fileOffset, _end, reason) => {
        damage ??= { offset: fileOffset, reason };
      },
    });
    if (!damage && pending.length > 0) {
      damage = { offset: pending[0]!.position - segment.start, reason: 'incomplete append' };
    }
    return {
      size,
      written,
      header,
      committedEnd: damage ? committedEnd : written,
      records,
      // After a torn tail is cut, the log ends where the last complete append did.
      endsWithMarker,
      damage: damage && {
        ...damage,
        followingEvents,
        followingRecords,
        firstFollowingOffset,
        laterWrite,
      },
    };
  } finally {
    await handle.close();
  }
}

/**
 * An older segment must hold records up to where the next one starts: the log starts a segment where
 * the last append of the one before it ended, and syncs that append first. Ending short of it means
 * acknowledged bytes came back as zeros (unwritten to the scan) or the file was cut.
 */
function missingEnd(segment: Segment, scan: SegmentScan, nextStart: number): SegmentScan['damage'] {
  const expectedEnd = nextStart - segment.start;
  if (scan.committedEnd === expectedEnd) return undefined;
  const reason =
    scan.committedEnd < expectedEnd
      ? `its records end at byte offset ${scan.committedEnd}, but the next segment starts at byte offset ` +
        `${expectedEnd} of this one: the bytes between were acknowledged and are missing`
      : `its records run past byte offset ${expectedEnd}, where the next segment starts`;
  return {
    offset: Math.min(scan.committedEnd, expectedEnd),
    reason,
    followingEvents: 0,
    followingRecords: 0,
    firstFollowingOffset: undefined,
    laterWrite: false,
  };
}

/**
 * Where the log in `directory` ends and how many events it holds, counted as FileLog.open counts them:
 * what `repair` sets writer.chk to once the segments are intact.
 */
export async function measureLog(directory: string): Promise<DurableEnd> {
  const names = (await fs.readdir(directory)).filter((name) => SEGMENT_NAME.test(name)).sort();
  let end: DurableEnd = { position: 0, events: 0 };
  for (const name of names) {
    const start = Number(name.slice(0, 20));
    const segment: Segment = {
      start,
      path: join(directory, name),
      handle: undefined,
      reserved: 0,
      prepared: 0,
      filling: undefined,
    };
    const scan = await scanSegment(segment, () => undefined);
    end = {
      position: start + Math.max(SEGMENT_HEADER_SIZE, scan.committedEnd),
      events: end.events + scan.records,
    };
  }
  return end;
}

const sameEnd = (a: DurableEnd, b: DurableEnd): boolean => a.position === b.position && a.events === b.events;

/** A UTC timestamp usable in a file name. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/[:.]/g, '-');
}

/**
 * The log's WriteFn: every byte, whatever the kernel takes per call. `onLoop`: write on the event
 * loop's thread instead of libuv's thread pool (see ON_LOOP_WRITE_MAX).
 */
export async function writeAll(
  handle: fs.FileHandle,
  buffers: readonly Buffer[],
  fileOffset: number,
  onLoop = false,
): Promise<void> {
  let offset = fileOffset;
  let pending = buffers;
  while (pending.length > 0) {
    // writev takes at most IOV_MAX (1024) buffers per call.
    const slice = pending.slice(0, 1024);
    const total = slice.reduce((sum, buffer) => sum + buffer.length, 0);
    const bytesWritten = onLoop
      ? writevSync(handle.fd, slice, offset)
      : (await handle.writev(slice, offset)).bytesWritten;
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
  private readonly chunks: { start: number; buffer: Buffer }[] = [];
  private end = SEGMENT_HEADER_SIZE;
  /** The end of the last append written. */
  private written = SEGMENT_HEADER_SIZE;

  async open(): Promise<RecoveryReport> {
    return { records: 0, truncatedBytes: 0, segments: 0, tornTail: undefined, checkpointCreated: false };
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
        this.chunks.push({ start: position, buffer });
        position += buffer.length;
      }
      this.written = position;
    }
  }

  async cutBack(): Promise<void> {
    this.end = this.written;
  }

  async read(position: number, length: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let remaining = length;
    let cursor = position;
    const first = lastStartingAtOrBefore(this.chunks, position);
    for (let index = first; remaining > 0 && index < this.chunks.length; index += 1) {
      const chunk = this.chunks[index]!;
      const from = cursor - chunk.start;
      const part = chunk.buffer.subarray(from, from + remaining);
      parts.push(part);
      remaining -= part.length;
      cursor += part.length;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  async close(): Promise<void> {}
}
