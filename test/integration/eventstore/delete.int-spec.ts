import {
  ANY,
  BACKWARDS,
  END,
  NO_STREAM,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  binaryEvent,
  jsonEvent,
} from '@eventstore/db-client';

import { collect, numbered, storeForSuite, uniqueStream } from './support.js';

describe('delete, tombstone and stream metadata through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it('soft delete hides the stream; a later append continues the numbering', async () => {
    const { stream, written } = await streamWith('soft', numbered(3));
    const deleted = await client.deleteStream(stream);
    expect(deleted.position!.commit).toBeGreaterThan(written.position!.commit);
    await expect(collect(client.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
    const again = await client.appendToStream(stream, numbered(1, 'Numbered', 3), {
      expectedRevision: NO_STREAM,
    });
    expect(again.nextExpectedRevision).toBe(3n);
    const events = await collect(client.readStream(stream));
    expect(events.map((resolved) => [resolved.event!.revision, resolved.event!.data])).toEqual([
      [3n, { n: 3 }],
    ]);
  });

  it('soft delete keeps the old events in $all', async () => {
    const { stream, written } = await streamWith('soft-all', numbered(2));
    await client.deleteStream(stream);
    const [first] = await collect(client.readAll({ fromPosition: written.position!, maxCount: 1 }));
    expect(first!.event).toMatchObject({ streamId: stream, revision: 1n });
  });

  it('delete checks the expected revision', async () => {
    const { stream } = await streamWith('delete-expected', numbered(2));
    const error = await client
      .deleteStream(stream, { expectedRevision: 0n })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(WrongExpectedVersionError);
    expect(error).toMatchObject({ streamName: stream, expectedVersion: 0n, actualVersion: 1n });
    // EventStoreDB names the operation in the status, "Delete" for a tombstone too.
    const tombstoneError = await client
      .tombstoneStream(stream, { expectedRevision: 0n })
      .catch((failure: unknown) => failure);
    for (const refused of [error, tombstoneError])
      expect((refused as Error).message).toContain(
        `Delete failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: 0, Actual version: 1`,
      );
    await client.deleteStream(stream, { expectedRevision: 1n });
  });

  it('soft delete of a stream with neither events nor metadata is a wrong expected version, even with any or no_stream', async () => {
    // EventStoreDB's StorageWriterService answers it with current version -1 and writes nothing; the
    // client's own suite expects it (deleteStream.test.ts: "fails if stream doesn't exist").
    const stream = uniqueStream('delete-nothing');
    for (const [expectedRevision, expectedVersion] of [
      [ANY, -2n],
      [NO_STREAM, -1n],
    ] as const) {
      const error = await client
        .deleteStream(stream, { expectedRevision })
        .catch((failure: unknown) => failure);
      expect(error).toBeInstanceOf(WrongExpectedVersionError);
      expect(error).toMatchObject({ streamName: stream, expectedVersion, actualVersion: -1n });
    }
    await expect(collect(client.readStream(`$$${stream}`))).rejects.toBeInstanceOf(StreamNotFoundError);
    // Metadata alone makes the stream exist for a soft delete.
    await client.setStreamMetadata(stream, { cacheControl: 10 });
    await client.deleteStream(stream, { expectedRevision: NO_STREAM });
    expect((await client.getStreamMetadata(stream)).metadata).toEqual({
      truncateBefore: Number(9223372036854775807n),
    });
  });

  it('tombstone: reads, appends and deletes fail with StreamDeletedError for good', async () => {
    const { stream } = await streamWith('tombstone', numbered(2));
    await client.tombstoneStream(stream);
    const readError = await collect(client.readStream(stream)).catch((failure: unknown) => failure);
    expect(readError).toBeInstanceOf(StreamDeletedError);
    expect((readError as StreamDeletedError).streamName).toBe(stream);
    await expect(client.appendToStream(stream, numbered(1))).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.deleteStream(stream)).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.tombstoneStream(stream)).rejects.toBeInstanceOf(StreamDeletedError);
  });

  it('$maxCount keeps only the newest events readable', async () => {
    const { stream } = await streamWith('max-count', numbered(5));
    await client.setStreamMetadata(stream, { maxCount: 2, custom: 'kept' });
    const { metadata } = await client.getStreamMetadata(stream);
    expect(metadata).toEqual({ maxCount: 2, custom: 'kept' });
    const events = await collect(client.readStream(stream));
    expect(events.map((resolved) => resolved.event!.revision)).toEqual([3n, 4n]);
    const newest = await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END }));
    expect(newest.map((resolved) => resolved.event!.revision)).toEqual([4n, 3n]);
  });

  it('the metadata stream shows only the latest metadata', async () => {
    const stream = uniqueStream('meta-latest');
    await client.setStreamMetadata(stream, { maxCount: 5 });
    await client.setStreamMetadata(stream, { maxCount: 7 });
    expect((await client.getStreamMetadata(stream)).metadata).toEqual({ maxCount: 7 });
    const metadataEvents = await collect(client.readStream(`$$${stream}`));
    expect(metadataEvents.map((resolved) => resolved.event!.data)).toEqual([{ $maxCount: 7 }]);
  });

  // EventStoreDB reads `$maxCount`, `$maxAge`, `$tb` and `$cacheControl` as longs, refuses a count,
  // age or cache time of 0 or less and a negative `$tb`, and takes metadata it cannot read whole, or
  // that is not JSON, as no metadata at all: none of it limits what readers see.
  it('metadata EventStoreDB cannot read limits nothing, not even through its valid parts', async () => {
    const unreadable: [string, Parameters<typeof client.appendToStream>[1]][] = [
      ['$maxCount of 0', jsonEvent({ type: '$metadata', data: { $maxCount: 0 } })],
      ['$maxAge of 0', jsonEvent({ type: '$metadata', data: { $maxAge: 0 } })],
      ['a negative $tb', jsonEvent({ type: '$metadata', data: { $maxCount: 1, $tb: -1 } })],
      ['a negative $maxAge', jsonEvent({ type: '$metadata', data: { $maxCount: 1, $maxAge: -5 } })],
      ['$cacheControl of 0', jsonEvent({ type: '$metadata', data: { $maxCount: 1, $cacheControl: 0 } })],
      ['$maxCount as text', jsonEvent({ type: '$metadata', data: { $tb: 2, $maxCount: '1' } })],
      ['$maxCount of null', jsonEvent({ type: '$metadata', data: { $tb: 2, $maxCount: null } })],
      ['binary metadata', binaryEvent({ type: '$metadata', data: Buffer.from('{"$maxCount":1}') })],
    ];
    for (const [what, metadata] of unreadable) {
      const { stream } = await streamWith('meta-unreadable', numbered(3));
      await client.appendToStream(`$$${stream}`, metadata);
      const events = await collect(client.readStream(stream));
      expect([what, events.map((resolved) => resolved.event!.revision)]).toEqual([what, [0n, 1n, 2n]]);
    }
  });

  it('metadata of a stream without metadata is empty', async () => {
    const stream = uniqueStream('meta-none');
    expect(await client.getStreamMetadata(stream)).toEqual({ streamName: stream });
  });
});

