import { STREAM_EXISTS, StreamDeletedError, jsonEvent, type ResolvedEvent } from '@eventstore/db-client';

import { caughtUp, collect, failureOf, numbered, storeForSuite, transcript } from './support.js';

const revisionsOf = (events: readonly ResolvedEvent[]) => events.map((resolved) => resolved.event!.revision);

// A stream's metadata is what EventStoreDB's index reader reads from the last event of its `$$` stream
// (src/EventStore.Core/Services/Storage/ReaderIndex/IndexReader.cs, GetStreamMetadataUncached): any
// event type, if it is JSON and not empty; none at all if that stream is tombstoned. A `$$` stream's own
// metadata is fixed (GetStreamMetadataCached returns `_metastreamMetadata`, its latest event only), so
// what is written to `$$$$x` changes nothing of `$$x`. The official client's getStreamMetadata reads the
// last event of `$$x` whatever its type: the limits a server enforces must be the ones it reports.
describe('what a `$$` metadata stream holds, through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it('Given a stream with $maxCount 1, When the last event of its $$ stream is JSON of another type than $metadata, Then that event is its metadata, as getStreamMetadata reports it', async () => {
    const { stream } = await streamWith('other-type', numbered(3));
    await client.setStreamMetadata(stream, { maxCount: 1 });

    await client.appendToStream(`$$${stream}`, jsonEvent({ type: 'Settings', data: { $maxCount: 2 } }));

    expect((await client.getStreamMetadata(stream)).metadata).toEqual({ maxCount: 2 });
    expect(revisionsOf(await collect(client.readStream(stream)))).toEqual([1n, 2n]);
  });

  it('Given a stream with metadata, When its $$ stream is soft-deleted, Then the metadata is still read and enforced, and the $$ stream still exists', async () => {
    const { stream } = await streamWith('meta-soft-deleted', numbered(3));
    await client.setStreamMetadata(stream, { maxCount: 1, owner: 'ops' });

    await client.deleteStream(`$$${stream}`);

    expect((await client.getStreamMetadata(stream)).metadata).toEqual({ maxCount: 1, owner: 'ops' });
    expect(revisionsOf(await collect(client.readStream(stream)))).toEqual([2n]);
    const rewritten = await client.setStreamMetadata(
      stream,
      { maxCount: 2 },
      { expectedRevision: STREAM_EXISTS },
    );
    expect(rewritten.nextExpectedRevision).toBe(1n);
    expect(revisionsOf(await collect(client.readStream(stream)))).toEqual([1n, 2n]);
  });

  it('Given a stream with $maxCount 1, When its $$ stream is tombstoned, Then the stream has no metadata left and is read whole', async () => {
    const { stream } = await streamWith('meta-tombstoned', numbered(3));
    await client.setStreamMetadata(stream, { maxCount: 1 });

    await client.tombstoneStream(`$$${stream}`);

    expect(revisionsOf(await collect(client.readStream(stream)))).toEqual([0n, 1n, 2n]);
    expect(await failureOf(client.getStreamMetadata(stream))).toMatchObject({
      constructor: StreamDeletedError,
    });
  });

  // EventStoreDB 24.10's subscriptions service drops a subscription with StreamDeleted only as it
  // subscribes (its stream's last event number is DeletedStream, as a `$$` stream's is once its stream
  // is tombstoned), and a live one only on a `$streamDeleted` record of its own stream
  // (Enumerator.StreamSubscription.cs, SendEventToSubscription): a tombstone of x is no record of `$$x`.
  it('Given a live subscription to a $$ stream, When its stream is tombstoned, Then it gets what was written to the $$ stream and is not ended, while a new subscription to it is refused', async () => {
    const { stream } = await streamWith('meta-live-tombstone', numbered(1));
    await client.setStreamMetadata(stream, { owner: 'ops' });
    const subscription = client.subscribeToStream(`$$${stream}`);
    const told = transcript(subscription);
    await caughtUp(subscription);
    await client.setStreamMetadata(stream, { owner: 'audit' });

    await client.tombstoneStream(stream);

    expect(await transcript(client.subscribeToStream(`$$${stream}`))).toEqual([
      `StreamDeletedError: 9 FAILED_PRECONDITION: Event stream '$$${stream}' is deleted.`,
    ]);
    expect(await failureOf(client.readStream(`$$${stream}`))).toMatchObject({
      constructor: StreamDeletedError,
    });
    await subscription.unsubscribe();
    expect(await told).toEqual(['confirmation', '$metadata@0', 'caughtUp', '$metadata@1', 'end']);
  });
});
