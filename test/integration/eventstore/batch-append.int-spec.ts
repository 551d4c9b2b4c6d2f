import { randomUUID } from 'node:crypto';

import {
  ANY,
  NO_STREAM,
  STREAM_EXISTS,
  DeadlineExceededError,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  WrongExpectedVersionError,
  binaryEvent,
  jsonEvent,
  type AppendResult,
} from '@eventstore/db-client';
import serverFeaturesGrpc from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsGrpc from '@eventstore/db-client/generated/streams_grpc_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import {
  credentials,
  makeGenericClientConstructor,
  status as grpcStatus,
  type ClientDuplexStream,
} from '@grpc/grpc-js';
import timestampPb from 'google-protobuf/google/protobuf/timestamp_pb.js';

import { storeAddress } from '../../support/embedded-eventstore.js';
import { collect, numbered, storeForSuite, streamsStub, uniqueStream } from './support.js';

/**
 * BatchAppend: when the server lists it, the official client sends every append over one long-lived
 * bidirectional stream, concurrent appends interleaved and told apart by correlation id, large ones
 * in chunks. A reply the client cannot match, or an error it cannot decode, throws inside the
 * client's stream handler and brings its process down, so these tests drive many appends of every
 * outcome through one client and check that each settles with its own, correctly typed result.
 */
