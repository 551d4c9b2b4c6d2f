import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  FORWARDS,
  MaxAppendSizeExceededError,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError,
  binaryEvent,
  jsonEvent,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import { TIMER_COMMAND_ID_PREFIX } from '#events';
import { decodeHistoryEvent, ForeignCounts, type HistoryEvent } from './history-event.js';

export interface ImportResult {
  readonly appended: number;
  /** Events the target already held, with the same id at the same revision (a re-import). */
  readonly skipped: number;
  /** Target `$all` position of each history event, in input order (for "state after N events"). */
  readonly positions: bigint[];
}

export class ImportConflictError extends Error {
  override readonly name = 'ImportConflictError';
}

/**
 * Appends history events to a store, each to its original stream at its original revision (the
 * expected revision is the one before it), with its original id, type, data and metadata. Events
 * the target already holds under the same id at the same revision are skipped, so an import can be
 * resumed or repeated; a different event at that revision, or a gap, stops the import loudly.
 *
 * Foreign events (see decodeRecordedEvent) are copied as they are, like every other event: the
 * history is reproduced, not judged. They are counted by reason for the report, and each consumer
 * of the target store then applies its own policy to them.
 */
export class HistoryImporter {
  /** Per stream: the next revision the target expects, the ids it already holds and their command ids. */
  private readonly streams = new Map<string, StreamState>();
  appended = 0;
  skipped = 0;
  /** Appended events this build cannot read as its own. */
  readonly foreign = new ForeignCounts();
  /** Of the events `check` found to append, the largest as the store measures an append. */
  private largest: { readonly event: HistoryEvent; readonly size: number } | undefined;

  constructor(private readonly client: EventStoreDBClient) {}

  /** Imports one event; resolves with its `$all` position in the target. */
  async import(event: HistoryEvent): Promise<bigint> {
    const stream = await this.placeOf(event);
    if (stream === 'skipped') {
      this.skipped++;
      return this.positionOf(event.stream, BigInt(event.revision));
    }
    const revision = BigInt(event.revision);
    const result = await this.client
      .appendToStream(event.stream, eventDataOf(event), {
        expectedRevision: revision === 0n ? 'no_stream' : revision - 1n,
      })
      .catch(async (error: unknown) => {
        // Another writer appended to the stream since the import read it (an api's timer, say): read
        // it again, so that the refusal names the event in the way and who wrote it, as at the check.
        if (error instanceof WrongExpectedVersionError) {
          this.streams.delete(event.stream);
          await this.placeOf(event);
        }
        const refused = storeRefusal(event, error);
        if (refused) throw new ImportConflictError(refused);
        throw error;
      });
    stream.next = revision + 1n;
    stream.ids.push(event.id);
    stream.commandIds.push(undefined);
    this.appended++;
    this.foreign.count(decodeHistoryEvent(event));
    return result.position?.commit ?? 0n;
  }

  /**
   * Checks one event against the target as `import` would place it, appending nothing: run over a
   * whole history first, it finds a conflict with the target before a single event is appended, so
   * an import refused for one changes nothing. Events checked count as appended or skipped.
   */
  async check(event: HistoryEvent): Promise<void> {
    const stream = await this.placeOf(event);
    if (stream === 'skipped') {
      this.skipped++;
      return;
    }
    stream.next = BigInt(event.revision) + 1n;
    stream.ids.push(event.id);
    stream.commandIds.push(undefined);
    this.appended++;
    this.foreign.count(decodeHistoryEvent(event));
    const size = appendSizeOf(event);
    if (size > (this.largest?.size ?? -1)) this.largest = { event, size };
  }

