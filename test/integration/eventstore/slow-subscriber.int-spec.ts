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

const EVENTS_PER_APPEND = 20;
/** Fewer than EventStoreDB 24's live buffer holds (2 × 320 messages, live-buffer.ts LIVE_BUFFER). */
const EVENTS = 400;
/** More than that buffer and everything on the wire to the client together hold. */
const MORE_THAN_THE_LIVE_BUFFER = 2_000;
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

  /** Appends `count` events numbered from 0 to `stream`, EVENTS_PER_APPEND at a time, one after the other. */
  const appendMany = async (stream: string, count = EVENTS): Promise<void> => {
    for (let first = 0; first < count; first += EVENTS_PER_APPEND) {
      await client.appendToStream(
        stream,
        Array.from({ length: EVENTS_PER_APPEND }, (_, index) =>
          jsonEvent({ type: 'Burst', data: { n: first + index, payload } }),
        ),
      );
    }
  };

  /** Where caught_up came among the events the client had received, each time it came. */
  const caughtUpCounts = (subscription: StreamSubscription | AllStreamSubscription) => {
    const counts: number[] = [];
    let read = 0;
    let second: () => void = () => undefined;
    const secondTime = new Promise<void>((resolve) => (second = resolve));
    subscription.on('caughtUp', () => {
      // Events the client has received are read already or wait in the subscription's buffer.
      counts.push(read + subscription.readableLength);
      if (counts.length === 2) second();
    });
    return { counts, reading: () => (read += 1), secondTime };
  };

  /**
   * Reads until `count` events, or, given `until`, until that settles, or the subscription's error,
   * for at most `ms`: how many came, whether each came in the order written, and how it ended.
   */
  const readOn = async (
    subscription: StreamSubscription | AllStreamSubscription,
    {
      count = EVENTS,
      ms = 15_000,
      onEvent = (): unknown => undefined,
      until,
    }: { count?: number; ms?: number; onEvent?: () => unknown; until?: Promise<void> } = {},
  ): Promise<{ events: number; inOrder: boolean; error: unknown }> => {
    let events = 0;
    let inOrder = true;
    const reading = (async () => {
      for await (const resolved of subscription as AsyncIterable<AllStreamResolvedEvent>) {
        onEvent();
        inOrder &&= (resolved.event!.data as { n: number }).n === events;
        events += 1;
        // Leaving the loop ends the subscription, and with it what the server sends after this event.
        if (events === count && !until) return undefined;
      }
      return undefined;
    })().catch((error: unknown) => error);
    const error = await Promise.race([
      reading,
      ...(until ? [until.then(() => undefined)] : []),
      pause(ms).then(() => 'still open'),
    ]);
    await subscription.unsubscribe();
    return { events, inOrder, error };
  };

  const subscriptions: [string, (stream: string) => StreamSubscription | AllStreamSubscription][] = [
    [
      'subscription to $all',
      (stream) =>
        client.subscribeToAll({ fromPosition: END, filter: streamNameFilter({ prefixes: [stream] }) }),
    ],
    ['stream subscription', (stream) => client.subscribeToStream(stream, { fromRevision: END })],
  ];

  /**
   * A caught-up subscription made by `subscribe` whose client does not read while `count` events are
   * appended to its stream, and where caught_up came (caughtUpCounts).
   */
  const notReadingWhile = async (
    subscribe: (stream: string) => StreamSubscription | AllStreamSubscription,
    count: number,
  ) => {
    const stream = uniqueStream('not-reading');
    const subscription = subscribe(stream);
    const caughtUps = caughtUpCounts(subscription);
    await caughtUp(subscription);
    await appendMany(stream, count);
    await pause(500);
    return { subscription, caughtUps };
  };

  it.each(subscriptions)(
    'Given a caught-up %s, When its client stops reading while events keep coming and then reads on, Then it gets every event, is not dropped and stays caught up',
    async (_kind, subscribe) => {
      const { subscription, caughtUps } = await notReadingWhile(subscribe, EVENTS);
      expect(await readOn(subscription, { onEvent: caughtUps.reading })).toEqual({
        events: EVENTS,
        inOrder: true,
        error: undefined,
      });
      expect(caughtUps.counts).toEqual([0]);
    },
  );

  // EventStoreDB 24 drops what overflows its live buffer, reads the log from its last event and sends
  // caught_up again once live (live-buffer.ts, LIVE_BUFFER); the client emits `caughtUp` each time.
  it.each(subscriptions)(
    'Given a caught-up %s, When its client stops reading while more events come than EventStoreDB’s live buffer holds and then reads on, Then it gets every event in order and caught_up again after the last',
    async (_kind, subscribe) => {
      const { subscription, caughtUps } = await notReadingWhile(subscribe, MORE_THAN_THE_LIVE_BUFFER);
      const read = await readOn(subscription, {
        onEvent: caughtUps.reading,
        until: caughtUps.secondTime,
      });
      expect(read).toEqual({ events: MORE_THAN_THE_LIVE_BUFFER, inOrder: true, error: undefined });
      expect(caughtUps.counts).toEqual([0, MORE_THAN_THE_LIVE_BUFFER]);
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
    expect(await reading).toEqual({ events: EVENTS, inOrder: true, error: undefined });
  });
});