describe('Streams.BatchAppend through the official client', () => {
  const { client, streamWith, raceAtEachRevision } = storeForSuite();

  /** The client's own switch between Append and BatchAppend (protected: read here on purpose). */
  const usesBatchAppend = (of: EventStoreDBClient): Promise<boolean> =>
    (of as unknown as { supports(method: unknown): Promise<boolean> }).supports(
      streamsGrpc.StreamsService.batchAppend,
    );

  it('is advertised, so the client appends over BatchAppend', async () => {
    await expect(usesBatchAppend(client)).resolves.toBe(true);
  });

  it('settles many concurrent appends of mixed outcomes on one client, each with its own result', async () => {
    const tombstoned = uniqueStream('batch-tombstoned');
    await client.appendToStream(tombstoned, numbered(1));
    await client.tombstoneStream(tombstoned);
    const existing = uniqueStream('batch-existing');
    await client.appendToStream(existing, numbered(3));
    const repeated = [jsonEvent({ id: randomUUID(), type: 'Once', data: {} })];
    const repeatedStream = uniqueStream('batch-repeated');

    type Expectation = (outcome: PromiseSettledResult<AppendResult>) => void;
    const cases: [Promise<AppendResult>, Expectation][] = [];
    const succeeds =
      (revision: bigint): Expectation =>
      (outcome) => {
        expect(outcome).toMatchObject({ status: 'fulfilled', value: { success: true } });
        expect((outcome as PromiseFulfilledResult<AppendResult>).value.nextExpectedRevision).toBe(revision);
      };
    const fails =
      (type: new (...args: never[]) => Error, fields: Record<string, unknown> = {}): Expectation =>
      (outcome) => {
        expect(outcome.status).toBe('rejected');
        const reason = (outcome as PromiseRejectedResult).reason as Error;
        expect(reason).toBeInstanceOf(type);
        expect(reason).toMatchObject(fields);
      };
    for (let round = 0; round < 20; round += 1) {
      const fresh = uniqueStream('batch-fresh');
      cases.push([client.appendToStream(fresh, numbered(round + 1)), succeeds(BigInt(round))]);
      cases.push([
        client.appendToStream(existing, numbered(1), { expectedRevision: 100n }),
        fails(WrongExpectedVersionError, { streamName: existing, expectedVersion: 100n }),
      ]);
      const missing = uniqueStream('batch-missing');
      cases.push([
        client.appendToStream(missing, numbered(1), { expectedRevision: STREAM_EXISTS }),
        fails(WrongExpectedVersionError, {
          streamName: missing,
          expectedVersion: STREAM_EXISTS,
          actualVersion: NO_STREAM,
        }),
      ]);
      cases.push([
        client.appendToStream(tombstoned, numbered(1)),
        fails(StreamDeletedError, { streamName: tombstoned }),
      ]);
      cases.push([
        client.appendToStream(
          uniqueStream('batch-oversize'),
          binaryEvent({ type: 'Huge', data: new Uint8Array(1024 * 1024 + 1) }),
        ),
        fails(MaxAppendSizeExceededError, { maxAppendSize: 1024 * 1024 }),
      ]);
      cases.push([
        client.appendToStream(repeatedStream, repeated, { expectedRevision: NO_STREAM }),
        succeeds(0n),
      ]);
    }
    const outcomes = await Promise.allSettled(cases.map(([append]) => append));
    outcomes.forEach((outcome, index) => cases[index]![1](outcome));
    // Nothing of the failed appends was written, the repeated one only once.
    expect((await collect(client.readStream(existing))).map((resolved) => resolved.event!.revision)).toEqual([
      0n,
      1n,
      2n,
    ]);
    expect(await collect(client.readStream(repeatedStream))).toHaveLength(1);
    // And the stream is still usable afterwards.
    expect((await client.appendToStream(existing, numbered(1), { expectedRevision: 2n })).success).toBe(true);
  });

  it('interleaved concurrent appends to one stream: exactly one wins each expected revision', async () => {
    const stream = uniqueStream('batch-race');
    const rounds = await raceAtEachRevision(stream, {
      writers: 16,
      rounds: 10,
      batch: (writer) => numbered(2, `Writer${writer}`),
    });
    for (const { revision, won, lost } of rounds) {
      expect(won).toHaveLength(1);
      expect(won[0]!.nextExpectedRevision).toBe(revision + 2n);
      for (const reason of lost) {
        expect(reason).toMatchObject({
          streamName: stream,
          expectedVersion: revision,
          actualVersion: revision + 2n,
        });
      }
    }
  });

  it('chunked appends interleaved on one stream stay whole and in order of completion', async () => {
    const stream = uniqueStream('batch-chunked');
    const writers = 8;
    const perWriter = 40;
    // A small batchAppendSize makes the client split every append into many chunks, the last one
    // flagged final; the chunks of all eight appends interleave on the one BatchAppend stream.
    const results = await Promise.all(
      Array.from({ length: writers }, (_, writer) =>
        client.appendToStream(
          stream,
          Array.from({ length: perWriter }, (_, n) =>
            jsonEvent({ type: `Chunked${writer}`, data: { writer, n, pad: 'p'.repeat(200) } }),
          ),
          { expectedRevision: ANY, batchAppendSize: 1000 },
        ),
      ),
    );
    const stored = await collect(client.readStream(stream));
    expect(stored).toHaveLength(writers * perWriter);
    // Each append occupies one contiguous run of revisions ending at the revision it reported.
    for (const [writer, result] of results.entries()) {
      const last = Number(result.nextExpectedRevision);
      const run = stored.slice(last - perWriter + 1, last + 1).map((resolved) => resolved.event!.data);
      expect(run).toEqual(Array.from({ length: perWriter }, (_, n) => ({ writer, n, pad: 'p'.repeat(200) })));
    }
  });

  it('an append over the size limit across chunks fails alone; the stream keeps working', async () => {
    const stream = uniqueStream('batch-oversize-chunks');
    const chunk = (): ReturnType<typeof binaryEvent> =>
      binaryEvent({ type: 'Part', data: new Uint8Array(400 * 1024) });
    const [oversized, fine] = await Promise.allSettled([
      client.appendToStream(stream, [chunk(), chunk(), chunk(), chunk()], { batchAppendSize: 450 * 1024 }),
      client.appendToStream(uniqueStream('batch-beside-oversize'), numbered(2)),
    ]);
    expect(oversized.status).toBe('rejected');
    expect((oversized as PromiseRejectedResult).reason).toBeInstanceOf(MaxAppendSizeExceededError);
    expect(fine).toMatchObject({ status: 'fulfilled', value: { success: true } });
    await expect(collect(client.readStream(stream))).rejects.toMatchObject({ type: 'stream-not-found' });
    expect((await client.appendToStream(stream, numbered(1))).nextExpectedRevision).toBe(0n);
  });

  it('an append whose deadline has passed fails with DeadlineExceededError and writes nothing', async () => {
    const stream = uniqueStream('batch-deadline');
    const error = await client
      .appendToStream(stream, numbered(1), { deadline: 0 })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    await expect(collect(client.readStream(stream))).rejects.toMatchObject({ type: 'stream-not-found' });
    expect((await client.appendToStream(stream, numbered(1))).success).toBe(true);
  });

  it('an oversized append whose deadline has passed is answered Timeout before its size is looked at', async () => {
    const stream = uniqueStream('batch-deadline-oversize');
    const large = binaryEvent({ type: 'Large', data: Buffer.alloc(1_160_000, 1) });
    const error = await client
      .appendToStream(stream, large, { deadline: 0 })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    await expect(collect(client.readStream(stream))).rejects.toMatchObject({ type: 'stream-not-found' });
  });

  /**
   * The client sends all of an append's chunks at once, so a stalled append is driven with its
   * generated stub: the options and a first chunk, then nothing until well after the deadline.
   */
  it('an append still waiting for chunks when its deadline passes is answered Timeout at the deadline', async () => {
    const stub = streamsStub();
    const call = stub.batchAppend();
    const replies: InstanceType<typeof streamsPb.BatchAppendResp>[] = [];
    let replied: () => void = () => undefined;
    call.on('data', (reply: InstanceType<typeof streamsPb.BatchAppendResp>) => {
      replies.push(reply);
      replied();
    });
    call.on('error', () => undefined);
    const nextReply = () => new Promise<void>((resolve) => (replied = resolve));
    const stream = uniqueStream('batch-deadline-stalled');
    const chunk = (
      id: string,
      final: boolean,
      options?: InstanceType<typeof streamsPb.BatchAppendReq.Options>,
    ) => {
      const proposed = new streamsPb.BatchAppendReq.ProposedMessage()
        .setId(new sharedPb.UUID().setString(randomUUID()))
        .setData(Buffer.from('{}'));
      proposed.getMetadataMap().set('type', 'Stalled').set('content-type', 'application/json');
      const request = new streamsPb.BatchAppendReq()
        .setCorrelationId(new sharedPb.UUID().setString(id))
        .setIsFinal(final);
      request.addProposedMessages(proposed);
      return options ? request.setOptions(options) : request;
    };
    const options = (deadline: Date) =>
      new streamsPb.BatchAppendReq.Options()
        .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)))
        .setAny(new sharedPb.Empty())
        .setDeadline(timestampPb.Timestamp.fromDate(deadline));
    try {
      const stalled = randomUUID();
      const sentAt = Date.now();
      const timedOut = nextReply();
      call.write(chunk(stalled, false, options(new Date(sentAt + 300))));
      await timedOut;
      // Answered without its final chunk, and not before the deadline.
      expect(Date.now()).toBeGreaterThanOrEqual(sentAt + 300);
      expect(replies[0]!.getCorrelationId()!.getString()).toBe(stalled);
      expect(replies[0]!.getError()!.getDetails()!.getTypeUrl()).toBe(
        'type.googleapis.com/event_store.client.Timeout',
      );
      // Its late final chunk is dropped unanswered; the call goes on serving other appends.
      const next = randomUUID();
      const succeeded = nextReply();
      call.write(chunk(stalled, true));
      call.write(chunk(next, true, options(new Date(Date.now() + 10_000))));
      await succeeded;
      expect(replies).toHaveLength(2);
      expect(replies[1]!.getCorrelationId()!.getString()).toBe(next);
      expect(replies[1]!.getSuccess()!.getCurrentRevision()).toBe('0');
    } finally {
      call.end();
      stub.close();
    }
  });

  // EventStoreDB lists BatchAppend with the feature `deadline_duration` (its ServerFeatures), telling
  // a client it may send an append's deadline as a Duration, the Options' field 7, which the 6.2.1
  // client's generated code does not know: its request is written here as bytes.
  it('lists deadline_duration and answers an append whose Duration deadline is zero with Timeout', async () => {
    // Given the features the server lists with BatchAppend and Read
    const features = new serverFeaturesGrpc.ServerFeaturesClient(
      storeAddress(process.env.EVENTSTORE_CONNECTION_STRING!).host,
      credentials.createInsecure(),
    );
    const listed = await new Promise<Map<string, string[]>>((resolve, reject) =>
      features.getSupportedMethods(new sharedPb.Empty(), (error, reply) =>
        error
          ? reject(error)
          : resolve(
              new Map(
                reply
                  .getMethodsList()
                  .map((m) => [`${m.getServiceName()}/${m.getMethodName()}`, m.getFeaturesList()]),
              ),
            ),
      ),
    ).finally(() => features.close());
    expect(listed.get('event_store.client.streams.streams/batchappend')).toEqual(['deadline_duration']);
    expect(listed.get('event_store.client.streams.streams/read')).toEqual(['position', 'events']);
    // When two appends give their deadline as a Duration: zero, and ten seconds
    const stream = uniqueStream('batch-deadline-duration');
    const replies = await batchAppendRaw(
      [0, 10].map((seconds) => withDurationDeadline(durationDeadlineAppend(stream), seconds)),
    );
    // Then the first times out, writing nothing, and the second succeeds
    const [zero, ten] = replies;
    expect(zero!.getError()!.getCode()).toBe(grpcStatus.DEADLINE_EXCEEDED);
    expect(zero!.getError()!.getDetails()!.getTypeUrl()).toBe(
      'type.googleapis.com/event_store.client.Timeout',
    );
    expect(ten!.getSuccess()!.getCurrentRevision()).toBe('0');
    expect((await collect(client.readStream(stream))).map((resolved) => resolved.event!.type)).toEqual([
      'Timed',
    ]);
  });

  // EventStoreDB's Google.Rpc.Status factories (Transport/Grpc/Status.cs) give each typed refusal a
  // code and, as message, the name of its details' type. The official client reads only the details;
  // a raw gRPC consumer, or a log of the status, sees these.
  it("answers each typed refusal with EventStoreDB's status code and message", async () => {
    // Given an existing stream, a tombstoned one and an oversized event
    const existing = uniqueStream('batch-status-exists');
    await client.appendToStream(existing, numbered(1));
    const tombstoned = uniqueStream('batch-status-tombstoned');
    await client.appendToStream(tombstoned, numbered(1));
    await client.tombstoneStream(tombstoned);
    // When appends are refused for each reason
    const replies = await batchAppendRaw([
      encodedAppend({ stream: existing, noStream: true }),
      encodedAppend({ stream: tombstoned }),
      encodedAppend({ stream: uniqueStream('batch-status-timeout'), deadline: new Date(Date.now() - 1000) }),
      encodedAppend({ stream: uniqueStream('batch-status-size'), data: Buffer.alloc(1024 * 1024 + 1) }),
    ]);
    // Then each error says what EventStoreDB's says
    expect(
      replies.map((reply) => {
        const error = reply.getError()!;
        return [error.getCode(), error.getMessage(), error.getDetails()!.getTypeUrl().split('/')[1]];
      }),
    ).toEqual([
      [grpcStatus.ALREADY_EXISTS, 'WrongExpectedVersion', 'event_store.client.WrongExpectedVersion'],
      [grpcStatus.NOT_FOUND, 'StreamDeleted', 'event_store.client.StreamDeleted'],
      [grpcStatus.DEADLINE_EXCEEDED, 'Timeout', 'event_store.client.Timeout'],
      [
        grpcStatus.INVALID_ARGUMENT,
        'MaximumAppendSizeExceeded',
        'event_store.client.MaximumAppendSizeExceeded',
      ],
    ]);
  });

  // EventStoreDB arms an append's timer with Min(its deadline, the write timeout), 2 s by default
  // (Streams.BatchAppend.cs): an append still waiting for its final chunk is answered Timeout after
  // 2 s at most, also when its deadline is further away or when it gives none.
  it('an append waiting for chunks is answered Timeout after the 2 s write timeout, whatever its deadline', async () => {
    for (const deadline of [new Date(Date.now() + 20_000), undefined]) {
      // Given an append whose options and first chunk arrive, and no final chunk
      const stream = uniqueStream('batch-write-timeout');
      const sentAt = Date.now();
      // When the write timeout passes
      const [reply] = await batchAppendRaw([encodedAppend({ stream, deadline, final: false })]);
      // Then it is answered Timeout then, well before its deadline, and nothing is written
      const waited = Date.now() - sentAt;
      expect(waited).toBeGreaterThanOrEqual(1_900);
      expect(waited).toBeLessThan(10_000);
      expect(reply!.getError()!.getDetails()!.getTypeUrl()).toBe(
        'type.googleapis.com/event_store.client.Timeout',
      );
      await expect(collect(client.readStream(stream))).rejects.toThrow(/not found/);
    }
  });

  // EventStoreDB's BatchAppend reads `type` and `content-type` with the metadata map's indexer, which
  // throws KeyNotFoundException on an absent key (a BadRequest naming it), and keeps only whether the
  // content type is exactly application/json: any other, the empty one included, reads back as
  // application/octet-stream. The client always sets both keys; the generated classes need not.
  it('refuses an event without type or content-type naming the key, and keeps any other content type as not JSON', async () => {
    // Given events without one key, or with an empty or another content type
    const streams = ['untyped', 'no-content-type', 'empty-content-type', 'text-content-type'].map((name) =>
      uniqueStream(`batch-metadata-${name}`),
    );
    const replies = await batchAppendRaw([
      encodedAppend({ stream: streams[0]!, metadata: { 'content-type': 'application/json' } }),
      encodedAppend({ stream: streams[1]!, metadata: { type: 'Untyped' } }),
      encodedAppend({ stream: streams[2]!, metadata: { type: 'Empty', 'content-type': '' } }),
      encodedAppend({ stream: streams[3]!, metadata: { type: 'Text', 'content-type': 'text/plain' } }),
    ]);
    // Then the first two are refused, naming the key, and the others are kept as not JSON
    const reasons = replies
      .slice(0, 2)
      .map((reply) =>
        reply
          .getError()!
          .getDetails()!
          .unpack(sharedPb.BadRequest.deserializeBinary, 'event_store.client.BadRequest')!
          .getMessage(),
      );
    expect(reasons).toEqual([
      "The given key 'type' was not present in the dictionary.",
      "The given key 'content-type' was not present in the dictionary.",
    ]);
    for (const stream of streams.slice(2)) {
      const stub = streamsStub();
      const readOptions = new streamsPb.ReadReq.Options()
        .setStream(
          new streamsPb.ReadReq.Options.StreamOptions()
            .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)))
            .setStart(new sharedPb.Empty()),
        )
        .setCount('1')
        .setNoFilter(new sharedPb.Empty())
        .setUuidOption(new streamsPb.ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()));
      const read = stub.read(new streamsPb.ReadReq().setOptions(readOptions));
      const [response] = await collect(read as AsyncIterable<InstanceType<typeof streamsPb.ReadResp>>);
      stub.close();
      expect(response!.getEvent()!.getEvent()!.getMetadataMap().get('content-type')).toBe(
        'application/octet-stream',
      );
    }
  });

  it('stream_exists on a soft-deleted stream fails with StreamDeletedError', async () => {
    const { stream } = await streamWith('batch-soft-deleted', numbered(1));
    await client.deleteStream(stream);
    await expect(
      client.appendToStream(stream, numbered(1), { expectedRevision: STREAM_EXISTS }),
    ).rejects.toMatchObject({ type: 'stream-deleted', streamName: stream });
  });

  it('concurrent re-appends of the same event ids all succeed with one result and write once', async () => {
    const stream = uniqueStream('batch-idempotent');
    const events = Array.from({ length: 3 }, () => jsonEvent({ id: randomUUID(), type: 'Once', data: {} }));
    const results = await Promise.all(
      Array.from({ length: 6 }, () => client.appendToStream(stream, events, { expectedRevision: NO_STREAM })),
    );
    for (const result of results) expect(result).toEqual(results[0]);
    expect(results[0]!.nextExpectedRevision).toBe(2n);
    expect(await collect(client.readStream(stream))).toHaveLength(3);
  });

  it('with throwOnAppendFailure=false a conflict resolves as an unsuccessful result', async () => {
    const lenient = EventStoreDBClient.connectionString(
      `${process.env.EVENTSTORE_CONNECTION_STRING!}&throwOnAppendFailure=false`,
    );
    try {
      const stream = uniqueStream('batch-lenient');
      await lenient.appendToStream(stream, numbered(1));
      const [conflict, next] = await Promise.allSettled([
        lenient.appendToStream(stream, numbered(1), { expectedRevision: NO_STREAM }),
        lenient.appendToStream(stream, numbered(1), { expectedRevision: 0n }),
      ]);
      expect(conflict).toMatchObject({ status: 'fulfilled', value: { success: false } });
      expect(next).toMatchObject({ status: 'fulfilled', value: { success: true } });
    } finally {
      await lenient.dispose();
    }
  });
});

