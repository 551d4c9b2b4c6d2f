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
        // The client's own error says nothing (its message is empty): name the event and the limit.
        if (error instanceof MaxAppendSizeExceededError) {
          throw new ImportConflictError(
            `event ${event.id} (stream ${event.stream}, revision ${revision}) is larger than the ` +
              `${error.maxAppendSize} bytes the store takes in one append`,
          );
        }
        // An append the store refuses in an error the client has no type for reaches us as an
        // UnknownError saying nothing of the event: with an empty message, or the client's "Could not
        // recognize BadRequest" (EventStoreDB's answer to a stream name or type it cannot take).
        const unrecognised =
          error instanceof Error ? /^(?:|Could not recognize (.+))$/.exec(error.message) : null;
        if (unrecognised) {
          const how = unrecognised[1] === undefined ? 'without a reason' : `as ${unrecognised[1]}`;
          throw new ImportConflictError(
            `the store refused event ${event.id} (stream ${event.stream}, revision ${revision}) ${how} ` +
              `(its stream name is ${Buffer.byteLength(event.stream)} bytes, its type ` +
              `${Buffer.byteLength(event.type)} bytes)`,
          );
        }
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
