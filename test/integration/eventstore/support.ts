import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import { credentials } from '@grpc/grpc-js';

import {
  EventStoreDBClient,
  NO_STREAM,
  StreamDeletedError,
  jsonEvent,
  type AppendResult,
  type EventData,
  type AllStreamResolvedEvent,
  type ResolvedEvent,
  type StreamSubscription,
  type AllStreamSubscription,
  type Position,
} from '@eventstore/db-client';

import { checkRecord } from '../../../apps/eventstore/src/storage/record.js';
import { SEGMENT_HEADER_SIZE } from '../../../apps/eventstore/src/storage/segment.js';
import { collect } from '../../support/collect.js';
import {
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  storeAddress,
  type EmbeddedEventStore,
} from '../../support/embedded-eventstore.js';

export { collect };

/** The suite only ever talks to the store through the official client, so it runs unchanged on a real one. */
export function connect(): EventStoreDBClient {
  return EventStoreDBClient.connectionString(process.env.EVENTSTORE_CONNECTION_STRING!);
}

/**
 * The generated Streams stub on the server at `connectionString`, for what the official client never
 * sends: an append that streams events without end, a chunk that never comes, a call cut mid-way.
 */
export const streamsStub = (
  connectionString = process.env.EVENTSTORE_CONNECTION_STRING!,
): InstanceType<typeof streamsGrpc.StreamsClient> =>
  new streamsGrpc.StreamsClient(storeAddress(connectionString).host, credentials.createInsecure());

/** The suite's client (it connects on first use), disposed after the suite. Called inside a `describe`. */
export function connectForSuite(): EventStoreDBClient {
  const client = connect();
  afterAll(() => client.dispose());
  return client;
}

/** Unique per test, so the suite never depends on what else is in the store. */
export const uniqueStream = (prefix: string): string => `${prefix}-${randomUUID().replace(/-/g, '')}`;

/**
 * The suite's store: its client (it connects on first use and is disposed after the suite), the
 * streams its tests are given, and what they do with the client (a race of writers). Called inside a
 * `describe`.
 */
export function storeForSuite() {
  const client = connectForSuite();
  return {
    client,
    /** A stream of the test's own holding `events`: its name, and what their append reported. */
    streamWith: async (prefix: string, events: EventData[]) => {
      const stream = uniqueStream(prefix);
      return { stream, written: await client.appendToStream(stream, events) };
    },
    streamForSuite: (prefix: string, count: number) => streamForSuite(client, prefix, count),
    raceAtEachRevision: (stream: string, race: Race) => raceAtEachRevision(client, stream, race),
  };
}

export const numbered = (count: number, type = 'Numbered', from = 0) =>
  Array.from({ length: count }, (_, index) => jsonEvent({ type, data: { n: from + index } }));

/**
 * How a call or a read ended: 'success', or the client's error class and message, the two a test of
 * EventStoreDB's refusals compares (a read fails only once it is read, so it is read to its end).
 */
export const failureOf = (call: Promise<unknown> | AsyncIterable<unknown>) =>
  (Symbol.asyncIterator in call ? collect(call) : call).then(
    () => 'success' as const,
    (error: Error) => ({ constructor: error.constructor, message: error.message }),
  );

/**
 * A stream of `count` numbered events, written before the suite's tests: its name, its events'
 * positions in $all (filled in once written), and its events among those a read of $all answered, in
 * the order read. Called inside a `describe`.
 */
