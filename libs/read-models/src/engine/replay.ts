import type { EventStore, StoredEvent } from '#eventstore';
import type { Projection } from './projection.js';
import { CHECKPOINT_EVERY, ReadModels } from './read-models.js';

/** How far a replay goes: everything, up to a `$all` position, or up to a simulated time (R21). */
export interface ReplayLimit {
  /** Apply events at or before this `$all` commit position. */
  readonly untilPosition?: bigint;
  /** Apply events until the first whose simulated time is later than this instant (ISO-8601). */
  readonly untilSimulatedTime?: string;
}

export interface ReplayOptions extends ReplayLimit {
  readonly streamPrefixes: readonly string[];
  /**
   * Park events a projection cannot apply instead of stopping (as the live projector does when told
   * to): a rebuild must park what the live projector parked, or their digests cannot compare.
   */
  readonly parkFailedEvents?: boolean;
  /** Called after each applied event (progress bars, benchmarks). */
  readonly onEvent?: (stored: StoredEvent) => void;
  /**
   * Read models to go on from (a checkpoint), instead of fresh ones: the replay applies what comes
   * after their position. They must be the state a replay from the first event had there.
   */
  readonly from?: ReadModels;
}

/**
 * Replays the log from the first event into fresh read models, stopping at the limit or once caught
 * up with the head. This is the rebuild, and the time machine: "as of" position P or time T is a
 * replay that stops there.
 *
 * "As of time" stops at the first event later than T instead of skipping it and applying later ones:
 * simulated time is decided per command, so two api instances can commit slightly out of time order,
 * and applying a later event without an earlier one of the same call could break an invariant. A
 * prefix of the log is always a state that existed.
 *
 * Foreign events (see decodeRecordedEvent) are parked, as the live projector parks them.
 */
export async function replay(
  store: EventStore,
  projections: readonly Projection[],
  options: ReplayOptions,
): Promise<ReadModels> {
  const readModels = options.from ?? new ReadModels(projections);
  const until = options.untilPosition;
  const untilTime =
    options.untilSimulatedTime === undefined ? undefined : parseInstant(options.untilSimulatedTime);
  if (until !== undefined && readModels.position !== undefined && readModels.position >= until) {
    readModels.advanceTo(until);
    return readModels;
  }
  // Right after the last event taken, not from `position`: server checkpoints may have moved that over
  // records of other streams, and where a repair cut them and wrote others, a record may span it now,
  // which EventStoreDB refuses to read `$all` from. None of the streams followed lies in between.
  const resumePosition = readModels.resumePosition;
  const subscription = store.subscribeToAll({
    ...(resumePosition === undefined ? {} : { fromPosition: resumePosition }),
    streamPrefixes: options.streamPrefixes,
    checkpointEvery: CHECKPOINT_EVERY,
  });
  try {
    for await (const item of subscription) {
      if (item.kind === 'caughtUp') break;
      if (item.kind === 'checkpoint') {
        if (until !== undefined && item.position > until) {
          readModels.advanceTo(until);
          break;
        }
        readModels.advanceTo(item.position);
        continue;
      }
      const position = item.kind === 'event' ? item.stored.position : item.foreign.position;
      if (until !== undefined && position !== undefined && position > until) {
        readModels.advanceTo(until);
        break;
      }
      if (item.kind === 'foreign') {
        readModels.parkForeign(item.foreign);
        continue;
      }
      const { stored } = item;
      if (untilTime !== undefined && parseInstant(stored.metadata.simulatedTime) > untilTime) {
        // Everything before the first later event, and nothing of it: a position that does not
        // depend on where the server happened to send its last checkpoint.
        if (position !== undefined) readModels.stopBefore(position);
        break;
      }
      if (options.parkFailedEvents) readModels.applyOrPark(stored);
      else readModels.apply(stored);
      options.onEvent?.(stored);
    }
  } finally {
    await subscription.close();
  }
  return readModels;
}

export const parseInstant = (iso: string): number => {
  const instant = Date.parse(iso);
  if (Number.isNaN(instant)) throw new RangeError(`"${iso}" is not an ISO-8601 instant`);
  return instant;
};
