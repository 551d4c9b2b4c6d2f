import type { DomainEvent } from '#events';
import type { EventStore, EventSubscription, SubscriptionItem, SystemRecord } from './event-store.js';
import { LOG_REPAIRS_STREAM, LOG_REPAIR_EVENT_TYPE } from './store-repair-check.js';

/**
 * A subscription a spec feeds by hand: `for await` over it waits for the next item pushed, and an
 * Error pushed fails it there, as a lost connection does.
 */
export class FedSubscription<E extends DomainEvent = DomainEvent> implements EventSubscription<E> {
  closed = false;
  private readonly queue: (SubscriptionItem<E> | Error)[] = [];
  private wake: (() => void) | undefined;

  push(...items: (SubscriptionItem<E> | Error)[]): void {
    this.queue.push(...items);
    this.wake?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<SubscriptionItem<E>> {
    while (!this.closed) {
      const item = this.queue.shift();
      if (item instanceof Error) throw item;
      if (item) yield item;
      else await new Promise<void>((resume) => (this.wake = resume));
    }
  }
}

/**
 * A store for readers of `$all` (what a reader checks before subscribing, and its subscriptions),
 * whose every subscription the spec feeds; it remembers where each one started. It holds a record at
 * every position asked for, with the id `idAt` gives it, unless `kept.cutFrom` says it lost a tail
 * (as `eventstore repair` cuts one); `kept.repairs` are its `$log-repairs` records, newest first.
 */
export const fedStore = <E extends DomainEvent = DomainEvent>(idAt: (position: bigint) => string) => {
  const subscriptions: { from: bigint | undefined; subscription: FedSubscription<E> }[] = [];
  const kept = { cutFrom: undefined as bigint | undefined, repairs: [] as SystemRecord[] };
  const store = {
    readAllRecords: async (from: bigint) =>
      kept.cutFrom !== undefined && from >= kept.cutFrom ? [] : [{ id: idAt(from), position: from }],
    readSystemStreamBackwards: async (stream: string) => (stream === LOG_REPAIRS_STREAM ? kept.repairs : []),
    subscribeToAll: (options: { fromPosition?: bigint }) => {
      const subscription = new FedSubscription<E>();
      subscriptions.push({ from: options.fromPosition, subscription });
      return subscription;
    },
  } as unknown as EventStore;
  return { store, subscriptions, kept };
};

/** The record `eventstore repair` appends at `position`, having dropped positions `from`..`to`. */
export const repairRecord = (position: bigint, from: number, to: number): SystemRecord => ({
  id: `repair-${position}`,
  type: LOG_REPAIR_EVENT_TYPE,
  position,
  data: {
    repairedAt: '2026-12-03T08:00:00.000Z',
    dropped: [{ fromPosition: from, toPosition: to, events: 1, reason: 'damaged bytes' }],
  },
});