function streamForSuite(client: EventStoreDBClient, prefix: string, count: number) {
  const stream = uniqueStream(prefix);
  const positions: Position[] = [];
  beforeAll(async () => {
    await client.appendToStream(stream, numbered(count));
    for (const resolved of await collect(client.readStream(stream)))
      positions.push(resolved.event!.position!);
  });
  const eventsIn = <E extends { streamId: string }>(read: readonly { event?: E }[]): E[] =>
    read.flatMap(({ event }) => (event?.streamId === stream ? [event] : []));
  return { stream, positions, eventsIn };
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

/**
 * What a stream subscription told its client, in order, until the call ended: `confirmation`,
 * `caughtUp`, each event as `type@revision`, and last `end` or the error as `Name: message`.
 */
export function transcript(subscription: StreamSubscription): Promise<string[]> {
  const told: string[] = [];
  subscription.on('confirmation', () => told.push('confirmation'));
  subscription.on('caughtUp', () => told.push('caughtUp'));
  subscription.on('data', ({ event }: ResolvedEvent) => told.push(`${event!.type}@${event!.revision}`));
  return new Promise((resolve) => {
    subscription.on('error', (error: Error) => {
      const name = error instanceof StreamDeletedError ? 'StreamDeletedError' : error.constructor.name;
      resolve([...told, `${name}: ${error.message}`]);
    });
    subscription.on('end', () => resolve([...told, 'end']));
  });
}

/** Resolves when the subscription has caught up (the client emits `caughtUp`). */
export const caughtUp = (subscription: StreamSubscription | AllStreamSubscription): Promise<void> =>
  new Promise((resolve) => subscription.once('caughtUp', () => resolve()));

/** One round of a race: the expected revision every writer named, and how their appends settled. */
export interface RaceRound {
  readonly revision: bigint;
  readonly won: AppendResult[];
  readonly lost: unknown[];
}

/** How many `writers` race, for how many `rounds`, each appending `batch(writer)`. */
interface Race {
  readonly writers: number;
  readonly rounds: number;
  readonly batch: (writer: number) => EventData[];
}

/**
 * Creates `stream` with one event, then races `writers` appends of `batch(writer)` at the same
 * expected revision, `rounds` times, each round at the revision the previous winner left.
 */
async function raceAtEachRevision(
  client: EventStoreDBClient,
  stream: string,
  { writers, rounds, batch }: Race,
): Promise<RaceRound[]> {
  await client.appendToStream(stream, numbered(1), { expectedRevision: NO_STREAM });
  const results: RaceRound[] = [];
  let revision = 0n;
  for (let round = 0; round < rounds; round++) {
    const outcomes = await Promise.allSettled(
      Array.from({ length: writers }, (_, writer) =>
        client.appendToStream(stream, batch(writer), { expectedRevision: revision }),
      ),
    );
    const won = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    const lost = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    results.push({ revision, won, lost });
    revision += BigInt(batch(0).length);
  }
  return results;
}

/** Servers a test starts on a data directory of its own (see ownServers). */
export interface OwnServers {
  /** The running test's data directory. */
  readonly dataDir: string;
  /** The server last started, until it is stopped. */
  readonly server: EmbeddedEventStore | undefined;
  /** Starts a server on the test's data directory: the first, or again after a stop or a kill. */
  start(): Promise<EmbeddedEventStore>;
  /** Stops the running server, if there is one (SIGTERM: a clean stop; SIGKILL: a crash). */
  stop(signal: NodeJS.Signals): Promise<void>;
  /**
   * Starts a server on the test's data directory, lets `use` talk to it through a client of its own,
   * then closes the client and stops the server cleanly, whether `use` succeeded or not: what `use`
   * wrote is then on disk for the test to look at, damage or read again.
   */
  session<T>(use: (client: EventStoreDBClient) => Promise<T>): Promise<T>;
}

/**
 * For tests that stop, kill or restart the server on purpose, whatever EVENTSTORE_CONNECTION_STRING
 * says (only the embedded server can be): each test gets a fresh temporary data directory named after
 * `name`; after it, the server it left running is stopped and the directory removed.
 */
export const ownServers = (name: string): OwnServers => {
  let dataDir = '';
  let server: EmbeddedEventStore | undefined;
  const own: OwnServers = {
    get dataDir() {
      return dataDir;
    },
    get server() {
      return server;
    },
    start: async () => (server = await startEmbeddedEventStore({ dataDir })),
    stop: async (signal) => {
      const running = server;
      server = undefined;
      await running?.stop(signal);
    },
    session: async (use) => {
      const client = EventStoreDBClient.connectionString((await own.start()).connectionString);
      try {
        return await use(client);
      } finally {
        await client.dispose();
        await own.stop('SIGTERM');
      }
    },
  };
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), `eventstore-${name}-`));
  });
  afterEach(async () => {
    await own.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }, PROCESS_BUDGET_MS);
  return own;
};

/**
 * File offsets of a segment file's records, in order, and where they end: the log fills its newest
 * segment with zeros ahead of the records, so the file may go on after them.
 */
export function segmentRecords(file: Buffer): { offsets: number[]; end: number } {
  const offsets: number[] = [];
  let offset = SEGMENT_HEADER_SIZE;
  while (offset < file.length) {
    const check = checkRecord(file, offset);
    if (!check.ok && file.subarray(offset).every((byte) => byte === 0)) break;
    if (!check.ok) throw new Error(`unexpected damage at ${offset}: ${check.reason}`);
    offsets.push(offset);
    offset += check.length;
  }
  return { offsets, end: offset };
}
