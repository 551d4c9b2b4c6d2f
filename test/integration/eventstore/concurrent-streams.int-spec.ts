import { EventStoreDBClient, type StreamSubscription } from '@eventstore/db-client';

import { connect, numbered, uniqueStream } from './support.js';

/**
 * A client on a connection of its own. grpc-js shares one connection among clients whose channel
 * settings are the same, and would queue this client's calls behind the 100 of the other; a keepalive
 * interval of its own gives it other settings.
 */
const connectApart = (): EventStoreDBClient => {
  const url = new URL(process.env.EVENTSTORE_CONNECTION_STRING!);
  url.searchParams.set('keepAliveInterval', '9000');
  return EventStoreDBClient.connectionString(url.toString());
};

/** Resolves when the server has confirmed the subscription. */
const confirmed = (subscription: StreamSubscription): Promise<void> =>
  new Promise((resolve) => subscription.once('confirmation', () => resolve()));

/**
 * Kestrel, EventStoreDB's HTTP server, lets one HTTP/2 connection carry at most 100 calls at a time
 * (SETTINGS_MAX_CONCURRENT_STREAMS), and EventStoreDB keeps that default: a client's 101st concurrent
 * call waits, without an error, until one of the others ends (the Node client's issue 175, "Subscribing
 * to more than 100 streams silently fails"). The embedded server set no limit, so a program that holds
 * more subscriptions than that on one client worked against it and stalled against EventStoreDB.
 */
describe('calls in flight on one connection', () => {
  it('a client with 100 subscriptions open gets its 101st only when one of them ends', async () => {
    const crowded = connect();
    const writer = connectApart();
    const subscriptions: StreamSubscription[] = [];
    try {
      const stream = uniqueStream('crowded');
      for (let index = 0; index < 100; index += 1) subscriptions.push(crowded.subscribeToStream(stream));
      await Promise.all(subscriptions.map(confirmed));
      const received = subscriptions.map((subscription) => {
        let count = 0;
        subscription.on('data', () => (count += 1));
        return () => count;
      });

      const extra = crowded.subscribeToStream(stream);
      let extraConfirmed = false;
      const extraConfirmation = confirmed(extra).then(() => (extraConfirmed = true));
      // A round trip through the server that reaches all 100: the 101st has had time to open if it could.
      await writer.appendToStream(stream, numbered(1));
      while (received.some((count) => count() === 0)) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(extraConfirmed).toBe(false);

      await subscriptions.shift()!.unsubscribe();
      await extraConfirmation;
      subscriptions.push(extra);
    } finally {
      await Promise.all(subscriptions.map((subscription) => subscription.unsubscribe()));
      await Promise.all([crowded.dispose(), writer.dispose()]);
    }
  });
});
