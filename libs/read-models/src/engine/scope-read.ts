import { ACCOUNT_STREAM_PREFIX, LINE_STREAM_PREFIX, lineKeyOf } from '#events';
import type { EventStore, RecordedItem } from '#eventstore';
import type { LogIndex } from './log-index.js';

/**
 * What an as-of query reads: the rows of these accounts (and the clocks'). With `lineKey` (one
 * account), only that line's rows besides the account's own: a line query.
 */
export interface TimeTravelScope {
  readonly accountIds: readonly string[];
  readonly lineKey?: string;
}

/** The streams a scope's rows are folded from, as far as the index has seen them: its own and the clocks'. */
export function streamsOfScope(index: LogIndex, scope: TimeTravelScope): Set<string> {
  const streams = new Set(index.clocks);
  for (const accountId of scope.accountIds) {
    for (const stream of index.streamsOf(accountId)) {
      const ofScope =
        scope.lineKey === undefined ||
        stream.startsWith(ACCOUNT_STREAM_PREFIX) ||
        (stream.startsWith(LINE_STREAM_PREFIX) && lineKeyOf(stream) === scope.lineKey);
      if (ofScope) streams.add(stream);
    }
  }
  return streams;
}

export const positionOf = (item: RecordedItem): bigint | undefined =>
  item.kind === 'event' ? item.stored.position : item.foreign.position;

/**
 * The records of `streams` after `after` (undefined: from the first) up to `until` (undefined: all),
 * in log order. Only that range of each stream is read: the index says at which revision a stream
 * passes a position (a stream whose revisions have a gap is read from its start and filtered). A
 * bound past what the index has seen reads the streams to their end.
 */
export async function readScope(
  store: EventStore,
  index: LogIndex,
  streams: Iterable<string>,
  after: bigint | undefined,
  until: bigint | undefined,
): Promise<RecordedItem[]> {
  const indexedToo = until !== undefined && index.position !== undefined && until <= index.position;
  const read = await Promise.all(
    [...streams].map(async (stream) => {
      const items: RecordedItem[] = [];
      const from = after === undefined ? 0 : index.readCountOf(stream, after);
      const to = indexedToo ? index.readCountOf(stream, until) : undefined;
      if (to !== undefined && to <= (from ?? 0)) return items;
      const count = to === undefined ? undefined : to - (from ?? 0);
      for await (const item of store.readRecorded(stream, BigInt(from ?? 0), count)) {
        const position = positionOf(item);
        if (position === undefined) continue;
        if ((after === undefined || position > after) && (until === undefined || position <= until))
          items.push(item);
      }
      return items;
    }),
  );
  return read.flat().sort((a, b) => {
    const [x, y] = [positionOf(a)!, positionOf(b)!];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}
