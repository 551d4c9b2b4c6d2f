import { readFileSync } from 'node:fs';

import { EventStoreDBClient, binaryEvent, eventTypeFilter } from '@eventstore/db-client';

import { ownEmbeddedStore } from '../../support/embedded-eventstore.js';
import { uniqueStream } from './support.js';

/** Events near the 1 MiB append limit, each written alone, as a document store might. */
const EVENT_BYTES = 1000 * 1000;
const EVENTS = 40;
const READERS = 3;

/** The server's resident memory (Linux), in MiB. */
const residentMiB = (pid: number): number =>
  Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** A stream of `$>` links, one to each event of `stream`. */
const linksTo = (stream: string): string => `${stream}-links`;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A read or a subscription, and how to end it. A read is ended by reading it to its end: the
 * client's `dispose` waits for every call it made to finish, and a read the server has completed
 * but whose last events the client holds unread never does, even cancelled.
 */
interface Reader {
  readonly events: AsyncIterable<{ event?: { data: unknown } }>;
  readonly close: () => Promise<void>;
  readonly ends: boolean;
}

async function readToEnd(events: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of events);
}

const readers: [string, (client: EventStoreDBClient, stream: string) => Reader][] = [
  [
    'stream reads',
    (client, stream) => {
      const read = client.readStream(stream);
      return { events: read, close: () => readToEnd(read), ends: true };
    },
  ],
  [
    'link-resolving reads',
    (client, stream) => {
      const read = client.readStream(linksTo(stream), { resolveLinkTos: true });
      return { events: read, close: () => readToEnd(read), ends: true };
    },
  ],
  [
    'filtered $all subscriptions',
    (client) => {
      const subscription = client.subscribeToAll({ filter: eventTypeFilter({ prefixes: ['Large'] }) });
      return { events: subscription, close: () => subscription.unsubscribe(), ends: false };
    },
  ],
];

/**
 * A reader that stops consuming holds back its server-side reader through gRPC flow control, as
 * EventStoreDB's do (they write one event at a time and wait for HTTP/2). What the server holds per
 * reader meanwhile must be bounded in bytes, not only in events: a batch of 128 events of 1 MB,
 * loaded, encoded and framed at once, came to ~320 MiB per paused reader, and a few slow consumers of
 * large events ran the server out of memory. Each kind of reader gets a server of its own (memory a
 * process freed is reused without showing in its resident size). Embedded server only: it measures
 * the server process.
 */
describe.each(readers)('large events and %s that stop consuming', (_kind, open) => {
  const clients: EventStoreDBClient[] = [];
  const own = ownEmbeddedStore(async () => {
    await Promise.all(clients.map((client) => client.dispose()));
  });
  const connect = (): EventStoreDBClient => {
    const client = EventStoreDBClient.connectionString(own.server.connectionString);
    clients.push(client);
    return client;
  };
  const stream = uniqueStream('large');
  const data = Buffer.alloc(EVENT_BYTES, 7);

  beforeAll(async () => {
    const writer = connect();
    for (let index = 0; index < EVENTS; index += 1)
      await writer.appendToStream(stream, binaryEvent({ type: 'Large', data }));
    await writer.appendToStream(
      linksTo(stream),
      Array.from({ length: EVENTS }, (_, revision) =>
        binaryEvent({ type: '$>', data: Buffer.from(`${revision}@${stream}`) }),
      ),
    );
  }, 60_000);

  it('each paused reader holds a few MiB on the server, not a batch of events', async () => {
    const before = residentMiB(own.server.process.pid!);
    const paused: Reader[] = [];
    for (let reader = 0; reader < READERS; reader += 1) {
      const opened = open(connect(), stream);
      await opened.events[Symbol.asyncIterator]().next();
      paused.push(opened);
    }
    // Time for a server that does not wait for its consumer to load and queue all it would.
    await pause(1500);
    const growth = residentMiB(own.server.process.pid!) - before;
    await Promise.all(paused.map((reader) => reader.close()));
    expect(growth).toBeLessThan(READERS * 16);
  }, 60_000);

  it('a reader that keeps consuming gets every large event whole, in order', async () => {
    const reader = open(connect(), stream);
    const events: { event?: { data: unknown } }[] = [];
    for await (const resolved of reader.events) {
      events.push(resolved);
      if (events.length === EVENTS && !reader.ends) break;
    }
    if (!reader.ends) await reader.close();
    expect(events.map((resolved) => Buffer.from(resolved.event!.data as Uint8Array).equals(data))).toEqual(
      Array.from({ length: EVENTS }, () => true),
    );
  }, 60_000);
});
