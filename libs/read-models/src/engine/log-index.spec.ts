import type { StoredEvent, SubscriptionItem, SystemRecord } from '#eventstore';
import { fedStore, repairRecord } from '../../../eventstore/src/fed-store.fixture.js';
import { LogIndex } from './log-index.js';
import type { RecordSource, SubscriptionRider } from './projector.js';

/** A projector's subscription the spec feeds by hand. */
const fedProjector = () => {
  const riders = new Set<SubscriptionRider>();
  const projector: RecordSource = {
    carry: (rider) => {
      riders.add(rider);
      return () => riders.delete(rider);
    },
  };
  return {
    projector,
    deliver: (...items: SubscriptionItem[]) => {
      for (const item of items) for (const rider of riders) rider.ride(item);
    },
    end: () => {
      for (const rider of [...riders]) rider.ended();
      riders.clear();
    },
    interrupt: () => {
      for (const rider of riders) rider.interrupted?.();
    },
  };
};

/** The n-th record of stream `s`, at $all position n × 100. */
const record = (n: number): SubscriptionItem => ({
  kind: 'event',
  stored: {
    id: `e${n}`,
    stream: 's',
    revision: BigInt(n - 1),
    position: BigInt(n * 100),
    metadata: { simulatedTime: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString() },
  } as unknown as StoredEvent,
});
const records = (from: number, to: number): SubscriptionItem[] =>
  Array.from({ length: to - from + 1 }, (_, i) => record(from + i));
const CAUGHT_UP: SubscriptionItem = { kind: 'caughtUp' };

/** Lets the index's own `for await` take what was pushed. */
const settle = () => new Promise((resume) => setImmediate(resume));

/**
 * An index following beside a fed projector, on its own subscription to a fed store that holds
 * record n as `e<n>` at position n × 100; `log` gathers what the index says.
 */
const indexBesideProjector = () => {
  const fed = fedStore((position) => `e${position / 100n}`);
  const source = fedProjector();
  const log: string[] = [];
  const index = new LogIndex();
  index.follow(fed.store, ['s'], (line) => log.push(line), source.projector);
  return { ...fed, ...source, log, index };
};

/**
 * An index riding the projector: both subscriptions live after records 1 and 2. `projectorLost`
 * loses the projector's connection, the store coming back with `repair` if one is named, and lets
 * the index look at the store again.
 */
const indexRidingProjector = async () => {
  const given = indexBesideProjector();
  given.deliver(...records(1, 2), CAUGHT_UP);
  given.subscriptions[0]!.subscription.push(...records(1, 2), CAUGHT_UP);
  await settle();
  const projectorLost = async (repair?: SystemRecord): Promise<void> => {
    if (repair) given.kept.repairs = [repair];
    given.interrupt();
    await settle();
  };
  return { ...given, projectorLost };
};

