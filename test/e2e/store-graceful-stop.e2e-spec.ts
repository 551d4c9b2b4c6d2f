import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';

import { startEventStore } from '#stack';

import { holdFile } from '../support/held-file.js';
import { startSignalledApp } from '../support/signalled-app.js';

/** Jest's limit for a test that starts and stops server processes on a loaded machine. */
const PROCESS_BUDGET_MS = 60_000;

/**
 * The built store stopped with SIGTERM or SIGINT while it starts: it exits 0, never having listened,
 * releases its data directory (`eventstore.lock`) and keeps every event. Found by a fault campaign
 * stopping each process under `load run`: a store signalled during recovery (4.7 s on a 45 MB log)
 * was killed by the signal (exit 143 or 130) and left its lock behind, its handlers being set only
 * once it listened. The test holds the start open (a lock file left behind, made a named pipe) so the
 * signal lands in the start however fast or loaded the machine is.
 */
describe('the embedded store stopped while it starts', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-store-graceful-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it.each(['SIGTERM', 'SIGINT'] as const)(
    'exits 0, releases eventstore.lock and keeps the log when %s comes while it starts',
    async (signal) => {
      // Given a log of acknowledged events whose newest segment ends in a torn write
      const first = await startEventStore({ dataDir });
      const client = EventStoreDBClient.connectionString(first.address);
      await client.appendToStream('graceful', jsonEvent({ type: 'Kept', data: { n: 1 } }));
      await client.dispose();
      await first.stop('SIGTERM');
      const segments = (await readdir(dataDir)).filter((name) => name.endsWith('.log')).sort();
      await appendFile(
        join(dataDir, segments.at(-1)!),
        Buffer.from('half-written garbage that is not a record'),
      );

      // And a lock file a crashed store left behind, which the next store reads before its log, held
      // open by the test so the start waits there however fast the machine is
      const lock = holdFile(join(dataDir, 'eventstore.lock'));

      // When the store is told to stop while it starts, and its start goes on after it took the stop
      const store = startSignalledApp('the store', 'dist/apps/eventstore/src/main.js', [
        '--port',
        '0',
        '--data',
        dataDir,
      ]);
      await lock.opened();
      store.child.kill(signal);
      await store.said(`eventstore received ${signal}`);
      await lock.release(JSON.stringify({ pid: 1, host: 'a-host-long-gone', directory: dataDir }) + '\n');

      // Then it stops cleanly without listening, having cut the torn tail, and its data directory is free
      const exit = await store.exited;
      const output = store.output();
      expect({ ...exit, output }).toEqual({ code: 0, signal: null, output });
      expect(output).toContain('cut a torn tail');
      expect(output).not.toContain('listening on');
      expect(await readdir(dataDir)).not.toContain('eventstore.lock');

      // And the next start serves every acknowledged event
      const next = await startEventStore({ dataDir });
      const reader = EventStoreDBClient.connectionString(next.address);
      try {
        const events = [];
        for await (const { event } of reader.readStream('graceful')) events.push(event?.data);
        expect(events).toEqual([{ n: 1 }]);
      } finally {
        await reader.dispose();
        await next.stop('SIGTERM');
      }
    },
    PROCESS_BUDGET_MS,
  );
});
