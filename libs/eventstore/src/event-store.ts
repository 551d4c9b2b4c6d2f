import {
  ANY,
  AccessDeniedError,
  END,
  FORWARDS,
  NO_STREAM,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  UnknownError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type EventStoreDBClient,
  type Filter,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import {
  decodeRecordedEvent,
  type DecodingSchemas,
  type DomainEvent,
  type EventMetadata,
  type ForeignReason,
} from '#events';
import {
  DeletedStreamError,
  ForeignEventInStreamError,
  PositionNotOnRecordError,
  logWriteFailureCode,
  StoreCannotWriteError,
  StreamVersionConflictError,
} from './errors.js';
import { randomUUID } from 'node:crypto';
import { commandEventId } from './event-ids.js';
import { StoreWrites } from './store-writes.js';

/**
 * What the store needs to know about event schemas: the version written now, how to read old ones,
 * which types exist and what their data looks like (the catalogue's `eventSchemas`).
 */
export type EventSchemas = DecodingSchemas;

/** Every event type known, at version 1, with no upcasters or data checks: for tests and tools that store raw events. */
export const unversionedSchemas: EventSchemas = {
  knows: () => true,
  currentVersion: () => 1,
  upcast: (_type, _fromVersion, data) => data,
  dataProblem: () => undefined,
};

export interface StoredEvent<E extends DomainEvent = DomainEvent> {
  readonly event: E;
  readonly metadata: EventMetadata;
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  /** Commit position in `$all`; absent only on servers that do not report it for stream reads. */
  readonly position: bigint | undefined;
  readonly created: Date;
}

/**
 * A recorded event this build cannot read as its own (see decodeRecordedEvent): where it is, what
 * it claims to be and why it was not decoded. Each consumer applies its stated policy to it.
 */
export interface ForeignEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly position: bigint | undefined;
  readonly type: string;
  readonly reason: ForeignReason;
  readonly detail: string;
  /** It carries Switchboard's metadata envelope: it claims to belong to an aggregate's history. */
  readonly claimsOurs: boolean;
}

/** One event of a stream as read: decoded, or foreign with the reason. */
export type RecordedItem<E extends DomainEvent = DomainEvent> =
  | { readonly kind: 'event'; readonly stored: StoredEvent<E> }
  | { readonly kind: 'foreign'; readonly foreign: ForeignEvent };

/** A record of `$all` as the store keeps it, before decoding: enough to identify and date it. */
export interface LogRecord {
  readonly id: string;
  readonly type: string;
  readonly stream: string;
  readonly position: bigint | undefined;
  readonly created: Date;
}

/** An event of one of the store's own `$`-streams, read as it is (see readSystemStreamBackwards). */
export interface SystemRecord {
  readonly id: string;
  readonly type: string;
  readonly position: bigint | undefined;
  readonly data: unknown;
}

export type ExpectedRevision = bigint | 'no_stream' | 'any';

/**
 * How an append names its events.
 *
 * - `fromCommand`: after the command (see commandEventId), so that the server takes the same command
 *   sent again at the same revision for a re-append and writes nothing, and the same commands run
 *   again on a fresh store write the same ids (R21). For writers that append without deciding on a
 *   fold (`any`), where that is the only idempotency there is, and for one writer replaying in
 *   virtual time.
 * - `perDecision`: new ids for every append. For decisions on a fold that several writers append to
 *   (the aggregate repository): the server must refuse an append at a revision the command's first
 *   append already passed, so that the repository reads the stream and answers the resend from the
 *   events stored, not take it for a re-append and answer success for events it never wrote
 *   (decided on a stale fold, maybe other ones).
 */
export type EventIds = 'fromCommand' | 'perDecision';

export type CommandMetadata = Omit<EventMetadata, 'schemaVersion'>;

export interface AppendResult {
  readonly nextRevision: bigint;
  readonly position: bigint;
  /** Ids of the events appended, in order (see EventIds), so that no caller derives them a second time. */
  readonly eventIds: readonly string[];
}

