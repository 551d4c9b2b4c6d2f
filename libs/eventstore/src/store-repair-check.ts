import { PositionNotOnRecordError } from './errors.js';
import type { EventStore, LogRecord, SystemRecord } from './event-store.js';

/**
 * Where the embedded store's `eventstore repair` tells of itself (apps/eventstore/src/storage/repair.ts
 * writes these names; the repair integration test reads them back through this check): one
 * `$log-repair` event per repair that dropped anything, appended as the log's last record, naming
 * the position ranges it dropped. A real EventStoreDB never has the stream.
 */
export const LOG_REPAIRS_STREAM = '$log-repairs';
export const LOG_REPAIR_EVENT_TYPE = '$log-repair';

/** A record of `$all` a reader took last: where it was, and which it was. */
export interface ReaderPosition {
  readonly id: string;
  readonly position: bigint;
}

/** A repair after a reader's last record that dropped positions at or before it. */
export interface RepairBehindReader {
  /** Where the repair's own record is in `$all`. */
  readonly recordPosition: bigint;
  readonly repairedAt: string | undefined;
  /** The first dropped range that starts at or before the reader's last record. */
  readonly fromPosition: bigint;
  readonly toPosition: bigint;
  readonly reason: string;
}

/** What the store holds where a reader's last record was, and whether a repair took records before it. */
export type StoreCheck =
  | { readonly kind: 'kept' }
  /** Its last record is gone; the store has `foundThere` (a record's id) at that position, or nothing. */
  | { readonly kind: 'gone'; readonly foundThere: string | undefined }
  /** Its last record is there, but a repair since dropped records the reader may have taken before it. */
  | { readonly kind: 'repairedBehind'; readonly repair: RepairBehindReader };

/**
 * Whether a reader that followed `$all` still holds a prefix of the store's log. Every reader that
 * resumes from where it got to (the projector, the time-travel log index, the api's line timers)
 * runs this before every subscription and starts over from the first record unless it is `kept`:
 * resuming would keep what the store no longer has, and skip what it wrote in its place.
 *
 * Two reads. First, its last record must be in the store, at its position and with its id: it may
 * not be when `eventstore repair` cut a damaged tail while the reader waited to reconnect (or was
 * stopped), and new records now land at the cut positions, or when the store's data was replaced.
 * Second, `repair` keeps positions, so damage in the middle of the log leaves the reader's last
 * record where it was while records before it are gone: the repair records (LOG_REPAIRS_STREAM)
 * after the reader's last record are the repairs it has not been through, and one that dropped a
 * range starting at or before that record took something the reader may hold. Derived from
 * positions alone, nothing is stored beside the reader's checkpoint: once the reader has read past a
 * repair's record, that repair no longer concerns it. On a real EventStoreDB the second read finds
 * no stream. `startedOverAfter` are the repair records (see ReaderStoreCheck) the reader has started
 * over after, and so been through.
 */
export async function checkReaderAgainstStore(
  store: Pick<EventStore, 'readAllRecords' | 'readSystemStreamBackwards'>,
  last: ReaderPosition,
  startedOverAfter: ReadonlySet<string> = new Set(),
): Promise<StoreCheck> {
  const [record] = await recordAt(store, last.position);
  const found = record?.position === last.position ? record.id : undefined;
  if (found !== last.id) return { kind: 'gone', foundThere: found };
  // One event per repair that dropped anything, newest first: the stream stays a handful of events.
  for (const repair of await store.readSystemStreamBackwards(LOG_REPAIRS_STREAM)) {
    // Our store reports every event's position; a record without one is none of its repairs.
    if (repair.position === undefined || repair.position <= last.position) break;
    if (startedOverAfter.has(repairKey(repair))) continue;
    const behind = repairBehind(repair, repair.position, last.position);
    if (behind) return { kind: 'repairedBehind', repair: behind };
  }
  return { kind: 'kept' };
}

