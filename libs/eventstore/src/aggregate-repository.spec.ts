import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { DomainEvent } from '#events';
import {
  AggregateRepository,
  CommandIdTakenError,
  IdempotencyKeyReusedError,
} from './aggregate-repository.js';
import { ownCommandMetadata } from './command-metadata.fixture.js';
import { StreamVersionConflictError } from './errors.js';
import { commandEventId } from './event-ids.js';
import type {
  CommandMetadata,
  EventIds,
  EventStore,
  EventSubscription,
  StoredEvent,
  SubscriptionItem,
} from './event-store.js';

type Bumped = DomainEvent<'Bumped', Record<string, never>>;

/** The record at the head of the log when the repository below starts following. */
const HEAD = { id: 'head', position: 10n };

/**
 * A store whose subscriptions end as they do when the store goes away: at once, or once they have
 * brought `brought`. It holds every record read back at its position unless `lostTail` (a repair cut
 * it, or the store was replaced).
 */
const storeWhoseSubscriptionsEnd = ({
  brought = [],
  lostTail = false,
}: { brought?: readonly StoredEvent<Bumped>[]; lostTail?: boolean } = {}) => {
  const subscriptions: { prefixes: string[]; from: bigint | undefined }[] = [];
  let reads = 0;
  const store = {
    readAllRecords: async (from: bigint | undefined) => {
      if (from === undefined) return [HEAD];
      const record = [HEAD, ...brought].find((one) => one.position === from);
      return record && !lostTail ? [{ id: record.id, position: from }] : [];
    },
    readSystemStreamBackwards: async () => [],
    subscribeToAll: (options: {
      streamPrefixes?: readonly string[];
      fromPosition?: bigint;
    }): EventSubscription<Bumped> => {
      const first = subscriptions.length === 0;
      subscriptions.push({ prefixes: [...(options.streamPrefixes ?? [])], from: options.fromPosition });
      return {
        close: async () => undefined,
        async *[Symbol.asyncIterator](): AsyncGenerator<SubscriptionItem<Bumped>> {
          if (first) for (const stored of brought) yield { kind: 'event', stored };
        },
      };
    },
    async *readRecorded() {
      reads++;
    },
  } as unknown as EventStore;
  return { store, subscriptions, reads: () => reads };
};

/** An event of `counter-1` at `$all` position `position`. */
const bumpedAt = (position: bigint): StoredEvent<Bumped> =>
  ({
    id: `e${position}`,
    stream: 'counter-1',
    revision: 0n,
    position,
    event: { type: 'Bumped', data: {} },
    metadata: { commandId: `k${position}` },
    created: new Date(0),
  }) as unknown as StoredEvent<Bumped>;

describe('aggregate repository following a category', () => {
  // The delay before following again runs on a faked clock: exactly its second, where a real 1.3 s
  // pause counted on the steps before it taking under 0.7 s.
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  const counter = () => ({ initialState: 0, evolve: (count: number) => count + 1 });

  it('drops its folds and follows again when the subscription ends, so current() never serves a fold nobody keeps current', async () => {
    const { store, subscriptions, reads } = storeWhoseSubscriptionsEnd();
    const repository = new AggregateRepository(store, counter());
    await repository.follow('counter-');
    await repository.load('counter-1');
    const readsBefore = reads();

    await jest.advanceTimersByTimeAsync(1_000);
    await repository.current('counter-1');

    expect(subscriptions.map(({ prefixes }) => prefixes)).toEqual([['counter-'], ['counter-']]);
    // The fold was dropped with the subscription: current() had to read the stream again.
    expect(reads()).toBe(readsBefore + 1);
    await repository.stopFollowing();
  });

  it('Given a subscription that ended after an event, When it follows again, Then it starts right after that event, so its followers are told of what was written meanwhile', async () => {
    const { store, subscriptions } = storeWhoseSubscriptionsEnd({ brought: [bumpedAt(20n)] });
    const repository = new AggregateRepository(store, counter());
    const told: string[] = [];
    repository.onFollowed((stored) => told.push(stored.id));
    await repository.follow('counter-');

    await jest.advanceTimersByTimeAsync(1_000);

    expect(subscriptions.map(({ from }) => from)).toEqual([HEAD.position, 20n]);
    expect(told).toEqual(['e20']);
    await repository.stopFollowing();
  });

  it('Given a subscription that ended after an event the store no longer holds (its log cut or replaced), When it follows again, Then it starts at the head of the log', async () => {
    const { store, subscriptions } = storeWhoseSubscriptionsEnd({ brought: [bumpedAt(20n)], lostTail: true });
    const repository = new AggregateRepository(store, counter());
    await repository.follow('counter-');

    await jest.advanceTimersByTimeAsync(1_000);

    expect(subscriptions.map(({ from }) => from)).toEqual([HEAD.position, HEAD.position]);
    await repository.stopFollowing();
  });
});