export interface SubscriptionOptions {
  /** Resume after this `$all` commit position (exclusive); from the start when absent. */
  readonly fromPosition?: bigint;
  /** Only streams whose names start with one of these (server-side filter); all non-system events when absent. */
  readonly streamPrefixes?: readonly string[];
  /**
   * Only events of these types (server-side filter, and then `streamPrefixes` checked here: a
   * server filters on names or on types, not both). For a consumer that needs few of a category's
   * types: the others never cross the wire nor get decoded.
   */
  readonly eventTypes?: readonly string[];
  /**
   * How many events the server examines between two checkpoints (the search window; the client's
   * default is 32). A server cuts its catch-up reads at every checkpoint, so a subscription that
   * catches up over millions of events wants this about a read batch; a smaller one moves a
   * checkpoint-driven position past events of other streams sooner.
   */
  readonly checkpointEvery?: number;
  /**
   * Also deliver a StreamDeletion for each stream of `streamPrefixes` that is tombstoned
   * (`$streamDeleted` in the stream) or soft deleted (`$metadata` with `$tb` in `$$<stream>`): for
   * consumers that hold state per stream and must drop it when the store deletes the stream.
   */
  readonly deletions?: boolean;
}

/** A stream's events before this point are gone (soft delete), or the stream is gone for good. */
export interface StreamDeletion {
  readonly kind: 'deleted';
  readonly stream: string;
  readonly deletion: 'tombstoned' | 'softDeleted';
  readonly position: bigint;
}

export type SubscriptionItem<E extends DomainEvent = DomainEvent> =
  | { readonly kind: 'event'; readonly stored: StoredEvent<E> }
  /** An event this build cannot read as its own: each subscriber applies its policy to it. */
  | { readonly kind: 'foreign'; readonly foreign: ForeignEvent }
  /** The server looked at events up to here without one matching the filter: safe to checkpoint. */
  | { readonly kind: 'checkpoint'; readonly position: bigint }
  | { readonly kind: 'caughtUp' };

export interface EventSubscription<
  E extends DomainEvent = DomainEvent,
  Item = SubscriptionItem<E>,
> extends AsyncIterable<Item> {
  close(): Promise<void>;
}

/**
 * Metadata goes to the client as the bytes of its JSON, which it passes through as they are. Given an
 * object it encodes the JSON to base64, which the protobuf layer decodes again each of the two times
 * a request is serialized: about a third of the client's cost of encoding an event (24 -> 16 µs
 * here). The bytes stored are the same JSON either way. A TextEncoder, because only a plain
 * Uint8Array takes that path (the client checks the constructor: a Buffer does not).
 */
const utf8 = new TextEncoder();

/**
 * The one door to EventStoreDB for both apps, over the official client only, so the same code runs
 * against the embedded server and a real EventStoreDB. It speaks domain events and SPEC §2 metadata;
 * JSON encoding, schema versions and event ids stay here.
 */
export class EventStore {
  /** Whether the store could write this process's latest append: for `/health` and `/metrics`. */
  readonly writes = new StoreWrites();

  constructor(
    readonly client: EventStoreDBClient,
    private readonly schemas: EventSchemas = unversionedSchemas,
  ) {}

  /**
   * Appends a command's events atomically, with the ids `eventIds` says (by default derived from the
   * command id and its request, see commandEventId: resending the same command at the same revision
   * is then an idempotent no-op on the server).
   */
  async append(
    stream: string,
    events: readonly DomainEvent[],
    expectedRevision: ExpectedRevision,
    metadata: CommandMetadata,
    eventIds: EventIds = 'fromCommand',
  ): Promise<AppendResult> {
    const eventData = events.map((event, index) =>
      jsonEvent({
        id: eventIds === 'fromCommand' ? commandEventId(metadata, stream, index) : randomUUID(),
        type: event.type,
        data: event.data as Record<string, unknown>,
        metadata: utf8.encode(
          JSON.stringify({ ...metadata, schemaVersion: this.schemas.currentVersion(event.type) }),
        ),
      }),
    );
    try {
      const result = await this.client.appendToStream(stream, eventData, {
        expectedRevision:
          expectedRevision === 'no_stream' ? NO_STREAM : expectedRevision === 'any' ? ANY : expectedRevision,
      });
      this.writes.succeeded();
      return {
        nextRevision: result.nextExpectedRevision,
        position: result.position?.commit ?? 0n,
        eventIds: eventData.map((one) => one.id),
      };
    } catch (error) {
      if (error instanceof StreamDeletedError) throw new DeletedStreamError(stream, 'tombstoned');
      // A refusal for want of writes names the failed write's code; any UnavailableError is rethrown
      // below as it is: a store that is down, or one a connection cannot reach.
      const cause = logWriteFailureCode(error);
      if (cause !== undefined) {
        this.writes.refused(cause);
        throw new StoreCannotWriteError(stream, cause);
      }
      if (error instanceof WrongExpectedVersionError) {
        throw new StreamVersionConflictError(
          stream,
          expectedRevision === 'any' ? 'no_stream' : expectedRevision,
          typeof error.actualVersion === 'bigint' ? error.actualVersion : 'no_stream',
        );
      }
      throw error;
    }
  }

