import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  EventStoreDBClient,
  excludeSystemEvents,
  jsonEvent,
  START,
  type AllStreamResolvedEvent,
} from '@eventstore/db-client';

import { PROCESS_BUDGET_MS, startEmbeddedEventStore } from '../../support/embedded-eventstore.js';
import { collect, connect, take, uniqueStream } from './support.js';

/**
 * A real node writes its own records on start: `$epoch-information` (every start) and the
 * `$$$scavenges` metadata (`$maxAge`, `$r: $ops`; once). A client reading `$all` from the start meets
 * them, and `excludeSystemEvents` has something to exclude.
 */
describe('system records of a fresh node', () => {
  it('$all starts with the epoch information and the $scavenges metadata', async () => {
    const client = connect();
    try {
      const [epoch, scavenges] = await collect(client.readAll({ fromPosition: START, maxCount: 2 }));
      expect(epoch!.event).toMatchObject({
        streamId: '$epoch-information',
        type: '$epoch-information',
        revision: 0n,
        isJson: true,
      });
      expect(epoch!.event!.data).toMatchObject({ epochNumber: 0, prevEpochPosition: -1 });
      expect(scavenges!.event).toMatchObject({ streamId: '$$$scavenges', type: '$metadata', revision: 0n });
      expect(scavenges!.event!.data).toEqual({
        $maxAge: 2_592_000,
        $acl: { $r: '$ops', $w: [], $d: [], $mr: [], $mw: [] },
      });
      const metadata = await client.getStreamMetadata('$scavenges');
      expect(metadata.metadata?.maxAge).toBe(2_592_000);
    } finally {
      await client.dispose();
    }
  });

  it('excludeSystemEvents skips them', async () => {
    const client = connect();
    try {
      const stream = uniqueStream('after-system');
      await client.appendToStream(stream, jsonEvent({ type: 'Mine', data: {} }));
      const { events } = await take<AllStreamResolvedEvent>(
        client.subscribeToAll({ fromPosition: START, filter: excludeSystemEvents() }),
        1,
      );
      expect(events[0]!.event!.type.startsWith('$')).toBe(false);
    } finally {
      await client.dispose();
    }
  });

  it(
    'a restart adds the next epoch, after the previous one, and leaves the $scavenges metadata alone',
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'eventstore-system-'));
      try {
        for (let start = 0; start < 2; start += 1) {
          const server = await startEmbeddedEventStore({ dataDir });
          await server.stop('SIGTERM');
        }
        const server = await startEmbeddedEventStore({ dataDir });
        const client = EventStoreDBClient.connectionString(server.connectionString);
        try {
          const all = await collect(client.readAll());
          expect(all.map((resolved) => `${resolved.event!.streamId}@${resolved.event!.revision}`)).toEqual([
            '$epoch-information@0',
            '$$$scavenges@0',
            '$epoch-information@1',
            '$epoch-information@2',
          ]);
          const epochs = all
            .filter((resolved) => resolved.event!.streamId === '$epoch-information')
            .map(
              (resolved) =>
                resolved.event!.data as {
                  epochNumber: number;
                  epochPosition: number;
                  prevEpochPosition: number;
                },
            );
          expect(epochs.map((epoch) => epoch.epochNumber)).toEqual([0, 1, 2]);
          expect(epochs[1]!.prevEpochPosition).toBe(epochs[0]!.epochPosition);
          expect(epochs[2]!.prevEpochPosition).toBe(epochs[1]!.epochPosition);
          expect(epochs[2]!.epochPosition).toBeGreaterThan(epochs[1]!.epochPosition);
        } finally {
          await client.dispose();
          await server.stop('SIGTERM');
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    PROCESS_BUDGET_MS,
  );
});
