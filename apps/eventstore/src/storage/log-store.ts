import { randomUUID } from 'node:crypto';

import { type Column, float64Column, uint32Column } from './columns.js';
import type { LogDevice, PendingWrite, RecoveryReport } from './log.js';
import {
  FLAG_TOMBSTONE,
  RECORD_HEADER_SIZE,
  checkRecord,
  decodeRecord,
  encodeFiller,
  encodeRecords,
  uuidToBytes,
} from './record.js';

/** An exact revision is a bigint: a request may expect one no number holds (up to 2^63 - 1). */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;
export type CurrentRevision = number | 'no_stream';

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export type AppendOutcome =
  | { readonly kind: 'success'; readonly revision: CurrentRevision; readonly position: number | undefined }
  | {
      readonly kind: 'wrong_expected_version';
      readonly current: CurrentRevision;
      readonly expected: ExpectedRevision;
    };

/**
 * One event's record as the log holds it, at its place in the log (index `seq`, byte `position`).
 * Not libs/eventstore's StoredEvent, which is a decoded event as a client of the server sees it.
 */
export interface LogRecord {
  readonly seq: number;
  readonly position: number;
  /** The raw record (see record.ts); decode it with `decodeRecord(buffer, 0)`. */
  readonly buffer: Buffer;
}

export type StreamView =
  | { readonly kind: 'missing' }
  | { readonly kind: 'tombstoned' }
  | {
      readonly kind: 'found';
      /** Lowest and highest revision a reader may see ($tb, $maxCount, soft delete applied). */
      readonly first: number;
      readonly last: number;
      readonly maxAgeSeconds: number | undefined;
    };

export class StreamDeletedError extends Error {
  constructor(readonly stream: string) {
    super(`stream ${stream} is deleted`);
  }
}

export class MaxAppendSizeExceededError extends Error {
  constructor(readonly maxAppendSize: number) {
    super(`append exceeds the maximum append size of ${maxAppendSize} bytes`);
  }
}

export class InvalidEventIdError extends Error {}

/** EventStoreDB's words for an all-zero event id (its `Event` constructor; .NET appends the parameter). */
export const EMPTY_EVENT_ID = "Empty eventId provided. (Parameter 'eventId')";

/** An empty stream name, or a stream name, event type or content type longer than a record can hold. */
export class InvalidNameError extends Error {}

/** Bytes a record holds of a stream name, an event type or a content type (16-bit lengths). */
const MAX_NAME_BYTES = 0xffff;

/**
 * Refuses, before anything is staged, a name a record cannot hold. A stream name must leave room
 * for its `$$` metadata stream, which a delete or a recreating append writes to. An empty stream
 * name is refused as EventStoreDB refuses it (`Ensure.NotNullOrEmpty` on every stream operation).
 */
function checkNames(streamName: string, events: readonly ProposedEvent[] = []): void {
  if (streamName === '') throw new InvalidNameError('the stream name is empty');
  const tooLong = (what: string, text: string, limit = MAX_NAME_BYTES): void => {
    const bytes = Buffer.byteLength(text);
    if (bytes > limit)
      throw new InvalidNameError(`${what} is ${bytes} bytes of UTF-8; this server takes at most ${limit}`);
  };
  tooLong('the stream name', streamName, MAX_NAME_BYTES - 2);
  for (const event of events) {
    tooLong('an event type', event.type);
    tooLong('a content type', event.contentType);
  }
}

export class StoreUnavailableError extends Error {}

/**
 * An append refused because the log could not be written: its own write failed (a full disk, an I/O
 * error), or an earlier one did and the store takes no appends until it has recovered from it.
 * Nothing of the append is in the log, and nothing of it is served.
 */
export class LogWriteFailedError extends StoreUnavailableError {
  constructor(
    /** The failed write's error code (ENOSPC, EDQUOT, EIO…), or 'unknown'. */
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LogWriteFailedError';
  }
}

/** What the store reports when a write to its log fails (see EventStoreOptions.onWriteFailed). */
export interface WriteFailure {
  readonly error: Error;
  readonly code: string;
  /** Appends refused with it: those the write held and those staged after it. */
  readonly refusedAppends: number;
  /**
   * True: the disk was out of space and the log was cut back, so appends are taken again and succeed
   * once the disk has room. False: every append is refused until the store is restarted.
   */
  readonly resumes: boolean;
}

/** Failed writes and refused appends from a first failed write to the next write that succeeded. */
export interface WriteOutage {
  readonly failedWrites: number;
  readonly refusedAppends: number;
}

/**
 * Errors of a write that leave the log as it was before it once cut back: the disk (or the user's
 * quota) is out of space, which freeing some cures without a restart. Any other error (EIO above all)
 * says the disk itself failed: the store stops taking appends until a restart checks every record,
 * as EventStoreDB stops its node when its writer fails.
 */
const OUT_OF_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * A failed write's error and its code (ENOSPC, EIO…; 'unknown' without one), read from its fields:
 * an error thrown by Node's file system is not always an `instanceof Error` of this realm (Jest's
 * module sandbox), and wrapping it would lose its code.
 */
function errnoError(thrown: unknown): { error: Error; code: string } {
  const { code, message } = (thrown ?? {}) as { code?: unknown; message?: unknown };
  return {
    error:
      thrown instanceof Error ? thrown : new Error(typeof message === 'string' ? message : String(thrown)),
    code: typeof code === 'string' ? code : 'unknown',
  };
}

/** EventStoreDB's default `--max-append-size`. */
export const MAX_APPEND_SIZE = 1024 * 1024;
/** The largest `--max-append-size` taken: EventStoreDB's, a log record's 16 MiB. */
export const MAX_APPEND_SIZE_LIMIT = 16 * 1024 * 1024;
/** What EventStoreDB writes as `$tb` for a soft delete (long.MaxValue); JSON.parse rounds it up. */
const SOFT_DELETED_TB = '9223372036854775807';
const LONG_MAX = BigInt(SOFT_DELETED_TB);
const METADATA_EVENT_TYPE = '$metadata';
/** The content type of JSON events: EventStoreDB flags them IsJson, and reads metadata only from those. */
const JSON_CONTENT_TYPE = 'application/json';
const TOMBSTONE_EVENT_TYPE = '$streamDeleted';

