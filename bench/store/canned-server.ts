/**
 * A stand-in for the event store that does no work: it answers the official client's BatchAppend,
 * Read and GetSupportedMethods calls over plain HTTP/2, stores nothing, streams reads from events
 * encoded once at start-up and answers appends through the server's own codecs (~2 µs each, against
 * the client's ~70 µs per append). bench:store drives
 * the official client against it to measure what the client alone can reach on this machine: a
 * target above that ceiling cannot be met by any server.
 *
 *   node dist/bench/store/canned-server.js <events per $all read>
 *
 * Prints `canned server listening on esdb://127.0.0.1:<port>?tls=false` when ready.
 */
import { constants, createServer, type ServerHttp2Stream } from 'node:http2';

import {
  ReadResp,
  StreamIdentifier,
  SupportedMethod,
  SupportedMethods,
  UUID,
} from '../../apps/eventstore/src/grpc/protocol.js';
import {
  COMPATIBLE_SERVER_VERSION,
  CONNECTION_RECEIVE_WINDOW_BYTES,
  STREAM_RECEIVE_WINDOW_BYTES,
} from '../../apps/eventstore/src/grpc/server.js';
import { decodeBatchAppendReq, encodeBatchAppendResp } from '../../apps/eventstore/src/grpc/streams-codec.js';
import { benchPayload } from './payload.js';

const eventsPerRead = Number(process.argv[2] ?? 100_000);
const GRPC_UNIMPLEMENTED = 12;

/** gRPC's length-prefixed message framing: no compression flag, 4-byte big-endian length. */
const frame = (message: Uint8Array): Buffer => {
  const framed = Buffer.allocUnsafe(5 + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  framed.set(message, 5);
  return framed;
};

const streamIdentifier = (name: string) => new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));

/** One recorded event as a real server sends it: the bench's payload, type, position and ids. */
const cannedReadEvent = (): Buffer => {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(new UUID().setString('0f9ae8a1-1d3c-4b8e-9a52-7d2b0c6e4f11'))
    .setStreamIdentifier(streamIdentifier('batch-3-7c1f4d0e-2b6a-4f3e-8d9c-5a4b3c2d1e0f'))
    .setStreamRevision('4711')
    .setPreparePosition('123456789')
    .setCommitPosition('123456789')
    .setData(Buffer.from(JSON.stringify(benchPayload), 'utf8'));
  recorded
    .getMetadataMap()
    .set('type', 'CallDelegated')
    .set('content-type', 'application/json')
    .set('created', String(BigInt(Date.now()) * 10_000n));
  const event = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition('123456789');
  return frame(new ReadResp().setEvent(event).serializeBinary());
};

const supportedMethods = frame(
  new SupportedMethods()
    .setMethodsList(
      ['batchappend', 'read'].map((method) =>
        new SupportedMethod().setServiceName('event_store.client.streams.streams').setMethodName(method),
      ),
    )
    .setEventStoreServerVersion(COMPATIBLE_SERVER_VERSION)
    .serializeBinary(),
);

const readEvent = cannedReadEvent();
/** Reads are written in chunks of many events, as a real server batches them. */
const READ_CHUNK_EVENTS = 256;
const readChunk = Buffer.concat(Array.from({ length: READ_CHUNK_EVENTS }, () => readEvent));

const respond = (stream: ServerHttp2Stream, status = 0): void => {
  stream.respond(
    { [constants.HTTP2_HEADER_STATUS]: 200, [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc' },
    { waitForTrailers: true },
  );
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': String(status) }));
};

/** Splits the request body into gRPC messages as bytes arrive. */
const onMessages = (stream: ServerHttp2Stream, handle: (messages: Buffer[]) => void): void => {
  let pending: Buffer = Buffer.alloc(0);
  stream.on('data', (chunk: Buffer) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    const messages: Buffer[] = [];
    let offset = 0;
    while (pending.length - offset >= 5) {
      const length = pending.readUInt32BE(offset + 1);
      if (pending.length - offset < 5 + length) break;
      messages.push(pending.subarray(offset + 5, offset + 5 + length));
      offset += 5 + length;
    }
    pending = pending.subarray(offset);
    if (messages.length > 0) handle(messages);
  });
};

/** The reply to the final request of an append: success, with the correlation id echoed as received. */
const batchAppendReply = (message: Buffer): Buffer | undefined => {
  const request = decodeBatchAppendReq(message);
  if (!request.isFinal || !request.correlationId) return undefined;
  return frame(
    encodeBatchAppendResp({
      correlationId: request.correlationId.encoded,
      stream: request.options?.stream ?? '',
      expected: request.options?.expected ?? 'any',
      result: { success: { revision: 0, position: 16 } },
    }),
  );
};

const streamRead = (stream: ServerHttp2Stream): void => {
  respond(stream);
  let left = eventsPerRead;
  const writeMore = (): void => {
    while (left > 0) {
      const events = Math.min(left, READ_CHUNK_EVENTS);
      left -= events;
      const chunk =
        events === READ_CHUNK_EVENTS ? readChunk : readChunk.subarray(0, events * readEvent.length);
      if (!stream.write(chunk)) return void stream.once('drain', writeMore);
    }
    stream.end();
  };
  writeMore();
};

// The embedded server's receive windows: the ceiling must not be held back by what the server is not.
const server = createServer({ settings: { initialWindowSize: STREAM_RECEIVE_WINDOW_BYTES } });
server.on('session', (session) => session.setLocalWindowSize(CONNECTION_RECEIVE_WINDOW_BYTES));
server.on('stream', (stream, headers) => {
  switch (headers[constants.HTTP2_HEADER_PATH]) {
    case '/event_store.client.server_features.ServerFeatures/GetSupportedMethods':
      respond(stream);
      stream.end(supportedMethods);
      break;
    case '/event_store.client.streams.Streams/Read':
      onMessages(stream, () => streamRead(stream));
      break;
    case '/event_store.client.streams.Streams/BatchAppend':
      respond(stream);
      onMessages(stream, (messages) => {
        const replies = messages.map(batchAppendReply).filter((reply) => reply !== undefined);
        if (replies.length > 0) stream.write(Buffer.concat(replies));
      });
      stream.once('end', () => stream.end());
      break;
    default:
      respond(stream, GRPC_UNIMPLEMENTED);
      stream.end();
  }
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  console.log(`canned server listening on esdb://127.0.0.1:${port}?tls=false`);
});
// Nothing to flush; a client's idle connection would keep server.close() waiting.
process.on('SIGTERM', () => process.exit(0));
