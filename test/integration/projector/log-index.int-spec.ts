import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tally, type TallyEvent } from '../../../libs/read-models/src/engine/engine.fixture.js';
import { LogIndex, Projector } from '#read-models';
import { runThrough } from '../../support/projector-run.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

/**
 * The log index rides the live projector's subscription once it has caught up with it, instead of
 * keeping a second subscription to the same records: these check that the handoff, under appends
 * racing it, loses and repeats nothing, and that the index follows on its own again once the
 * projector stops.
 */
describe('the log index riding the projector', () => {
  const { store } = connectToSharedStore();
  let dataDir: string;
  beforeEach(async () => (dataDir = await mkdtemp(join(tmpdir(), 'log-index-int-'))));
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const quiet = { log: () => undefined };
  const STREAMS = 7;
  const newPrefix = (): string => `ride${randomUUID().replaceAll('-', '').slice(0, 12)}-`;

  /** Appends `count` events round-robin over the prefix's streams; resolves to the last position. */
  async function appendEvents(prefix: string, count: number): Promise<bigint> {
    let last = 0n;
    for (let i = 0; i < count; i++) {
      const event: TallyEvent = { type: 'Tallied', data: { amount: i } };
      const metadata = testMetadata({ simulatedTime: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString() });
      last = (await store.append(`${prefix}${i % STREAMS}`, [event], 'any', metadata)).position;
    }
    return last;
  }

  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resume) => setTimeout(resume, 20));
    }
  }

  /** What an index following on its own holds of the prefix's streams once it has reached `last`. */
  async function reference(prefix: string, last: bigint): Promise<LogIndex> {
    const index = new LogIndex();
    index.follow(store, [prefix], () => undefined);
    await until(() => (index.position ?? 0n) >= last, 'the reference index reached the last append');
    await index.stop();
    return index;
  }

  function expectSameRecords(index: LogIndex, expected: LogIndex, prefix: string, last: bigint): void {
    expect(index.records).toBe(expected.records);
    for (let stream = 0; stream < STREAMS; stream++) {
      expect(index.recordsOf(`${prefix}${stream}`)).toBe(expected.recordsOf(`${prefix}${stream}`));
      // Contiguous revisions 0, 1, 2…: nothing was indexed twice or skipped in any stream.
      expect(index.readCountOf(`${prefix}${stream}`, last)).toBe(expected.recordsOf(`${prefix}${stream}`));
    }
    expect(index.pointAt(last)).toEqual(expected.pointAt(last));
  }

  it('takes over from a projector resumed far ahead of it, with appends racing the handoff', async () => {
    // Given a projector whose snapshot is 300 events along the log, and an index starting from nothing
    const prefix = newPrefix();
    const before = await appendEvents(prefix, 300);
    await runThrough(new Projector(store, [tally], { streamPrefixes: [prefix], dataDir, ...quiet }), before);
    const projector = new Projector(store, [tally], { streamPrefixes: [prefix], dataDir, ...quiet });
    await projector.start();
    expect(projector.readModels.eventCount).toBe(300);
    const index = new LogIndex();

    // When the index starts following while 300 more events are appended
    const racing = appendEvents(prefix, 300);
    index.follow(store, [prefix], () => undefined, projector);
    const last = await racing;
    await projector.waitForPosition(last);
    await until(
      () => index.ridesProjector && (index.position ?? 0n) >= last,
      'the index rides the projector',
    );

    // Then it holds every record once, as an index following on its own does
    expectSameRecords(index, await reference(prefix, last), prefix, last);
    await projector.stop();
    await index.stop();
  });

  it('follows on its own again, from where it got to, once the projector stops', async () => {
    // Given an index riding a live projector
    const prefix = newPrefix();
    const projector = new Projector(store, [tally], { streamPrefixes: [prefix], ...quiet });
    await projector.start();
    const index = new LogIndex();
    index.follow(store, [prefix], () => undefined, projector);
    let last = await appendEvents(prefix, 50);
    await until(
      () => index.ridesProjector && (index.position ?? 0n) >= last,
      'the index rides the projector',
    );

    // When the projector stops and the log goes on
    await projector.stop();
    expect(index.ridesProjector).toBe(false);
    last = await appendEvents(prefix, 50);

    // Then the index indexes what came after, each record once
    await until(() => (index.position ?? 0n) >= last, 'the index reached the last append');
    expectSameRecords(index, await reference(prefix, last), prefix, last);
    await index.stop();
  });

  it('a rider that fails is put off, and the projector goes on', async () => {
    // Given a live projector carrying a rider that fails on the first record it is given
    const prefix = newPrefix();
    const projector = new Projector(store, [tally], { streamPrefixes: [prefix], ...quiet });
    await projector.start();
    let ended = false;
    projector.carry({
      ride: (item) => {
        if (item.kind === 'event') throw new Error('cannot index');
      },
      ended: () => (ended = true),
    });
    // When records arrive
    const last = await appendEvents(prefix, 10);
    // Then the projector applies them all, and the rider is told it is off
    await projector.waitForPosition(last);
    expect(projector.status).toBe('live');
    expect(projector.readModels.eventCount).toBe(10);
    expect(ended).toBe(true);
    await projector.stop();
  });

  it('never rides a projector that has already stopped', async () => {
    const prefix = newPrefix();
    const projector = new Projector(store, [tally], { streamPrefixes: [prefix], ...quiet });
    await projector.start();
    await projector.stop();
    const index = new LogIndex();
    index.follow(store, [prefix], () => undefined, projector);
    const last = await appendEvents(prefix, 20);
    await until(() => (index.position ?? 0n) >= last, 'the index reached the last append');
    expect(index.ridesProjector).toBe(false);
    expect(index.records).toBe(20);
    await index.stop();
  });
});