interface StreamMetadataLimits {
  readonly maxCount: number | undefined;
  readonly maxAgeSeconds: number | undefined;
  readonly truncateBefore: number | undefined;
  readonly softDeleted: boolean;
}

const NO_LIMITS: StreamMetadataLimits = {
  maxCount: undefined,
  maxAgeSeconds: undefined,
  truncateBefore: undefined,
  softDeleted: false,
};

interface StreamState {
  readonly ref: number;
  readonly name: string;
  /** revision → seq (global event number): the stream's part of the index. */
  readonly seqs: Column<Uint32Array>;
  // Write side, including appends not yet durable: what expected-revision checks see.
  nextRevision: number;
  tombstoned: boolean;
  metadata: Record<string, unknown>;
  limits: StreamMetadataLimits;
  // Read side, committed appends only: what readers see, and what the write side returns to when the
  // appends staged after them fail to be written.
  visibleTombstoned: boolean;
  visibleLimits: StreamMetadataLimits;
  visibleMetadata: Record<string, unknown>;
}

interface StagedRecord {
  readonly stream: StreamState;
  readonly type: string;
  readonly contentType: string;
  readonly id: Buffer;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  readonly tombstone?: boolean;
}

/** How to take back what `rememberId` did for one staged event, if its write fails. */
interface IdCacheUndo {
  readonly seq: number;
  readonly key: string;
  readonly slot: number;
  /** The seq the id cache held for `key` before (an id appended again), if any. */
  readonly previous: number | undefined;
  /** What the ring slot held, and whether the id cache dropped it for this event. */
  readonly evicted: string | undefined;
  readonly evictedSeq: number;
  readonly evictedDropped: boolean;
}

/** An append of no events writes a header alone (recovered fillers, of any size, report their own). */
const EMPTY_APPEND_RECORD_SIZE = RECORD_HEADER_SIZE;

interface Waiter {
  /** The log position of the last record waited for: the caller is answered once it is durable. */
  readonly position: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export interface EventStoreOptions {
  /** Bytes of recently written records kept in RAM for readers and live subscriptions. */
  readonly tailCacheBytes?: number;
  /** Recently appended event ids remembered for idempotent re-appends. */
  readonly idCacheSize?: number;
  /** Bytes an append may hold (data, metadata and twice the type); MAX_APPEND_SIZE by default. */
  readonly maxAppendSize?: number;
  readonly now?: () => number;
  /**
   * Called when a write to the log fails (a full disk, an I/O error) after writes worked, and when a
   * failure makes the store refuse every append until a restart: the operator must hear of it (the
   * server prints it). Further failures of a disk that stays full are counted, not reported one by one.
   */
  readonly onWriteFailed?: (failure: WriteFailure) => void;
  /** Called when a write succeeds after failed ones: appends are durable again. */
  readonly onWritesResumed?: (outage: WriteOutage) => void;
}

/**
 * The storage engine: an append-only log plus an in-memory index, with optimistic concurrency,
 * idempotent appends, stream metadata, soft delete and tombstones. It knows nothing about gRPC.
 *
 * Appends are staged synchronously (revisions and positions assigned, index updated) so that
 * expected-revision checks of later appends see them, and become visible to readers only once the
 * log has made them durable: readers are bounded by `committedCount`.
 *
 * Named for what it is, the log's store, so that it is never taken for libs/eventstore's EventStore,
 * the applications' door to a store server over gRPC.
 */
export class LogStore {
  private readonly positions = float64Column();
  private readonly lengths = uint32Column();
  private readonly streamRefs = uint32Column();
  private readonly typeRefs = uint32Column();
  private readonly revisions = float64Column();

  private readonly streams = new Map<string, StreamState>();
  private readonly streamsByRef: StreamState[] = [];
  private readonly typeIds = new Map<string, number>();
  private readonly typeNames: string[] = [];

  private readonly idCache = new Map<string, number>();
  /**
   * The ids cached, in the order they were appended: a ring of `idCacheLimit` slots, so evicting the
   * oldest is O(1). Taking a Map's first key is not: V8 walks over every slot earlier deletes left
   * empty, which cost ~66 µs per appended event once the cache was full (after 100,000 events).
   */
  private readonly idRing: (string | undefined)[] = [];
  private readonly idRingSeqs: Uint32Array;
  private idRingNext = 0;
  /** One entry per staged event not yet durable, in seq order: see forgetUncommitted. */
  private idCacheUndo: IdCacheUndo[] = [];
  private readonly tailCache = new Map<number, Buffer>();
  private tailCacheBytes = 0;
  /** Oldest seq in the tail cache: records enter it in seq order, so they leave it from here. */
  private tailStart = 0;

  private stagedCount = 0;
  private committed = 0;
  private readonly pendingWrites: PendingWrite[] = [];
  private pendingLastSeq = -1;
  /**
   * Streams and event types named, after the last staged append and after the last durable one:
   * those first named by appends whose write failed are forgotten with them.
   */
  private pendingNames = { streams: 0, types: 0 };
  private durableNames = { streams: 0, types: 0 };
  private readonly pendingEffects: (() => void)[] = [];
  private waiters: Waiter[] = [];
  /**
   * Positions (ascending) of the records that hold no event, staged or durable (the first
   * `durableFillers`), and where the last durable one ends: a `$all` read may start from any record's
   * position, and EventStoreDB's writer checkpoint, the log's end, counts them.
   */
  private readonly fillers: number[] = [];
  private durableFillers = 0;
  private durableFillerEnd = 0;
  private flushing: Promise<void> | undefined;
  /** While set, appends are refused with it: the log is being cut back, or failed for good. */
  private refusal: LogWriteFailedError | undefined;
  /** From a failed write to the next write that succeeds. */
  private outage: { failedWrites: number; refusedAppends: number } | undefined;
  /** Times staged appends were taken back: an append that waited on a read must not stage on stale state. */
  private forgets = 0;
  private closing = false;
  private readonly commitListeners = new Set<() => void>();

  private readonly tailCacheLimit: number;
  private readonly idCacheLimit: number;
  /** Bytes an append may hold, measured as EventStoreDB does: data, metadata and twice the type's UTF-16 length. */
  readonly maxAppendSize: number;
  private readonly now: () => number;
  private readonly onWriteFailed: ((failure: WriteFailure) => void) | undefined;
  private readonly onWritesResumed: ((outage: WriteOutage) => void) | undefined;

