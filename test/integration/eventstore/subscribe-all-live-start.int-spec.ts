import {
  END,
  binaryEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Position,
} from '@eventstore/db-client';

import { numbered, storeForSuite, uniqueStream } from './support.js';

/**
 * What a filtered `$all` subscription told its client, in order, up to the first event of `stream`;
 * checkpoints by their commit position.
 */
async function transcriptUpTo(
  subscribe: (onCheckpoint: (position: Position) => void) => AllStreamSubscription,
  stream: string,
): Promise<string[]> {
  const told: string[] = [];
  const subscription = subscribe((position) => told.push(`checkpoint@${position.commit}`));
  subscription.on('confirmation', () => told.push('confirmation'));
  subscription.on('caughtUp', () => told.push('caughtUp'));
  for await (const { event } of subscription as AsyncIterable<AllStreamResolvedEvent>) {
    told.push(`event@${event!.position.commit}`);
    if (event!.streamId === stream) break;
  }
  await subscription.unsubscribe();
  return told;
}

// EventStoreDB 24.10 (src/EventStore.Core/Services/Transport/Enumerators/Enumerator.AllSubscriptionFiltered.cs,
// MainLoop): a subscription whose start is at or past what the log held as it subscribed (`END`, or a
// position beyond the last record) goes live at once (`checkpoint >= confirmationLastPos` → GoLive): it
// is confirmed and caught up with no catch-up read, so with no checkpoint either; its first checkpoint
// comes after `checkpointInterval × maxSearchWindow` events live.
describe('a filtered $all subscription that starts at the end, through the official client', () => {
  const { client, streamWith } = storeForSuite();

  /** The transcript of a subscription filtered on `stream` from `fromPosition`, which `whenLive` writes to. */
  const transcriptFrom = (
    fromPosition: typeof END | Position,
    stream: string,
    whenLive: () => Promise<unknown>,
  ) =>
    transcriptUpTo((onCheckpoint) => {
      const subscription = client.subscribeToAll({
        fromPosition,
        filter: streamNameFilter({
          prefixes: [stream],
          checkpointInterval: 1_000,
          checkpointReached: (_subscription, position) => onCheckpoint(position),
        }),
      });
      subscription.once('caughtUp', () => void whenLive());
      return subscription;
    }, stream);

  it('Given a filtered subscription from END, When a matching event is appended, Then it is confirmed, caught up and sent that event, with no checkpoint before it', async () => {
    const stream = uniqueStream('from-end');
    const told = await transcriptFrom(END, stream, () => client.appendToStream(stream, numbered(1)));
    expect(told).toEqual(['confirmation', 'caughtUp', told[2]]);
    expect(told[2]).toMatch(/^event@/);
  });

  it('Given a filtered subscription from a position past the end, When the log passes it and a matching event is appended, Then no checkpoint, behind its start, comes before it', async () => {
    const { written } = await streamWith('past-end', numbered(1));
    const stream = uniqueStream('past-end-target');
    const beyond = written.position!.commit + 4_096n;
    const told = await transcriptFrom({ commit: beyond, prepare: beyond }, stream, async () => {
      // 8 KiB of another stream take the log past the start, so the event after them comes live.
      await client.appendToStream(uniqueStream('past-end-filler'), [
        binaryEvent({ type: 'Filler', data: new Uint8Array(8_192) }),
      ]);
      await client.appendToStream(stream, numbered(1));
    });
    expect(told).toEqual(['confirmation', 'caughtUp', told[2]]);
    expect(told[2]).toMatch(/^event@/);
  });
});
