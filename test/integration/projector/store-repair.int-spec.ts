import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { EventStore, createEventStoreClient } from '#eventstore';
import { CheckpointShelf, LogIndex, Projector } from '#read-models';
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
 * Readers that followed a store whose tail `eventstore repair` then cut, through the real store
 * process: the store is stopped under them, cut, repaired and started again on the same port, and
 * the reader, waiting to reconnect all along, must not keep the events the store no longer has, nor
 * skip the new ones written at their positions.
 */

/** What `itOnStoreWithProjector` lends a test. */
interface StoreWithProjector {
  readonly client: ReturnType<typeof createEventStoreClient>;
  readonly store: EventStore;
  /** The prefix of the test's streams, which the projector follows. */
  readonly streams: string;
  /** Appends one tally event of `amount` to the test's `stream`, answering its position. */
  append(stream: string, amount: number): Promise<bigint>;
  /** Appends `count` tally events of `amount` to the test's `stream`, answering the first's and the last's positions. */
  appendEach(stream: string, amount: number, count: number): Promise<{ first: bigint; last: bigint }>;
  readonly log: string[];
  readonly projector: Projector;
  readonly index: LogIndex;
  /**
   * Appends 3 events of 1 to the `kept` stream, before anything a repair will cut or drop, then starts
   * the projector and, `withIndex`, the log index riding it (its lines going to `log`).
   */
  startAfterThreeKept(options?: { withIndex: boolean }): Promise<void>;
}