  private constructor(
    private readonly log: LogDevice,
    options: EventStoreOptions,
  ) {
    this.tailCacheLimit = options.tailCacheBytes ?? 64 * 1024 * 1024;
    this.idCacheLimit = Math.max(1, options.idCacheSize ?? 100_000);
    this.maxAppendSize = options.maxAppendSize ?? MAX_APPEND_SIZE;
    this.idRingSeqs = new Uint32Array(this.idCacheLimit);
    this.now = options.now ?? Date.now;
    this.onWriteFailed = options.onWriteFailed;
    this.onWritesResumed = options.onWritesResumed;
  }

  /** Opens the log, replays it to rebuild the index, and returns the ready store. */
  static async open(
    log: LogDevice,
    options: EventStoreOptions = {},
  ): Promise<{ store: LogStore; recovery: RecoveryReport }> {
    const store = new LogStore(log, options);
    const recovery = await log.open(
      (position, chunk, offset) => store.replay(position, chunk, offset),
      (position, length) => {
        store.fillers.push(position);
        store.durableFillerEnd = position + length;
      },
    );
    store.durableFillers = store.fillers.length;
    store.committed = store.stagedCount;
    // Recovered records are read from the log; the tail cache starts with the next append.
    store.tailStart = store.stagedCount;
    store.durableNames = { streams: store.streamsByRef.length, types: store.typeNames.length };
    return { store, recovery };
  }

  /** Streams the index holds (each costs memory of its own, events or not). */
  get streamCount(): number {
    return this.streamsByRef.length;
  }

  /** Number of durable events; seq numbers below it are readable. */
  get committedCount(): number {
    return this.committed;
  }

  private replay(position: number, chunk: Buffer, offset: number): void {
    const record = decodeRecord(chunk, offset);
    const stream = this.streamState(record.stream);
    const tombstone = (record.flags & FLAG_TOMBSTONE) !== 0;
    if (!tombstone) stream.nextRevision = record.revision + 1;
    this.index(
      stream,
      record.type,
      record.id,
      record.revision,
      position,
      chunk.readUInt32LE(offset),
      tombstone,
    );
    this.applyWriteSide(stream, record.contentType, record.data, tombstone)();
  }

  // ---------------------------------------------------------------- appends

  async append(
    streamName: string,
    expected: ExpectedRevision,
    events: readonly ProposedEvent[],
  ): Promise<AppendOutcome> {
    this.assertWritable();
    checkNames(streamName, events);
    let size = 0;
    const ids: Buffer[] = [];
    for (const event of events) {
      // The type counts twice its UTF-16 length, as EventStoreDB's Event.SizeOnDisk counts .NET's Length.
      size += event.data.length + event.metadata.length + 2 * event.type.length;
      const id = uuidToBytes(event.id);
      if (!id) throw new InvalidEventIdError(`event id ${event.id} is not a UUID`);
      // As EventStoreDB's Event refuses Guid.Empty, over every path that appends.
      if (id.every((byte) => byte === 0)) throw new InvalidEventIdError(EMPTY_EVENT_ID);
      ids.push(id);
    }
    if (size > this.maxAppendSize) throw new MaxAppendSizeExceededError(this.maxAppendSize);

    const existing = this.streams.get(streamName);
    // Rarely (an old revision, or after a restart) the ids to compare must be read from the log
    // first; the decision below is then taken after that read, synchronously with the staging.
    const unseen = existing && this.idsToRead(existing, expected, ids);
    const forgets = this.forgets;
    const read = unseen && new Map((await this.load(unseen)).map((record) => [record.seq, idOf(record)]));
    if (read) {
      this.assertWritable();
      // The seqs read may have been staged, taken back after a failed write and given to other events.
      if (this.forgets !== forgets)
        throw new StoreUnavailableError('a write to the log failed while this append was being checked');
    }
    if (this.isTombstoned(streamName)) throw new StreamDeletedError(streamName);
    const replayed = existing && this.idempotentResult(existing, expected, ids, read);
    if (replayed) {
      if (replayed.seq !== undefined) await this.whenCommitted(replayed.seq);
      return replayed.outcome;
    }
    const conflict = this.checkExpected(existing, streamName, expected);
    if (conflict) return conflict;
    if (events.length === 0) {
      // EventStoreDB writes a record holding no event (StorageWriterService's WritePrepares, an empty
      // prepare) and answers its position: a subscription from it gets the next event, written after it.
      const position = this.stageFiller();
      // Then, as its SoftUndeleteStream does, it recreates a soft-deleted stream, empty.
      const recreated =
        existing?.limits.softDeleted &&
        this.stage([this.metadataRecord(existing, { ...existing.metadata, $tb: existing.nextRevision })]);
      await (recreated ? this.whenCommitted(recreated[0]!.seq) : this.whenWritten(position));
      return { kind: 'success', revision: revisionOrNoStream(existing), position };
    }

    const stream = existing ?? this.streamState(streamName);
    const records: StagedRecord[] = events.map((event, index) => ({
      stream,
      type: event.type,
      contentType: event.contentType,
      id: ids[index]!,
      data: event.data,
      metadata: event.metadata,
    }));
    if (stream.limits.softDeleted) {
      // Appending to a soft-deleted stream recreates it: readers see only the new events. As in
      // EventStoreDB, the metadata saying so follows the events, in the same (atomic) write.
      records.push(this.metadataRecord(stream, { ...stream.metadata, $tb: stream.nextRevision }));
    }
    const placed = this.stage(records);
    const last = placed[events.length - 1]!;
    await this.whenCommitted(placed.at(-1)!.seq);
    return { kind: 'success', revision: last.revision, position: last.position };
  }

  /**
   * Soft delete: replaces the stream's metadata with `{"$tb": max}` alone, as EventStoreDB does (its
   * other properties are gone); the numbering continues on a later append.
   */
  delete(streamName: string, expected: ExpectedRevision): Promise<{ position: number }> {
    return this.deleteWith(
      streamName,
      expected,
      (stream) => this.metadataRecord(stream, { $tb: SOFT_DELETED_TB }),
      (existing) => {
        // EventStoreDB's StorageWriterService refuses to soft-delete a stream with neither events nor
        // metadata, whatever was expected (`any` and `no_stream` included), as a wrong expected
        // version with current -1; metadata alone makes the stream exist for it.
        const metadataStream = this.streams.get(`$$${streamName}`);
        if (
          revisionOrNoStream(existing) === 'no_stream' &&
          revisionOrNoStream(metadataStream) === 'no_stream'
        )
          throw new WrongExpectedVersionError(streamName, 'no_stream', expected);
      },
    );
  }