describe('aggregate repository remembering client command ids that changed nothing', () => {
  /** A store of empty streams: every command below is a no-op, so nothing is ever appended. */
  const emptyStore = {
    async *readRecorded() {},
  } as unknown as EventStore;
  const metadata = (commandId: string, actor = 'alice', requestDigest = 'digest-1') =>
    ownCommandMetadata({ commandId, actor, requestDigest });
  const setup = () => {
    const clock = { now: 0 };
    const repository = new AggregateRepository<number, Bumped>(
      emptyStore,
      { initialState: 0, evolve: (count: number) => count + 1 },
      { maxCommandsPerStream: 2, idempotencyWindowMs: 1_000, now: () => clock.now },
    );
    const noOp = (meta: CommandMetadata, clientCommandId = true) =>
      repository.handle('counter-1', () => [], meta, { clientCommandId });
    return { clock, noOp };
  };

  it('refuses another request or another party under a remembered id, and decides the same request again', async () => {
    // Given a client's id answered as a no-op
    const { noOp } = setup();
    await noOp(metadata('k1'));
    // When another request comes under it, Then it is refused as a reused key
    await expect(noOp(metadata('k1', 'alice', 'digest-2'))).rejects.toThrow(IdempotencyKeyReusedError);
    // And another party's command under it, as a taken id
    await expect(noOp(metadata('k1', 'bob'))).rejects.toThrow(CommandIdTakenError);
    // While the same request is decided again
    await expect(noOp(metadata('k1'))).resolves.toMatchObject({ events: [], duplicate: false });
  });

  it('forgets the oldest past the per-stream bound and after the window, without refusing new commands (429)', async () => {
    // Given no-ops under three ids on a stream that remembers two
    const { clock, noOp } = setup();
    for (const id of ['k1', 'k2', 'k3']) await noOp(metadata(id));
    // Then the oldest is forgotten (a different request under it is decided), the newer are kept,
    // and no-ops never count towards the ids that make a stream answer 429
    await expect(noOp(metadata('k1', 'alice', 'digest-2'))).resolves.toMatchObject({ events: [] });
    await expect(noOp(metadata('k3', 'alice', 'digest-2'))).rejects.toThrow(IdempotencyKeyReusedError);
    await expect(noOp(metadata('k4'))).resolves.toMatchObject({ events: [] });
    // When the window has passed, Then none is remembered
    clock.now = 1_001;
    await expect(noOp(metadata('k4', 'alice', 'digest-2'))).resolves.toMatchObject({ events: [] });
  });

  it('does not remember an id the api generated, which no client will send again', async () => {
    const { noOp } = setup();
    await noOp(metadata('generated-1'), false);
    await expect(noOp(metadata('generated-1', 'bob'))).resolves.toMatchObject({ events: [] });
  });
});

describe('aggregate repository after an append whose answer was lost', () => {
  type Counted = DomainEvent<'Counted', { readonly total: number }>;

  /**
   * One stream in memory, appended as EventStoreDB appends: at the expected revision, or as a re-append
   * when the events right after it carry the same ids (answered as done, nothing written), else a
   * conflict. `loseNextAnswer` writes the next append and then fails its call, as a connection lost
   * before the answer does.
   */
  const storeLosingOneAnswer = () => {
    const stored: StoredEvent<Counted>[] = [];
    let loseNextAnswer = false;
    const idsOf = (metadata: CommandMetadata, count: number, eventIds: EventIds) =>
      Array.from({ length: count }, (_, index) =>
        eventIds === 'fromCommand' ? commandEventId(metadata, 'counter-1', index) : randomUUID(),
      );
    const store = {
      async *readRecorded(_stream: string, from: bigint) {
        for (const one of stored.slice(Number(from))) yield { kind: 'event' as const, stored: one };
      },
      async *readStream(_stream: string, from: bigint, count: number) {
        yield* stored.slice(Number(from), Number(from) + count);
      },
      append: async (
        stream: string,
        events: readonly Counted[],
        expected: bigint | 'no_stream',
        metadata: CommandMetadata,
        eventIds: EventIds,
      ) => {
        const ids = idsOf(metadata, events.length, eventIds);
        const first = expected === 'no_stream' ? 0 : Number(expected) + 1;
        const answer = (last: number) => ({
          nextRevision: BigInt(last),
          position: BigInt(last),
          eventIds: stored.slice(first, last + 1).map((one) => one.id),
        });
        if (ids.every((id, index) => stored[first + index]?.id === id)) return answer(first + ids.length - 1);
        if (first !== stored.length)
          throw new StreamVersionConflictError(stream, expected, BigInt(stored.length - 1));
        events.forEach((event, index) =>
          stored.push({
            event,
            metadata: { ...metadata, schemaVersion: 1 },
            id: ids[index]!,
            stream,
            revision: BigInt(stored.length),
            position: BigInt(stored.length),
            created: new Date(),
          }),
        );
        if (loseNextAnswer) {
          loseNextAnswer = false;
          throw new Error('14 UNAVAILABLE: connection lost before the answer');
        }
        return answer(stored.length - 1);
      },
    } as unknown as EventStore;
    return { store, stored, loseNextAnswer: () => (loseNextAnswer = true) };
  };

  it.each(['fromCommand', 'perDecision'] as const)(
    'Given an append written but its answer lost (%s event ids), When the command is resent, Then it is answered from the stored events as a duplicate, and the fold is the stored one',
    async (eventIds) => {
      const { store, stored, loseNextAnswer } = storeLosingOneAnswer();
      const repository = new AggregateRepository<number, Counted>(
        store,
        { initialState: 0, evolve: (_total, event) => event.data.total },
        { eventIds },
      );
      // Each decision counts differently (the second one sees a later clock): only the first is stored
      let decisions = 0;
      const count = () => [{ type: 'Counted' as const, data: { total: ++decisions * 10 } }];
      const command = ownCommandMetadata({ commandId: 'k1', actor: 'alice', requestDigest: 'd1' });
      await repository.handle('counter-1', () => [], ownCommandMetadata({ commandId: 'k0', actor: 'alice' }));

      loseNextAnswer();
      await expect(repository.handle('counter-1', count, command)).rejects.toThrow('UNAVAILABLE');
      const resent = await repository.handle('counter-1', count, command, { clientCommandId: true });

      expect(resent).toMatchObject({ duplicate: true, events: [{ data: { total: 10 } }], revision: 0n });
      expect(stored).toHaveLength(1);
      expect(await repository.load('counter-1')).toEqual({ state: 10, revision: 0n });
    },
  );
});