describe('readers after the store they follow was repaired', () => {
  let storeDir: string;
  let server: EmbeddedEventStore | undefined;
  beforeEach(async () => (storeDir = await mkdtemp(join(tmpdir(), 'projector-repair-'))));
  afterEach(async () => {
    await server?.stop('SIGTERM');
    await rm(storeDir, { recursive: true, force: true });
  }, PROCESS_BUDGET_MS);

  /** Stops the store, cuts its log at `position`, repairs it and starts it again on the same port. */
  async function cutRepairAndRestart(position: bigint): Promise<void> {
    const port = new URL(server!.connectionString.replace(/^esdb:/, 'http:')).port;
    await server!.stop('SIGTERM');
    server = undefined;
    // The first segment starts at position 0, so a position is a byte offset in its file.
    await truncate(join(storeDir, '00000000000000000000.log'), Number(position));
    const repaired = await repair(storeDir);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('accepting the loss');
    server = await startEmbeddedEventStore({ dataDir: storeDir, args: ['--port', port] });
  }

  /**
   * Stops the store, flips a byte inside the record at `position` (its checksum then fails, and the
   * records after it stay intact), repairs it and starts it again on the same port.
   */
  async function damageRepairAndRestart(position: bigint): Promise<string> {
    const port = new URL(server!.connectionString.replace(/^esdb:/, 'http:')).port;
    await server!.stop('SIGTERM');
    server = undefined;
    const segment = join(storeDir, '00000000000000000000.log');
    const file = await readFile(segment);
    // Past the record's length field, inside its stream name or payload.
    file[Number(position) + 60]! ^= 0x10;
    await writeFile(segment, file);
    const repaired = await repair(storeDir);
    expect(repaired.code).toBe(0);
    server = await startEmbeddedEventStore({ dataDir: storeDir, args: ['--port', port] });
    return repaired.stdout;
  }

  /**
   * A test (within PROCESS_BUDGET_MS) of a store process on `storeDir`, a projector of the tally on it
   * whose lines go to `log`, and a log index a test may have follow it (riding its subscription, as the
   * projector app runs it); all stopped after `use`.
   */
  function itOnStoreWithProjector(name: string, use: (given: StoreWithProjector) => Promise<void>): void {
    it(name, () => onStoreWithProjector(use), PROCESS_BUDGET_MS);
  }

  /** What `itOnStoreWithProjector` runs its test on: the store, the projector and the index, then their stop. */
  async function onStoreWithProjector(use: (given: StoreWithProjector) => Promise<void>): Promise<void> {
    const started = await startStore();
    const log: string[] = [];
    const projector = new Projector(started.store, [tally], {
      streamPrefixes: [started.streams],
      log: (line) => log.push(line),
    });
    const index = new LogIndex();
    const appendEach = async (stream: string, amount: number, count: number) => {
      const first = await started.append(stream, amount);
      let last = first;
      for (let i = 1; i < count; i++) last = await started.append(stream, amount);
      return { first, last };
    };
    const startAfterThreeKept = async ({ withIndex } = { withIndex: false }) => {
      await appendEach('kept', 1, 3);
      await projector.start();
      if (withIndex) index.follow(started.store, [started.streams], (line) => log.push(line), projector);
    };
    try {
      await use({ ...started, appendEach, log, projector, index, startAfterThreeKept });
    } finally {
      await index.stop();
      await projector.stop();
      await started.client.dispose();
    }
  }

  /** A new event, written where the cut ones were (positions are byte offsets of the log). */
  async function appendAfterRestart(
    append: (stream: string, amount: number) => Promise<bigint>,
  ): Promise<bigint> {
    for (;;) {
      // The client's first call after the restart may still meet the old connection's end.
      const after = await append('after', 7).catch(() => undefined);
      if (after !== undefined) return after;
      await new Promise((retry) => setTimeout(retry, 100));
    }
  }

  /** A store process on `storeDir`, and appends of one tally event to a stream of a new prefix. */
  async function startStore() {
    server = await startEmbeddedEventStore({ dataDir: storeDir });
    const client = createEventStoreClient(server.connectionString);
    const store = new EventStore(client);
    const streams = `tally${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
    const append = async (stream: string, amount: number): Promise<bigint> => {
      const event: TallyEvent = { type: 'Tallied', data: { amount } };
      const metadata = testMetadata({ simulatedTime: new Date().toISOString() });
      return (await store.append(`${streams}${stream}`, [event], 'any', metadata)).position;
    };
    return { client, store, streams, append };
  }

  async function until(condition: () => boolean): Promise<void> {
    for (let waited = 0; waited < 20_000 && !condition(); waited += 50)
      await new Promise((poll) => setTimeout(poll, 50));
  }

  /**
   * Reads the store afresh with a projector of its own, and expects `projector`'s read models to be
   * that rebuild's: nothing of the `damaged` stream, the same totals, event count and last event.
   */
  async function expectFreshRebuild(store: EventStore, streams: string, projector: Projector, last: bigint) {
    const fresh = new Projector(store, [tally], { streamPrefixes: [streams], log: () => undefined });
    try {
      await fresh.start();
      await fresh.waitForPosition(last);
      const totals = projector.readModels.state(tally).totals;
      expect(totals.get(`${streams}damaged`)).toBeUndefined();
      expect(totals).toEqual(fresh.readModels.state(tally).totals);
      expect(projector.readModels.eventCount).toBe(fresh.readModels.eventCount);
      expect(projector.readModels.lastEvent).toEqual(fresh.readModels.lastEvent);
    } finally {
      await fresh.stop();
    }
  }

  /**
   * Expects the one line of `log` about `subject` (a reader says why it starts over once, not at each
   * retry) to name the last record its reader read, at `lastRead`, as not in this store.
   */
  function expectSaidOnceNotInStore(log: readonly string[], subject: string, lastRead: bigint): void {
    const lines = log.filter((line) => line.includes(subject));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`$all position ${lastRead}, is not in this store`);
  }

  itOnStoreWithProjector(
    'Given read models holding events from the tail repair cut, when it reconnects, then it says so once and rebuilds without them',
    async ({ streams, append, appendEach, log, projector, startAfterThreeKept }) => {
      // Given a projector that applied 3 events the store keeps and 2 that repair will cut
      await startAfterThreeKept();
      const lost = await appendEach('lost', 100, 2);
      await projector.waitForPosition(lost.last);
      expect(projector.readModels.state(tally).totals.get(`${streams}lost`)).toEqual({
        total: 200,
        count: 2,
      });

      // When the store loses its tail while it is down, is repaired, and starts again
      await cutRepairAndRestart(lost.first);
      await appendAfterRestart(append);
      // Not waitForPosition: the new event may lie at or before a position the projector had reached.
      await until(() => projector.readModels.state(tally).totals.has(`${streams}after`));

      // Then its read models hold exactly what the store has, and it said why once
      const totals = projector.readModels.state(tally).totals;
      expect(totals.get(`${streams}kept`)).toEqual({ total: 3, count: 3 });
      expect(totals.get(`${streams}lost`)).toBeUndefined();
      expect(totals.get(`${streams}after`)).toEqual({ total: 7, count: 1 });
      expect(projector.readModels.eventCount).toBe(4);
      expectSaidOnceNotInStore(log, 'read models discarded (the last record read', lost.last);
    },
  );

  itOnStoreWithProjector(
    'Given a log index riding the projector and holding records from the tail repair cut, when they reconnect, then it says so once and indexes the store as it is',
    async ({ streams, append, appendEach, log, index, startAfterThreeKept }) => {
      // Given an index that holds 3 records the store keeps and 4 that repair will cut: enough that
      // the repair's record and the next start's epoch record leave a new one room at a cut position
      await startAfterThreeKept({ withIndex: true });
      const lost = await appendEach('lost', 100, 4);
      await until(() => index.ridesProjector && index.position === lost.last);
      expect(index.ridesProjector).toBe(true);
      expect(index.recordsOf(`${streams}lost`)).toBe(4);

      // When the store loses its tail while it is down, is repaired, and starts again
      await cutRepairAndRestart(lost.first);
      const after = await appendAfterRestart(append);
      await until(() => index.recordsOf(`${streams}after`) > 0);

      // Then it holds exactly the store's records (the new one at a cut position among them), as-of
      // answers stop where the store's log does, and it said why once
      expect(after).toBeLessThanOrEqual(lost.last);
      expect(index.records).toBe(4);
      expect(index.recordsOf(`${streams}kept`)).toBe(3);
      expect(index.recordsOf(`${streams}lost`)).toBe(0);
      expect(index.recordsOf(`${streams}after`)).toBe(1);
      expect(index.pointAt(lost.last).position).toBe(after);
      expectSaidOnceNotInStore(log, 'the log index was discarded', lost.last);
    },
  );

  itOnStoreWithProjector(
    'Given read models and a log index holding an event repair then dropped from the middle of the log, when they reconnect, then they start over and equal a fresh rebuild',
    async ({ store, streams, append, appendEach, log, projector, index, startAfterThreeKept }) => {
      // Given a projector and the index riding it that applied an event repair will drop, and
      // events after it that repair keeps at their positions (the last of them is theirs)
      await startAfterThreeKept({ withIndex: true });
      const dropped = await append('damaged', 100);
      const { last } = await appendEach('later', 10, 3);
      await projector.waitForPosition(last);
      await until(() => index.ridesProjector && index.position === last);
      expect(projector.readModels.state(tally).totals.get(`${streams}damaged`)).toEqual({
        total: 100,
        count: 1,
      });

      // When the record in the middle of the log is damaged while the store is down, and repaired
      const stdout = await damageRepairAndRestart(dropped);
      expect(stdout).toContain(`dropped positions ${dropped}..`);
      expect(stdout).toMatch(/kept [1-9]\d* event\(s\) after the damage at their positions/);
      expect(stdout).toContain("appended the repair's record ($log-repair in $log-repairs)");
      await until(() => log.filter((line) => line.includes('discarded (eventstore repair')).length === 2);

      // Then both said why once (the two readers reconnect in either order), and the projector's read
      // models are a fresh rebuild's, without it
      const repairLines = log.filter((line) => line.includes('discarded (eventstore repair')).sort();
      expect(repairLines).toEqual([
        expect.stringMatching(
          /^projector: read models discarded \(eventstore repair at .* dropped positions /,
        ),
        expect.stringMatching(/^time travel: the log index was discarded \(eventstore repair at /),
      ]);
      expect(repairLines[0]).toContain(`dropped positions ${dropped}..`);
      await until(() => projector.readModels.eventCount === 6);
      await expectFreshRebuild(store, streams, projector, last);
      const totals = projector.readModels.state(tally).totals;
      expect(totals.get(`${streams}kept`)).toEqual({ total: 3, count: 3 });
      expect(totals.get(`${streams}later`)).toEqual({ total: 30, count: 3 });
      // The system record reached no projection, not even as a foreign event
      expect(projector.readModels.parkedCount).toBe(0);
      await until(() => index.records === 6);
      expect(index.recordsOf(`${streams}damaged`)).toBe(0);
      expect(index.recordsOf(`${streams}later`)).toBe(3);
    },
  );

  it(
    'Given a projector stopped with a snapshot holding an event repair then dropped from the middle of the log, when it starts on that snapshot, then it rebuilds and equals a fresh rebuild',
    async () => {
      const { client, store, streams, append } = await startStore();
      const dataDir = await mkdtemp(join(tmpdir(), 'projector-repair-snapshot-'));
      const log: string[] = [];
      // Its time-travel checkpoints are snapshots too: one is kept of each.
      const projectorOn = () =>
        new Projector(store, [tally], {
          streamPrefixes: [streams],
          dataDir,
          checkpoints: { everyEvents: 1 },
          log: (line) => log.push(line),
        });
      let restarted: Projector | undefined;
      try {
        // Given a snapshot, written as the projector stopped, of an event repair will drop and of
        // the events after it that repair keeps
        const first = projectorOn();
        await first.start();
        await append('kept', 1);
        const dropped = await append('damaged', 100);
        await append('later', 10);
        const last = await append('later', 10);
        await first.waitForPosition(last);
        await first.stop();

        // When, while it is stopped, that record is damaged and repaired away
        await damageRepairAndRestart(dropped);

        // Then the time-travel checkpoint taken as it stopped is no longer used, but removed, saying why
        const shelfLog: string[] = [];
        const shelf = new CheckpointShelf(join(dataDir, 'checkpoints'), [tally], {
          log: (line) => shelfLog.push(line),
        });
        await shelf.open();
        const atStop = shelf.list.find((checkpoint) => checkpoint.position === last);
        expect(atStop).toBeDefined();
        expect(await shelf.load(atStop!, store)).toBeUndefined();
        expect(shelfLog).toEqual([expect.stringContaining(`eventstore repair at `)]);
        expect(shelf.list).not.toContainEqual(atStop);

        // And started on the snapshot it says why and rebuilds: its read models are a fresh rebuild's
        restarted = projectorOn();
        await restarted.start();
        await until(() => log.some((line) => line.includes('read models discarded (eventstore repair')));
        await until(() => restarted!.readModels.eventCount === 3);
        await expectFreshRebuild(store, streams, restarted, last);
      } finally {
        await restarted?.stop();
        await client.dispose();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    PROCESS_BUDGET_MS,
  );

  itOnStoreWithProjector(
    'Given read models whose last event is before every record a repair dropped, when they reconnect, then they resume and rebuild nothing',
    async ({ client, streams, append, log, projector }) => {
      // Given a projector whose last event comes before a record of a stream it does not follow
      await projector.start();
      const last = await append('kept', 5);
      await projector.waitForPosition(last);
      const other = new EventStore(client);
      const event: TallyEvent = { type: 'Tallied', data: { amount: 1 } };
      const metadata = testMetadata({ simulatedTime: new Date().toISOString() });
      const outside = await other.append(`other${randomUUID().slice(0, 8)}-x`, [event], 'any', metadata);
      await other.append(`other${randomUUID().slice(0, 8)}-y`, [event], 'any', metadata);

      // When that record, after the projector's last event, is damaged and repaired away
      const stdout = await damageRepairAndRestart(outside.position);
      expect(stdout).toContain(`dropped positions ${outside.position}..`);
      const after = await appendAfterRestart(append);
      await projector.waitForPosition(after);

      // Then it resumed where it was: nothing discarded, nothing applied twice
      expect(log.filter((line) => line.includes('discarded'))).toEqual([]);
      expect(projector.readModels.state(tally).totals.get(`${streams}kept`)).toEqual({
        total: 5,
        count: 1,
      });
      expect(projector.readModels.eventCount).toBe(2);
    },
  );
});