  /** Hard delete: a `$streamDeleted` record after which the stream can never be read or written again. */
  tombstone(streamName: string, expected: ExpectedRevision): Promise<{ position: number }> {
    return this.deleteWith(streamName, expected, (stream) => ({
      stream,
      type: TOMBSTONE_EVENT_TYPE,
      contentType: 'application/octet-stream',
      id: randomId(),
      data: new Uint8Array(0),
      metadata: new Uint8Array(0),
      tombstone: true,
    }));
  }

  /**
   * Both deletes refuse a tombstoned stream and a wrong expected revision alike (thrown, as the
   * client's delete answers them), then what `refuse` throws for this kind of delete, then commit the
   * one record that deletes the stream.
   */
  private async deleteWith(
    streamName: string,
    expected: ExpectedRevision,
    deletion: (stream: StreamState) => StagedRecord,
    refuse: (existing: StreamState | undefined) => void = noop,
  ): Promise<{ position: number }> {
    this.assertWritable();
    checkNames(streamName);
    const existing = this.streams.get(streamName);
    if (this.isTombstoned(streamName)) throw new StreamDeletedError(streamName);
    const conflict = this.checkExpected(existing, streamName, expected);
    if (conflict) throw new WrongExpectedVersionError(streamName, conflict.current, conflict.expected);
    refuse(existing);
    const [last] = this.stage([deletion(existing ?? this.streamState(streamName))]);
    await this.whenCommitted(last.seq);
    return { position: last.position };
  }

  /**
   * Write side: the stream is tombstoned, or it is the metadata stream of a tombstoned stream, which
   * EventStoreDB deletes with it.
   */
  private isTombstoned(streamName: string): boolean {
    if (this.streams.get(streamName)?.tombstoned) return true;
    return streamName.startsWith('$$') && (this.streams.get(streamName.slice(2))?.tombstoned ?? false);
  }

  private metadataRecord(stream: StreamState, metadata: Record<string, unknown>): StagedRecord {
    // `$tb` for a soft delete must keep all 19 digits, which JSON.stringify of a number cannot.
    const json = JSON.stringify(metadata).replace(`"${SOFT_DELETED_TB}"`, SOFT_DELETED_TB);
    return {
      stream: this.streamState(`$$${stream.name}`),
      type: METADATA_EVENT_TYPE,
      contentType: JSON_CONTENT_TYPE,
      id: randomId(),
      data: Buffer.from(json, 'utf8'),
      metadata: new Uint8Array(0),
    };
  }

  private checkExpected(
    stream: StreamState | undefined,
    streamName: string,
    expected: ExpectedRevision,
  ): (AppendOutcome & { kind: 'wrong_expected_version' }) | undefined {
    const current = revisionOrNoStream(stream);
    const softDeleted = stream?.limits.softDeleted ?? false;
    let ok: boolean;
    switch (expected) {
      case 'any':
        ok = true;
        break;
      case 'no_stream':
        ok = current === 'no_stream' || softDeleted;
        break;
      case 'stream_exists':
        if (softDeleted) throw new StreamDeletedError(streamName);
        // As in EventStoreDB, a stream whose metadata was written exists, events or not.
        ok = current !== 'no_stream' || (this.streams.get(`$$${streamName}`)?.nextRevision ?? 0) > 0;
        break;
      default:
        ok = current !== 'no_stream' && BigInt(current) === expected;
    }
    return ok ? undefined : { kind: 'wrong_expected_version', current, expected };
  }

  /**
   * Re-sending events that were just appended succeeds with the original result and writes nothing,
   * decided as EventStoreDB's CheckCommit does. With `any` or `stream_exists`, every id must be known
   * in this stream (through the bounded id cache), at any revision and in any order, and the answer
   * is the last one's revision. With `no_stream` or an exact revision, the events right after the
   * expectation must have these ids, one after the other (an id appended more than once counts at
   * each of its revisions). When the first id does not match the append goes on as an ordinary one;
   * when a later one does not, it is a conflict.
   */
  private idempotentResult(
    stream: StreamState,
    expected: ExpectedRevision,
    ids: readonly Buffer[],
    read: ReadonlyMap<number, Buffer> = new Map(),
  ): { outcome: AppendOutcome; seq?: number } | undefined {
    if (ids.length === 0) return undefined;
    // A soft-deleted stream is not there for stream_exists, even for ids it holds.
    if (expected === 'stream_exists' && stream.limits.softDeleted) return undefined;
    const conflict = {
      kind: 'wrong_expected_version',
      current: revisionOrNoStream(stream),
      expected,
    } as const;
    const success = (seq: number) =>
      ({ kind: 'success', revision: this.revisions.get(seq), position: this.positions.get(seq) }) as const;
    if (expected === 'any' || expected === 'stream_exists') {
      let lastSeq = -1;
      let newest = -1;
      for (const [index, id] of ids.entries()) {
        const seq = this.idCache.get(id.toString('hex'));
        if (seq === undefined || this.streamRefs.get(seq) !== stream.ref)
          return index === 0 ? undefined : { outcome: conflict };
        lastSeq = seq;
        newest = Math.max(newest, seq);
      }
      return { outcome: success(lastSeq), seq: newest };
    }
    const first = firstRevisionAfter(expected, stream.seqs.length);
    let seq = -1;
    for (const [index, id] of ids.entries()) {
      const revision = first + index;
      seq = revision < stream.seqs.length ? stream.seqs.get(revision) : -1;
      const matches = seq >= 0 && (this.hasId(seq, id) ?? read.get(seq)?.equals(id) ?? false);
      if (!matches) return index === 0 ? undefined : { outcome: conflict };
    }
    return { outcome: success(seq), seq };
  }

