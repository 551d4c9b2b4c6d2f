import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { EventStore, createEventStoreClient } from '#eventstore';
import { Projector } from '#read-models';
import { repoRoot } from '#stack';
import { tally, type TallyEvent } from '../../../libs/read-models/src/engine/engine.fixture.js';
import {
  type EmbeddedEventStore,
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
} from '../../support/embedded-eventstore.js';
import { testMetadata } from '../../support/shared-store.js';

/** `eventstore repair` through the built server's entry point, as an operator runs it. */
function repair(dataDir: string): Promise<{ code: number; stdout: string }> {
  const main = resolve(repoRoot(), 'dist/apps/eventstore/src/main.js');
  return new Promise((done) => {
    execFile(process.execPath, [main, 'repair', '--data', dataDir], (error, stdout) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout }),
    );
  });
}

/**
 * A projector that followed a store whose tail `eventstore repair` then cut, through the real store
 * process: the store is stopped under it, cut, repaired and started again on the same port, and the
 * projector, waiting to reconnect all along, must not keep the events the store no longer has.
 */
describe('projector after the store it follows was repaired', () => {
  let storeDir: string;
  let server: EmbeddedEventStore | undefined;
  beforeEach(async () => (storeDir = await mkdtemp(join(tmpdir(), 'projector-repair-'))));
  afterEach(async () => {
    await server?.stop('SIGTERM');
    await rm(storeDir, { recursive: true, force: true });
  }, PROCESS_BUDGET_MS);

  it(
    'Given read models holding events from the tail repair cut, when it reconnects, then it says so once and rebuilds without them',
    async () => {
      server = await startEmbeddedEventStore({ dataDir: storeDir });
      const port = new URL(server.connectionString.replace(/^esdb:/, 'http:')).port;
      const client = createEventStoreClient(server.connectionString);
      const store = new EventStore(client);
      const streams = `tally${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
      const append = async (stream: string, amount: number): Promise<bigint> => {
        const event: TallyEvent = { type: 'Tallied', data: { amount } };
        const metadata = testMetadata({ simulatedTime: new Date().toISOString() });
        return (await store.append(`${streams}${stream}`, [event], 'any', metadata)).position;
      };
      const log: string[] = [];
      const projector = new Projector(store, [tally], {
        streamPrefixes: [streams],
        log: (line) => log.push(line),
      });
      try {
        // Given a projector that applied 3 events the store keeps and 2 that repair will cut
        for (let i = 0; i < 3; i++) await append('kept', 1);
        await projector.start();
        const firstLost = await append('lost', 100);
        const lastLost = await append('lost', 100);
        await projector.waitForPosition(lastLost);
        expect(projector.readModels.state(tally).totals.get(`${streams}lost`)).toEqual({
          total: 200,
          count: 2,
        });

        // When the store loses its tail while it is down, is repaired, and starts again
        await server.stop('SIGTERM');
        server = undefined;
        // The first segment starts at position 0, so a position is a byte offset in its file.
        await truncate(join(storeDir, '00000000000000000000.log'), Number(firstLost));
        const repaired = await repair(storeDir);
        expect(repaired.code).toBe(0);
        expect(repaired.stdout).toContain('accepting the loss');
        server = await startEmbeddedEventStore({ dataDir: storeDir, args: ['--port', port] });
        // A new event, written where the cut ones were (positions are byte offsets of the log).
        let after: bigint | undefined;
        while (after === undefined) {
          // The client's first call after the restart may still meet the old connection's end.
          after = await append('after', 7).catch(async () => {
            await new Promise((retry) => setTimeout(retry, 100));
            return undefined;
          });
        }
        // Not waitForPosition: the new event may lie at or before a position the projector had reached.
        for (
          let waited = 0;
          waited < 20_000 && !projector.readModels.state(tally).totals.has(`${streams}after`);
          waited += 50
        )
          await new Promise((poll) => setTimeout(poll, 50));

        // Then its read models hold exactly what the store has, and it said why once
        const totals = projector.readModels.state(tally).totals;
        expect(totals.get(`${streams}kept`)).toEqual({ total: 3, count: 3 });
        expect(totals.get(`${streams}lost`)).toBeUndefined();
        expect(totals.get(`${streams}after`)).toEqual({ total: 7, count: 1 });
        expect(projector.readModels.eventCount).toBe(4);
        const rebuilds = log.filter((line) => line.includes('read models discarded (their last event'));
        expect(rebuilds).toHaveLength(1);
        expect(rebuilds[0]).toContain(`$all position ${lastLost}, is not in this store`);
      } finally {
        await projector.stop();
        await client.dispose();
      }
    },
    PROCESS_BUDGET_MS,
  );
});
