import { randomUUID } from 'node:crypto';

import {
  EventStoreDBClient,
  jsonEvent,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
  type StreamSubscription,
  type AllStreamSubscription,
} from '@eventstore/db-client';

/** The suite only ever talks to the store through the official client, so it runs unchanged on a real one. */
export function connect(): EventStoreDBClient {
  return EventStoreDBClient.connectionString(process.env.EVENTSTORE_CONNECTION_STRING!);
}

/** The suite's client (it connects on first use), disposed after the suite. Called inside a `describe`. */
export function connectForSuite(): EventStoreDBClient {
  const client = connect();
  afterAll(() => client.dispose());
  return client;
}

/** Unique per test, so the suite never depends on what else is in the store. */
export const uniqueStream = (prefix: string): string => `${prefix}-${randomUUID().replace(/-/g, '')}`;

export const numbered = (count: number, type = 'Numbered', from = 0) =>
  Array.from({ length: count }, (_, index) => jsonEvent({ type, data: { n: from + index } }));

export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(item);
  return items;
}

/** Reads a subscription until `count` events arrived, noting when `caughtUp` fired relative to them. */
export async function take<E extends ResolvedEvent | AllStreamResolvedEvent>(
  subscription: StreamSubscription | AllStreamSubscription,
  count: number,
  onEvent: (event: E, index: number) => void | Promise<void> = () => undefined,
): Promise<{ events: E[]; caughtUpAfter: number | undefined }> {
  const events: E[] = [];
  let caughtUpAfter: number | undefined;
  subscription.on('caughtUp', () => (caughtUpAfter ??= events.length));
  for await (const event of subscription as AsyncIterable<E>) {
    events.push(event);
    await onEvent(event, events.length - 1);
    if (events.length === count) break;
  }
  await subscription.unsubscribe();
  return { events, caughtUpAfter };
}

/** Resolves when the subscription has caught up (the client emits `caughtUp`). */
export const caughtUp = (subscription: StreamSubscription | AllStreamSubscription): Promise<void> =>
  new Promise((resolve) => subscription.once('caughtUp', () => resolve()));