  /**
   * Whether the event at `seq` has this id, as far as memory knows: yes from the id cache, else from
   * the record if it is still in the tail cache (an id appended again maps to its newest event in the
   * id cache); undefined when only the log can tell.
   */
  private hasId(seq: number, id: Buffer): boolean | undefined {
    if (this.idCache.get(id.toString('hex')) === seq) return true;
    const record = this.tailCache.get(seq);
    return record && idOf({ buffer: record }).equals(id);
  }

  /**
   * For `no_stream` or an exact revision, the events after the expectation whose ids memory cannot
   * compare (see hasId), up to the first one it finds different: EventStoreDB reads those from its
   * index, without a window. Undefined when there is nothing to read.
   */
  private idsToRead(
    stream: StreamState,
    expected: ExpectedRevision,
    ids: readonly Buffer[],
  ): number[] | undefined {
    if (expected === 'any' || expected === 'stream_exists') return undefined;
    const first = firstRevisionAfter(expected, stream.seqs.length);
    const seqs: number[] = [];
    for (let index = 0; index < ids.length && first + index < stream.seqs.length; index += 1) {
      const seq = stream.seqs.get(first + index);
      const known = this.hasId(seq, ids[index]!);
      if (known === false) break;
      if (known === undefined) seqs.push(seq);
    }
    return seqs.length > 0 ? seqs : undefined;
  }

  /**
   * Assigns revisions and log positions, updates the index and queues the bytes for the next group
   * commit. Synchronous, so no other append can interleave between the checks and the staging.
   */
  private stage(records: readonly StagedRecord[]): { seq: number; position: number; revision: number }[] {
    const created = this.now();
    const revisions = records.map((record) => (record.tombstone ? -1 : record.stream.nextRevision++));
    const buffer = encodeRecords(
      records.map((record, index) => ({
        id: record.id,
        stream: record.stream.name,
        revision: revisions[index]!,
        type: record.type,
        contentType: record.contentType,
        created,
        data: record.data,
        metadata: record.metadata,
        flags: record.tombstone ? FLAG_TOMBSTONE : 0,
      })),
    );
    const position = this.log.reserve(buffer.length);
    let offset = 0;
    const placed: { seq: number; position: number; revision: number }[] = [];
    records.forEach((record, index) => {
      const length = buffer.readUInt32LE(offset);
      const seq = this.index(
        record.stream,
        record.type,
        record.id,
        revisions[index]!,
        position + offset,
        length,
        !!record.tombstone,
        this.idCacheUndo,
      );
      this.tailCache.set(seq, buffer.subarray(offset, offset + length));
      this.tailCacheBytes += length;
      this.pendingEffects.push(
        this.applyWriteSide(record.stream, record.contentType, record.data, !!record.tombstone),
      );
      placed.push({ seq, position: position + offset, revision: revisions[index]! });
      offset += length;
    });
    this.pendingWrites.push({ position, buffers: [buffer], events: records.length });
    this.pendingLastSeq = placed.at(-1)!.seq;
    this.pendingNames = { streams: this.streamsByRef.length, types: this.typeNames.length };
    this.scheduleFlush();
    return placed;
  }

  /** Queues a record that holds no event for the next group commit; returns its position. */
  private stageFiller(): number {
    const record = encodeFiller(EMPTY_APPEND_RECORD_SIZE);
    const position = this.log.reserve(record.length);
    this.fillers.push(position);
    this.pendingWrites.push({ position, buffers: [record], events: 0 });
    this.scheduleFlush();
    return position;
  }

  private index(
    stream: StreamState,
    type: string,
    id: Uint8Array,
    revision: number,
    position: number,
    length: number,
    tombstone: boolean,
    /** Given when staging: how to take the id cache's change back (replayed records are durable). */
    undo?: IdCacheUndo[],
  ): number {
    const seq = this.stagedCount++;
    this.positions.push(position);
    this.lengths.push(length);
    this.streamRefs.push(stream.ref);
    this.typeRefs.push(this.typeRef(type));
    this.revisions.push(revision);
    if (!tombstone) stream.seqs.push(seq);
    const key = Buffer.from(id.buffer, id.byteOffset, 16).toString('hex');
    const slot = this.idRingNext;
    const evicted = this.idRing[slot];
    const evictedSeq = this.idRingSeqs[slot]!;
    // An id appended again since has a newer slot; only its newest entry maps to it.
    const evictedDropped = evicted !== undefined && this.idCache.get(evicted) === evictedSeq;
    if (evictedDropped) this.idCache.delete(evicted);
    undo?.push({ seq, key, slot, previous: this.idCache.get(key), evicted, evictedSeq, evictedDropped });
    this.idRing[slot] = key;
    this.idRingSeqs[slot] = seq;
    this.idRingNext = (slot + 1) % this.idCacheLimit;
    this.idCache.set(key, seq);
    return seq;
  }

  /**
   * Applies what a record means for its stream's state. The write side changes at once (later
   * appends must see it); the returned function changes the read side and runs once it is durable.
   */
  private applyWriteSide(
    stream: StreamState,
    contentType: string,
    data: Uint8Array,
    tombstone: boolean,
  ): () => void {
    const target = isMetadataOfAStream(stream.name) ? this.streamState(stream.name.slice(2)) : undefined;
    if (tombstone) {
      stream.tombstoned = true;
      // A tombstoned `$$` stream leaves its stream no metadata: EventStoreDB's index reader takes
      // metadata whose event number is DeletedStream as StreamMetadata.Empty.
      if (target) {
        target.metadata = {};
        target.limits = NO_LIMITS;
      }
      return () => {
        stream.visibleTombstoned = true;
        if (target) {
          target.visibleMetadata = {};
          target.visibleLimits = NO_LIMITS;
        }
      };
    }
    // EventStoreDB reads a stream's metadata from the last event of its `$$` stream whatever its type
    // (GetStreamMetadataUncached checks only that it is JSON and not empty), as the client's
    // getStreamMetadata reads it: an event of another type than `$metadata` is the metadata too.
    if (!target) return noop;
    const metadata = contentType === JSON_CONTENT_TYPE ? parseMetadata(data) : {};
    const readable = limitsOf(metadata);
    const limits = readable ?? NO_LIMITS;
    // What EventStoreDB cannot read counts as no metadata, also when the stream is recreated.
    const kept = readable ? metadata : {};
    target.metadata = kept;
    target.limits = limits;
    return () => {
      target.visibleLimits = limits;
      target.visibleMetadata = kept;
    };
  }

