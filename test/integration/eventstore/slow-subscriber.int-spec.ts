import { setTimeout as pause } from 'node:timers/promises';

import {
  END,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type StreamSubscription,
} from '@eventstore/db-client';

import { caughtUp, storeForSuite, uniqueStream } from './support.js';

const APPENDS = 20;
const EVENTS_PER_APPEND = 20;
const EVENTS = APPENDS * EVENTS_PER_APPEND;
/** ~1 KiB each: enough, with the client's buffers, to fill the connection's flow-control window. */
const payload = 'x'.repeat(1024);

/**
 * A live subscription whose client stops reading while events keep coming. EventStoreDB 24 (the version
 * docker-compose.yml runs) falls back to catch-up: the client gets every event once it reads again.
 * 23.10 dropped such a subscription after 32 events (`ConsumerTooSlow`); the embedded server did too for
 * a while, and dropped the api's own timer subscription a few times a minute under a load test, each a
 * resubscription and a catch-up (docs/event-store.md, "A live subscriber that stops reading").
 */
describe('a live subscription whose client stops reading', () => {
  const { client } = storeForSuite();

  /** Appends EVENTS to `stream` in APPENDS appends, one after the other. */
  const appendMany = async (stream: string): Promise<void> => {
    for (let append = 0; append < APPENDS; append += 1) {
      await client.appendToStream(
        stream,
        Array.from({ length: EVENTS_PER_APPEND }, (_, index) =>
          jsonEvent({ type: 'Burst', data: { n: append * EVENTS_PER_APPEND + index, payload } }),
        ),
      );
    }
  };

  /** Reads until EVENTS events or the subscription's error, for at most `ms`. */
  const readOn = async (
    subscription: StreamSubscription | AllStreamSubscription,
    ms = 15_000,
  ): Promise<{ events: number; error: unknown }> => {
    let events = 0;
    const reading = (async () => {
      for await (const _event of subscription as AsyncIterable<AllStreamResolvedEvent>) {
        events += 1;
        if (events === EVENTS) return undefined;
      }
      return undefined;
    })().catch((error: unknown) => error);
    const error = await Promise.race([reading, pause(ms).then(() => 'still open')]);
    await subscription.unsubscribe();
    return { events, error };
  };

  const subscriptions: [string, (stream: string) => StreamSubscription | AllStreamSubscription][] = [
    [
      'subscription to $all',
      (stream) =>
        client.subscribeToAll({ fromPosition: END, filter: streamNameFilter({ prefixes: [stream] }) }),
    ],
    ['stream subscription', (stream) => client.subscribeToStream(stream, { fromRevision: END })],
  ];

  it.each(subscriptions)(
    'Given a caught-up %s, When its client stops reading while events keep coming and then reads on, Then it gets every event and is not dropped',
    async (_kind, subscribe) => {
      const stream = uniqueStream('slow');
      const subscription = subscribe(stream);
      await caughtUp(subscription);
      await appendMany(stream);
      await pause(500);
      expect(await readOn(subscription)).toEqual({ events: EVENTS, error: undefined });
    },
  );

  it('Given a caught-up subscription whose client keeps reading, When the same events come, Then it gets every one and is not dropped', async () => {
    const stream = uniqueStream('keeping-up');
    const subscription = client.subscribeToAll({
      fromPosition: END,
      filter: streamNameFilter({ prefixes: [stream] }),
    });
    await caughtUp(subscription);
    const reading = readOn(subscription);
    await appendMany(stream);
    expect(await reading).toEqual({ events: EVENTS, error: undefined });
  });
});
