import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, createEventStoreClient } from '#eventstore';
import { tally, type TallyEvent } from '../../../libs/read-models/src/engine/engine.fixture.js';
import { Projector, SNAPSHOT_FILE, replay, type ProjectorOptions } from '#read-models';
import { startEmbeddedEventStore } from '../../support/embedded-eventstore.js';
import { runThrough } from '../../support/projector-run.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

/**
 * The engine against the embedded server through the official client, with the engine's own test
 * projection; each test projects its own stream prefix so tests do not see each other's events.
 */
describe('projector engine over a real subscription', () => {
  const { store } = connectToSharedStore();
  let dataDir: string;
  beforeEach(async () => (dataDir = await mkdtemp(join(tmpdir(), 'projector-int-'))));
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const prefix = (): string => `tally${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
  const append = async (stream: string, event: TallyEvent): Promise<bigint> =>
    (await store.append(stream, [event], 'any', testMetadata({ simulatedTime: new Date().toISOString() })))
      .position;
  const quiet = { log: () => undefined };
  /** Waits (5 s at most) until `done` holds. */
  const until = async (done: () => boolean) => {
    for (let waited = 0; !done() && waited < 5_000; waited += 10)
      await new Promise((poll) => setTimeout(poll, 10));
    expect(done()).toBe(true);
  };
  /** The engine's test projection over `streams`, its snapshots in this test's data directory. */
  const tallyProjector = (streams: string, options: Partial<ProjectorOptions> = {}) =>
    new Projector(store, [tally], { streamPrefixes: [streams], dataDir, ...quiet, ...options });

  it('stopped mid-stream and restarted from its snapshot converges to the digest of a full rebuild', async () => {
    const streams = prefix();
    let last = 0n;
    for (let i = 0; i < 60; i++)
      last = await append(`${streams}${i % 7}`, { type: 'Tallied', data: { amount: i } });

    const first = tallyProjector(streams, { snapshotEveryEvents: 25 });
    await first.start();
    await first.waitForPosition(last);
    const appending = (async () => {
      for (let i = 0; i < 60; i++)
        last = await append(`${streams}${i % 5}`, { type: 'Tallied', data: { amount: 1 } });
    })();
    await first.stop();
    await appending;
    // Its last snapshot, written on stop, holds every event it applied; none failed.
    expect(first.snapshots.written).toBeGreaterThanOrEqual(1);
    expect(first.snapshots).toMatchObject({ failed: 0, last: { eventCount: first.readModels.eventCount } });

    const second = tallyProjector(streams);
    await second.start();
    expect(second.readModels.eventCount).toBeGreaterThanOrEqual(60);
    await second.waitForPosition(last);
    await second.stop();

    const rebuilt = await replay(store, [tally], { streamPrefixes: [streams] });
    expect(rebuilt.eventCount).toBe(120);
    expect(second.readModels.eventCount).toBe(120);
    expect(second.readModels.digest()).toBe(rebuilt.digest());
  });

  it('does not resume a snapshot whose header was damaged: a position off by a digit would apply events twice', async () => {
    // Given a snapshot of 10 events (the rows' checksum intact)
    const streams = prefix();
    const positions: bigint[] = [];
    for (let i = 0; i < 10; i++)
      positions.push(await append(`${streams}${i % 3}`, { type: 'Tallied', data: { amount: i + 1 } }));
    await runThrough(tallyProjector(streams), positions.at(-1)!);
    // When bit rot changes the position its header says it reflects (to an earlier event's) and
    // the event count, and nothing else
    const path = join(dataDir, SNAPSHOT_FILE);
    const [headerLine, ...rest] = (await readFile(path, 'utf8')).split('\n');
    const header = JSON.parse(headerLine!) as { position: string; eventCount: number };
    expect(header.position).toBe(String(positions.at(-1)));
    const damaged = { ...header, position: String(positions[4]), eventCount: header.eventCount - 5 };
    await writeFile(path, [JSON.stringify(damaged), ...rest].join('\n'));
    const log: string[] = [];
    const second = await runThrough(
      tallyProjector(streams, { log: (line) => log.push(line) }),
      positions.at(-1)!,
    );
    // Then it is not resumed from: the read models equal a rebuild, each event applied once
    const rebuilt = await replay(store, [tally], { streamPrefixes: [streams] });
    expect(second.readModels.eventCount).toBe(10);
    expect(second.readModels.digest()).toBe(rebuilt.digest());
    expect(log).toContainEqual(expect.stringContaining('snapshot discarded'));
  });

  it('removes the temporary file of a snapshot write that a kill -9 cut short, and keeps a live one', async () => {
    // Given the half-written temporary snapshot of a projector process that is gone (killed mid-write:
    // one of these per crash, each up to a whole snapshot's size) and one of a process still running
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const stale = `${SNAPSHOT_FILE}.${gone}.tmp`;
    const live = `${SNAPSHOT_FILE}.${process.ppid}.tmp`;
    await writeFile(join(dataDir, stale), '{"format":"switchboard-projector-snapshot/4","position":"1');
    await writeFile(join(dataDir, live), '');
    // When a projector starts on that directory
    const streams = prefix();
    const position = await append(`${streams}a`, { type: 'Tallied', data: { amount: 1 } });
    await runThrough(tallyProjector(streams), position);
    // Then the dead process's file is gone; the running one's is not touched
    const files = await readdir(dataDir);
    expect(files).not.toContain(stale);
    expect(files).toContain(live);
    expect(files).toContain(SNAPSHOT_FILE);
  });

  it("does not resume a snapshot against another store: it rebuilds from that store's first event", async () => {
    // Given a snapshot written against the shared store, far along its log
    const streams = prefix();
    let last = 0n;
    for (let i = 0; i < 5; i++)
      last = await append(`${streams}a`, { type: 'Tallied', data: { amount: 100 } });
    await runThrough(tallyProjector(streams), last);
    // When the projector starts on the same data directory against a fresh store
    const fresh = await startEmbeddedEventStore({ inMemory: true });
    const freshClient = createEventStoreClient(fresh.connectionString);
    try {
      const freshStore = new EventStore(freshClient);
      const log: string[] = [];
      const second = new Projector(freshStore, [tally], {
        streamPrefixes: [streams],
        dataDir,
        log: (line) => log.push(line),
      });
      await second.start();
      const position = (
        await freshStore.append(
          `${streams}b`,
          [{ type: 'Tallied', data: { amount: 1 } }],
          'any',
          testMetadata({ simulatedTime: new Date().toISOString() }),
        )
      ).position;
      await second.waitForPosition(position);
      await second.stop();
      // Then it says why it starts over, and holds that store's events only
      expect(second.status).toBe('stopped');
      expect(log).toContainEqual(expect.stringContaining('read models discarded (the last record read'));
      expect(second.readModels.eventCount).toBe(1);
      expect(second.readModels.state(tally).totals.get(`${streams}a`)).toBeUndefined();
      expect(second.readModels.state(tally).totals.get(`${streams}b`)).toEqual({ total: 1, count: 1 });
    } finally {
      await freshClient.dispose();
      await fresh.stop();
    }
  });

  it('stops when told to while it is still checking its snapshot against the store, before it subscribed', async () => {
    // Given a snapshot, so a restarted projector first reads the store to check the snapshot belongs to it
    const streams = prefix();
    const last = await append(`${streams}a`, { type: 'Tallied', data: { amount: 1 } });
    await runThrough(tallyProjector(streams), last);

    // When the restarted projector is stopped while that read is in flight
    const restarted = tallyProjector(streams);
    await restarted.start();
    const stopped = restarted.stop();

    // Then it stops (it used to open its subscription after the stop and follow $all for ever)
    await stopped;
    expect(restarted.status).toBe('stopped');
  });

  it('stops loudly on an event it cannot apply and reports where', async () => {
    const streams = prefix();
    await append(`${streams}a`, { type: 'Tallied', data: { amount: 1 } });
    const bad = await append(`${streams}b`, { type: 'Reset', data: {} });
    await append(`${streams}a`, { type: 'Tallied', data: { amount: 1 } });
    const alarms: string[] = [];
    const projector = await runThrough(tallyProjector(streams, { alarm: (line) => alarms.push(line) }), bad);
    expect(projector.status).toBe('failed');
    expect(projector.readModels.eventCount).toBe(1);
    expect(alarms).toEqual([expect.stringContaining(`Reset (stream ${streams}b@0, $all position ${bad})`)]);
  });

  it('replays "as of" a $all position', async () => {
    const streams = prefix();
    await append(`${streams}a`, { type: 'Tallied', data: { amount: 1 } });
    const middle = await append(`${streams}a`, { type: 'Tallied', data: { amount: 10 } });
    await append(`${streams}a`, { type: 'Tallied', data: { amount: 100 } });
    const asOf = await replay(store, [tally], { streamPrefixes: [streams], untilPosition: middle });
    expect(asOf.state(tally).totals.get(`${streams}a`)).toEqual({ total: 11, count: 2 });
    expect(asOf.position).toBe(middle);
  });

  it('reports lag from a look at the head shared by callers within lagRefreshMs, not by reading the log', async () => {
    const streams = prefix();
    await append(`${streams}a`, { type: 'Tallied', data: { amount: 1 } });
    const last = await append(`${streams}a`, { type: 'Tallied', data: { amount: 2 } });
    const projector = new Projector(store, [tally], {
      streamPrefixes: [streams],
      lagRefreshMs: 60_000,
      ...quiet,
    });
    const behind = await projector.lag();
    expect(behind).toMatchObject({ position: null, eventsEstimated: true });
    expect(behind.events).toBeGreaterThanOrEqual(1);
    expect(BigInt(behind.headPosition)).toBeGreaterThanOrEqual(last);
    expect((await projector.lag()).measuredAt).toBe(behind.measuredAt);
    // The read models reach that head (as a checkpoint would take them there): the same look says caught up.
    projector.readModels.advanceTo(BigInt(behind.headPosition));
    expect(await projector.lag()).toMatchObject({
      measuredAt: behind.measuredAt,
      events: 0,
      eventsEstimated: false,
      ms: 0,
    });
  });

  it('on a full disk keeps its previous snapshot, counts every failed one and logs the first, and writes again once there is room', async () => {
    const streams = prefix();
    const log: string[] = [];
    const projector = tallyProjector(streams, { snapshotEveryMs: 20, log: (line) => log.push(line) });
    // A full disk, in a form any machine has: the snapshot's temporary file is a link to /dev/full,
    // which answers every write with ENOSPC, put back each time the failed snapshot removes it.
    const temporary = join(dataDir, `${SNAPSHOT_FILE}.${process.pid}.tmp`);
    let full: NodeJS.Timeout | undefined;
    try {
      let last = await append(`${streams}0`, { type: 'Tallied', data: { amount: 1 } });
      await projector.start();
      await projector.waitForPosition(last);
      await until(() => projector.snapshots.written === 1);
      const kept = await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8');
      full = setInterval(() => void symlink('/dev/full', temporary).catch(() => undefined), 1);

      last = await append(`${streams}0`, { type: 'Tallied', data: { amount: 2 } });
      await projector.waitForPosition(last);
      await until(() => projector.snapshots.failed >= 3);

      expect(await readFile(join(dataDir, SNAPSHOT_FILE), 'utf8')).toBe(kept);
      expect(log.filter((line) => line.includes('snapshot not written'))).toEqual([
        expect.stringMatching(/^projector: snapshot not written \(.*ENOSPC.*\); the previous one stays/),
      ]);
      clearInterval(full);
      await rm(temporary, { force: true });
      await until(() => projector.snapshots.written === 2);
      expect(projector.status).toBe('live');
      expect(log).toContainEqual(
        expect.stringMatching(/^projector: snapshot written again, after \d+ failed$/),
      );
      expect(projector.snapshots.last?.eventCount).toBe(2);
    } finally {
      clearInterval(full);
      await projector.stop();
    }
  });
});
