import type { DomainEvent } from '#events';
import { AggregateRepository } from './aggregate-repository.js';
import type { EventStore, EventSubscription, SubscriptionItem } from './event-store.js';

type Bumped = DomainEvent<'Bumped', Record<string, never>>;

/** A store whose subscriptions end at once, as they do when the store goes away. */
const storeWhoseSubscriptionsEnd = () => {
  const subscriptions: string[][] = [];
  let reads = 0;
  const store = {
    headPosition: async () => 0n,
    subscribeToAll: (options: { streamPrefixes?: readonly string[] }): EventSubscription<Bumped> => {
      subscriptions.push([...(options.streamPrefixes ?? [])]);
      return {
        close: async () => undefined,
        async *[Symbol.asyncIterator](): AsyncGenerator<SubscriptionItem<Bumped>> {},
      };
    },
    async *readRecorded() {
      reads++;
    },
  } as unknown as EventStore;
  return { store, subscriptions, reads: () => reads };
};

describe('aggregate repository following a category', () => {
  it('drops its folds and follows again when the subscription ends, so current() never serves a fold nobody keeps current', async () => {
    const { store, subscriptions, reads } = storeWhoseSubscriptionsEnd();
    const repository = new AggregateRepository(store, {
      initialState: 0,
      evolve: (count: number) => count + 1,
    });
    await repository.follow('counter-');
    await repository.load('counter-1');
    const readsBefore = reads();

    await new Promise((settle) => setTimeout(settle, 1_300));
    await repository.current('counter-1');

    expect(subscriptions).toEqual([['counter-'], ['counter-']]);
    // The fold was dropped with the subscription: current() had to read the stream again.
    expect(reads()).toBe(readsBefore + 1);
    await repository.stopFollowing();
  });
});
