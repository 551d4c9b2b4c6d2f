import { caughtUp, numbered, storeForSuite, transcript } from './support.js';

// EventStoreDB 24.10, src/EventStore.Core/Services/Transport/Enumerators/Enumerator.StreamSubscription.cs:
// the subscriptions service drops a subscription to a tombstoned stream before it is confirmed
// (SubscriptionsService: last event number DeletedStream → SubscriptionDropped(StreamDeleted)); a live
// one is sent what was appended before the tombstone and the `$streamDeleted` record itself
// (SendEventToSubscription), and then fails with StreamDeleted.
describe('a stream subscription and a tombstone, through the official client', () => {
  const { client, streamWith } = storeForSuite();
  const deleted = (stream: string) =>
    `StreamDeletedError: 9 FAILED_PRECONDITION: Event stream '${stream}' is deleted.`;
  const TOMBSTONE_REVISION = 2n ** 63n - 1n;

  it('Given a tombstoned stream, When it is subscribed to, Then the subscription fails with StreamDeletedError and is never confirmed', async () => {
    const { stream } = await streamWith('sub-tombstoned', numbered(2));
    await client.tombstoneStream(stream);
    expect(await transcript(client.subscribeToStream(stream))).toEqual([deleted(stream)]);
  });

  it('Given a live stream subscription, When events are appended and the stream is tombstoned, Then it gets those events and the $streamDeleted record, then fails with StreamDeletedError', async () => {
    const { stream } = await streamWith('sub-live-tombstone', numbered(1));
    const subscription = client.subscribeToStream(stream);
    const told = transcript(subscription);
    await caughtUp(subscription);
    // One after the other, as a client's separate calls are only ordered so (events committed together
    // with the tombstone: stream-subscription.spec.ts).
    await client.appendToStream(stream, numbered(2, 'Numbered', 1));
    await client.tombstoneStream(stream);
    expect(await told).toEqual([
      'confirmation',
      'Numbered@0',
      'caughtUp',
      'Numbered@1',
      'Numbered@2',
      `$streamDeleted@${TOMBSTONE_REVISION}`,
      deleted(stream),
    ]);
  });
});
