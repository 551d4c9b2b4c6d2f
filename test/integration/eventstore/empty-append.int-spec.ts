import {
  BACKWARDS,
  EventStoreDBClient,
  FORWARDS,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AppendToStreamOptions,
  type Position,
} from '@eventstore/db-client';

import { PROCESS_BUDGET_MS } from '../../support/embedded-eventstore.js';
import { collect, failureOf, numbered, ownServers, storeForSuite } from './support.js';

/** The classic Append: the client takes it over BatchAppend only for a call with its own credentials. */
const viaAppend: AppendToStreamOptions = { credentials: { username: 'admin', password: 'changeit' } };
const paths = [
  ['BatchAppend', {}],
  ['the classic Append', viaAppend],
] as const;

/** The revision of `stream`'s first event in `read` (other suites write to the same $all). */
const firstRevisionOf = (stream: string, read: readonly AllStreamResolvedEvent[]): bigint | undefined =>
  read.find((resolved) => resolved.event?.streamId === stream)?.event!.revision;

/** Where $all, read each way and subscribed to from `position`, first meets `stream`. */
async function firstRevisionsFrom(client: EventStoreDBClient, stream: string, position: Position) {
  // Reads are read to their end: the client's dispose waits for ever after a read left early.
  const read = (direction: typeof FORWARDS | typeof BACKWARDS) =>
    collect(client.readAll({ fromPosition: position, direction, maxCount: 1_000 }));
  const forwards = firstRevisionOf(stream, await read(FORWARDS));
  const backwards = firstRevisionOf(stream, await read(BACKWARDS));
  const subscription = client.subscribeToAll({ fromPosition: position });
  let subscribed: bigint | undefined;
  for await (const resolved of subscription) {
    if (resolved.event?.streamId !== stream) continue;
    subscribed = resolved.event.revision;
    break;
  }
  await subscription.unsubscribe();
  return { forwards, backwards, subscription: subscribed };
}

/**
 * EventStoreDB writes a record that holds no event for an append of no events (StorageWriterService's
 * WritePrepares, an empty prepare) and answers its position (docs/event-store.md, "An append of no
 * events").
 */
describe('Streams.Append and BatchAppend of no events, through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it.each(paths)(
    'Given a stream of two events, When no events are appended to it over %s, Then it succeeds with the stream’s revision and a position after its last event, from which $all goes on with the next event',
    async (_path, options) => {
      const { stream, written } = await streamWith('empty-append', numbered(2));

      const empty = await client.appendToStream(stream, [], options);
      await client.appendToStream(stream, numbered(1, 'Numbered', 2));

      expect(empty.nextExpectedRevision).toBe(1n);
      expect(empty.position).toBeDefined();
      expect(empty.position!.prepare).toBe(empty.position!.commit);
      expect(empty.position!.commit).toBeGreaterThan(written.position!.commit);
      expect(await firstRevisionsFrom(client, stream, empty.position!)).toEqual({
        forwards: 2n,
        backwards: 1n,
        subscription: 2n,
      });
      const read = await collect(client.readStream(stream));
      expect(read.map((resolved) => resolved.event!.revision)).toEqual([0n, 1n, 2n]);
    },
  );

  it.each(paths)(
    'Given a stream of two events, When no events are appended to it over %s with a wrong expected revision, Then it fails with wrong expected version',
    async (_path, options) => {
      const { stream } = await streamWith('empty-append-conflict', numbered(2));

      const conflict = await client
        .appendToStream(stream, [], { ...options, expectedRevision: 0n })
        .catch((error: unknown) => error);

      expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
      expect(conflict).toMatchObject({ streamName: stream, expectedVersion: 0n, actualVersion: 1n });
    },
  );

  it('Given a soft-deleted stream of two events, When no events are appended to it, Then it is recreated empty: read, it has no events, and its metadata truncates before revision 2', async () => {
    // EventStoreDB's WritePrepares recreates a soft-deleted stream (SoftUndeleteStream) after the empty
    // record as after events: its metadata is written again with `$tb` at the next revision.
    const { stream } = await streamWith('empty-append-deleted', numbered(2));
    await client.deleteStream(stream);

    const empty = await client.appendToStream(stream, []);

    expect(empty.nextExpectedRevision).toBe(1n);
    expect(await failureOf(client.readStream(stream))).toBe('success');
    expect(await collect(client.readStream(stream))).toEqual([]);
    expect((await client.getStreamMetadata(stream)).metadata).toEqual({ truncateBefore: 2 });
    const next = await client.appendToStream(stream, numbered(1, 'Numbered', 2));
    expect(next.nextExpectedRevision).toBe(2n);
  });
});

describe('embedded event store: the position of an append of no events after a restart', () => {
  const own = ownServers('empty-append');

  it(
    'Given the position an append of no events answered, When the server has restarted, Then $all is still read and subscribed to from it',
    async () => {
      // The record is found again by recovery: without it, the position would fall between records.
      const stream = 'empty-then-restart';
      const empty = await own.session(async (client) => {
        await client.appendToStream(stream, numbered(2));
        const answered = await client.appendToStream(stream, []);
        await client.appendToStream(stream, numbered(1, 'Numbered', 2));
        return answered;
      });

      const after = await own.session((client) => firstRevisionsFrom(client, stream, empty.position!));

      expect(after).toEqual({ forwards: 2n, backwards: 1n, subscription: 2n });
    },
    PROCESS_BUDGET_MS,
  );
});