/**
 * The record at `position`, or the next one: none when the store refuses to read from there, which
 * EventStoreDB does when no record starts at it (in a replaced store, or one whose tail a repair cut,
 * it may fall inside another record): the reader's last record is not there either way.
 */
async function recordAt(store: Pick<EventStore, 'readAllRecords'>, position: bigint): Promise<LogRecord[]> {
  try {
    return await store.readAllRecords(position, 1);
  } catch (error) {
    if (error instanceof PositionNotOnRecordError) return [];
    throw error;
  }
}

/**
 * The check (checkReaderAgainstStore) of one reader that starts over from the store's first record
 * whenever the check does not keep it. Every repair recorded in `$log-repairs` by then was done before
 * anything the reader reads next, so none of them dropped a record it then holds: remembered, a reader
 * that loses its connection again before it has read past their records resumes, where it would
 * otherwise start over a second time for the same repair. They are remembered by position and id: a
 * repair recorded later, or a record that a tail cut let land at a remembered position (another id),
 * is checked as ever. The memory is the process's: a reader stopped mid-rebuild and started again from
 * a saved position starts over once more, which costs time, never a record.
 */
export class ReaderStoreCheck {
  /** The repair records in the store when the reader last started over. */
  private startedOverAfter: ReadonlySet<string> = new Set();

  async check(
    store: Pick<EventStore, 'readAllRecords' | 'readSystemStreamBackwards'>,
    last: ReaderPosition,
  ): Promise<StoreCheck> {
    const check = await checkReaderAgainstStore(store, last, this.startedOverAfter);
    if (check.kind !== 'kept') {
      // Read before the reader subscribes again from the first record: no later repair is among them.
      const repairs = await store.readSystemStreamBackwards(LOG_REPAIRS_STREAM);
      this.startedOverAfter = new Set(repairs.map(repairKey));
    }
    return check;
  }
}

/** A `$log-repairs` record as a reader remembers it: by its position and its id. */
const repairKey = (record: SystemRecord): string => `${record.position}:${record.id}`;

/** Why a reader whose check did not keep it starts over: a clause for its log line. */
export function whyStartOver(last: ReaderPosition, check: Exclude<StoreCheck, { kind: 'kept' }>): string {
  if (check.kind === 'gone')
    return (
      `the last record read, ${last.id} at $all position ${last.position}, is not in this store` +
      `${check.foundThere ? `, which has ${check.foundThere} there` : ''}: the store was replaced, or ` +
      'repaired and its tail cut'
    );
  const { repair } = check;
  return (
    `eventstore repair${repair.repairedAt ? ` at ${repair.repairedAt}` : ''} (its record at $all position ` +
    `${repair.recordPosition}) dropped positions ${repair.fromPosition}..${repair.toPosition} (${repair.reason}), ` +
    `before the last record read, at ${last.position}`
  );
}

/** The first range `record` says it dropped that starts at or before `position`, if any. */
function repairBehind(
  record: SystemRecord,
  recordPosition: bigint,
  position: bigint,
): RepairBehindReader | undefined {
  if (record.type !== LOG_REPAIR_EVENT_TYPE) return undefined;
  const data = (record.data ?? {}) as { repairedAt?: unknown; dropped?: unknown };
  const ranges = Array.isArray(data.dropped) ? (data.dropped as unknown[]) : [];
  for (const range of ranges) {
    const { fromPosition, toPosition, reason } = (range ?? {}) as Record<string, unknown>;
    if (typeof fromPosition !== 'number' || typeof toPosition !== 'number') continue;
    if (BigInt(fromPosition) > position) continue;
    return {
      recordPosition,
      repairedAt: typeof data.repairedAt === 'string' ? data.repairedAt : undefined,
      fromPosition: BigInt(fromPosition),
      toPosition: BigInt(toPosition),
      reason: typeof reason === 'string' ? reason : 'no reason given',
    };
  }
  return undefined;
}
