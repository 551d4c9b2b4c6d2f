import { randomUUID } from 'node:crypto';
import { promises as fs, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';

import {
  type CheckpointRead,
  type DurableEnd,
  WRITER_CHECKPOINT_FILE,
  readCheckpoint,
  writeCheckpoint,
} from './checkpoint.js';
import { FileLog, fileStamp, measureLog } from './log.js';
import { LogStore } from './log-store.js';
import {
  FLAG_COMMIT_END,
  FLAG_FILLER,
  FLAG_TOMBSTONE,
  MAX_RECORD_SIZE,
  RECORD_HEADER_SIZE,
  decodeRecord,
  encodeFiller,
} from './record.js';
import { SEGMENT_NAME, encodeSegmentHeader, readSegmentHeader, walkSegment } from './segment.js';

/** An event that passed its checksum but had to go; see `repairLog`. */
export interface DroppedEvent {
  readonly stream: string;
  readonly revision: number;
  readonly position: number;
}

/** One contiguous byte range taken out of a segment. Positions are log positions (what clients see). */
export interface DroppedRange {
  readonly fromPosition: number;
  readonly toPosition: number;
  readonly fromOffset: number;
  readonly toOffset: number;
  readonly reason: string;
  readonly events: readonly DroppedEvent[];
}

export interface SegmentRepair {
  readonly file: string;
  /** Byte-for-byte copy of the file as it was before the repair. */
  readonly copy: string;
  /** Why the header was written again from the file's name, if it was. */
  readonly headerRewritten: string | undefined;
  readonly dropped: readonly DroppedRange[];
  /** Where the file was cut when its last dropped range ran to its end. */
  readonly cutAt: number | undefined;
  /** Valid events after the first damage that stay, at their positions. */
  readonly keptAfterDamage: number;
}

export interface RepairReport {
  readonly directory: string;
  readonly segments: number;
  readonly repaired: readonly SegmentRepair[];
  /** What writer.chk held before the repair, and what it was set to: the log's end after the repair. */
  readonly checkpoint: { readonly before: CheckpointRead; readonly after: DurableEnd };
  /** The repair's own record (see LOG_REPAIRS_STREAM), when it dropped anything. */
  readonly repairRecord: { readonly position: number; readonly data: LogRepairData } | undefined;
}

/**
 * The system stream every repair that dropped anything appends one `$log-repair` event to, as the
 * log's last record. Readers that resume from a position (libs/eventstore's checkReaderAgainstStore)
 * read it through the ordinary client: a repair record after their position that names a dropped
 * range at or before it means they hold events the store no longer has. The `$` prefixes keep it
 * out of read models and process managers, as EventStoreDB's own system streams are.
 */
export const LOG_REPAIRS_STREAM = '$log-repairs';
export const LOG_REPAIR_EVENT_TYPE = '$log-repair';

/** A `$log-repair` event's data (JSON): what one run of `repair` took out of the log. */
export interface LogRepairData {
  readonly repairedAt: string;
  readonly dropped: readonly {
    readonly fromPosition: number;
    readonly toPosition: number;
    /** Intact events known to have been there (damaged bytes may have held others). */
    readonly events: number;
    readonly reason: string;
  }[];
}

type Item =
  | {
      readonly kind: 'record';
      readonly start: number;
      readonly end: number;
      readonly flags: number;
      readonly stream: string;
      readonly revision: number;
    }
  | { readonly kind: 'damage'; readonly start: number; readonly end: number; readonly reason: string };

type RecordItem = Item & { kind: 'record' };

/**
 * Makes a damaged log startable again, losing as little as the format allows. Run with the store
 * stopped. For each segment that needs it, the file is first copied byte for byte to
 * `<file>.damaged-<UTC time>`; no segment file is ever deleted.
 *
 * Positions are byte offsets, so records after damaged bytes can keep their positions only if the
 * bytes in between stay: the damaged bytes are overwritten with FILLER records (valid records that
 * hold no event), and every valid record keeps its position. Only a dropped range that runs to the
 * end of the newest file's records (a torn tail) is cut instead. An older file's records must reach
 * where the next file starts: bytes missing there (zeros, or a file cut short) are filled too.
 * Besides the damaged bytes, repair drops:
 * - the other records of an append that lost a record (appends are atomic);
 * - every later record of a stream that lost a revision: readers and writers rely on a stream's
 *   revisions being 0, 1, 2, … without gaps, so the stream goes on from its last intact revision.
 * A segment header that fails its checks is written again from the file's name.
 *
 * Last, writer.chk is set to where the repaired log ends. When it said the log reached further (the
 * newest segment was deleted or cut short), that is the repair accepting the loss of those appends:
 * the report shows both ends.
 *
 * When it dropped anything (damaged bytes, intact events, a lost tail), the repair then appends one
 * `$log-repair` event to `$log-repairs` naming every dropped position range: positions do not move,
 * so a reader's last record may still be where it was while events before it are gone, and this
 * record is how the reader learns it (see LOG_REPAIRS_STREAM).
 */
export async function repairLog(
  directory: string,
  now: () => Date = () => new Date(),
): Promise<RepairReport> {
  const names = (await fs.readdir(directory)).filter((name) => SEGMENT_NAME.test(name)).sort();
  const nextRevisions = new Map<string, number>();
  const broken = new Set<string>();
  const repaired: SegmentRepair[] = [];
  for (const [index, name] of names.entries()) {
    const path = join(directory, name);
    const start = Number(name.slice(0, 20));
    const { written, header, items } = await readItems(path, start);
    const next = names[index + 1];
    // An older segment's records run to where the next segment starts (see FileLog); the newest's to
    // where its zeros, if any, begin.
    const end = next === undefined ? written : Number(next.slice(0, 20)) - start;
    if (written > end)
      throw new Error(
        `${path}: records run past byte offset ${end}, where the next segment starts; repair cannot tell ` +
          'which of the two files is right, and changed nothing',
      );
    const dropped: DroppedRange[] = [];
    const drop = (from: number, to: number, reason: string, records: readonly RecordItem[]): void => {
      for (const record of records)
        if ((record.flags & (FLAG_FILLER | FLAG_TOMBSTONE)) === 0) broken.add(record.stream);
      dropped.push({
        fromPosition: start + from,
        toPosition: start + to,
        fromOffset: from,
        toOffset: to,
        reason,
        events: records
          .filter((record) => (record.flags & FLAG_FILLER) === 0)
          .map((record) => ({
            stream: record.stream,
            revision: record.revision,
            position: start + record.start,
          })),
      });
    };
    let append: RecordItem[] = [];
    let damaged = false;
    let keptAfterDamage = 0;
    for (const item of items) {
      if (item.kind === 'damage') {
        if (append.length > 0)
          drop(append[0]!.start, item.start, 'the rest of an append whose later records are damaged', append);
        append = [];
        drop(item.start, item.end, `damaged bytes (${item.reason})`, []);
        damaged = true;
        continue;
      }
      append.push(item);
      if ((item.flags & FLAG_COMMIT_END) === 0) continue;
      const gap = revisionGap(append, nextRevisions, broken);
      if (gap) {
        drop(append[0]!.start, item.end, gap, append);
      } else {
        for (const record of append) {
          if ((record.flags & (FLAG_FILLER | FLAG_TOMBSTONE)) !== 0) continue;
          nextRevisions.set(record.stream, record.revision + 1);
          if (damaged) keptAfterDamage += 1;
        }
      }
      append = [];
    }
    if (append.length > 0) drop(append[0]!.start, written, 'an incomplete final append', append);
    if (written < end)
      drop(
        written,
        end,
        'acknowledged bytes missing before the next segment (zeros, or the file was cut)',
        [],
      );
    if (header.ok && dropped.length === 0) continue;

    const copy = `${path}.damaged-${fileStamp(now())}`;
    await fs.copyFile(path, copy, fsConstants.COPYFILE_EXCL);
    await syncFile(copy);
    const ranges = merge(dropped);
    const last = ranges.at(-1);
    // Only the newest segment is cut: an older one keeps its length, or positions would have a gap.
    const cutAt = next === undefined && last && last.to === written ? last.from : undefined;
    const fills = ranges.filter((range) => cutAt === undefined || range !== last);
    const tooShort = fills.find((range) => range.to - range.from < RECORD_HEADER_SIZE);
    if (tooShort) {
      // Only bytes the store never wrote can put a valid record this close after damaged ones.
      throw new Error(
        `${path}: the damaged bytes ${tooShort.from}..${tooShort.to} are shorter than a record ` +
          `(${RECORD_HEADER_SIZE} bytes) and cannot be replaced in place; nothing was changed in this file ` +
          `(a copy is at ${copy})`,
      );
    }
    const handle = await fs.open(path, 'r+');
    try {
      if (!header.ok) await write(handle, encodeSegmentHeader(start, 1), 0);
      for (const range of fills) await fill(handle, range.from, range.to);
      if (cutAt !== undefined) await handle.truncate(cutAt);
      await handle.sync();
    } finally {
      await handle.close();
    }
    repaired.push({
      file: path,
      copy,
      // Version 1: whether this file's writes were marked cannot be known once its header is lost.
      headerRewritten: header.ok ? undefined : header.reason,
      dropped,
      cutAt,
      keptAfterDamage,
    });
  }
  const before = await readCheckpoint(directory);
  const after = await measureLog(directory);
  await writeCheckpoint(directory, after);
  const dropped = repaired.flatMap((segment) =>
    segment.dropped.map((range) => ({
      fromPosition: range.fromPosition,
      toPosition: range.toPosition,
      events: range.events.length,
      reason: range.reason,
    })),
  );
  if (before.kind === 'read' && before.end.position > after.position)
    dropped.push({
      fromPosition: after.position,
      toPosition: before.end.position,
      events: before.end.events - after.events,
      reason: `acknowledged appends missing from the log's end (${WRITER_CHECKPOINT_FILE} said it reached further)`,
    });
  const repairRecord =
    dropped.length === 0
      ? undefined
      : await appendRepairRecord(directory, { repairedAt: now().toISOString(), dropped });
  return { directory, segments: names.length, repaired, checkpoint: { before, after }, repairRecord };
}

/**
 * Appends the repair's record through the store's own append path (durable, indexed, recovered like
 * any event), so that a reader learns of the repair from the store itself, whether it was stopped
 * during the repair or waits to reconnect.
 */
async function appendRepairRecord(
  directory: string,
  data: LogRepairData,
): Promise<{ position: number; data: LogRepairData }> {
  // No zeros filled ahead: this process writes one record and exits.
  const { store } = await LogStore.open(new FileLog(directory, { zeroFill: false }));
  try {
    const outcome = await store.append(LOG_REPAIRS_STREAM, 'any', [
      {
        id: randomUUID(),
        type: LOG_REPAIR_EVENT_TYPE,
        contentType: 'application/json',
        data: Buffer.from(JSON.stringify(data), 'utf8'),
        metadata: new Uint8Array(0),
      },
    ]);
    if (outcome.kind !== 'success' || outcome.position === undefined)
      throw new Error(`the repair's record could not be appended to ${LOG_REPAIRS_STREAM}`);
    return { position: outcome.position, data };
  } finally {
    await store.close();
  }
}

/** Why an append cannot stay without leaving a gap in a stream's revisions, or undefined if it can. */
function revisionGap(
  append: readonly RecordItem[],
  nextRevisions: ReadonlyMap<string, number>,
  broken: ReadonlySet<string>,
): string | undefined {
  const expected = new Map<string, number>();
  for (const record of append) {
    if ((record.flags & (FLAG_FILLER | FLAG_TOMBSTONE)) !== 0) continue;
    if (broken.has(record.stream))
      return `stream ${record.stream} lost an earlier revision; its revisions cannot have a gap`;
    const next = expected.get(record.stream) ?? nextRevisions.get(record.stream) ?? 0;
    if (record.revision !== next)
      return `stream ${record.stream} is missing revision ${next} (lost before this damage was found)`;
    expected.set(record.stream, next + 1);
  }
  return undefined;
}

async function readItems(
  path: string,
  start: number,
): Promise<{ written: number; header: Awaited<ReturnType<typeof readSegmentHeader>>; items: Item[] }> {
  const handle = await fs.open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const header = await readSegmentHeader(handle, start);
    const items: Item[] = [];
    const written = await walkSegment(handle, size, {
      record: (fileOffset, chunk, offset, length) => {
        const record = decodeRecord(chunk, offset);
        items.push({
          kind: 'record',
          start: fileOffset,
          end: fileOffset + length,
          flags: record.flags,
          stream: record.stream,
          revision: record.revision,
        });
      },
      damage: (fileOffset, end, reason) => items.push({ kind: 'damage', start: fileOffset, end, reason }),
    });
    return { written, header, items };
  } finally {
    await handle.close();
  }
}

function merge(dropped: readonly DroppedRange[]): { from: number; to: number }[] {
  const ranges: { from: number; to: number }[] = [];
  for (const range of dropped) {
    const last = ranges.at(-1);
    if (last && last.to === range.fromOffset) last.to = range.toOffset;
    else ranges.push({ from: range.fromOffset, to: range.toOffset });
  }
  return ranges;
}

/** Overwrites [from, to) with FILLER records, none larger than a record may be. */
async function fill(handle: fs.FileHandle, from: number, to: number): Promise<void> {
  let offset = from;
  while (offset < to) {
    const remaining = to - offset;
    // Never leave a rest too short to be a record of its own.
    const length =
      remaining <= MAX_RECORD_SIZE ? remaining : Math.min(MAX_RECORD_SIZE, remaining - RECORD_HEADER_SIZE);
    await write(handle, encodeFiller(length), offset);
    offset += length;
  }
}

async function write(handle: fs.FileHandle, buffer: Buffer, offset: number): Promise<void> {
  let done = 0;
  while (done < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, done, buffer.length - done, offset + done);
    done += bytesWritten;
  }
}

async function syncFile(path: string): Promise<void> {
  const handle = await fs.open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