type BatchAppendResp = InstanceType<typeof streamsPb.BatchAppendResp>;

/** A one-event BatchAppend request to `stream` (`any`), its options apart, as the generated classes encode them. */
function durationDeadlineAppend(stream: string): { request: Uint8Array; options: Uint8Array } {
  const proposed = new streamsPb.BatchAppendReq.ProposedMessage()
    .setId(new sharedPb.UUID().setString(randomUUID()))
    .setData(Buffer.from('{}'));
  proposed.getMetadataMap().set('type', 'Timed').set('content-type', 'application/json');
  const request = new streamsPb.BatchAppendReq()
    .setCorrelationId(new sharedPb.UUID().setString(randomUUID()))
    .setIsFinal(true);
  request.addProposedMessages(proposed);
  const options = new streamsPb.BatchAppendReq.Options()
    .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)))
    .setAny(new sharedPb.Empty());
  return { request: request.serializeBinary(), options: options.serializeBinary() };
}

/** A one-event BatchAppend request with its options, as the generated classes encode it (`any` unless `noStream`). */
function encodedAppend({
  stream,
  noStream = false,
  deadline,
  data = Buffer.from('{}'),
  final = true,
  metadata = { type: 'Refused', 'content-type': 'application/json' },
}: {
  stream: string;
  noStream?: boolean;
  deadline?: Date | undefined;
  data?: Buffer;
  final?: boolean;
  /** The event's metadata map, where the client puts `type` and `content-type`. */
  metadata?: Readonly<Record<string, string>>;
}): Buffer {
  const proposed = new streamsPb.BatchAppendReq.ProposedMessage()
    .setId(new sharedPb.UUID().setString(randomUUID()))
    .setData(data);
  for (const [key, value] of Object.entries(metadata)) proposed.getMetadataMap().set(key, value);
  const options = new streamsPb.BatchAppendReq.Options().setStreamIdentifier(
    new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)),
  );
  if (noStream) options.setNoStream(new sharedPb.Empty());
  else options.setAny(new sharedPb.Empty());
  if (deadline) options.setDeadline(timestampPb.Timestamp.fromDate(deadline));
  const request = new streamsPb.BatchAppendReq()
    .setCorrelationId(new sharedPb.UUID().setString(randomUUID()))
    .setOptions(options)
    .setIsFinal(final);
  request.addProposedMessages(proposed);
  return Buffer.from(request.serializeBinary());
}

