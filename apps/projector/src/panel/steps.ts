import { evolveAccount, initialAccountState, partyById, type AccountState } from '#domain';
import { accountStream, type AccountEvent } from '#events';
import type { EventStore, LogRecord } from '#eventstore';
import type { Step, Steps } from './seat-contract.js';

/** Records read from `$all` per look: events of other accounts lie between an account's own. */
const PAGE = 512;

const stepOf = (record: LogRecord): Step => ({
  position: String(record.position),
  type: record.type,
  stream: record.stream,
});

/**
 * Time travel event by event: around a view as of `$all` position `position`, the event of the view's
 * streams (`relevant`) it shows last, the one before it (one step back shows the view as of that one)
 * and the one after it (one step forward).
 *
 * `position` is any number (a view as of a simulated time stands just before an event, and an address
 * can say anything), but EventStoreDB reads `$all` only from a record's own position, the start or
 * the end, and refuses the rest (docs/event-store.md). So the log is read from `start`, a record's
 * position at or before `position` (undefined: the first record), that the caller knows of: forwards a
 * page at a time past `position` to the next event, then, when fewer than two events at or before
 * `position` were met, backwards from `start`. A step costs the records between `start` and the
 * account's events, not the whole log.
 */
export async function stepsAround(
  store: EventStore,
  position: bigint,
  relevant: (stream: string) => boolean,
  start: bigint | undefined,
): Promise<Steps> {
  const mine = (record: LogRecord): boolean =>
    record.position !== undefined && !record.type.startsWith('$') && relevant(record.stream);

  /** The view's last two events, newest first. */
  const earlier: LogRecord[] = [];
  let forward: LogRecord | undefined;
  /** The last record read forwards: forward reads include their start, so the next page repeats it. */
  let seen: bigint | undefined;
  for (let from = start; forward === undefined;) {
    const page = await store.readAllRecords(from, PAGE, 'forwards');
    for (const record of page) {
      if (record.position === undefined || (seen !== undefined && record.position <= seen)) continue;
      seen = record.position;
      if (!mine(record)) continue;
      if (record.position > position) {
        forward = record;
        break;
      }
      earlier.unshift(record);
      earlier.length = Math.min(earlier.length, 2);
    }
    if (page.length < PAGE || seen === undefined) break;
    from = seen;
  }

  // Nothing lies before the first record: no backward read, which from no position reads from the end.
  for (let from = start; from !== undefined && earlier.length < 2;) {
    const page = await store.readAllRecords(from, PAGE, 'backwards');
    for (const record of page) {
      if (mine(record)) earlier.push(record);
      if (earlier.length === 2) break;
    }
    const last = page.at(-1)?.position;
    if (page.length < PAGE || last === undefined) break;
    from = last;
  }
  const [current, previous] = earlier;
  return {
    current: current ? stepOf(current) : null,
    back: previous ? String(previous.position) : current ? await justBefore(store, current) : null,
    forward: forward ? stepOf(forward) : null,
  };
}

/**
 * Before the account's first event, the view as of the record just before it (another account's, or
 * the store's own), which shows the same; the start (0) when it is the log's first. Not the event's
 * position − 1: as of that the view is the same, but stepping on from it reads `$all` from inside the
 * record before, which EventStoreDB refuses.
 */
async function justBefore(store: EventStore, first: LogRecord): Promise<string> {
  const [before] = await store.readAllRecords(first.position, 1, 'backwards');
  return String(before?.position ?? 0n);
}

/**
 * The `$all` position of the event the seats of `viewers` start at: the account's event that made the
 * last of them a party, as the domain's own evolveAccount folds the account's stream (no seat of theirs
 * shows before it: the projector answers PARTY_NOT_FOUND). Undefined when one of them is no party of
 * the account (yet). Reads the account's stream from its start up to that event: parties are
 * provisioned early in an account's life, so that is a page or two.
 */
export async function seatsStartOf(
  store: EventStore,
  accountId: string,
  viewers: readonly string[],
): Promise<bigint | undefined> {
  const waiting = new Set(viewers);
  let state: AccountState = initialAccountState;
  for (let from = 0n; ;) {
    const page = await store.readRecordedBatch<AccountEvent>(accountStream(accountId), from, PAGE);
    for (const item of page.items) {
      // An event this build cannot read makes no party the projector shows either.
      if (item.kind !== 'event') continue;
      state = evolveAccount(state, item.stored.event);
      for (const viewer of waiting) if (partyById(state, viewer)) waiting.delete(viewer);
      if (waiting.size === 0) return item.stored.position;
    }
    if (page.reachedEnd) return undefined;
    from = page.next;
  }
}

/**
 * The steps around a view of the seats of `viewers`: as stepsAround, but no step back from the event
 * their seats start at (`seatsStart`, see seatsStartOf), as no view before it shows them.
 */
export const stepsWithinSeats = (steps: Steps, seatsStart: bigint | undefined): Steps =>
  seatsStart !== undefined && steps.current !== null && BigInt(steps.current.position) <= seatsStart
    ? { ...steps, back: null }
    : steps;
