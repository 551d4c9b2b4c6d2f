import { setTimeout as pause } from 'node:timers/promises';

import {
  END,
  TimeoutError,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type StreamSubscription,
} from '@eventstore/db-client';

import { caughtUp, connectForSuite, uniqueStream } from './support.js';

/** EventStoreDB 23.10's words (`RpcExceptions.Timeout`), with the ABORTED status the client reports as a TimeoutError. */
const TOO_SLOW =
  'Operation timed out: Consumer too slow to handle event while live. Client resubscription required.';
const APPENDS = 20;
const EVENTS_PER_APPEND = 20;
const EVENTS = APPENDS * EVENTS_PER_APPEND;
/** ~1 KiB each: enough, with the client's buffers, to fill the connection's flow-control window. */
const payload = 'x'.repeat(1024);

/**
 * A live subscription whose client stops reading while events keep coming. EventStoreDB 23.10 holds a
 * live subscription's events in a channel of 32 and, when one more arrives while its client takes
 * nothing, drops the subscription (`ConsumerTooSlow` in
 * src/EventStore.Core/Services/Transport/Grpc/Enumerators.AllSubscription.cs): the client gets what
 * was sent before, then ABORTED. Its client must resubscribe; Switchboard's readers do, as after any
 * lost connection. EventStoreDB 24 falls back to catch-up instead (docs/event-store.md).
 */
describe('a live subscription whose client stops reading', () => {
  const client = connectForSuite();

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
    'Given a caught-up %s, When its client stops reading while events keep coming, Then it is dropped with ABORTED "Consumer too slow", after what was already sent',
    async (_kind, subscribe) => {
      const stream = uniqueStream('slow');
      const subscription = subscribe(stream);
      await caughtUp(subscription);
      await appendMany(stream);
      const { events, error } = await readOn(subscription);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as Error).message).toContain(TOO_SLOW);
      expect(events).toBeLessThan(EVENTS);
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
