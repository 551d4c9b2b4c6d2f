import type { EventStore } from './event-store.js';

/** A record of `$all` a reader took last: where it was, and which it was. */
export interface ReaderPosition {
  readonly id: string;
  readonly position: bigint;
}

/** What the store holds where a reader's last record was. */
export interface StoreCheck {
  /** The record is still there, with its id. */
  readonly kept: boolean;
  /** The id of the record the store has at that position instead (undefined: none, or the same). */
  readonly foundThere: string | undefined;
}

/**
 * Whether a reader that followed `$all` still holds a prefix of the store's log: its last record
 * must be in the store, at its position and with its id. It may not be: `eventstore repair` cut a
 * damaged tail while the reader waited to reconnect (or was stopped), and new records now land at
 * the cut positions; or the store's data was replaced. Every reader that resumes from where it got
 * to (the projector, the time-travel log index, the api's line timers) runs this before every
 * subscription and starts over from the first record when the record is not kept: resuming would
 * keep what the store no longer has, and skip what it wrote in its place.
 */
export async function checkReaderAgainstStore(
  store: Pick<EventStore, 'readAllRecords'>,
  last: ReaderPosition,
): Promise<StoreCheck> {
  const [record] = await store.readAllRecords(last.position, 1);
  const found = record?.position === last.position ? record.id : undefined;
  return found === last.id ? { kept: true, foundThere: undefined } : { kept: false, foundThere: found };
}