  private streamState(name: string): StreamState {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = {
        ref: this.streamsByRef.length,
        name,
        seqs: uint32Column(4),
        nextRevision: 0,
        tombstoned: false,
        metadata: {},
        limits: NO_LIMITS,
        visibleTombstoned: false,
        visibleLimits: NO_LIMITS,
        visibleMetadata: {},
      };
      this.streams.set(name, stream);
      this.streamsByRef.push(stream);
    }
    return stream;
  }

  private typeRef(type: string): number {
    let ref = this.typeIds.get(type);
    if (ref === undefined) {
      ref = this.typeNames.length;
      this.typeIds.set(type, ref);
      this.typeNames.push(type);
    }
    return ref;
  }

  // ---------------------------------------------------------------- group commit

  private scheduleFlush(): void {
    // Deferring to setImmediate lets every append that arrived in this turn of the event loop share
    // the coming fsync; appends arriving while it runs share the next one.
    this.flushing ??= new Promise<void>((done) => setImmediate(() => this.flushLoop().then(done)));
  }

  private async flushLoop(): Promise<void> {
    while (this.pendingWrites.length > 0 && !this.refusal) {
      const writes = this.pendingWrites.splice(0);
      const effects = this.pendingEffects.splice(0);
      const lastSeq = this.pendingLastSeq;
      const names = this.pendingNames;
      try {
        await this.log.write(writes);
      } catch (error) {
        await this.recoverFromFailedWrite(error);
        continue;
      }
      for (const effect of effects) effect();
      this.committed = lastSeq + 1;
      const lastWrite = writes.at(-1)!;
      const writtenEnd =
        lastWrite.position + lastWrite.buffers.reduce((sum, buffer) => sum + buffer.length, 0);
      while (this.durableFillers < this.fillers.length && this.fillers[this.durableFillers]! < writtenEnd) {
        this.durableFillerEnd = this.fillers[this.durableFillers]! + EMPTY_APPEND_RECORD_SIZE;
        this.durableFillers += 1;
      }
      this.durableNames = names;
      const durableUndos = this.idCacheUndo.findIndex((undo) => undo.seq >= this.committed);
      this.idCacheUndo.splice(0, durableUndos < 0 ? this.idCacheUndo.length : durableUndos);
      this.evictTail();
      const ready = this.waiters.filter((waiter) => waiter.position < writtenEnd);
      this.waiters = this.waiters.filter((waiter) => waiter.position >= writtenEnd);
      for (const waiter of ready) waiter.resolve();
      for (const listener of this.commitListeners) listener();
      if (this.outage) {
        this.onWritesResumed?.(this.outage);
        this.outage = undefined;
      }
    }
    this.flushing = undefined;
  }

  /**
   * A write failed: none of the appends it held, nor any staged after it, is acknowledged, and the
   * store forgets them at once, before any other append is staged on top of them. Appends are refused
   * while the log cuts its files back to the last durable write, so that no restart finds what the
   * failed write left; then, if the disk was only out of space, they are taken again (each write tries
   * the disk anew), else refused until a restart. The appends that waited are answered once the files
   * are cut back: one resent at once meets a log in a known state.
   */
  private async recoverFromFailedWrite(thrown: unknown): Promise<void> {
    const { error, code } = errnoError(thrown);
    const waiting = this.forgetUncommitted();
    this.refusal = new LogWriteFailedError(
      code,
      `the log could not be written (${error.message}) and is being cut back to its last durable write`,
    );
    const first = this.outage === undefined;
    this.outage ??= { failedWrites: 0, refusedAppends: 0 };
    this.outage.failedWrites += 1;
    this.outage.refusedAppends += waiting.length;
    const cutError = await this.log.cutBack().then(
      () => undefined,
      (failure: unknown) => errnoError(failure).error,
    );
    const refused = new LogWriteFailedError(
      code,
      cutError
        ? `the log could not be written (${error.message}), nor cut back (${cutError.message}): a restart ` +
            'keeps this append if the write reached the disk whole, and cuts it otherwise'
        : `the log could not be written (${error.message}): nothing of this append was kept`,
    );
    for (const waiter of waiting) waiter.reject(refused);
    const refusedAppends = waiting.length;
    if (OUT_OF_SPACE.has(code) && !cutError) {
      this.refusal = undefined;
      if (first) this.onWriteFailed?.({ error, code, refusedAppends, resumes: true });
      return;
    }
    const failure = cutError ?? error;
    this.refusal = new LogWriteFailedError(
      code,
      `the log failed (${failure.message}): no append is taken until the store is restarted`,
    );
    this.onWriteFailed?.({ error: failure, code, refusedAppends, resumes: false });
  }

  /**
   * Takes back everything staged after the last durable write, as if those appends had never come:
   * their index entries, their ids in the id cache, their records in the tail cache, and what they did
   * to their streams' write side (revisions, deletes, metadata), which returns to the read side, the
   * state of the durable appends. Readers never saw them (they read below `committed`). Returns the
   * appends that waited for them, to be refused.
   */
  private forgetUncommitted(): Waiter[] {
    const from = this.committed;
    const touched = new Set<StreamState>();
    for (let seq = from; seq < this.stagedCount; seq += 1) {
      const stream = this.streamsByRef[this.streamRefs.get(seq)]!;
      touched.add(stream);
      // A `$$` record's metadata changed its stream's write side too (applyWriteSide).
      const target = stream.name.startsWith('$$') ? this.streams.get(stream.name.slice(2)) : undefined;
      if (target) touched.add(target);
      this.tailCacheBytes -= this.tailCache.get(seq)!.length;
      this.tailCache.delete(seq);
    }
    for (const undo of this.idCacheUndo.reverse()) {
      this.idRingNext = undo.slot;
      this.idRing[undo.slot] = undo.evicted;
      this.idRingSeqs[undo.slot] = undo.evictedSeq;
      if (undo.previous === undefined) this.idCache.delete(undo.key);
      else this.idCache.set(undo.key, undo.previous);
      if (undo.evictedDropped) this.idCache.set(undo.evicted!, undo.evictedSeq);
    }
    this.idCacheUndo = [];
    for (const column of [this.positions, this.lengths, this.streamRefs, this.typeRefs, this.revisions])
      column.truncate(from);
    for (const stream of touched) {
      let count = stream.seqs.length;
      while (count > 0 && stream.seqs.get(count - 1) >= from) count -= 1;
      stream.seqs.truncate(count);
      // Revisions are stored, not counted: a repaired log may lack some.
      stream.nextRevision = count > 0 ? this.revisions.get(stream.seqs.get(count - 1)) + 1 : 0;
      stream.tombstoned = stream.visibleTombstoned;
      stream.limits = stream.visibleLimits;
      stream.metadata = stream.visibleMetadata;
    }
    // Names first given by these appends go too: a disk that stays full must not make memory grow with
    // every refused append to a new stream.
    while (this.streamsByRef.length > this.durableNames.streams)
      this.streams.delete(this.streamsByRef.pop()!.name);
    while (this.typeNames.length > this.durableNames.types) this.typeIds.delete(this.typeNames.pop()!);
    this.stagedCount = from;
    this.fillers.length = this.durableFillers;
    this.pendingWrites.length = 0;
    this.pendingEffects.length = 0;
    this.pendingLastSeq = from - 1;
    this.forgets += 1;
    const waiting = this.waiters;
    this.waiters = [];
    return waiting;
  }