describe('deleted streams and their metadata through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it('soft delete replaces the metadata with a truncate-before of everything; a later append keeps only that', async () => {
    // EventStoreDB's soft delete writes `{"$tb": long.MaxValue}` alone to `$$<stream>`.
    const { stream } = await streamWith('soft-meta', numbered(2));
    await client.setStreamMetadata(stream, { maxCount: 5, custom: 'gone' });
    await client.deleteStream(stream);
    expect(await client.getStreamMetadata(stream)).toMatchObject({
      metadata: { truncateBefore: Number(9223372036854775807n) },
    });
    const [deleted] = await collect(client.readStream(`$$${stream}`));
    expect(Object.keys(deleted!.event!.data as object)).toEqual(['$tb']);
    expect(deleted!.event!.revision).toBe(1n);
    await client.appendToStream(stream, numbered(1, 'Numbered', 2));
    expect((await client.getStreamMetadata(stream)).metadata).toEqual({ truncateBefore: 2 });
    const [recreated] = await collect(client.readStream(`$$${stream}`));
    expect(recreated!.event!.revision).toBe(2n);
  });

  it('the append that recreates a soft-deleted stream writes its events, then the metadata, in $all', async () => {
    // EventStoreDB's StorageWriterService writes the prepares first, then SoftUndeleteStream.
    const { stream } = await streamWith('soft-order', numbered(2));
    await client.deleteStream(stream);
    const recreated = await client.appendToStream(stream, numbered(2, 'Numbered', 2));
    expect(recreated.nextExpectedRevision).toBe(3n);
    const [first] = await collect(client.readStream(stream, { maxCount: 1 }));
    const written = await collect(client.readAll({ fromPosition: first!.event!.position!, maxCount: 3 }));
    expect(written.map((resolved) => [resolved.event!.streamId, resolved.event!.revision])).toEqual([
      [stream, 2n],
      [stream, 3n],
      [`$$${stream}`, 1n],
    ]);
    expect(recreated.position).toEqual(written[1]!.event!.position);
  });

  it("a tombstoned stream's metadata stream is deleted too", async () => {
    // EventStoreDB: "if this is metastream -- check if original stream was deleted".
    const { stream } = await streamWith('tombstone-meta', numbered(1));
    await client.setStreamMetadata(stream, { maxCount: 3 });
    await client.tombstoneStream(stream);
    await expect(collect(client.readStream(`$$${stream}`))).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.getStreamMetadata(stream)).rejects.toBeInstanceOf(StreamDeletedError);
    const error = await client
      .setStreamMetadata(stream, { maxCount: 1 })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(StreamDeletedError);
    expect(error).toMatchObject({ streamName: `$$${stream}` });
  });
});
