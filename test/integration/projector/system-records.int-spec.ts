import { testMetadata } from '../../support/shared-store.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EventStore, createEventStoreClient } from '#eventstore';
import { tally } from '../../../libs/read-models/src/engine/engine.fixture.js';
import { Projector, replay } from '#read-models';
import {
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  type EmbeddedEventStore,
} from '../../support/embedded-eventstore.js';

/**
 * A store as a real node leaves it: its `$all` starts with the node's own `$`-records (the epoch
 * information, the `$scavenges` metadata). Switchboard's subscriptions and reads of `$all` skip them.
 */
describe('the projector on a store that holds system records', () => {
  let dataDir: string;
  let server: EmbeddedEventStore;
  let client: ReturnType<typeof createEventStoreClient>;
  let store: EventStore;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'projector-system-'));
    server = await startEmbeddedEventStore({ dataDir });
    client = createEventStoreClient(server.connectionString);
    store = new EventStore(client);
  }, PROCESS_BUDGET_MS);
  afterEach(async () => {
    await client.dispose();
    await server.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }, PROCESS_BUDGET_MS);

  it(
    'projects every domain event, dates its lag from the first domain event, counts no record of a stream it does not follow, and replays the same state',
    async () => {
      const [first] = await collectAll(client.readAll({ fromPosition: 'start', maxCount: 1 }));
      expect(first!.event!.type.startsWith('$')).toBe(true);
      // Let the server's own records age, so a lag dated from them would show.
      await new Promise((resume) => setTimeout(resume, 1_000));
      let last = 0n;
      for (let i = 0; i < 5; i++)
        last = (
          await store.append(
            `tally-${i % 2}`,
            [{ type: 'Tallied', data: { amount: i } }],
            'any',
            testMetadata({ simulatedTime: new Date().toISOString() }),
          )
        ).position;
      const [oldest] = await collectAll(client.readStream('tally-0', { maxCount: 1 }));

      const projector = new Projector(store, [tally], {
        streamPrefixes: ['tally-'],
        lagRefreshMs: 0,
        log: () => undefined,
      });
      const lag = await projector.lag();
      expect(lag.ms).toBeLessThanOrEqual(Date.now() - oldest!.event!.created.getTime());

      await projector.start();
      await projector.waitForPosition(last);
      expect(projector.readModels.state(tally).totals.get('tally-0')).toEqual({ total: 6, count: 3 });
      expect(projector.readModels.state(tally).totals.get('tally-1')).toEqual({ total: 4, count: 2 });
      expect(await projector.lag()).toMatchObject({ events: 0, ms: 0 });

      // A record of a stream it does not follow (another tool's) is last in the store, and stays so.
      await store.append('other-0', [{ type: 'Tallied', data: { amount: 9 } }], 'any', testMetadata());
      await new Promise((resume) => setTimeout(resume, 50));
      expect(await projector.lag()).toMatchObject({ events: 0, ms: 0, position: String(last) });
      await projector.stop();

      const replayed = await replay(store, [tally], { streamPrefixes: ['tally-'] });
      expect(replayed.state(tally).totals).toEqual(projector.readModels.state(tally).totals);
    },
    PROCESS_BUDGET_MS,
  );
});

async function collectAll<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}