  /**
   * After `check` over a whole history: the event to append that the store would refuse as larger
   * than it takes in one append, with the refusal, else undefined. Found only at its append, it left
   * the events before it appended, and importing the file again stopped at it again. The store's
   * limit is its own setting, so the largest event is offered to it: an append expecting a stream
   * that does not exist, which the store refuses for its size (or a type it cannot take) before it
   * looks at the stream, the size being counted as the events arrive, and otherwise for the stream,
   * writing nothing either way.
   */
  async refusedBySize(): Promise<{ readonly event: HistoryEvent; readonly message: string } | undefined> {
    if (!this.largest) return undefined;
    const { event } = this.largest;
    const refusal: unknown = await this.client
      .appendToStream(`switchboard-size-probe-${randomUUID()}`, eventDataOf(event), {
        expectedRevision: 'stream_exists',
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    if (refusal instanceof WrongExpectedVersionError) return undefined;
    const message = storeRefusal(event, refusal);
    if (message) return { event, message };
    throw refusal;
  }

  /** The event's stream state when the event is to be appended, 'skipped' when the target holds it. */
  private async placeOf(event: HistoryEvent): Promise<StreamState | 'skipped'> {
    const stream = await this.streamState(event.stream);
    const revision = BigInt(event.revision);
    if (revision < stream.next) {
      const existing = stream.ids[Number(revision)];
      if (existing !== event.id) {
        const commandId = stream.commandIds[Number(revision)];
        throw new ImportConflictError(
          commandId?.startsWith(TIMER_COMMAND_ID_PREFIX)
            ? `stream ${event.stream} already holds event ${existing} at revision ${revision}, not ${event.id}: ` +
                `an api running against the store wrote it (timer command ${commandId}), acting on a call ` +
                'the import had left ringing or transferring, its due time long past. Import into a store ' +
                'no api runs against, and start the api once the import is done'
            : `stream ${event.stream} already holds event ${existing} at revision ${revision}, not ${event.id}: ` +
                'import into an empty store, or one that holds this same history',
        );
      }
      return 'skipped';
    }
    if (revision > stream.next) {
      throw new ImportConflictError(
        `stream ${event.stream} would skip from revision ${stream.next} to ${revision}: the history is incomplete`,
      );
    }
    return stream;
  }

  private async streamState(name: string): Promise<StreamState> {
    let state = this.streams.get(name);
    if (state) return state;
    const ids: string[] = [];
    const commandIds: (string | undefined)[] = [];
    try {
      for await (const resolved of this.client.readStream(name, {
        direction: FORWARDS,
        fromRevision: START,
      })) {
        if (!resolved.event) continue;
        ids.push(resolved.event.id);
        commandIds.push(commandIdOf(resolved.event.metadata));
      }
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    state = { next: BigInt(ids.length), ids, commandIds };
    this.streams.set(name, state);
    return state;
  }

  private async positionOf(stream: string, revision: bigint): Promise<bigint> {
    let position = 0n;
    // Consumed to the end (one event): see headPosition on reads cancelled half-way.
    for await (const resolved of this.client.readStream(stream, {
      direction: BACKWARDS,
      fromRevision: revision,
      maxCount: 1,
    })) {
      position = resolved.event?.position?.commit ?? resolved.commitPosition ?? 0n;
    }
    return position;
  }
}

/**
 * Why the store refused to append an event, in words naming it, where the client's error says nothing
 * of it; undefined for any other error. Over its limit on one append, the client's message is empty.
 * An append the store refuses in an error the client has no type for reaches us as an UnknownError
 * saying nothing of the event: with an empty message, or the client's "Could not recognize
 * BadRequest" (EventStoreDB's answer to a stream name or type it cannot take).
 */
const storeRefusal = (event: HistoryEvent, error: unknown): string | undefined => {
  const at = `event ${event.id} (stream ${event.stream}, revision ${event.revision})`;
  if (error instanceof MaxAppendSizeExceededError)
    return `${at} is larger than the ${error.maxAppendSize} bytes the store takes in one append`;
  const unrecognised = error instanceof Error ? /^(?:|Could not recognize (.+))$/.exec(error.message) : null;
  if (!unrecognised) return undefined;
  const how = unrecognised[1] === undefined ? 'without a reason' : `as ${unrecognised[1]}`;
  return (
    `the store refused ${at} ${how} (its stream name is ${Buffer.byteLength(event.stream)} bytes, ` +
    `its type ${Buffer.byteLength(event.type)} bytes)`
  );
};

/**
 * An event's bytes as the store counts them against its limit on one append: data, metadata and
 * twice the type. Only to find the largest event of a history: the store's answer decides.
 */
const appendSizeOf = (event: HistoryEvent): number => {
  const bytes = (value: unknown, encoding: 'base64' | undefined): number =>
    encoding === 'base64'
      ? Buffer.byteLength(String(value), 'base64')
      : value === undefined || value === null
        ? 0
        : Buffer.byteLength(JSON.stringify(value));
  return (
    bytes(event.data, event.dataEncoding) +
    bytes(event.metadata, event.metadataEncoding) +
    2 * Buffer.byteLength(event.type)
  );
};

/** A stream of the target as the import found it and has added to it. */
interface StreamState {
  next: bigint;
  readonly ids: string[];
  /** The command id in each event's metadata, where it has one: tells who wrote an event in the way. */
  readonly commandIds: (string | undefined)[];
}

/** The `commandId` of an event's metadata, if it is JSON that has one. */
const commandIdOf = (metadata: unknown): string | undefined => {
  const commandId = (metadata as { commandId?: unknown } | undefined)?.commandId;
  return typeof commandId === 'string' ? commandId : undefined;
};

/** Bytes the client passes through as they are: a plain Uint8Array, not a Buffer (see event-store.ts). */
const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/**
 * The event as it was written: JSON or binary data, JSON metadata, bytes that are not JSON, or none.
 * A foreign event (no metadata, metadata that is not JSON, binary data) is reproduced, not repaired.
 */
export const eventDataOf = (event: HistoryEvent) => {
  const metadata =
    event.metadataEncoding === 'base64'
      ? bytesOf(String(event.metadata))
      : event.metadata === undefined || event.metadata === null
        ? undefined
        : (event.metadata as Record<string, unknown>);
  const common = { id: event.id, type: event.type, ...(metadata === undefined ? {} : { metadata }) };
  return event.dataEncoding === 'base64'
    ? binaryEvent({ ...common, data: bytesOf(String(event.data)) })
    : jsonEvent({ ...common, data: event.data as Record<string, unknown> });
};
