import type { ForeignEvent } from './event-store.js';

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
