import { randomUUID } from 'node:crypto';

import {
  ANY,
  EventStoreDBClient,
  NO_STREAM,
  STREAM_EXISTS,
  StreamNotFoundError,
  MaxAppendSizeExceededError,
  UnknownError,
  WrongExpectedVersionError,
  binaryEvent,
  jsonEvent,
} from '@eventstore/db-client';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { status, type ServiceError } from '@grpc/grpc-js';

import { ownEmbeddedStore } from '../../support/embedded-eventstore.js';
import { collect, failureOf, numbered, storeForSuite, streamsStub, uniqueStream } from './support.js';

describe('Streams.Append through the official client', () => {
  const { client, streamWith, raceAtEachRevision } = storeForSuite();

  it('numbers revisions from 0 and reports a position above 0', async () => {
    const stream = uniqueStream('append');
    const first = await client.appendToStream(stream, numbered(3));
    expect(first.success).toBe(true);
    expect(first.nextExpectedRevision).toBe(2n);
    expect(first.position!.commit).toBeGreaterThan(0n);
    const second = await client.appendToStream(stream, numbered(1, 'Numbered', 3));
    expect(second.nextExpectedRevision).toBe(3n);
    expect(second.position!.commit).toBeGreaterThan(first.position!.commit);
  });

  it('no_stream succeeds on a new stream and conflicts once it has events', async () => {
    const stream = uniqueStream('no-stream');
    await client.appendToStream(stream, numbered(2), { expectedRevision: NO_STREAM });
    const conflict = await client
      .appendToStream(stream, numbered(1), { expectedRevision: NO_STREAM })
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
    expect(conflict).toMatchObject({ streamName: stream, expectedVersion: NO_STREAM, actualVersion: 1n });
  });

  it('stream_exists conflicts on a missing stream and succeeds on an existing one', async () => {
    const stream = uniqueStream('exists');
    const conflict = await client
      .appendToStream(stream, numbered(1), { expectedRevision: STREAM_EXISTS })
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
    expect(conflict).toMatchObject({
      streamName: stream,
      expectedVersion: STREAM_EXISTS,
      actualVersion: NO_STREAM,
    });
    await client.appendToStream(stream, numbered(1), { expectedRevision: NO_STREAM });
    const result = await client.appendToStream(stream, numbered(1), { expectedRevision: STREAM_EXISTS });
    expect(result.nextExpectedRevision).toBe(1n);
  });

  it('an exact revision must match the last revision', async () => {
    const { stream } = await streamWith('exact', numbered(3));
    const conflict = await client
      .appendToStream(stream, numbered(1), { expectedRevision: 1n })
      .catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(WrongExpectedVersionError);
    expect(conflict).toMatchObject({ streamName: stream, expectedVersion: 1n, actualVersion: 2n });
    const missing = await client
      .appendToStream(uniqueStream('exact-missing'), numbered(1), { expectedRevision: 0n })
      .catch((error: unknown) => error);
    expect(missing).toMatchObject({ expectedVersion: 0n, actualVersion: NO_STREAM });
    const result = await client.appendToStream(stream, numbered(1), { expectedRevision: 2n });
    expect(result.nextExpectedRevision).toBe(3n);
  });

  it('any never conflicts', async () => {
    const stream = uniqueStream('any');
    await client.appendToStream(stream, numbered(1), { expectedRevision: ANY });
    const result = await client.appendToStream(stream, numbered(1), { expectedRevision: ANY });
    expect(result.nextExpectedRevision).toBe(1n);
  });

  it('re-appending the same event ids is idempotent: same result, nothing written', async () => {
    const stream = uniqueStream('idempotent');
    const events = [randomUUID(), randomUUID()].map((id) => jsonEvent({ id, type: 'Once', data: { id } }));
    const first = await client.appendToStream(stream, events, { expectedRevision: NO_STREAM });
    const again = await client.appendToStream(stream, events, { expectedRevision: NO_STREAM });
    expect(again).toEqual(first);
    const later = [jsonEvent({ id: randomUUID(), type: 'Later', data: {} })];
    const third = await client.appendToStream(stream, later, { expectedRevision: 1n });
    expect(await client.appendToStream(stream, later, { expectedRevision: 1n })).toEqual(third);
    expect(await client.appendToStream(stream, later)).toEqual(third);
    const stored = await collect(client.readStream(stream));
    expect(stored.map((resolved) => resolved.event!.type)).toEqual(['Once', 'Once', 'Later']);
  });

  it('with any or stream_exists, ids already in the stream are idempotent in any order, even repeated', async () => {
    // EventStoreDB's CheckCommit: for any / stream_exists every id must be in the stream, at any
    // revision; the answer is the revision of the last one. A first id that is new writes them all.
    const stream = uniqueStream('idempotent-any');
    const events = numbered(3);
    await client.appendToStream(stream, events, { expectedRevision: NO_STREAM });
    const repeated = await client.appendToStream(stream, [events[1]!, events[1]!]);
    expect(repeated.nextExpectedRevision).toBe(1n);
    const reversed = await client.appendToStream(stream, [events[2]!, events[0]!], {
      expectedRevision: STREAM_EXISTS,
    });
    expect(reversed.nextExpectedRevision).toBe(0n);
    const partly = await client
      .appendToStream(stream, [events[2]!, ...numbered(1)])
      .catch((error: unknown) => error);
    expect(partly).toBeInstanceOf(WrongExpectedVersionError);
    expect(partly).toMatchObject({ expectedVersion: ANY, actualVersion: 2n });
    const stored = await collect(client.readStream(stream));
    expect(stored.map((resolved) => resolved.event!.revision)).toEqual([0n, 1n, 2n]);
  });

  it('one event id sent several times in one append is written each time, and re-appending it all is idempotent', async () => {
    // EventStoreDB's own tests ("multiple writes of multiple events with the same ids"): six copies of
    // one event make revisions 0 to 5; sending them again answers revision 5 and writes nothing.
    const event = jsonEvent({ id: randomUUID(), type: 'Same', data: {} });
    const copies = Array.from({ length: 6 }, () => event);
    for (const expectedRevision of [NO_STREAM, ANY] as const) {
      const stream = uniqueStream('same-ids');
      const first = await client.appendToStream(stream, copies, { expectedRevision });
      expect(first.nextExpectedRevision).toBe(5n);
      const again = await client.appendToStream(stream, copies, { expectedRevision });
      expect(again).toEqual(first);
      expect(await collect(client.readStream(stream))).toHaveLength(6);
    }
  });

  it('stream_exists succeeds on a stream that has metadata but no events', async () => {
    // EventStoreDB counts a stream whose $$ metadata stream has events as existing.
    const stream = uniqueStream('exists-metadata');
    await client.setStreamMetadata(stream, { custom: true });
    const result = await client.appendToStream(stream, numbered(1), { expectedRevision: STREAM_EXISTS });
    expect(result.nextExpectedRevision).toBe(0n);
  });

  it('an event type or stream name longer than 65,535 bytes is refused and the stream numbering stays whole', async () => {
    // EventStoreDB takes longer names; a record here holds 16-bit lengths, so the server refuses them
    // (INVALID_ARGUMENT; over BatchAppend the client sees UnknownError) before anything is staged.
    const { stream } = await streamWith('long-type', numbered(1));
    const longType = client.appendToStream(stream, jsonEvent({ type: 'T'.repeat(70_000), data: {} }));
    await expect(longType).rejects.toBeInstanceOf(UnknownError);
    const next = await client.appendToStream(stream, numbered(1), { expectedRevision: 0n });
    expect(next.nextExpectedRevision).toBe(1n);
    const stored = await collect(client.readStream(stream));
    expect(stored.map((resolved) => resolved.event!.revision)).toEqual([0n, 1n]);
    const longName = `${stream}-${'x'.repeat(70_000)}`;
    await expect(client.appendToStream(longName, numbered(1))).rejects.toBeInstanceOf(UnknownError);
    await expect(client.deleteStream(longName)).rejects.toThrow(/stream name is 70\d{3} bytes/);
  });

  /** The client's error for a BatchAppend refusal with EventStoreDB's BadRequest details, which it has no type for. */
  const badRequest = { constructor: UnknownError, message: 'Could not recognize BadRequest' };
  /** The classic Append: the client takes it over BatchAppend only for a call with its own credentials. */
  const viaAppend = { credentials: { username: 'admin', password: 'changeit' } };

  it('Given an event whose id is all zeros, When it is appended, Then it is refused as EventStoreDB refuses it and nothing is written', async () => {
    // EventStoreDB's Event constructor throws on Guid.Empty ("Empty eventId provided."): BatchAppend
    // answers BadRequest, the classic Append fails the call; the client raises UnknownError either way.
    const stream = uniqueStream('empty-id');
    const emptyId = jsonEvent({ id: '00000000-0000-0000-0000-000000000000', type: 'Zero', data: {} });
    expect(await failureOf(client.appendToStream(stream, [...numbered(1), emptyId]))).toEqual(badRequest);
    expect(await failureOf(client.appendToStream(stream, emptyId, viaAppend))).toEqual({
      constructor: UnknownError,
      message: expect.stringContaining('Empty eventId provided.'),
    });
    await expect(collect(client.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('Given two events with the same id, When they are appended together, Then both are written, as EventStoreDB writes them', async () => {
    // EventStoreDB checks an append's ids against the stream's earlier events (idempotence), never
    // against each other: the second is not taken for a re-append of the first.
    const stream = uniqueStream('same-id');
    const id = randomUUID();
    const twins = [
      jsonEvent({ id, type: 'Twin', data: { n: 0 } }),
      jsonEvent({ id, type: 'Twin', data: { n: 1 } }),
    ];
    expect((await client.appendToStream(stream, twins)).nextExpectedRevision).toBe(1n);
    const stored = await collect(client.readStream(stream));
    expect(stored.map(({ event }) => [event!.id, event!.revision, event!.data])).toEqual([
      [id, 0n, { n: 0 }],
      [id, 1n, { n: 1 }],
    ]);
  });

  it('Given an event with an empty type, When it is appended, Then it is refused as EventStoreDB refuses it', async () => {
    // "Empty eventType provided." from EventStoreDB's Event constructor, a BadRequest over BatchAppend.
    const stream = uniqueStream('empty-type');
    // Over the classic Append it fails the call: the client raises UnknownError, not the
    // RequiredMetadataPropertyMissingError of an absent key (the type key is there, empty).
    const untyped = jsonEvent({ type: '', data: {} });
    expect(await failureOf(client.appendToStream(stream, untyped))).toEqual(badRequest);
    expect(await failureOf(client.appendToStream(stream, untyped, viaAppend))).toEqual({
      constructor: UnknownError,
      message: expect.stringContaining('Empty eventType provided.'),
    });
    await expect(collect(client.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('an empty stream name is refused for appends, reads, subscriptions and deletes', async () => {
    // EventStoreDB's messages check `Ensure.NotNullOrEmpty(eventStreamId)`; the client sees an
    // UnknownError (over BatchAppend EventStoreDB answers BadRequest). Nothing is written.
    expect(await failureOf(client.appendToStream('', numbered(1)))).toEqual(badRequest);
    await expect(collect(client.readStream(''))).rejects.toBeInstanceOf(UnknownError);
    await expect(collect(client.subscribeToStream(''))).rejects.toBeInstanceOf(UnknownError);
    await expect(client.deleteStream('')).rejects.toBeInstanceOf(UnknownError);
    await expect(client.tombstoneStream('')).rejects.toBeInstanceOf(UnknownError);
    await expect(client.setStreamMetadata('', { maxCount: 1 })).resolves.toMatchObject({ success: true });
  });

  it('stores binary data and binary metadata byte for byte', async () => {
    const stream = uniqueStream('binary');
    const data = Uint8Array.from({ length: 4096 }, (_, index) => (index * 7) % 256);
    const metadata = Uint8Array.from([0, 255, 1, 254]);
    await client.appendToStream(stream, binaryEvent({ type: 'Blob', data, metadata }));
    const [resolved] = await collect(client.readStream(stream));
    expect(resolved!.event!.isJson).toBe(false);
    expect(Buffer.from(resolved!.event!.data as Uint8Array)).toEqual(Buffer.from(data));
    expect(Buffer.from(resolved!.event!.metadata as Uint8Array)).toEqual(Buffer.from(metadata));
  });

  it('keeps JSON data, metadata, type, id and a creation time', async () => {
    const stream = uniqueStream('json');
    const id = randomUUID();
    const before = Date.now();
    await client.appendToStream(
      stream,
      jsonEvent({ id, type: 'Shaped', data: { a: [1, 'two'] }, metadata: { m: true } }),
    );
    const [resolved] = await collect(client.readStream(stream));
    expect(resolved!.event).toMatchObject({
      id,
      type: 'Shaped',
      streamId: stream,
      revision: 0n,
      isJson: true,
    });
    expect(resolved!.event!.data).toEqual({ a: [1, 'two'] });
    expect(resolved!.event!.metadata).toEqual({ m: true });
    expect(resolved!.event!.created.getTime()).toBeGreaterThanOrEqual(before - 60_000);
  });

  it('rejects an append over 1 MiB with MaxAppendSizeExceededError and writes nothing', async () => {
    const stream = uniqueStream('oversize');
    const error = await client
      .appendToStream(stream, binaryEvent({ type: 'Huge', data: new Uint8Array(1024 * 1024 + 1) }))
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
    expect((error as MaxAppendSizeExceededError).maxAppendSize).toBe(1024 * 1024);
    await expect(collect(client.readStream(stream))).rejects.toMatchObject({ type: 'stream-not-found' });
  });

  it('concurrent writers with the same exact revision: exactly one wins each revision', async () => {
    const stream = uniqueStream('race');
    const rounds = await raceAtEachRevision(stream, {
      writers: 8,
      rounds: 5,
      batch: (writer) => [jsonEvent({ type: 'Raced', data: { writer } })],
    });
    for (const { won, lost } of rounds) {
      expect(won).toHaveLength(1);
      for (const reason of lost) expect(reason).toBeInstanceOf(WrongExpectedVersionError);
    }
    const stored = await collect(client.readStream(stream));
    expect(stored.map((resolved) => resolved.event!.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n]);
  });
});

/**
 * EventStoreDB's `--max-append-size` (its own client tests run a node with 1024): the embedded server
 * takes the same option. This suite starts a server of its own with it.
 */
describe('an append size limit set with --max-append-size', () => {
  let client: EventStoreDBClient;
  const own = ownEmbeddedStore(() => client.dispose(), ['--max-append-size', '1024']);
  beforeAll(() => {
    client = EventStoreDBClient.connectionString(own.server.connectionString);
  });

  it('holds appends to it, counting data, metadata and twice the type', async () => {
    const stream = uniqueStream('limit');
    const sized = (dataBytes: number) => binaryEvent({ type: 'ab', data: new Uint8Array(dataBytes) });
    const fits = await client.appendToStream(stream, [sized(500), sized(516)]);
    expect(fits.nextExpectedRevision).toBe(1n);
    const error = await client
      .appendToStream(stream, [sized(500), sized(517)])
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError);
    expect((error as MaxAppendSizeExceededError).maxAppendSize).toBe(1024);
    expect(await collect(client.readStream(stream))).toHaveLength(2);
  });

  it.each([
    ['BatchAppend', {}],
    ['the classic Append', { credentials: { username: 'admin', password: 'changeit' } }],
  ])(
    'Given a type of characters two UTF-8 bytes long, When an append fills the limit over %s, Then the type counts twice its length in characters, as .NET’s string Length counts it',
    async (_path, options) => {
      // EventStoreDB's Event.SizeOnDisk adds eventType.Length * 2: UTF-16 code units, not UTF-8 bytes.
      const stream = uniqueStream('limit-utf16');
      const type = 'é'.repeat(12);
      const event = (dataBytes: number) => binaryEvent({ type, data: new Uint8Array(dataBytes) });

      const fits = await client.appendToStream(stream, event(1024 - 2 * type.length), options);
      const over = await failureOf(client.appendToStream(stream, event(1024 - 2 * type.length + 1), options));

      expect(fits.nextExpectedRevision).toBe(0n);
      expect(over).toMatchObject({ constructor: MaxAppendSizeExceededError });
    },
  );
});

/**
 * The official client uses the classic Append only with per-call credentials; a client that streams
 * events into it without end is driven with its generated stub.
 */
describe('Streams.Append with a never-ending stream of events', () => {
  const { client } = storeForSuite();

  it('fails with maximum-append-size-exceeded as soon as the events pass 1 MiB, before the client ends', async () => {
    const stub = streamsStub();
    const stream = uniqueStream('endless');
    let answer: ServiceError | null | undefined;
    const answered = new Promise<void>((resolve) => {
      const call = stub.append((error: ServiceError | null) => {
        answer = error;
        resolve();
      });
      call.write(
        new streamsPb.AppendReq().setOptions(
          new streamsPb.AppendReq.Options()
            .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)))
            .setAny(new sharedPb.Empty()),
        ),
      );
      const data = Buffer.alloc(64 * 1024, 7);
      // Writes until the server answers (never ending the call), 8 MiB at most.
      const pump = (written: number): void => {
        if (answer !== undefined || written >= 8 * 1024 * 1024) return;
        const message = new streamsPb.AppendReq.ProposedMessage()
          .setId(new sharedPb.UUID().setString(randomUUID()))
          .setData(data);
        message.getMetadataMap().set('type', 'Endless').set('content-type', 'application/octet-stream');
        const more = call.write(new streamsPb.AppendReq().setProposedMessage(message));
        if (more) setImmediate(() => pump(written + data.length));
        else call.once('drain', () => pump(written + data.length));
      };
      pump(0);
    });
    try {
      await answered;
      expect(answer?.code).toBe(status.INVALID_ARGUMENT);
      expect(answer?.metadata.get('exception')).toEqual(['maximum-append-size-exceeded']);
      expect(answer?.metadata.get('maximum-append-size')).toEqual(['1048576']);
    } finally {
      stub.close();
    }
    await expect(collect(client.readStream(stream))).rejects.toMatchObject({ type: 'stream-not-found' });
  });
});
