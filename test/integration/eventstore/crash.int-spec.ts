import { spawn } from 'node:child_process';
import { appendFile, readFile, readdir, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';

import { repoRoot } from '#stack';

import { PROCESS_BUDGET_MS, startEmbeddedEventStore } from '../../support/embedded-eventstore.js';
import { collect, numbered, ownServers, segmentRecords } from './support.js';

/**
 * Durability of the embedded server's on-disk log. These tests always start their own servers on a
 * temporary data directory, whatever EVENTSTORE_CONNECTION_STRING says: only the embedded server can
 * be killed and restarted on purpose.
 */
describe('embedded event store durability', () => {
  const own = ownServers('crash');
  let client: EventStoreDBClient | undefined;

  const start = async (): Promise<EventStoreDBClient> => {
    client = EventStoreDBClient.connectionString((await own.start()).connectionString);
    return client;
  };
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    await own.stop(signal);
    await client?.dispose();
    client = undefined;
  };

  // ownServers stops the server a test left running and removes its directory; the client is the test's.
  afterEach(() => client?.dispose());

  it(
    'keeps every acknowledged event, in order and intact, across kill -9 during concurrent appends',
    async () => {
      const writers = 16;
      const killAfter = 400;
      const acknowledged = new Map<string, { id: string; data: unknown }[]>();
      let acknowledgements = 0;
      let killed: Promise<void> | undefined;
      const first = await start();

      const writer = async (index: number): Promise<void> => {
        const stream = `crash-${index}`;
        const written: { id: string; data: unknown }[] = [];
        acknowledged.set(stream, written);
        // Stop at the first failure: the server is gone.
        for (let batch = 0; !killed; batch += 1) {
          const events = [0, 1, 2].map((offset) =>
            jsonEvent({
              type: 'Crashed',
              data: { writer: index, n: batch * 3 + offset, pad: 'x'.repeat(offset * 100) },
            }),
          );
          try {
            await first.appendToStream(stream, events, {
              expectedRevision: batch === 0 ? 'no_stream' : BigInt(batch * 3 - 1),
            });
          } catch {
            return;
          }
          written.push(...events.map((event) => ({ id: event.id!, data: event.data })));
          acknowledgements += 1;
          if (acknowledgements === killAfter) killed = stop('SIGKILL');
        }
      };
      await Promise.all(Array.from({ length: writers }, (_, index) => writer(index)));
      await killed;

      const second = await start();
      for (const [stream, written] of acknowledged) {
        const stored = await collect(second.readStream(stream)).catch(() => []);
        // Appends in flight at the kill may or may not have made it, but never partially and never
        // before an acknowledged one: the acknowledged events are exactly the stored prefix.
        expect(stored.length).toBeGreaterThanOrEqual(written.length);
        expect(stored.length % 3).toBe(0);
        expect(
          stored
            .slice(0, written.length)
            .map((resolved) => ({ id: resolved.event!.id, data: resolved.event!.data })),
        ).toEqual(written);
        expect(stored.map((resolved) => resolved.event!.revision)).toEqual(
          stored.map((_, index) => BigInt(index)),
        );
      }
      expect(
        [...acknowledged.values()].reduce((sum, written) => sum + written.length, 0),
      ).toBeGreaterThanOrEqual(killAfter * 3);
      const result = await second.appendToStream('crash-0', numbered(1));
      expect(result.success).toBe(true);
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'cuts a torn tail: garbage, or half a record written by a kill -9, is dropped; complete records are served',
    async () => {
      const stream = 'torn';
      const first = await start();
      for (let batch = 0; batch < 4; batch += 1)
        await first.appendToStream(stream, numbered(5, 'Kept', batch * 5));
      await stop('SIGTERM');

      const newestLog = async (): Promise<string> => {
        const names = (await readdir(own.dataDir)).filter((name) => name.endsWith('.log')).sort();
        return join(own.dataDir, names.at(-1)!);
      };
      await appendFile(await newestLog(), Buffer.from('half-written garbage that is not a record'));
      const second = await start();
      const afterGarbage = await collect(second.readStream(stream));
      expect(afterGarbage.map((resolved) => resolved.event!.data)).toEqual(
        Array.from({ length: 20 }, (_, n) => ({ n })),
      );
      const appended = await second.appendToStream(stream, jsonEvent({ type: 'Torn', data: { n: 20 } }));
      expect(appended.nextExpectedRevision).toBe(20n);
      await stop('SIGKILL');

      const log = await newestLog();
      // kill -9 in the middle of the next write: the first half of a record lands after the last
      // acknowledged append, over the zeros the log fills ahead of its records. writer.chk was written
      // after the acknowledged appends only, so this is a torn tail to cut, not a loss to refuse.
      const segment = await readFile(log);
      const { offsets, end } = segmentRecords(segment);
      const record = segment.subarray(offsets.at(-1)!, end);
      const half = record.subarray(0, Math.floor(record.length / 2));
      await writeFile(
        log,
        Buffer.concat([segment.subarray(0, end), half, segment.subarray(end + half.length)]),
      );
      const third = await start();
      const afterTornWrite = await collect(third.readStream(stream));
      expect(afterTornWrite.map((resolved) => resolved.event!.type)).toEqual([
        ...Array(20).fill('Kept'),
        'Torn',
      ]);
      const again = await third.appendToStream(stream, jsonEvent({ type: 'Again', data: { n: 21 } }), {
        expectedRevision: 20n,
      });
      expect(again.nextExpectedRevision).toBe(21n);
      const all = await collect(third.readAll());
      expect(all.filter((resolved) => resolved.event?.streamId === stream)).toHaveLength(22);
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'refuses a second server on the data directory a running one holds, changing no byte; after a kill -9 the next start takes it',
    async () => {
      // Found restarting a store whose old process still ran: the new one (which then failed to bind
      // the port) had already cut the live log's zeros as a torn tail and appended its epoch record
      // where the running one appends next; both wrote there, and the log refused to start once stopped.
      const first = await start();
      await first.appendToStream('held', numbered(5));
      // A segment's records, not its length: the running store fills zeros ahead of them meanwhile.
      const files = async (): Promise<Map<string, Buffer>> => {
        const contents = new Map<string, Buffer>();
        for (const name of (await readdir(own.dataDir)).sort()) {
          const bytes = await readFile(join(own.dataDir, name));
          contents.set(name, name.endsWith('.log') ? bytes.subarray(0, segmentRecords(bytes).end) : bytes);
        }
        return contents;
      };
      const before = await files();

      // A second server that did start is stopped at once, so that the test fails rather than hangs.
      const second = await startEmbeddedEventStore({ dataDir: own.dataDir }).then(
        async (started) => {
          await started.stop('SIGKILL');
          return 'started';
        },
        (error: Error) => error.message,
      );
      expect(second).toMatch(
        /exited \(2\)[\s\S]*refuses to start: the data directory .* is in use by another eventstore process \(pid \d+\)/,
      );
      expect(await files()).toEqual(before);
      await first.appendToStream('held', numbered(1, 'Numbered', 5), { expectedRevision: 4n });

      await stop('SIGKILL');
      const next = await start();
      expect((await collect(next.readStream('held'))).map((resolved) => resolved.event!.data)).toEqual(
        Array.from({ length: 6 }, (_, n) => ({ n })),
      );
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'says on its output that the log failed when a write fails for good (a file size limit), refuses appends, and loses nothing acknowledged',
    async () => {
      // A file size limit (ulimit -f, in KiB) makes the log's write fail with EFBIG: the segment's zeros
      // ahead stop at the limit, then an append crosses it. Unlike a full disk (disk-full.int-spec.ts),
      // no freeing of space lifts a limit of the process: appends are refused until a restart.
      const main = resolve(repoRoot(), 'dist/apps/eventstore/src/main.js');
      const child = spawn(
        'bash',
        ['-c', `ulimit -f 2048; exec "${process.execPath}" "${main}" --port 0 --data "${own.dataDir}"`],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      const acknowledged: string[] = [];
      try {
        while (!/listening on (esdb:\/\/\S+)/.test(output)) {
          if (child.exitCode !== null) throw new Error(output);
          await new Promise((retry) => setTimeout(retry, 20));
        }
        client = EventStoreDBClient.connectionString(/listening on (esdb:\/\/\S+)/.exec(output)![1]!);
        let failure: unknown;
        for (let n = 0; n < 1000 && failure === undefined; n += 1) {
          const event = jsonEvent({ type: 'Filling', data: { n, pad: 'x'.repeat(4000) } });
          try {
            await client.appendToStream('full', event);
            acknowledged.push(event.id!);
          } catch (error) {
            failure = error;
          }
        }
        expect(failure).toBeDefined();
        expect(acknowledged.length).toBeGreaterThan(100);
        // Every later append is refused, and the store's own output says why, once.
        await expect(client.appendToStream('other', numbered(1))).rejects.toThrow();
        await new Promise((settle) => setTimeout(settle, 200));
        expect(output).toMatch(/eventstore: the log failed \(.*EFBIG.*\): every append is refused/);
        // A limit, not a failing disk: the line says which one to raise.
        expect(output).toMatch(/Raise the file size limit that stopped the write \(the process's ulimit -f/);
        expect(output).not.toMatch(/failing disk/);
        expect(output.match(/the log failed/g)).toHaveLength(1);
        await client.dispose();
        client = undefined;
      } finally {
        child.kill('SIGKILL');
        await exited;
      }
      // Restarted without the limit: every acknowledged event is there, whole.
      const second = await start();
      const stored = await collect(second.readStream('full'));
      expect(stored.slice(0, acknowledged.length).map((resolved) => resolved.event!.id)).toEqual(
        acknowledged,
      );
    },
    PROCESS_BUDGET_MS,
  );

  const startUnderFileSizeLimit = async (
    kibibytes: number,
  ): Promise<{ exitCode: number | null; lines: string[] }> => {
    const main = resolve(repoRoot(), 'dist/apps/eventstore/src/main.js');
    const child = spawn(
      'bash',
      ['-c', `ulimit -f ${kibibytes}; exec "${process.execPath}" "${main}" --port 0 --data "${own.dataDir}"`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exitCode = await new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    return { exitCode, lines: output.trim().split('\n') };
  };
  const cannotStart =
    /^eventstore cannot start: a write to .* failed \(.*EFBIG.*\)\. No acknowledged event is lost; raise the file size limit that stopped the write/;

  it(
    'says in one line that it cannot start when recovery cannot write (a file size limit of 0), and exits 2',
    async () => {
      expect(await startUnderFileSizeLimit(0)).toEqual({
        exitCode: 2,
        lines: [expect.stringMatching(cannotStart)],
      });
    },
    PROCESS_BUDGET_MS,
  );

  it(
    'says that it cannot start when its start record cannot be written, exits 2, and then starts with every event',
    async () => {
      const stream = 'written-before';
      // Enough for a limit of at least 1 KiB: the data directory's lock file, written first, stays within it.
      await own.session((client) => client.appendToStream(stream, numbered(30)));
      // The log's records end the segment (the zeros filled ahead of them are unwritten space), and
      // the limit ends before them: the start's epoch record is the first write that crosses it.
      const names = (await readdir(own.dataDir)).filter((name) => name.endsWith('.log')).sort();
      const segment = join(own.dataDir, names.at(-1)!);
      const { end } = segmentRecords(await readFile(segment));
      await truncate(segment, end);

      expect(await startUnderFileSizeLimit(Math.floor(end / 1024))).toEqual({
        exitCode: 2,
        lines: [
          expect.stringMatching(/^eventstore: the log failed \(EFBIG/),
          expect.stringMatching(cannotStart),
        ],
      });
      const stored = await own.session((client) => collect(client.readStream(stream)));
      expect(stored.map((resolved) => resolved.event!.data)).toEqual(
        Array.from({ length: 30 }, (_, n) => ({ n })),
      );
    },
    PROCESS_BUDGET_MS,
  );
});
