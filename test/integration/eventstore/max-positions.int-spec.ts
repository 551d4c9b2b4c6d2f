import { BACKWARDS, END, eventTypeFilter } from '@eventstore/db-client';

import { caughtUp, collect, connectForSuite, numbered, take, uniqueStream } from './support.js';

/**
 * The largest revision and position the wire can carry, 2^64 - 1: EventStoreDB reads it as the end
 * (`StreamRevision.End`, `Position.End`: ulong.MaxValue), the same as the client's `END`.
 */
const MAX = BigInt('18446744073709551615');
const MAX_POSITION = { commit: MAX, prepare: MAX };

describe('revisions and positions at 2^64 - 1, through the official client', () => {
  const client = connectForSuite();

  it('a stream subscription from revision 2^64 - 1 goes live from the end, as from END', async () => {
    // Given a stream with three events
    const stream = uniqueStream('sub-max');
    await client.appendToStream(stream, numbered(3));
    // When a subscription starts from revision 2^64 - 1, and two events are appended once it caught up
    const subscription = client.subscribeToStream(stream, { fromRevision: MAX });
    void caughtUp(subscription).then(() => client.appendToStream(stream, numbered(2, 'Numbered', 3)));
    // Then it delivers those two, and none of the history
    const { events } = await take(subscription, 2);
    expect(events.map((resolved) => resolved.event!.revision)).toEqual([3n, 4n]);
  });

  it('a stream read from revision 2^64 - 1 reads as from END: nothing forwards, the last event first backwards', async () => {
    const stream = uniqueStream('read-max');
    await client.appendToStream(stream, numbered(3));
    expect(await collect(client.readStream(stream, { fromRevision: MAX }))).toEqual(
      await collect(client.readStream(stream, { fromRevision: END })),
    );
    const backwards = await collect(
      client.readStream(stream, { fromRevision: MAX, direction: BACKWARDS, maxCount: 2 }),
    );
    expect(backwards.map((resolved) => resolved.event!.revision)).toEqual([2n, 1n]);
  });

  it('a $all subscription from position 2^64 - 1 goes live from the end, filtered or not', async () => {
    const stream = uniqueStream('all-max');
    await client.appendToStream(stream, numbered(2));
    for (const filter of [undefined, eventTypeFilter({ prefixes: ['AtMax'] })]) {
      const subscription = client.subscribeToAll({ fromPosition: MAX_POSITION, filter });
      void caughtUp(subscription).then(() => client.appendToStream(stream, numbered(1, 'AtMax')));
      const { events } = await take(subscription, 1, () => undefined);
      expect(events[0]!.event).toMatchObject({ streamId: stream, type: 'AtMax' });
    }
  });

  it('a $all read from position 2^64 - 1 reads as from END: nothing forwards, the last event first backwards', async () => {
    const stream = uniqueStream('read-all-max');
    await client.appendToStream(stream, numbered(2));
    expect(await collect(client.readAll({ fromPosition: MAX_POSITION, maxCount: 5 }))).toEqual([]);
    const [last] = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
    const [fromMax] = await collect(
      client.readAll({ fromPosition: MAX_POSITION, direction: BACKWARDS, maxCount: 1 }),
    );
    expect(fromMax!.event!.position).toEqual(last!.event!.position);
  });

  it('a revision or position above 2^63 - 1 other than 2^64 - 1 is refused as invalid, naming it', async () => {
    // Given values EventStoreDB's longs cannot hold (it refuses them too), When read or subscribed from,
    // Then the call fails at once, saying which value and the range, instead of waiting for ever
    const stream = uniqueStream('out-of-range');
    await client.appendToStream(stream, numbered(1));
    const beyond = 2n ** 63n;
    const attempts = [
      collect(client.readStream(stream, { fromRevision: beyond })),
      collect(client.subscribeToStream(stream, { fromRevision: MAX - 1n })),
      collect(client.readAll({ fromPosition: { commit: beyond, prepare: beyond } })),
      collect(client.subscribeToAll({ fromPosition: { commit: beyond, prepare: beyond } })),
    ];
    const messages = await Promise.all(
      attempts.map((attempt) =>
        attempt.then(
          () => 'no error',
          (error: Error) => error.message,
        ),
      ),
    );
    expect(messages).toEqual([
      expect.stringMatching(/^3 INVALID_ARGUMENT: The revision 9223372036854775808 is out of range/),
      expect.stringMatching(/^3 INVALID_ARGUMENT: The revision 18446744073709551614 is out of range/),
      expect.stringMatching(/^3 INVALID_ARGUMENT: The position 9223372036854775808 is out of range/),
      expect.stringMatching(/^3 INVALID_ARGUMENT: The position 9223372036854775808 is out of range/),
    ]);
  });
});
