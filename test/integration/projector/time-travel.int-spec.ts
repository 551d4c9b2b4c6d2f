import { mkdtemp, readdir, rm, writeFile, truncate, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventSchemas, type DomainEvent } from '#events';
import {
  CheckpointShelf,
  PROJECTIONS,
  Projector,
  TimeMachine,
  TimeTravelBusyError,
  replay,
  type ReplayLimit,
} from '#read-models';
import { accountEvents, lineEvents, rng } from '../../../bench/replay/workload.js';
import { openSharedStore } from '../../support/shared-store.js';
import { accountPrefixes, freshWorkload, interleave, metadataAtFirst } from '../../support/workload.js';

/**
 * Time travel from checkpoints: the read models as of a point, built from the nearest checkpoint
 * before it plus the events after it, must be exactly those of a replay from the first event, at
 * any position (on an event, between events, before the first, past the last) and any simulated
 * time (events are not in simulated-time order: lines are interleaved as a live system writes them).
 */
/**
 * Jest's limit for the tests that compare many as-of answers with replays from the first event: each
 * replay reads the shared store's log, which the suite's earlier files have grown, so on a loaded CI
 * machine 40 of them took over 30 s.
 */
const REPLAYS_BUDGET_MS = 180_000;

describe('time travel from read-model checkpoints', () => {
  const store = openSharedStore(eventSchemas);
  let dataDir: string;
  beforeAll(async () => (dataDir = await mkdtemp(join(tmpdir(), 'projector-tt-'))));
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await store.client.dispose();
  }, 30_000);

  const options = freshWorkload('acc', { seed: 7, lines: 4, callsPerLine: 40 });
  const streamPrefixes = accountPrefixes(options.accountId);
  const random = rng(99);
  const events: { position: bigint; time: string }[] = [];
  let shelf: CheckpointShelf;

  beforeAll(async () => {
    const projector = new Projector(store, PROJECTIONS, {
      streamPrefixes,
      dataDir,
      snapshotEveryEvents: 15,
      snapshotEveryMs: 20,
      checkpoints: { everyEvents: 30, maxCount: 1_000 },
      log: () => undefined,
    });
    await projector.start();
    const account = accountEvents(options);
    let last = (await store.append(account.stream, account.events, 'any', metadataAtFirst(account.events)))
      .position;
    const lines = Array.from({ length: options.lines }, (_, line) => lineEvents(options, line));
    await interleave<DomainEvent>(lines, random, 5, async (stream, next) => {
      last = (await store.append(stream, next, 'any', metadataAtFirst(next))).position;
      // Let the projector apply (and snapshot) as the log grows, as it does live.
      if (random() < 0.2) await projector.waitForPosition(last);
    });
    await projector.waitForPosition(last);
    await projector.stop();
    const subscription = store.subscribeToAll({ streamPrefixes });
    for await (const item of subscription) {
      if (item.kind === 'caughtUp') break;
      if (item.kind === 'event')
        events.push({ position: item.stored.position!, time: item.stored.metadata.simulatedTime });
    }
    await subscription.close();
    shelf = new CheckpointShelf(join(dataDir, 'checkpoints'), PROJECTIONS, { log: () => undefined });
    await shelf.open();
  }, 120_000);

  const full = (limit: ReplayLimit) => replay(store, PROJECTIONS, { streamPrefixes, ...limit });
  const machine = () => new TimeMachine(store, PROJECTIONS, shelf, { streamPrefixes });
  const same = async (travelled: Promise<Awaited<ReturnType<typeof full>>>, limit: ReplayLimit) => {
    const [a, b] = await Promise.all([travelled, full(limit)]);
    expect({ limit, position: a.position, events: a.eventCount, digest: a.digest() }).toEqual({
      limit,
      position: b.position,
      events: b.eventCount,
      digest: b.digest(),
    });
  };

  it('kept checkpoints along the log', () => {
    expect(events.length).toBeGreaterThan(500);
    expect(shelf.stats.count).toBeGreaterThanOrEqual(5);
  });

  it(
    'answers as of a position exactly as a replay from the first event, at 40 points',
    async () => {
      const timeMachine = machine();
      const points = new Set<bigint>([0n, events[0]!.position - 1n, events.at(-1)!.position + 1_000n]);
      while (points.size < 40) {
        const event = events[Math.floor(random() * events.length)]!;
        // On an event, or between it and the next one.
        points.add(random() < 0.5 ? event.position : event.position + 1n);
      }
      let fromCheckpoints = 0;
      for (const untilPosition of points) {
        await same(timeMachine.at({ untilPosition }), { untilPosition });
        if (timeMachine.lastTrip?.checkpointEvents !== undefined) fromCheckpoints++;
      }
      // The property is about checkpoints: most of the points must have been answered from one.
      expect(fromCheckpoints).toBeGreaterThan(30);
    },
    REPLAYS_BUDGET_MS,
  );

  it(
    'answers as of a simulated time exactly as a replay from the first event, at 30 times',
    async () => {
      const timeMachine = machine();
      const times = events.map((event) => Date.parse(event.time)).sort((a, b) => a - b);
      const instants = [times[0]! - 1, times.at(-1)! + 1];
      while (instants.length < 30)
        instants.push(times[Math.floor(random() * times.length)]! + Math.round(random()));
      let fromCheckpoints = 0;
      for (const instant of instants) {
        const untilSimulatedTime = new Date(instant).toISOString();
        await same(timeMachine.at({ untilSimulatedTime }), { untilSimulatedTime });
        if (timeMachine.lastTrip?.checkpointEvents !== undefined) fromCheckpoints++;
      }
      expect(fromCheckpoints).toBeGreaterThan(10);
    },
    REPLAYS_BUDGET_MS,
  );

  it('ignores a corrupt checkpoint or one of another build (counted, removed) and still answers right', async () => {
    const dir = join(dataDir, 'checkpoints');
    const files = (await readdir(dir)).sort();
    // A checkpoint cut short (a crash, a full disk) and one written by another projection version.
    const cut = files[files.length - 2]!;
    await truncate(join(dir, cut), Math.floor((await stat(join(dir, cut))).size / 2));
    await writeFile(
      join(dir, 'checkpoint-00000000000000000001.ndjson'),
      JSON.stringify({
        format: 'switchboard-projector-snapshot/4',
        position: '1',
        eventCount: 1,
        projections: { calls: 0 },
      }) + '\n',
    );
    const reopened = new CheckpointShelf(dir, PROJECTIONS, { log: () => undefined });
    await reopened.open();
    expect(reopened.stats.ignored).toBe(1);
    const timeMachine = new TimeMachine(store, PROJECTIONS, reopened, { streamPrefixes });
    const untilPosition = events.at(-1)!.position;
    const nearest = reopened.nearest({ untilPosition })!;
    await same(timeMachine.at({ untilPosition }), { untilPosition });
    // The last checkpoint is intact and used; now one past the cut one, which is tried and dropped.
    expect(timeMachine.lastTrip?.checkpointEvents).toBe(nearest.eventCount);
    const beforeCut = reopened.list.find((checkpoint) => checkpoint.file === cut)!;
    await same(timeMachine.at({ untilPosition: beforeCut.position }), { untilPosition: beforeCut.position });
    expect(reopened.stats.ignored).toBe(2);
    expect(reopened.list.some((checkpoint) => checkpoint.file === cut)).toBe(false);
    expect(timeMachine.lastTrip?.checkpointEvents).toBeLessThan(beforeCut.eventCount);
  });

  it('runs a bounded number of as-of replays: one more than the queue holds is refused with a retry time', async () => {
    const timeMachine = new TimeMachine(store, PROJECTIONS, shelf, {
      streamPrefixes,
      concurrency: 1,
      queueLength: 1,
    });
    const limit = { untilPosition: events.at(-1)!.position };
    const running = timeMachine.at(limit);
    const waiting = timeMachine.at(limit);
    const refused = timeMachine.at(limit);
    await expect(refused).rejects.toBeInstanceOf(TimeTravelBusyError);
    await expect(refused).rejects.toMatchObject({ running: 1, waiting: 1 });
    await expect(
      refused.catch((error: TimeTravelBusyError) => error.retryAfterSeconds),
    ).resolves.toBeGreaterThanOrEqual(1);
    await Promise.all([running, waiting]);
    // Places free up again.
    await same(timeMachine.at(limit), limit);
  });
});
