import {
  NO_STREAM,
  STREAM_EXISTS,
  WrongExpectedVersionError,
  jsonEvent,
  type ResolvedEvent,
} from '@eventstore/db-client';

import { collect, failureOf, numbered, storeForSuite } from './support.js';

const revisionsOf = (events: readonly ResolvedEvent[]) => events.map((resolved) => resolved.event!.revision);

// EventStoreDB reads `$tb` as a long (src/EventStore.Core/Data/StreamMetadata.cs, `(long)reader.Value`)
// and takes a stream as soft-deleted only when it is exactly long.MaxValue, EventNumber.DeletedStream
// (IndexReader: `metadata.TruncateBefore == EventNumber.DeletedStream`; IndexWriter.IsSoftDeleted). Any
// other `$tb` past the stream's end truncates all of it: the stream is there, empty, and still has
// its revisions. A `$tb` above long.MaxValue is no long: the metadata cannot be read and counts as none.
describe('a large $tb through the official client', () => {
  const { client, streamWith } = storeForSuite();

  it('Given a stream of 3 events, When its $tb is set to 2^53 − 1, Then it is found and empty, and appends see its revisions, not a soft-deleted stream', async () => {
    const { stream } = await streamWith('tb-max-safe', numbered(3));

    await client.setStreamMetadata(stream, { truncateBefore: Number.MAX_SAFE_INTEGER });

    expect(await collect(client.readStream(stream))).toEqual([]);
    expect(
      await failureOf(client.appendToStream(stream, numbered(1), { expectedRevision: NO_STREAM })),
    ).toMatchObject({
      constructor: WrongExpectedVersionError,
    });
    const appended = await client.appendToStream(stream, numbered(1), { expectedRevision: STREAM_EXISTS });
    expect(appended.nextExpectedRevision).toBe(3n);
    expect(await collect(client.readStream(stream))).toEqual([]);
  });

  it('Given a stream of 3 events, When its $tb is above long.MaxValue, Then the metadata counts as none and the stream is read whole', async () => {
    const { stream } = await streamWith('tb-above-long', numbered(3));

    // 2^63 as a JavaScript number, which JSON.stringify writes as 9223372036854776000.
    await client.appendToStream(`$$${stream}`, jsonEvent({ type: '$metadata', data: { $tb: 2 ** 63 } }));

    expect(revisionsOf(await collect(client.readStream(stream)))).toEqual([0n, 1n, 2n]);
  });
});