  /**
   * Reads a stream forwards from a revision (inclusive), at most `maxCount` events; a missing stream
   * reads as empty. Strict: a foreign event ends the read with ForeignEventInStreamError naming it (see
   * readRecorded for a reader that applies its own policy). A deleted stream throws DeletedStreamError:
   * tombstoned, or soft deleted (it reads as not found and its metadata truncates it), so that a
   * deletion is never taken for a new stream.
   */
  async *readStream<E extends DomainEvent = DomainEvent>(
    stream: string,
    fromRevision = 0n,
    maxCount?: number,
  ): AsyncGenerator<StoredEvent<E>> {
    let foreign: ForeignEvent | undefined;
    for await (const item of this.readRecorded<E>(stream, fromRevision, maxCount)) {
      // Read to the end before throwing: a read left half-way keeps its call open.
      if (foreign) continue;
      if (item.kind === 'foreign') foreign = item.foreign;
      else yield item.stored;
    }
    if (foreign) throw new ForeignEventInStreamError(foreign);
  }

  /** Reads a stream forwards from a revision (inclusive), foreign events included and classified. */
  async *readRecorded<E extends DomainEvent = DomainEvent>(
    stream: string,
    fromRevision = 0n,
    maxCount?: number,
  ): AsyncGenerator<RecordedItem<E>> {
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: FORWARDS,
        fromRevision: fromRevision === 0n ? START : fromRevision,
        ...(maxCount === undefined ? {} : { maxCount }),
      })) {
        const item = this.decode<E>(resolved);
        if (item) yield item;
      }
    } catch (error) {
      await this.missingOrDeleted(stream, error);
    }
  }

  /**
   * Up to `maxCount` events of a stream from a revision (inclusive), foreign events included and
   * classified, in one array: for a read started before the events are wanted (the tail of a stream
   * read while its snapshot is decoded). `next` is the revision after the last event read, and
   * `reachedEnd` says the read found the stream's head (fewer events than asked for). A missing stream
   * reads as empty; a deleted one throws DeletedStreamError, as readRecorded does.
   */
  async readRecordedBatch<E extends DomainEvent = DomainEvent>(
    stream: string,
    fromRevision: bigint,
    maxCount: number,
  ): Promise<{ readonly items: RecordedItem<E>[]; readonly next: bigint; readonly reachedEnd: boolean }> {
    const items: RecordedItem<E>[] = [];
    let read = 0;
    let next = fromRevision;
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: FORWARDS,
        fromRevision: fromRevision === 0n ? START : fromRevision,
        maxCount,
      })) {
        read++;
        if (resolved.event) next = resolved.event.revision + 1n;
        const item = this.decode<E>(resolved);
        if (item) items.push(item);
      }
    } catch (error) {
      await this.missingOrDeleted(stream, error);
    }
    return { items, next, reachedEnd: read < maxCount };
  }

  /** A read that failed because the stream is not there: a deletion throws, a stream never written reads as empty. */
  private async missingOrDeleted(stream: string, error: unknown): Promise<void> {
    if (error instanceof StreamDeletedError) throw new DeletedStreamError(stream, 'tombstoned');
    if (!(error instanceof StreamNotFoundError)) throw error;
    // Only a stream read as missing pays this second look (a new stream's first read).
    const { metadata } = await this.client.getStreamMetadata(stream);
    if (metadata?.truncateBefore !== undefined) throw new DeletedStreamError(stream, 'softDeleted');
  }

  /** The commit position of the last event in `$all` (0 when empty): the head projections chase. */
  async headPosition(): Promise<bigint> {
    let head = 0n;
    // Read to the end (one event) rather than breaking out: an abandoned read leaves the call open.
    for await (const resolved of this.client.readAll({
      direction: 'backwards',
      fromPosition: END,
      maxCount: 1,
    })) {
      head = resolved.event?.position?.commit ?? resolved.commitPosition ?? head;
    }
    return head;
  }

  /**
   * Up to `maxCount` records of `$all` from commit position `from` (forwards: inclusive, the first record
   * when undefined; backwards: before it, the last record when undefined), undecoded and with the
   * store's own `$`-records: for looking at the log (how far behind, is this event still there, where
   * a stream's events lie), not for projecting it. `from` must be a record's position, 0 or the log's
   * end, as EventStoreDB requires: one it refuses throws PositionNotOnRecordError.
   */
  async readAllRecords(
    from: bigint | undefined,
    maxCount: number,
    direction: 'forwards' | 'backwards' = 'forwards',
  ): Promise<LogRecord[]> {
    const records: LogRecord[] = [];
    try {
      for await (const resolved of this.client.readAll({
        direction,
        fromPosition:
          from === undefined ? (direction === 'forwards' ? START : END) : { commit: from, prepare: from },
        maxCount,
      })) {
        const recorded = resolved.event;
        if (recorded) {
          records.push({
            id: recorded.id,
            type: recorded.type,
            stream: recorded.streamId,
            position: recorded.position?.commit,
            created: recorded.created,
          });
        }
      }
    } catch (error) {
      // EventStoreDB refuses the position as the read starts, with a status the client has no error
      // class for (INVALID_ARGUMENT from 24 on, UNKNOWN before): an UnknownError before any record.
      if (from !== undefined && records.length === 0 && error instanceof UnknownError)
        throw new PositionNotOnRecordError(from, error.message);
      throw error;
    }
    return records;
  }

  /**
   * The events of one of the store's own `$`-streams, newest first, undecoded, with their JSON data
   * as the client parsed it (undefined when not JSON): what no domain decoder reads. For streams that
   * stay small (one event per operator action). A stream that does not exist (on a real EventStoreDB,
   * every stream the embedded store's tools write) reads as none, in this one read.
   */
  async readSystemStreamBackwards(stream: string): Promise<SystemRecord[]> {
    const records: SystemRecord[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, {
        direction: 'backwards',
        fromRevision: END,
      })) {
        const recorded = resolved.event;
        if (recorded)
          records.push({
            id: recorded.id,
            type: recorded.type,
            position: recorded.position?.commit,
            data: recorded.isJson ? recorded.data : undefined,
          });
      }
    } catch (error) {
      // A secured EventStoreDB refuses `$`-streams to a user without admin rights: there, as on every
      // real EventStoreDB, none of these streams was ever written, so a refusal reads as none too,
      // rather than failing every reader's check before it subscribes.
      if (!(error instanceof StreamNotFoundError || error instanceof AccessDeniedError)) throw error;
    }
    return records;
  }

  /**
   * Catch-up subscription to `$all` with a server-side filter, consumed with `for await`. Server
   * checkpoints arrive in order with the events (they are pushed into the same stream), so a
   * consumer that stores the last item's position never skips an unprocessed event.
   */
  subscribeToAll<E extends DomainEvent = DomainEvent>(
    options: SubscriptionOptions & { readonly deletions: true },
  ): EventSubscription<E, SubscriptionItem<E> | StreamDeletion>;
  subscribeToAll<E extends DomainEvent = DomainEvent>(options?: SubscriptionOptions): EventSubscription<E>;
  subscribeToAll<E extends DomainEvent = DomainEvent>(
    options: SubscriptionOptions = {},
  ): EventSubscription<E, SubscriptionItem<E> | StreamDeletion> {
    const searchWindow =
      options.checkpointEvery === undefined ? {} : { maxSearchWindow: options.checkpointEvery };
    const prefixes = options.streamPrefixes ?? [];
    const inStreams = (stream: string): boolean =>
      options.streamPrefixes === undefined || prefixes.some((prefix) => stream.startsWith(prefix));
    const filter: Filter = options.eventTypes
      ? eventTypeFilter({
          // Tombstones and soft deletes (`$metadata` in `$$<stream>`) are records of their own types.
          regex: `^(?:${[...options.eventTypes, ...(options.deletions ? DELETION_TYPES : [])]
            .map(escapeRegex)
            .join('|')})$`,
          ...searchWindow,
        })
      : options.streamPrefixes
        ? streamNameFilter({
            // A soft delete is written to the stream's metadata stream, `$$<stream>`.
            prefixes: options.deletions
              ? [...prefixes, ...prefixes.map((prefix) => `$$${prefix}`)]
              : [...prefixes],
            ...searchWindow,
          })
        : excludeSystemEvents(searchWindow);
    const deletionOf = options.deletions
      ? (resolved: ResolvedEvent): StreamDeletion | undefined => deletionIn(resolved, prefixes)
      : () => undefined;
    const subscription = this.client.subscribeToAll({
      fromPosition:
        options.fromPosition === undefined
          ? START
          : ({ commit: options.fromPosition, prepare: options.fromPosition } satisfies Position),
      filter: {
        ...filter,
        // Called from inside the client's transform, before the next response is handled: pushing the
        // marker into the same readable buffer keeps it in order with the events around it.
        checkpointReached: (_subscription, position) => {
          subscription.push(marker({ kind: 'checkpoint', position: position.commit }));
        },
      },
    });
    subscription.on('caughtUp', () => subscription.push(marker({ kind: 'caughtUp' })));
    const decode = (resolved: ResolvedEvent): RecordedItem<E> | undefined => this.decode<E>(resolved);
    const typeFiltered = options.eventTypes !== undefined;
    return {
      close: () => subscription.unsubscribe(),
      async *[Symbol.asyncIterator]() {
        for await (const item of subscription as AsyncIterable<AllStreamResolvedEvent | Marker>) {
          if (isMarker(item)) {
            yield item.item;
            continue;
          }
          const deletion = deletionOf(item as ResolvedEvent);
          if (deletion) {
            yield deletion;
            continue;
          }
          // Filtered on types by the server: the other streams' events of those types stop here.
          if (typeFiltered && !inStreams((item as ResolvedEvent).event?.streamId ?? '')) continue;
          const decoded = decode(item as ResolvedEvent);
          if (decoded) yield decoded;
        }
      },
    };
  }

  /** The shared decoding step (decodeRecordedEvent); the store's own `$` events are no one's business here. */
  private decode<E extends DomainEvent>(resolved: ResolvedEvent): RecordedItem<E> | undefined {
    const recorded = resolved.event;
    if (!recorded || recorded.type.startsWith('$')) return undefined;
    const decoded = decodeRecordedEvent(recorded, this.schemas);
    const where = {
      id: recorded.id,
      stream: recorded.streamId,
      revision: recorded.revision,
      position: recorded.position?.commit ?? resolved.commitPosition,
    };
    if (!decoded.ours) {
      const { reason, detail, claimsOurs } = decoded;
      return { kind: 'foreign', foreign: { ...where, type: recorded.type, reason, detail, claimsOurs } };
    }
    return {
      kind: 'event',
      stored: {
        ...where,
        event: decoded.event as E,
        metadata: decoded.metadata,
        created: recorded.created,
      },
    };
  }
}

