import { UnavailableError, UnknownError } from '@eventstore/db-client';

import type { ForeignEvent } from './event-store.js';

/** What a caught error says, for a log line: whatever was thrown, Error or not. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Another writer appended to the stream since it was read: re-read, re-decide, retry. */
export class StreamVersionConflictError extends Error {
  override readonly name = 'StreamVersionConflictError';
  constructor(
    readonly stream: string,
    readonly expectedRevision: bigint | 'no_stream',
    readonly actualRevision: bigint | 'no_stream' | undefined,
  ) {
    super(
      `stream ${stream} moved on: expected revision ${String(expectedRevision)}, found ${String(actualRevision ?? 'unknown')}`,
    );
  }
}

/**
 * A stream holds an event that claims to be part of its aggregate's history (it carries Switchboard's
 * metadata) but that this build cannot read: folding past it could decide on a wrong state, so a
 * command on the stream is refused, naming the event (api: 422 FOREIGN_EVENT_IN_STREAM).
 */
export class ForeignEventInStreamError extends Error {
  override readonly name = 'ForeignEventInStreamError';
  constructor(readonly foreign: ForeignEvent) {
    super(
      `stream ${foreign.stream} holds an event this build cannot read at revision ${foreign.revision} ` +
        `($all position ${foreign.position ?? 'unknown'}): ${foreign.reason}: ${foreign.detail}`,
    );
  }
}

/**
 * The store refused to read `$all` from `position`: EventStoreDB reads it only from a record's own
 * position, the start or the end, and refuses one inside a record (INVALID_ARGUMENT "Trying to read
 * from an invalid position.") or, backwards, past the end (docs/event-store.md, "Reading `$all` from a
 * position that is not an event's"). A reader holding a position the store no longer has a record
 * at (the store was replaced, or repaired) meets it.
 */
export class PositionNotOnRecordError extends Error {
  override readonly name = 'PositionNotOnRecordError';
  constructor(
    readonly position: bigint,
    readonly refusal: string,
  ) {
    super(`the event store has no record at $all position ${position} to read from (${refusal})`);
  }
}

/**
 * The stream was deleted in the store behind the application's back: tombstoned (for good) or soft
 * deleted (EventStoreDB then reads it as not found while its events stay in `$all`).
 */
export class DeletedStreamError extends Error {
  override readonly name = 'DeletedStreamError';
  constructor(
    readonly stream: string,
    readonly deletion: 'tombstoned' | 'softDeleted',
  ) {
    super(
      deletion === 'tombstoned'
        ? `stream ${stream} was tombstoned in the event store: it can never be read or written again`
        : `stream ${stream} was deleted in the event store: its history is gone and it is not recreated under the same id`,
    );
  }
}

/**
 * A stream took as many commands within the idempotency window as the repository remembers. Taking
 * more would mean forgetting a command id whose resend must still get its first result.
 */
export class TooManyCommandsError extends Error {
  override readonly name = 'TooManyCommandsError';
  readonly retryAfterSeconds: number;
  constructor(
    readonly stream: string,
    readonly remembered: number,
    retryAfterMs: number,
  ) {
    const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    super(
      `stream ${stream} took ${remembered} commands within the idempotency window, the most remembered per stream; retry in ${retryAfterSeconds} s`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * The trailer with which the embedded event store (apps/eventstore, grpc/errors.ts) refuses an
 * append its log could not write, carrying the write's error code. EventStoreDB sends none: a node
 * whose writer fails stops, and its clients meet an unavailable store.
 */
export const LOG_WRITE_FAILED_TRAILER = 'log-write-failed';

/**
 * How the embedded store's BatchAppend refuses such an append: a reply of its own, whose message the
 * client keeps behind `Could not recognize ` in an UnknownError, starting with the trailer's word and
 * the write's error code (apps/eventstore, grpc/errors.ts: logWriteFailedMessage).
 */
const LOG_WRITE_FAILED_REPLY = new RegExp(
  `^(?:Could not recognize )?${LOG_WRITE_FAILED_TRAILER} ([A-Z0-9]+): `,
);

/**
 * The error code of the failed write, when `error` is the store refusing an append because it cannot
 * write its log: a BatchAppend reply saying so, or the legacy Append's UNAVAILABLE with the trailer.
 */
export function logWriteFailureCode(error: unknown): string | undefined {
  if (error instanceof UnknownError) return LOG_WRITE_FAILED_REPLY.exec(error.message)?.[1];
  if (error instanceof UnavailableError)
    return error._raw?.metadata.get(LOG_WRITE_FAILED_TRAILER)[0]?.toString();
  return undefined;
}

/**
 * The event store refused the append because it cannot write its log (a full disk, a failing one):
 * nothing was appended, and the same command succeeds once the store can write again.
 */
export class StoreCannotWriteError extends Error {
  override readonly name = 'StoreCannotWriteError';
  constructor(
    readonly stream: string,
    /** The failed write's error code as the store gave it (ENOSPC, EDQUOT, EIO…). */
    readonly errorCode: string,
  ) {
    super(
      `the event store cannot write its log (${errorCode}); nothing of the append to ${stream} was written`,
    );
  }
}
