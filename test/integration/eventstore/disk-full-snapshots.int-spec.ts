import { randomUUID } from 'node:crypto';

import { EventStoreDBClient } from '@eventstore/db-client';

import { EventStore, writeAggregateSnapshot, type SnapshotCodec } from '#eventstore';

import { noSpaceLeft } from '../../../apps/eventstore/src/storage/failing-disk.fixture.js';
import { storeOnFailingDiskForSuite } from './failing-disk-store.js';

const codec: SnapshotCodec<{ notes: string[] }> = {
  schemaVersion: 1,
  serialize: (state) => state,
  deserialize: (data) => data as { notes: string[] },
};

/**
 * Snapshots are appends no command waits for: the api writes them in the background. A full disk
 * refusing one is what a refused command is to `store.writes` (and so to /health), counted apart.
 */
describe('aggregate snapshots while the event store cannot write its log', () => {
  const store = storeOnFailingDiskForSuite('disk-full-snapshots');
  let client: EventStoreDBClient;

  beforeAll(() => {
    client = EventStoreDBClient.connectionString(store.connectionString);
  });
  afterAll(() => client?.dispose());

  it('a snapshot the full disk refuses makes writes failing, counted as a refused snapshot; one written once there is room ends it', async () => {
    const eventStore = new EventStore(client);
    const snapshot = () =>
      writeAggregateSnapshot(
        eventStore,
        `notes-${randomUUID()}`,
        codec,
        { state: { notes: ['a'] }, revision: 0n, eventId: randomUUID(), commands: [] },
        true,
      );
    store.disk.fail(await noSpaceLeft());

    await expect(snapshot()).rejects.toThrow(/log-write-failed ENOSPC/);

    expect(eventStore.writes.view()).toEqual({
      status: 'failing',
      cause: 'ENOSPC',
      since: expect.any(String),
      refusedCommands: 0,
      refusedSnapshots: 1,
    });
    expect([eventStore.writes.refusedTotal, eventStore.writes.refusedSnapshotsTotal]).toEqual([0, 1]);
    store.disk.heal();
    await snapshot();
    expect(eventStore.writes.view()).toEqual({ status: 'ok' });
  });
});
