import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '#events';
import { AggregateRepository, StreamVersionConflictError } from '#eventstore';
import { collect } from '../../support/collect.js';
import { connectToSharedStore, testMetadata } from '../../support/shared-store.js';

/** A counter with a ceiling: the smallest aggregate whose invariant a race could break. */
type Incremented = DomainEvent<'Incremented', { by: number }>;
interface Counter {
  value: number;
}
const counter = {
  initialState: { value: 0 },
  evolve: (s: Counter, e: Incremented) => ({ value: s.value + e.data.by }),
};
const CEILING = 5;
const incrementBelowCeiling = (state: Counter): Incremented[] => {
  if (state.value >= CEILING) throw new Error('CEILING_REACHED');
  return [{ type: 'Incremented', data: { by: 1 } }];
};

describe('event-store layer through the official client', () => {
  const { store } = connectToSharedStore();

  const stream = (): string => `counter-${randomUUID().replaceAll('-', '')}`;

  it('appends with the expected revision and turns a conflict into a typed error', async () => {
    const name = stream();
    await store.append(name, [{ type: 'Incremented', data: { by: 1 } }], 'no_stream', testMetadata());
    const conflict = store.append(
      name,
      [{ type: 'Incremented', data: { by: 1 } }],
      'no_stream',
      testMetadata(),
    );
    await expect(conflict).rejects.toBeInstanceOf(StreamVersionConflictError);
    await expect(conflict).rejects.toMatchObject({ stream: name, actualRevision: 0n });
  });

  it('writes the SPEC §2 metadata on every event and reads it back', async () => {
    const name = stream();
    const metadata = testMetadata({ commandId: 'cmd-metadata-check' });
    await store.append(name, [{ type: 'Incremented', data: { by: 2 } }], 'any', metadata);
    const [stored] = await collect(store.readStream(name));
    expect(stored?.event).toEqual({ type: 'Incremented', data: { by: 2 } });
    expect(stored?.metadata).toEqual({ ...metadata, schemaVersion: 1 });
    expect(stored?.position).toBeGreaterThan(0n);
  });

  it('reads the records of $all from a position, undecoded, and knows the head', async () => {
    const name = stream();
    const increments: Incremented[] = [
      { type: 'Incremented', data: { by: 1 } },
      { type: 'Incremented', data: { by: 2 } },
    ];
    await store.append(name, increments, 'no_stream', testMetadata());
    const [first, second] = await collect(store.readStream(name));
    const records = await store.readAllRecords(first!.position, 2);
    expect(records.map(({ id, type, position }) => ({ id, type, position }))).toEqual([
      { id: first!.id, type: 'Incremented', position: first!.position },
      { id: second!.id, type: 'Incremented', position: second!.position },
    ]);
    expect(records[1]!.created).toEqual(second!.created);
    expect(await store.headPosition()).toBeGreaterThanOrEqual(second!.position!);
    const [firstOfAll] = await store.readAllRecords(undefined, 1);
    expect(firstOfAll!.position).toBeLessThan(first!.position!);
    // Backwards: before the position, newest first, each naming its stream.
    const [before] = await store.readAllRecords(second!.position, 1, 'backwards');
    expect(before).toMatchObject({ id: first!.id, stream: name, position: first!.position });
  });

  it('keeps an invariant when many processes race: separate repositories, one stream', async () => {
    const name = stream();
    // Separate repositories have separate caches and queues: like separate api instances.
    const racers = Array.from({ length: 12 }, () => new AggregateRepository(store, counter));
    const results = await Promise.allSettled(
      racers.map((repo) => repo.handle(name, incrementBelowCeiling, testMetadata())),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(CEILING);
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.message),
    ).toEqual(Array(12 - CEILING).fill('CEILING_REACHED'));
    const { state, revision } = await new AggregateRepository(store, counter).load(name);
    expect(state.value).toBe(CEILING);
    expect(revision).toBe(BigInt(CEILING - 1));
  });

  it('never rejects on a stale cached fold: a rejection is re-checked against the stream', async () => {
    const name = stream();
    const stale = new AggregateRepository(store, counter);
    await stale.load(name); // caches "empty"
    await new AggregateRepository(store, counter).handle(name, incrementBelowCeiling, testMetadata());
    const needsOne = (state: Counter): Incremented[] => {
      if (state.value < 1) throw new Error('EMPTY');
      return [{ type: 'Incremented', data: { by: 10 } }];
    };
    const outcome = await stale.handle(name, needsOne, testMetadata());
    expect(outcome.revision).toBe(1n);
    expect((await stale.load(name)).state.value).toBe(11);
  });

  it("times a decision retried after another process's append no earlier than that process's event: a stream's times never go back", async () => {
    const name = stream();
    const at = (seconds: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, seconds)).toISOString();
    const increment = (): Incremented[] => [{ type: 'Incremented', data: { by: 1 } }];
    // Given one process (an api instance) that folded the stream, and another that then appended at 09:00:02
    const first = new AggregateRepository(store, counter);
    await first.handle(name, increment, testMetadata({ simulatedTime: at(0) }));
    await new AggregateRepository(store, counter).handle(
      name,
      increment,
      testMetadata({ simulatedTime: at(2) }),
    );

    // When the first decides a command it took at 09:00:01, on its fold that lacks that event
    const decidedAt: string[] = [];
    await first.handle(
      name,
      (_state, now) => {
        decidedAt.push(now);
        return increment();
      },
      testMetadata({ simulatedTime: at(1) }),
    );

    // Then its decision, refused by the store and decided again on the stream as it is, is timed 09:00:02
    expect(decidedAt).toEqual([at(1), at(2)]);
    const times = (await collect(store.readStream(name))).map((stored) => stored.metadata.simulatedTime);
    expect(times).toEqual([at(0), at(2), at(2)]);
    // And a decision on a fold that is current keeps its own, later time
    await first.handle(name, increment, testMetadata({ simulatedTime: at(3) }));
    expect((await collect(store.readStream(name))).at(-1)!.metadata.simulatedTime).toBe(at(3));
  });

  it('keeps the time of a decision on a stream whose last event is further ahead than any race: its clock is behind that history, and its timers would be put that far ahead', async () => {
    const name = stream();
    const increment = (): Incremented[] => [{ type: 'Incremented', data: { by: 1 } }];
    // Given a stream whose last event is an hour ahead of the command (imported from a clock that ran ahead)
    await store.append(
      name,
      increment(),
      'no_stream',
      testMetadata({ simulatedTime: '2026-01-05T10:00:00.000Z' }),
    );

    // When a command timed 09:00 is decided on it
    const decidedAt: string[] = [];
    await new AggregateRepository(store, counter).handle(
      name,
      (_state, now) => {
        decidedAt.push(now);
        return increment();
      },
      testMetadata({ simulatedTime: '2026-01-05T09:00:00.000Z' }),
    );

    // Then it keeps its own time
    expect(decidedAt).toEqual(['2026-01-05T09:00:00.000Z']);
  });

  it("keeps a followed category current without reads: another process's append shows up in current()", async () => {
    const name = stream();
    const follower = new AggregateRepository(store, counter);
    await follower.follow('counter-');
    try {
      await follower.load(name);
      await new AggregateRepository(store, counter).handle(name, incrementBelowCeiling, testMetadata());
      // Its subscription brings the append a little later: wait 20 s at most,
      // not the 2 s a busy machine's subscription may lag past.
      const giveUpAt = Date.now() + 20_000;
      let seen = (await follower.current(name)).state.value;
      while (seen === 0 && Date.now() < giveUpAt) {
        await new Promise((retry) => setTimeout(retry, 20));
        seen = (await follower.current(name)).state.value;
      }
      expect(seen).toBe(1);
      // Its own append is folded once, whichever of the append and the subscription comes first.
      await follower.handle(name, incrementBelowCeiling, testMetadata());
      await new Promise((settle) => setTimeout(settle, 100));
      expect(await follower.current(name)).toEqual({ state: { value: 2 }, revision: 1n });
    } finally {
      await follower.stopFollowing();
    }
  });

  it('never answers current() with a fold whose first read is still under way', async () => {
    const name = stream();
    const writer = new AggregateRepository(store, counter);
    for (let i = 0; i < 3; i++) await writer.handle(name, incrementBelowCeiling, testMetadata());
    const follower = new AggregateRepository(store, counter);
    await follower.follow('counter-');
    try {
      // The first call starts the read; the others come while it is in flight (microtasks do not let
      // the read's answer in), when the fold is already in the cache but holds none of the history.
      const answers = [follower.current(name)];
      for (let tick = 0; tick < 20; tick++) {
        await Promise.resolve();
        answers.push(follower.current(name));
      }
      for (const answer of await Promise.all(answers)) {
        expect(answer).toEqual({ state: { value: 3 }, revision: 2n });
      }
    } finally {
      await follower.stopFollowing();
    }
  });

  it('answers a resent command id with the first outcome and appends nothing', async () => {
    const name = stream();
    const repo = new AggregateRepository(store, counter);
    const first = await repo.handle(name, incrementBelowCeiling, testMetadata({ commandId: 'cmd-once' }));
    const again = await repo.handle(name, incrementBelowCeiling, testMetadata({ commandId: 'cmd-once' }));
    // A different instance that never saw the command learns it from the stream.
    const elsewhere = await new AggregateRepository(store, counter).handle(
      name,
      incrementBelowCeiling,
      testMetadata({ commandId: 'cmd-once' }),
    );
    expect(again).toEqual({ ...first, duplicate: true });
    expect(elsewhere).toEqual({ ...first, duplicate: true });
    expect((await repo.load(name)).state.value).toBe(1);
  });

  it('delivers a filtered $all subscription in order, marks caught-up, then goes live', async () => {
    const prefix = `sub${randomUUID().replaceAll('-', '').slice(0, 12)}-`;
    for (let i = 0; i < 3; i++) {
      await store.append(
        `${prefix}${i}`,
        [{ type: 'Incremented', data: { by: i } }],
        'no_stream',
        testMetadata(),
      );
    }
    const subscription = store.subscribeToAll({ streamPrefixes: [prefix] });
    const seen: string[] = [];
    let caughtUp = false;
    let lastPosition = 0n;
    for await (const item of subscription) {
      if (item.kind === 'caughtUp') {
        caughtUp = true;
        await store.append(
          `${prefix}live`,
          [{ type: 'Incremented', data: { by: 9 } }],
          'no_stream',
          testMetadata(),
        );
      }
      if (item.kind === 'event') {
        expect(item.stored.position!).toBeGreaterThan(lastPosition);
        lastPosition = item.stored.position!;
        seen.push(item.stored.stream);
        if (item.stored.stream.endsWith('live')) break;
      }
    }
    await subscription.close();
    expect(caughtUp).toBe(true);
    expect(seen).toEqual([`${prefix}0`, `${prefix}1`, `${prefix}2`, `${prefix}live`]);
  });

  it('filters a $all subscription on event types at the server, keeps to its stream prefixes, and still tells of deletions there', async () => {
    const tag = randomUUID().replaceAll('-', '').slice(0, 12);
    const prefix = `typed${tag}-`;
    // Types of this test's own, so that no other suite's events on the shared server match them.
    const [wanted, unwanted] = [`Wanted${tag}`, `Unwanted${tag}`];
    const append = (name: string, type: string) =>
      store.append(name, [{ type, data: {} } as DomainEvent], 'any', testMetadata());
    await append(`${prefix}a`, wanted);
    await append(`${prefix}a`, unwanted);
    await append(`other${tag}-a`, wanted);
    await append(`${prefix}tombstoned`, unwanted);
    await store.client.tombstoneStream(`${prefix}tombstoned`);
    await append(`${prefix}deleted`, unwanted);
    await store.client.deleteStream(`${prefix}deleted`);
    await append(`${prefix}b`, wanted);

    const subscription = store.subscribeToAll({
      streamPrefixes: [prefix],
      eventTypes: [wanted],
      deletions: true,
    });
    const seen: string[] = [];
    for await (const item of subscription) {
      if (item.kind === 'event') seen.push(`${item.stored.event.type} ${item.stored.stream}`);
      if (item.kind === 'deleted') seen.push(`${item.deletion} ${item.stream}`);
      if (item.kind === 'caughtUp') break;
    }
    await subscription.close();
    expect(seen).toEqual([
      `${wanted} ${prefix}a`,
      `tombstoned ${prefix}tombstoned`,
      `softDeleted ${prefix}deleted`,
      `${wanted} ${prefix}b`,
    ]);
  });
});
