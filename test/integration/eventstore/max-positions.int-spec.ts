import { BACKWARDS, END, NO_STREAM, WrongExpectedVersionError, eventTypeFilter } from '@eventstore/db-client';

import { caughtUp, collect, numbered, storeForSuite, take, uniqueStream } from './support.js';

/**
 * The largest revision and position the wire can carry, 2^64 - 1: EventStoreDB reads it as the end
 * (`StreamRevision.End`, `Position.End`: ulong.MaxValue), the same as the client's `END`.
 */
const MAX = BigInt('18446744073709551615');
const MAX_POSITION = { commit: MAX, prepare: MAX };

describe('revisions and positions at 2^64 - 1, through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it('a stream subscription from revision 2^64 - 1 goes live from the end, as from END', async () => {
    // Given a stream with three events
    const { stream } = await streamWith('sub-max', numbered(3));
    // When a subscription starts from revision 2^64 - 1, and two events are appended once it caught up
    const subscription = client.subscribeToStream(stream, { fromRevision: MAX });
    void caughtUp(subscription).then(() => client.appendToStream(stream, numbered(2, 'Numbered', 3)));
    // Then it delivers those two, and none of the history
    const { events } = await take(subscription, 2);
    expect(events.map((resolved) => resolved.event!.revision)).toEqual([3n, 4n]);
  });

  it('a stream read from revision 2^64 - 1 reads as from END: nothing forwards, the last event first backwards', async () => {
    const { stream } = await streamWith('read-max', numbered(3));
    expect(await collect(client.readStream(stream, { fromRevision: MAX }))).toEqual(
      await collect(client.readStream(stream, { fromRevision: END })),
    );
    const backwards = await collect(
      client.readStream(stream, { fromRevision: MAX, direction: BACKWARDS, maxCount: 2 }),
    );
    expect(backwards.map((resolved) => resolved.event!.revision)).toEqual([2n, 1n]);
  });

  it('a $all subscription from position 2^64 - 1 goes live from the end, filtered or not', async () => {
    const { stream } = await streamWith('all-max', numbered(2));
    for (const filter of [undefined, eventTypeFilter({ prefixes: ['AtMax'] })]) {
      const subscription = client.subscribeToAll({ fromPosition: MAX_POSITION, filter });
      void caughtUp(subscription).then(() => client.appendToStream(stream, numbered(1, 'AtMax')));
      const { events } = await take(subscription, 1, () => undefined);
      expect(events[0]!.event).toMatchObject({ streamId: stream, type: 'AtMax' });
    }
  });

  it('a $all read from position 2^64 - 1 reads as from END: nothing forwards, the last event first backwards', async () => {
    await streamWith('read-all-max', numbered(2));
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
    const { stream } = await streamWith('out-of-range', numbered(1));
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

describe('expected revisions at and above 2^53 in appends, deletes and tombstones, through the official client', () => {
  const { client, streamWith } = storeForSuite();
  /** The classic Append: the client takes it over BatchAppend only for a call with its own credentials. */
  const viaAppend = { credentials: { username: 'admin', password: 'changeit' } };
  const LONG_MAX = 2n ** 63n - 1n;
  /** What a call settled with: its result, or the error's type and the versions it names. */
  const outcomeOf = (call: Promise<unknown>) =>
    call.then(
      () => 'success',
      (error: Error) =>
        error instanceof WrongExpectedVersionError
          ? { expected: error.expectedVersion, actual: error.actualVersion }
          : error.message,
    );

  /**
   * What each write that names an expected revision settles with, at each of `expectations` in turn:
   * an append over BatchAppend, one over Append, a delete and a tombstone, all of one `stream`.
   */
  const everyWriteExpecting = (stream: string, expectations: readonly bigint[]) =>
    Promise.all(
      expectations.flatMap((expectedRevision) => [
        outcomeOf(client.appendToStream(stream, numbered(1), { expectedRevision })),
        outcomeOf(client.appendToStream(stream, numbered(1), { ...viaAppend, expectedRevision })),
        outcomeOf(client.deleteStream(stream, { expectedRevision })),
        outcomeOf(client.tombstoneStream(stream, { expectedRevision })),
      ]),
    );

  it('an append expecting 2^64 - 1 is checked as no_stream, as EventStoreDB reads it, over BatchAppend and Append', async () => {
    for (const options of [{}, viaAppend]) {
      // Given a new stream, When an append expects revision 2^64 - 1, Then it creates the stream
      const stream = uniqueStream('expect-max');
      expect(
        await outcomeOf(client.appendToStream(stream, numbered(2), { ...options, expectedRevision: MAX })),
      ).toBe('success');
      // And once the stream has events the same append conflicts, as one expecting no_stream does
      const again = await outcomeOf(
        client.appendToStream(stream, numbered(1), { ...options, expectedRevision: MAX }),
      );
      const noStream = await outcomeOf(
        client.appendToStream(stream, numbered(1), { ...options, expectedRevision: NO_STREAM }),
      );
      expect(again).toMatchObject({ actual: 1n });
      expect(noStream).toMatchObject({ actual: 1n });
      // Where Append answers the expectation as sent (2^64 - 1), and BatchAppend as the no_stream it was checked as
      expect(again).toMatchObject({ expected: options === viaAppend ? MAX : 'no_stream' });
    }
  });

  it('a conflict names an expected revision above 2^53 exactly, not rounded to a double', async () => {
    // Given a stream with events, When appends, a delete and a tombstone expect revisions no double holds
    const { stream } = await streamWith('expect-exact', numbered(1));
    const expectations = [2n ** 53n + 1n, LONG_MAX];
    const outcomes = await everyWriteExpecting(stream, expectations);
    // Then each conflicts, naming the revision it was given to the last digit
    expect(outcomes).toEqual(
      expectations.flatMap((expected) => Array.from({ length: 4 }, () => ({ expected, actual: 0n }))),
    );
  });

  it('a delete or a tombstone expecting 2^64 - 1 is checked as no_stream', async () => {
    const { stream } = await streamWith('delete-max', numbered(1));
    const asMax = await outcomeOf(client.deleteStream(stream, { expectedRevision: MAX }));
    expect(asMax).toEqual(await outcomeOf(client.deleteStream(stream, { expectedRevision: NO_STREAM })));
    expect(asMax).toEqual({ expected: -1n, actual: 0n });
    expect(await outcomeOf(client.tombstoneStream(stream, { expectedRevision: MAX }))).toEqual(asMax);
    // And on a stream that never was, it goes through, as no_stream does
    expect(
      await outcomeOf(client.tombstoneStream(uniqueStream('tombstone-max'), { expectedRevision: MAX })),
    ).toBe('success');
  });

  it('an expected revision above 2^63 - 1 other than 2^64 - 1 is refused as invalid, naming it, and nothing is written', async () => {
    const { stream } = await streamWith('expect-out-of-range', numbered(1));
    const beyond = [2n ** 63n, MAX - 1n];
    const outcomes = await everyWriteExpecting(stream, beyond);
    // Over BatchAppend EventStoreDB answers it as a BadRequest (its StreamRevision throws while reading
    // the options), for which the client has no type: an UnknownError naming only that
    const refusal = (value: bigint) =>
      expect.stringContaining(
        `The expected revision ${value} is out of range: at most ${LONG_MAX} (2^63 - 1)`,
      );
    expect(outcomes).toEqual(
      beyond.flatMap((value) => [
        'Could not recognize BadRequest',
        refusal(value),
        refusal(value),
        refusal(value),
      ]),
    );
    expect(await collect(client.readStream(stream))).toHaveLength(1);
  });
});
