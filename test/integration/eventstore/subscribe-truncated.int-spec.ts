import { type ResolvedEvent } from '@eventstore/db-client';

import { caughtUp, numbered, storeForSuite } from './support.js';

// EventStoreDB 24.10 (src/EventStore.Core/Services/Transport/Enumerators/Enumerator.StreamSubscription.cs):
// catching up, a stream subscription reads the stream as a read does, and a read of a stream truncated
// past its end (`$tb` above its last revision) finds nothing (IndexReader: the start moves up to `$tb`,
// past the last event, and the read ends); its checkpoint stays where it was, so live it sends every
// event appended after that (GoLive: `OriginalEventNumber <= checkpoint` alone is skipped), whatever
// the metadata says, as for any live subscription.
describe('a stream subscription to a stream truncated past its end, through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it('Given a stream of 3 events truncated before revision 10, When it is subscribed to and 8 events are appended, Then all 8 come live, revisions 3 to 10', async () => {
    const { stream } = await streamWith('sub-truncated-past-end', numbered(3));
    await client.setStreamMetadata(stream, { truncateBefore: 10 });
    const subscription = client.subscribeToStream(stream);
    const received: bigint[] = [];
    subscription.on('data', ({ event }: ResolvedEvent) => received.push(event!.revision));
    await caughtUp(subscription);

    await client.appendToStream(stream, numbered(8, 'Numbered', 3));

    // Up to revision 10, which comes whatever the server does with those before it.
    await new Promise<void>((resolve) =>
      subscription.on('data', ({ event }: ResolvedEvent) => event!.revision === 10n && resolve()),
    );
    await subscription.unsubscribe();
    expect(received).toEqual([3n, 4n, 5n, 6n, 7n, 8n, 9n, 10n]);
  });
});
