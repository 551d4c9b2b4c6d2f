import { BACKWARDS, END, START, UnknownError, type Position } from '@eventstore/db-client';

import { collect, failureOf, storeForSuite } from './support.js';

/**
 * Where a `$all` read or subscription may start: EventStoreDB 24 refuses a commit/prepare pair that
 * falls inside an event, and a backward read from past the end (docs/event-store.md, "Reading `$all`
 * from a position that is not an event's").
 */
describe('Streams.Read of $all from a position that is not an event’s, through the official client', () => {
  const { client, streamForSuite } = storeForSuite();
  /** A stream of three events, and their positions in order. */
  const { stream, positions, eventsIn } = streamForSuite('positions-on-record', 3);
  /** Far past anything the suite writes, yet a long: not the client's END. */
  const pastTheEnd: Position = { commit: 1n << 60n, prepare: 1n << 60n };
  const inside = (position: Position): Position => ({
    commit: position.commit + 1n,
    prepare: position.prepare + 1n,
  });

  const INVALID_POSITION = {
    constructor: UnknownError,
    message: '3 INVALID_ARGUMENT: Trying to read from an invalid position.',
  };
  const ours = (events: { event?: { streamId: string; position?: Position } }[]) =>
    eventsIn(events).map((event) => event.position);
  /** The positions of the suite stream's first two events a subscription to $all from `from` delivers. */
  const firstTwoSubscribedFrom = async (from: Position): Promise<Position[]> => {
    const subscription = client.subscribeToAll({ fromPosition: from });
    const seen: Position[] = [];
    for await (const resolved of subscription) {
      if (resolved.event?.streamId !== stream) continue;
      seen.push(resolved.event.position!);
      if (seen.length === 2) break;
    }
    await subscription.unsubscribe();
    return seen;
  };

  it('Given events in $all, When $all is read either way from a position one byte inside an event, Then the read fails with INVALID_ARGUMENT "Trying to read from an invalid position."', async () => {
    expect(await failureOf(client.readAll({ fromPosition: inside(positions[1]!), maxCount: 2 }))).toEqual(
      INVALID_POSITION,
    );
    expect(
      await failureOf(
        client.readAll({ fromPosition: inside(positions[1]!), maxCount: 2, direction: BACKWARDS }),
      ),
    ).toEqual(INVALID_POSITION);
  });

  // EventStoreDB's reader repositions by the commit position alone and compares (commit, prepare) pairs;
  // it goes on from such positions itself: each `$all` page after the first starts at (end of the last
  // record, 0), and a filtered subscription's checkpoints are of that form (docs/event-store.md).
  describe('from an event’s commit position with prepare position 0, a start just before that event', () => {
    const justBefore = (position: Position): Position => ({ commit: position.commit, prepare: 0n });

    it('Given events in $all, When $all is read forwards from it, Then the read starts with that event', async () => {
      expect(
        ours(await collect(client.readAll({ fromPosition: justBefore(positions[1]!), maxCount: 2 }))),
      ).toEqual(positions.slice(1));
    });

    it('Given events in $all, When $all is read backwards from it, Then the event ending there, which lies after it, is not read', async () => {
      const backwards = { maxCount: 1, direction: BACKWARDS } as const;
      expect(
        ours(await collect(client.readAll({ fromPosition: justBefore(positions[1]!), ...backwards }))),
      ).toEqual([]);
      expect(ours(await collect(client.readAll({ fromPosition: positions[1]!, ...backwards })))).toEqual([
        positions[0],
      ]);
    });

    it('Given events in $all, When $all is subscribed to from it, Then that event comes first', async () => {
      expect(await firstTwoSubscribedFrom(justBefore(positions[1]!))).toEqual(positions.slice(1));
    });
  });

  it('Given events in $all, When $all is read from a position whose prepare position is above its commit position, Then the read fails, as EventStoreDB’s Position refuses it', async () => {
    const upsideDown = { commit: positions[0]!.commit, prepare: positions[1]!.prepare };
    expect(await failureOf(client.readAll({ fromPosition: upsideDown, maxCount: 2 }))).toEqual({
      constructor: UnknownError,
      message: '3 INVALID_ARGUMENT: The commit position cannot be less than the prepare position',
    });
  });

  it('Given events in $all, When $all is subscribed to from a position inside an event, Then the subscription fails with the same error as it starts', async () => {
    expect(await failureOf(client.subscribeToAll({ fromPosition: inside(positions[0]!) }))).toEqual(
      INVALID_POSITION,
    );
  });

  it('Given events in $all, When $all is read backwards from past the end, Then the read fails with UNKNOWN "Unexpected ReadAllResult: Error"', async () => {
    expect(
      await failureOf(client.readAll({ fromPosition: pastTheEnd, direction: BACKWARDS, maxCount: 1 })),
    ).toEqual({
      constructor: UnknownError,
      message: '2 UNKNOWN: Unexpected ReadAllResult: Error',
    });
  });

  it('Given events in $all, When $all is read forwards from past the end, Then nothing comes and the read ends', async () => {
    expect(await collect(client.readAll({ fromPosition: pastTheEnd, maxCount: 1 }))).toEqual([]);
  });

  it('Given events in $all, When $all is read from an event’s own position, from the start or from the end, Then each read is answered', async () => {
    expect(ours(await collect(client.readAll({ fromPosition: positions[1]!, maxCount: 2 })))).toEqual(
      positions.slice(1),
    );
    expect(
      ours(await collect(client.readAll({ fromPosition: positions[1]!, maxCount: 1, direction: BACKWARDS }))),
    ).toEqual([positions[0]]);
    expect(
      await collect(client.readAll({ fromPosition: { commit: 0n, prepare: 0n }, maxCount: 1 })),
    ).toHaveLength(1);
    expect(await collect(client.readAll({ fromPosition: START, maxCount: 1 }))).toHaveLength(1);
    expect(
      await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 })),
    ).toHaveLength(1);
  });

  it('Given events in $all, When $all is subscribed to from an event’s own position, Then the events after it come', async () => {
    expect(await firstTwoSubscribedFrom(positions[0]!)).toEqual(positions.slice(1));
  });
});
