import {
  EventStoreDBClient,
  StreamDeletedError,
  type ResolvedEvent,
  type StreamSubscription,
} from '@eventstore/db-client';

import { proposedEvent } from '../storage/proposed-event.fixture.js';
import { LogStore, MemoryLog } from '../storage/index.js';
import { createGrpcServer, type GrpcServer } from './server.js';

/** What a stream subscription told its client, in order, until the call ended. */
function transcript(subscription: StreamSubscription): Promise<string[]> {
  const told: string[] = [];
  subscription.on('caughtUp', () => told.push('caughtUp'));
  subscription.on('data', ({ event }: ResolvedEvent) => told.push(`${event!.type}@${event!.revision}`));
  return new Promise((resolve) => {
    subscription.on('error', (error: Error) =>
      resolve([...told, error instanceof StreamDeletedError ? 'StreamDeletedError' : error.message]),
    );
  });
}

/**
 * The official client against the server on a store of the spec's own, so that events and a tombstone
 * can be committed together, in one group commit, which a client's separate calls cannot ensure.
 */
describe('a live stream subscription whose stream is tombstoned', () => {
  let store: LogStore;
  let server: GrpcServer;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    ({ store } = await LogStore.open(new MemoryLog()));
    server = createGrpcServer(store);
    const port = await server.listen('127.0.0.1', 0);
    client = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${port}?tls=false`);
  });
  afterAll(async () => {
    await client.dispose();
    await server.stop();
    await store.close();
  });

  it('Given a live subscription, When events and the tombstone are committed together, Then it gets the events and the $streamDeleted record, then StreamDeletedError', async () => {
    await store.append('lines', 'no_stream', [proposedEvent('Placed')]);
    const subscription = client.subscribeToStream('lines');
    const told = transcript(subscription);
    await new Promise((resolve) => subscription.once('caughtUp', resolve));
    // Not awaited in between: both are staged before the log commits, and the reader wakes once.
    const appended = store.append('lines', 'any', [proposedEvent('Held'), proposedEvent('Resumed')]);
    const tombstoned = store.tombstone('lines', 'any');
    await Promise.all([appended, tombstoned]);
    expect(await told).toEqual([
      'Placed@0',
      'caughtUp',
      'Held@1',
      'Resumed@2',
      `$streamDeleted@${2n ** 63n - 1n}`,
      'StreamDeletedError',
    ]);
  });
});