  private whenCommitted(seq: number): Promise<void> {
    if (seq < this.committed) return Promise.resolve();
    return this.whenWritten(this.positions.get(seq));
  }

  /** Resolves once the staged record at `position` is durable; rejects if its write fails. */
  private whenWritten(position: number): Promise<void> {
    if (this.refusal) return Promise.reject(this.refusal);
    return new Promise((resolve, reject) => this.waiters.push({ position, resolve, reject }));
  }

  private evictTail(): void {
    // By seq, not through the Map's first key, for the reason given at `idRing`.
    while (this.tailCacheBytes > this.tailCacheLimit && this.tailStart < this.committed) {
      this.tailCacheBytes -= this.tailCache.get(this.tailStart)!.length;
      this.tailCache.delete(this.tailStart);
      this.tailStart += 1;
    }
  }

  private assertWritable(): void {
    if (this.refusal) {
      if (this.outage) this.outage.refusedAppends += 1;
      throw this.refusal;
    }
    if (this.closing) throw new StoreUnavailableError('the store is shutting down');
  }

  /** Stops accepting writes, waits for staged appends to become durable, and closes the log. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.flushing) await this.flushing;
    await this.log.close();
  }

  /** Registers a callback run after every group commit; returns the unregister function. */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  // ---------------------------------------------------------------- reads

  streamView(streamName: string): StreamView {
    // A metadata stream is deleted with its stream's tombstone, as in EventStoreDB.
    if (streamName.startsWith('$$') && this.streams.get(streamName.slice(2))?.visibleTombstoned)
      return { kind: 'tombstoned' };
    const stream = this.streams.get(streamName);
    if (!stream) return { kind: 'missing' };
    if (stream.visibleTombstoned) return { kind: 'tombstoned' };
    const last = this.lastCommittedRevision(stream);
    const limits = stream.visibleLimits;
    if (last < 0 || limits.softDeleted) return { kind: 'missing' };
    let first = Math.max(0, limits.truncateBefore ?? 0);
    if (limits.maxCount !== undefined) first = Math.max(first, last - limits.maxCount + 1);
    // A metadata stream only ever shows its latest metadata.
    if (streamName.startsWith('$$')) first = last;
    return { kind: 'found', first, last, maxAgeSeconds: limits.maxAgeSeconds };
  }

  /** Seq of a stream's event, or undefined when the stream or revision is not durable yet. */
  seqOf(streamName: string, revision: number): number | undefined {
    const stream = this.streams.get(streamName);
    if (!stream || revision < 0 || revision >= stream.seqs.length) return undefined;
    const seq = stream.seqs.get(revision);
    return seq < this.committed ? seq : undefined;
  }

  /** Last durable revision of a stream regardless of deletes and limits; -1 when it has none. */
  lastRevision(streamName: string): number {
    const stream = this.streams.get(streamName);
    return stream ? this.lastCommittedRevision(stream) : -1;
  }

  private lastCommittedRevision(stream: StreamState): number {
    let count = stream.seqs.length;
    while (count > 0 && stream.seqs.get(count - 1) >= this.committed) count -= 1;
    return count - 1;
  }

  positionOf(seq: number): number {
    return this.positions.get(seq);
  }

  /** Bytes of a record in the log, known without loading it. */
  lengthOf(seq: number): number {
    return this.lengths.get(seq);
  }

  streamNameOf(seq: number): string {
    return this.streamsByRef[this.streamRefs.get(seq)]!.name;
  }

  typeOf(seq: number): string {
    return this.typeNames[this.typeRefs.get(seq)]!;
  }

  /**
   * The end of the last durable record, events or not: EventStoreDB's writer checkpoint, where the
   * next record is written.
   */
  get durableEnd(): number {
    const last = this.committed - 1;
    const eventEnd = last < 0 ? 0 : this.positions.get(last) + this.lengths.get(last);
    return Math.max(eventEnd, this.durableFillerEnd);
  }