/** The request with its options, to which field 7 (`google.protobuf.Duration deadline`) is added. */
function withDurationDeadline(append: { request: Uint8Array; options: Uint8Array }, seconds: number): Buffer {
  // Duration { seconds = 1 (varint) }, left empty for zero, as protobuf encodes a default.
  const duration = seconds === 0 ? Buffer.alloc(0) : Buffer.from([0x08, seconds]);
  const options = Buffer.concat([append.options, Buffer.from([(7 << 3) | 2, duration.length]), duration]);
  // Options are BatchAppendReq's field 2; fields may come in any order.
  return Buffer.concat([Buffer.from(append.request), Buffer.from([(2 << 3) | 2, options.length]), options]);
}

/** Sends encoded BatchAppend requests on one call, one after the other's reply, and returns the replies. */
async function batchAppendRaw(requests: readonly Buffer[]): Promise<BatchAppendResp[]> {
  const Raw = makeGenericClientConstructor(
    {
      batchAppend: {
        path: '/event_store.client.streams.Streams/BatchAppend',
        requestStream: true,
        responseStream: true,
        requestSerialize: (bytes: Buffer) => bytes,
        requestDeserialize: (bytes: Buffer) => bytes,
        responseSerialize: (reply: BatchAppendResp) => Buffer.from(reply.serializeBinary()),
        responseDeserialize: (bytes: Buffer) => streamsPb.BatchAppendResp.deserializeBinary(bytes),
      },
    },
    'Streams',
  );
  const raw = new Raw(
    storeAddress(process.env.EVENTSTORE_CONNECTION_STRING!).host,
    credentials.createInsecure(),
  );
  const call = (
    raw as unknown as { batchAppend(): ClientDuplexStream<Buffer, BatchAppendResp> }
  ).batchAppend();
  const replies: BatchAppendResp[] = [];
  try {
    for (const request of requests) {
      const reply = new Promise<BatchAppendResp>((resolve, reject) => {
        call.once('data', resolve);
        call.once('error', reject);
      });
      call.write(request);
      replies.push(await reply);
      call.removeAllListeners('error');
    }
    return replies;
  } finally {
    call.end();
    raw.close();
  }
}