describe('the log index beside the projector', () => {
  it('follows on its own while the projector is still catching up, though it is further along', async () => {
    // Given an index following beside a projector that has delivered only the first record
    const { subscriptions, deliver, index } = indexBesideProjector();
    deliver(record(1));
    // When its own subscription reaches the head
    subscriptions[0]!.subscription.push(...records(1, 3), CAUGHT_UP);
    await settle();
    // Then it keeps its own subscription: riding would hold it back at the projector's record 1
    expect(index.ridesProjector).toBe(false);
    expect(subscriptions[0]!.subscription.closed).toBe(false);
    expect(index.records).toBe(3);
    await index.stop();
  });

  it('rides once both are live and it holds all the projector has delivered, missing nothing', async () => {
    // Given a live projector that has delivered records 1 to 5, and an index that indexed 1 to 4
    const { subscriptions, deliver, index } = indexBesideProjector();
    const own = subscriptions[0]!.subscription;
    deliver(...records(1, 5), CAUGHT_UP);
    own.push(...records(1, 4), CAUGHT_UP);
    await settle();
    expect(index.ridesProjector).toBe(false);
    // When its own subscription brings record 5, and then only the projector's brings 6 and 7
    own.push(record(5));
    await settle();
    expect(index.ridesProjector).toBe(true);
    expect(own.closed).toBe(true);
    deliver(record(6), record(7));
    deliver(record(7)); // again, as after the projector's reconnect
    // Then every record is indexed once, in order
    expect(index.records).toBe(7);
    expect(index.recordsOf('s')).toBe(7);
    expect(index.readCountOf('s', 700n)).toBe(7);
    expect(index.position).toBe(700n);
    await index.stop();
  });

  it('follows on its own again, from where it got to, once the projector has ended', async () => {
    // Given an index riding the projector, at record 3
    const { subscriptions, deliver, end, index } = await indexRidingProjector();
    expect(index.ridesProjector).toBe(true);
    deliver(record(3));
    // When the projector ends
    end();
    // Then a subscription of its own picks up after record 3
    expect(index.ridesProjector).toBe(false);
    await settle();
    expect(subscriptions).toHaveLength(2);
    expect(subscriptions[1]!.from).toBe(300n);
    subscriptions[1]!.subscription.push(record(4));
    await settle();
    expect(index.records).toBe(4);
    await index.stop();
  });

  it('after the projector lost its connection, follows on its own and starts over when its last record was cut', async () => {
    // Given an index riding the projector, at record 3
    const { subscriptions, kept, deliver, projectorLost, log, index } = await indexRidingProjector();
    deliver(record(3));
    expect(index.ridesProjector).toBe(true);
    // When the projector's connection is lost and the store, repaired, no longer has records 2 and 3
    kept.cutFrom = 200n;
    await projectorLost();
    // Then the index leaves the projector, says why, and indexes again from the first record
    expect(index.ridesProjector).toBe(false);
    expect(log).toEqual([
      expect.stringContaining('the log index was discarded (the last record read, e3 at $all position 300'),
    ]);
    expect(subscriptions).toHaveLength(2);
    expect(subscriptions[1]!.from).toBeUndefined();
    expect(index.records).toBe(0);
    subscriptions[1]!.subscription.push(record(1), record(2), CAUGHT_UP);
    await settle();
    expect(index.records).toBe(2);
    expect(index.pointAt(300n).position).toBe(200n);
    await index.stop();
  });

  it('after the projector lost its connection, starts over when a repair dropped a record before its last one', async () => {
    // Given an index riding the projector, at record 3
    const { subscriptions, deliver, projectorLost, log, index } = await indexRidingProjector();
    deliver(record(3));
    // When the store comes back repaired: record 3 is where it was, record 2 was dropped
    await projectorLost(repairRecord(400n, 200, 300));
    // Then the index says why and indexes again from the first record
    expect(log).toEqual([
      expect.stringContaining('the log index was discarded (eventstore repair at 2026-12-03T08:00:00.000Z'),
    ]);
    expect(subscriptions).toHaveLength(2);
    expect(subscriptions[1]!.from).toBeUndefined();
    expect(index.records).toBe(0);
    await index.stop();
  });

  it("having started over for a repair, resumes when its own connection is lost again before the repair's record: once per repair", async () => {
    // Given an index that started over because a repair (its record at 400) dropped record 2
    const { subscriptions, deliver, projectorLost, log, index } = await indexRidingProjector();
    deliver(record(3));
    await projectorLost(repairRecord(400n, 200, 300));
    expect(subscriptions[1]!.from).toBeUndefined();
    // And that indexed the repaired store again up to record 3
    subscriptions[1]!.subscription.push(record(1), record(3));
    await settle();
    // When its connection is lost before the repair's record
    subscriptions[1]!.subscription.push(new Error('connection lost'));
    for (let waited = 0; subscriptions.length < 3 && waited < 5_000; waited += 20)
      await new Promise((poll) => setTimeout(poll, 20));
    // Then it follows on from record 3, having discarded the index once only
    expect(subscriptions).toHaveLength(3);
    expect(subscriptions[2]!.from).toBe(300n);
    expect(index.records).toBe(2);
    expect(log.filter((line) => line.includes('discarded'))).toHaveLength(1);
    await index.stop();
  });

  it('after the projector lost its connection, resumes after its last record when a repair dropped only later ones', async () => {
    // Given an index riding the projector, at record 3
    const { subscriptions, deliver, projectorLost, log, index } = await indexRidingProjector();
    deliver(record(3));
    // When the store comes back from a repair that dropped only positions after record 3
    await projectorLost(repairRecord(600n, 400, 500));
    // Then the index keeps what it has and follows on from record 3
    expect(log).toEqual([]);
    expect(subscriptions).toHaveLength(2);
    expect(subscriptions[1]!.from).toBe(300n);
    expect(index.records).toBe(3);
    await index.stop();
  });

  it('after the projector lost its connection, resumes right after its last record while the store still has it', async () => {
    // Given an index riding the projector, at record 3, past which a server checkpoint moved it
    const { subscriptions, deliver, projectorLost, index } = await indexRidingProjector();
    deliver(record(3), { kind: 'checkpoint', position: 900n });
    // When the projector's connection is lost
    await projectorLost();
    // Then it follows on its own from record 3, not from the checkpoint: what lay past it may be cut
    expect(subscriptions).toHaveLength(2);
    expect(subscriptions[1]!.from).toBe(300n);
    expect(index.records).toBe(3);
    await index.stop();
  });
});