  /** Whether a durable record, an event or one that holds none, starts at `position`. */
  startsRecord(position: number): boolean {
    const seq = this.seqAtOrAfter(position);
    if (seq < this.committed && this.positions.get(seq) === position) return true;
    let low = 0;
    let high = this.durableFillers;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.fillers[middle]! < position) low = middle + 1;
      else high = middle;
    }
    return low < this.durableFillers && this.fillers[low] === position;
  }

  /** Smallest seq whose position is ≥ `position` (committedCount when there is none). */
  seqAtOrAfter(position: number): number {
    let low = 0;
    let high = this.committed;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.positions.get(middle) < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /**
   * Loads records by seq, in the order given. Recent records come from the tail cache; the rest are
   * read from the log, one read per run of adjacent records, and checksummed again on the way in. A
   * run may go either way: a backward read asks for records last first, and one trip to the disk per
   * record made reading a stream's last 128 events backwards take twice as long as forwards.
   */
  async load(seqs: readonly number[]): Promise<LogRecord[]> {
    const result: LogRecord[] = new Array(seqs.length);
    let index = 0;
    while (index < seqs.length) {
      const seq = seqs[index]!;
      const cached = this.tailCache.get(seq);
      if (cached) {
        result[index] = { seq, position: this.positions.get(seq), buffer: cached };
        index += 1;
        continue;
      }
      let start = this.positions.get(seq);
      let end = start + this.lengths.get(seq);
      let runEnd = index + 1;
      // The second record sets the run's way: just after the first on disk, or just before it.
      const backwards =
        runEnd < seqs.length && this.positions.get(seqs[runEnd]!) + this.lengths.get(seqs[runEnd]!) === start;
      while (runEnd < seqs.length && end - start < READ_RUN_BYTES) {
        const next = seqs[runEnd]!;
        if (this.tailCache.has(next)) break;
        if (backwards) {
          if (this.positions.get(next) + this.lengths.get(next) !== start) break;
          start = this.positions.get(next);
        } else {
          if (this.positions.get(next) !== end) break;
          end += this.lengths.get(next);
        }
        runEnd += 1;
      }
      const chunk = await this.log.read(start, end - start);
      let offset = 0;
      // The chunk holds the run in the log's order: last record of a backward run first.
      for (let taken = 0; taken < runEnd - index; taken += 1) {
        const at = backwards ? runEnd - 1 - taken : index + taken;
        const check = checkRecord(chunk, offset);
        if (!check.ok) throw new Error(`record at position ${start + offset} is corrupt: ${check.reason}`);
        result[at] = {
          seq: seqs[at]!,
          position: start + offset,
          buffer: chunk.subarray(offset, offset + check.length),
        };
        offset += check.length;
      }
      index = runEnd;
    }
    return result;
  }
}

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly stream: string,
    readonly current: CurrentRevision,
    readonly expected: ExpectedRevision,
  ) {
    super(`wrong expected version for ${stream}: expected ${expected}, current ${current}`);
  }
}

const READ_RUN_BYTES = 1024 * 1024;

function noop(): void {}

/**
 * Whether a record of `streamName` is metadata of another stream: it is a `$$` stream, and not the
 * `$$` stream of one. EventStoreDB gives every `$$` stream the same fixed metadata (its index reader's
 * `_metastreamMetadata`: the latest event only), so what is written to `$$$$x` limits nothing of `$$x`:
 * a soft delete of `$$x` neither hides it nor its stream's metadata.
 */
function isMetadataOfAStream(streamName: string): boolean {
  return streamName.startsWith('$$') && !streamName.startsWith('$$', 2);
}

/**
 * The first revision after an expectation, for a stream of `length` events: `length` itself when the
 * expectation lies at or past its last event, so that a revision no number holds exactly (above 2^53)
 * never rounds onto one the stream has.
 */
function firstRevisionAfter(expected: 'no_stream' | bigint, length: number): number {
  if (expected === 'no_stream') return 0;
  return expected + 1n < BigInt(length) ? Number(expected) + 1 : length;
}

function revisionOrNoStream(stream: StreamState | undefined): CurrentRevision {
  return stream && stream.nextRevision > 0 ? stream.nextRevision - 1 : 'no_stream';
}

/** A record's event id (record.ts: bytes 40 to 56). */
function idOf(record: { readonly buffer: Buffer }): Buffer {
  return record.buffer.subarray(40, 56);
}

function randomId(): Buffer {
  return Buffer.from(randomUUID().replace(/-/g, ''), 'hex');
}

function parseMetadata(data: Uint8Array): Record<string, unknown> {
  try {
    const text = Buffer.from(data.buffer, data.byteOffset, data.length).toString('utf8');
    // Keep a soft delete's 19-digit `$tb` exact by reading it as a string.
    const parsed: unknown = JSON.parse(text.replace(/("\$tb"\s*:\s*)(\d{16,})/, '$1"$2"'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const ACL_ROLE_KEYS = new Set(['$r', '$w', '$d', '$mr', '$mw']);

/**
 * Whether EventStoreDB's StreamMetadata.ReadAcl reads an `$acl`: absent, or an object whose keys are
 * all `$r`, `$w`, `$d`, `$mr` or `$mw`, each a role or a list of roles (strings). It skips no value of
 * another key, and so fails on the value it reads where it expects the next key.
 */
function aclReadable(acl: unknown): boolean {
  if (acl === undefined) return true;
  if (typeof acl !== 'object' || acl === null || Array.isArray(acl)) return false;
  return Object.entries(acl).every(
    ([key, roles]) =>
      ACL_ROLE_KEYS.has(key) &&
      (typeof roles === 'string' ||
        (Array.isArray(roles) && roles.every((role) => typeof role === 'string'))),
  );
}

/**
 * The limits in a stream's metadata, or undefined for metadata EventStoreDB cannot read. It reads
 * `$maxCount`, `$maxAge`, `$tb` and `$cacheControl` as longs, refuses a count, age or cache time
 * below 1, a `$tb` below 0 and an `$acl` ReadAcl cannot read, and then takes the whole metadata as
 * none (its IndexReader returns
 * StreamMetadata.Empty when parsing throws), as it does metadata that is not JSON.
 */
function limitsOf(metadata: Record<string, unknown>): StreamMetadataLimits | undefined {
  const readable = (value: unknown, lowest: number): boolean =>
    value === undefined || (typeof value === 'number' && Number.isInteger(value) && value >= lowest);
  const tb = metadata.$tb;
  // parseMetadata keeps a `$tb` of 16 digits or more as their text (any other text is no long): one
  // above long.MaxValue is no long either.
  const bigTb = typeof tb === 'string' && /^\d{16,}$/.test(tb) ? BigInt(tb) : undefined;
  if (
    !readable(metadata.$maxCount, 1) ||
    !readable(metadata.$maxAge, 1) ||
    !readable(metadata.$cacheControl, 1) ||
    !(bigTb === undefined ? readable(tb, 0) : bigTb <= LONG_MAX) ||
    !aclReadable(metadata.$acl)
  )
    return undefined;
  return {
    maxCount: metadata.$maxCount as number | undefined,
    maxAgeSeconds: metadata.$maxAge as number | undefined,
    truncateBefore: bigTb === undefined ? (tb as number | undefined) : Number(bigTb),
    // Soft-deleted is `$tb` long.MaxValue exactly (EventNumber.DeletedStream, what a delete writes):
    // any other `$tb` past the end truncates the stream, which is still there, with its revisions.
    softDeleted: bigTb === LONG_MAX,
  };
}
