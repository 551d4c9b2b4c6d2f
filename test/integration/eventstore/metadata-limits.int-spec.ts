import { BACKWARDS, END, WrongExpectedVersionError, type ResolvedEvent } from '@eventstore/db-client';

import { collect, numbered, storeForSuite, take } from './support.js';

const revisionsOf = (events: readonly ResolvedEvent[]) => events.map((resolved) => resolved.event!.revision);

// What the official client's setStreamMetadata / getStreamMetadata do against EventStoreDB 24.10, whose
// index reader applies `$tb` and `$maxAge` to stream reads (src/EventStore.Core/Services/Storage/
// ReaderIndex/IndexReader.cs) and whose catch-up subscription reads the stream the same way
// (src/EventStore.Core/Services/Transport/Enumerators/Enumerator.StreamSubscription.cs, CatchUp).
describe('stream metadata limits set through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it('Given a stream whose older events passed its $maxAge, When it is read either way or subscribed to, Then only the newer events come', async () => {
    const { stream } = await streamWith('max-age', numbered(3));
    // $maxAge counts whole seconds from each event's creation, at each read: the newer events must be
    // read within the $maxAge of their append, so it is 3 s, room for a loaded machine's reads and
    // subscription (with 1 s, a pause of a second between the append and the last read would fail it).
    await client.setStreamMetadata(stream, { maxAge: 3 });
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    await client.appendToStream(stream, numbered(2, 'Numbered', 3));
    expect(revisionsOf(await collect(client.readStream(stream)))).toEqual([3n, 4n]);
    expect(revisionsOf(await collect(client.readStream(stream, { maxCount: 1 })))).toEqual([3n]);
    expect(
      revisionsOf(await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END }))),
    ).toEqual([4n, 3n]);
    const { events } = await take<ResolvedEvent>(client.subscribeToStream(stream), 2);
    expect(revisionsOf(events)).toEqual([3n, 4n]);
  });

  it('Given a stream truncated before revision 2, When it is read either way or subscribed to, Then revisions 0 and 1 never come', async () => {
    const { stream } = await streamWith('truncate-before', numbered(4));
    await client.setStreamMetadata(stream, { truncateBefore: 2 });
    expect(revisionsOf(await collect(client.readStream(stream)))).toEqual([2n, 3n]);
    expect(
      revisionsOf(await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: 1n }))),
    ).toEqual([]);
    const { events } = await take<ResolvedEvent>(client.subscribeToStream(stream), 2);
    expect(revisionsOf(events)).toEqual([2n, 3n]);
  });

  // Live, a subscription is sent each event as it is appended, as EventStoreDB's subscriptions service
  // passes it on (StreamEventAppeared), whatever the stream's metadata says: limits apply to reads.
  it('Given a live stream subscription and $maxCount 1, When three events are appended at once, Then all three come live', async () => {
    const { stream } = await streamWith('live-max-count', numbered(1));
    await client.setStreamMetadata(stream, { maxCount: 1 });
    const subscription = client.subscribeToStream(stream);
    const received: bigint[] = [];
    // Up to the last event appended, so that one missed shows as missing rather than as a time-out.
    for await (const { event } of subscription as AsyncIterable<ResolvedEvent>) {
      received.push(event!.revision);
      if (received.length === 1) await client.appendToStream(stream, numbered(3, 'Numbered', 1));
      if (event!.revision === 3n) break;
    }
    await subscription.unsubscribe();
    expect(received).toEqual([0n, 1n, 2n, 3n]);
  });

  it('Given a soft-deleted stream subscribed to from the start, When an event recreates it, Then only that event comes live', async () => {
    const { stream } = await streamWith('live-recreated', numbered(2));
    await client.deleteStream(stream);
    const subscription = client.subscribeToStream(stream);
    subscription.once('caughtUp', () => void client.appendToStream(stream, numbered(1, 'Numbered', 2)));
    const { events } = await take<ResolvedEvent>(subscription, 1);
    expect(revisionsOf(events)).toEqual([2n]);
  });

  it('Given a stream truncated past its last event, When it is read, Then it is found and empty, not missing as after a soft delete', async () => {
    const { stream } = await streamWith('truncate-past', numbered(2));
    await client.setStreamMetadata(stream, { truncateBefore: 10 });
    expect(await collect(client.readStream(stream))).toEqual([]);
  });

  it('Given metadata with an $acl, a $cacheControl and properties of its own, When it is read back, Then all of it comes back as written', async () => {
    const { stream } = await streamWith('meta-round-trip', numbered(1));
    const metadata = {
      acl: { readRoles: ['$admins'], writeRoles: ['ops'] },
      cacheControl: 60,
      tenant: 'acme',
      nested: { shift: 'night' },
    };
    await client.setStreamMetadata(stream, metadata);
    expect((await client.getStreamMetadata(stream)).metadata).toEqual(metadata);
  });

  it('Given metadata at revision 0, When it is set expecting revision 1, Then WrongExpectedVersionError names the $$ stream, the expected and the actual revision', async () => {
    const { stream } = await streamWith('meta-conflict', numbered(1));
    await client.setStreamMetadata(stream, { maxCount: 5 });
    const conflict = await client
      .setStreamMetadata(stream, { maxCount: 3 }, { expectedRevision: 1n })
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
    expect(conflict).toMatchObject({ streamName: `$$${stream}`, expectedVersion: 1n, actualVersion: 0n });
    expect((await client.getStreamMetadata(stream)).metadata).toEqual({ maxCount: 5 });
  });
});