/** The types of the records a deletion leaves in `$all` (see deletionIn). */
const DELETION_TYPES = ['$streamDeleted', '$metadata'];

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A tombstone or a soft delete of a stream of one of `prefixes`, as it shows in `$all`. */
const deletionIn = (resolved: ResolvedEvent, prefixes: readonly string[]): StreamDeletion | undefined => {
  const recorded = resolved.event;
  if (!recorded) return undefined;
  const position = recorded.position?.commit ?? resolved.commitPosition ?? 0n;
  const ofPrefixes = (stream: string): boolean => prefixes.some((prefix) => stream.startsWith(prefix));
  if (recorded.type === '$streamDeleted')
    return prefixes.length === 0 || ofPrefixes(recorded.streamId)
      ? { kind: 'deleted', stream: recorded.streamId, deletion: 'tombstoned', position }
      : undefined;
  if (recorded.type !== '$metadata' || !recorded.streamId.startsWith('$$')) return undefined;
  const stream = recorded.streamId.slice(2);
  const data = recorded.isJson ? (recorded.data as { $tb?: unknown }) : {};
  if (data.$tb === undefined || !ofPrefixes(stream)) return undefined;
  return { kind: 'deleted', stream, deletion: 'softDeleted', position };
};

const MARKER = Symbol('subscription-marker');
interface Marker {
  readonly [MARKER]: true;
  readonly item: Exclude<SubscriptionItem, { kind: 'event' }>;
}
const marker = (item: Marker['item']): Marker => ({ [MARKER]: true, item });
const isMarker = (value: unknown): value is Marker =>
  typeof value === 'object' && value !== null && MARKER in value;
