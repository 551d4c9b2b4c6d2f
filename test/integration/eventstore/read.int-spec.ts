import { BACKWARDS, END, START, StreamNotFoundError, UnknownError, binaryEvent } from '@eventstore/db-client';

import { parseUUID } from '@eventstore/db-client/dist/utils/grpcUUID.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';

import { collect, failureOf, numbered, storeForSuite, streamsStub, uniqueStream } from './support.js';

describe('Streams.Read through the official client', () => {
  const { client, streamWith, streamForSuite } = storeForSuite();

  const revisions = (events: { event?: { revision: bigint } }[]) =>
    events.map((resolved) => resolved.event!.revision);

  it('Given a stream, When it is read with maxCount 0, Then the read fails as on EventStoreDB, whose index reader refuses a count of 0', async () => {
    // IndexReader's Ensure.Positive(maxCount) throws before the stream is looked at; the storage reader
    // answers ReadStreamResult.Error and the read ends with UNKNOWN, an UnknownError to the client.
    const { stream } = await streamWith('read-none', numbered(2));
    const refusal = { constructor: UnknownError, message: '2 UNKNOWN: Unexpected ReadStreamResult: Error' };
    expect(await failureOf(client.readStream(stream, { maxCount: 0 }))).toEqual(refusal);
    expect(
      await failureOf(client.readStream(stream, { maxCount: 0, direction: BACKWARDS, fromRevision: END })),
    ).toEqual(refusal);
    expect(await failureOf(client.readStream(uniqueStream('never'), { maxCount: 0 }))).toEqual(refusal);
    // Without maxCount the client asks for Number.MAX_SAFE_INTEGER: everything.
    expect(revisions(await collect(client.readStream(stream)))).toEqual([0n, 1n]);
  });

  it('Given events in $all, When $all is read with maxCount 0, Then nothing comes and the read ends', async () => {
    // EventStoreDB 24's $all reader stops at once on a count of 0 (AllReader reads while it has fewer
    // than maxCount); an older gRPC enumerator asks for further empty pages instead (docs/event-store.md).
    expect(await collect(client.readAll({ maxCount: 0 }))).toEqual([]);
    expect(await collect(client.readAll({ maxCount: 0, direction: BACKWARDS, fromPosition: END }))).toEqual(
      [],
    );
  });

  it('reads a stream forwards and backwards, from start, end or a revision, with a count', async () => {
    const { stream } = await streamWith('read', numbered(10));
    expect(revisions(await collect(client.readStream(stream)))).toEqual([
      0n,
      1n,
      2n,
      3n,
      4n,
      5n,
      6n,
      7n,
      8n,
      9n,
    ]);
    expect(revisions(await collect(client.readStream(stream, { fromRevision: 7n })))).toEqual([7n, 8n, 9n]);
    expect(revisions(await collect(client.readStream(stream, { fromRevision: 2n, maxCount: 3 })))).toEqual([
      2n,
      3n,
      4n,
    ]);
    expect(
      revisions(
        await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 3 })),
      ),
    ).toEqual([9n, 8n, 7n]);
    expect(
      revisions(await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: 2n }))),
    ).toEqual([2n, 1n, 0n]);
    expect(revisions(await collect(client.readStream(stream, { fromRevision: END })))).toEqual([]);
    const data = (await collect(client.readStream(stream, { maxCount: 2 }))).map(
      (resolved) => resolved.event!.data,
    );
    expect(data).toEqual([{ n: 0 }, { n: 1 }]);
  });

  it('a missing stream raises StreamNotFoundError', async () => {
    const stream = uniqueStream('missing');
    const error = await collect(client.readStream(stream)).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect((error as StreamNotFoundError).streamName).toBe(stream);
  });

  it('every event has a position above 0, rising along the stream', async () => {
    const { stream } = await streamWith('positions', numbered(3));
    await client.appendToStream(stream, numbered(2));
    const positions = (await collect(client.readStream(stream))).map(
      (resolved) => resolved.event!.position!.commit,
    );
    expect(positions[0]).toBeGreaterThan(0n);
    for (let index = 1; index < positions.length; index += 1) {
      expect(positions[index]).toBeGreaterThan(positions[index - 1]!);
    }
  });

  // Many of the server's read batches (128 events), read by a consumer slower than the server, so
  // that the reader keeps waiting for its previous batch to go out while it prepares the next.
  it('a read of many batches to a slow consumer delivers every event once, in order', async () => {
    const stream = uniqueStream('many-batches');
    for (let from = 0; from < 3000; from += 1000)
      await client.appendToStream(stream, numbered(1000, 'Numbered', from));
    const seen: number[] = [];
    for await (const resolved of client.readStream(stream)) {
      seen.push((resolved.event!.data as { n: number }).n);
      if (seen.length % 250 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(seen).toEqual(Array.from({ length: 3000 }, (_, index) => index));
  }, 60_000);

  describe('$all', () => {
    const { positions, eventsIn } = streamForSuite('all', 5);
    const ours = (events: { event?: { streamId: string; data: unknown } }[]) =>
      eventsIn(events).map((event) => event.data);

    it('forwards from a position includes the event at that position', async () => {
      const events = await collect(client.readAll({ fromPosition: positions[2]!, maxCount: 3 }));
      expect(events[0]!.event!.position).toEqual(positions[2]);
      expect(ours(events)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    });

    it('backwards from a position excludes the event at that position', async () => {
      const events = await collect(
        client.readAll({ fromPosition: positions[2]!, direction: BACKWARDS, maxCount: 2 }),
      );
      expect(ours(events)).toEqual([{ n: 1 }, { n: 0 }]);
    });

    // Reads the whole of `$all` twice: in a full run that is everything the suite wrote before, which on
    // a loaded machine took longer than Jest's default 5 s. Nothing asserts on time.
    it('forwards from the start and backwards from the end agree on order', async () => {
      const forwards = ours(await collect(client.readAll({ fromPosition: START })));
      expect(forwards).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
      const backwards = ours(await collect(client.readAll({ fromPosition: END, direction: BACKWARDS })));
      expect(backwards).toEqual([...forwards].reverse());
    }, 60_000);

    it('positions in $all rise strictly and match the stream read', async () => {
      const events = await collect(client.readAll({ fromPosition: positions[0]!, maxCount: 5 }));
      expect(events.map((resolved) => resolved.event!.position)).toEqual(positions);
      for (const resolved of events) expect(resolved.commitPosition).toBe(resolved.event!.position!.commit);
    });
  });
});

// EventStoreDB's reads send an event's id as text only when the request asks for it
// (`uuid_option.string`, what the 6.2.1 client asks); otherwise, `structured` or nothing asked, as two
// int64 halves (its ConvertToRecordedEvent: `String => …, _ => Uuid.FromGuid(id).ToDto()`). Its own
// gRPC tests and the .NET client ask for `structured`. The generated stub sends what the client cannot.
describe('event ids in reads, as the request asks for them', () => {
  const { client, streamWith } = storeForSuite();
  const { ReadReq } = streamsPb;

  /** Reads `stream` forwards (or subscribes, caught up) with the given uuid_option, raw. */
  async function idsRead(stream: string, uuid: 'string' | 'structured' | 'unset', subscription = false) {
    const stub = streamsStub();
    const options = new ReadReq.Options()
      .setStream(
        new ReadReq.Options.StreamOptions()
          .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(Buffer.from(stream)))
          .setStart(new sharedPb.Empty()),
      )
      .setReadDirection(ReadReq.Options.ReadDirection.FORWARDS)
      .setResolveLinks(true)
      .setNoFilter(new sharedPb.Empty());
    if (subscription) options.setSubscription(new ReadReq.Options.SubscriptionOptions());
    else options.setCount('100');
    if (uuid === 'string')
      options.setUuidOption(new ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()));
    if (uuid === 'structured')
      options.setUuidOption(new ReadReq.Options.UUIDOption().setStructured(new sharedPb.Empty()));
    const call = stub.read(new ReadReq().setOptions(options));
    const ids: { form: string; id: string | undefined }[] = [];
    try {
      for await (const response of call as AsyncIterable<InstanceType<typeof streamsPb.ReadResp>>) {
        if (response.hasCaughtUp()) break;
        if (!response.hasEvent()) continue;
        for (const recorded of [response.getEvent()!.getEvent(), response.getEvent()!.getLink()]) {
          if (!recorded) continue;
          const id = recorded.getId()!;
          ids.push({ form: id.hasStructured() ? 'structured' : 'string', id: parseUUID(id) });
        }
      }
    } finally {
      call.cancel();
      stub.close();
    }
    return ids;
  }

  it('Given a stream and a link to it, When read asking for structured ids, for string ids or for neither, Then ids come as asked, structured unless string is asked', async () => {
    // Given an event and, in another stream, a link to it
    const { stream } = await streamWith('read-ids', numbered(1));
    const [original] = await collect(client.readStream(stream));
    const linking = uniqueStream('read-ids-links');
    await client.appendToStream(linking, binaryEvent({ type: '$>', data: Buffer.from(`0@${stream}`) }));
    const [link] = await collect(client.readStream(linking));
    const expected = (form: string) => [
      { form, id: original!.event!.id },
      { form, id: link!.event!.id },
    ];
    // When read, and subscribed to, with each uuid_option
    // Then the ids of the event and of its link come in the form asked, structured by default
    expect(await idsRead(linking, 'structured')).toEqual(expected('structured'));
    expect(await idsRead(linking, 'unset')).toEqual(expected('structured'));
    expect(await idsRead(linking, 'string')).toEqual(expected('string'));
    expect(await idsRead(linking, 'structured', true)).toEqual(expected('structured'));
  });
});
