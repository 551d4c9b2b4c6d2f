import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

import type { EventStore } from '../storage/index.js';
import { BatchAppendSession } from './batch-append-handler.js';
import { ServerFeaturesService, StreamsService, SupportedMethod, SupportedMethods } from './protocol.js';
import { readHandler, type Responses } from './read-handler.js';
import {
  decodeAppendReq,
  decodeBatchAppendReq,
  encodeAppendResp,
  encodeBatchAppendResp,
  type BatchAppendRequest,
  type BatchAppendResponse,
} from './streams-codec.js';
import { appendHandler, deleteHandler, tombstoneHandler, type OpenAppendCall } from './write-handlers.js';

/** The EventStoreDB version whose gRPC behaviour this server reproduces, as reported to clients. */
export const COMPATIBLE_SERVER_VERSION = '23.10.0';

const STREAMS_SERVICE = 'event_store.client.streams.Streams';
/** How long a stop waits, once every call has been told, for their last replies to go out. */
const STOP_GRACE_MS = 5_000;

/**
 * The shipped Streams definition (paths, streaming flags) with our own codecs on the hot paths:
 * appends decode into and reply from plain objects (`streams-codec.ts`), and reads write ReadResp
 * messages already encoded. Delete, Tombstone and the Read request keep google-protobuf.
 */
const streamsDefinition = {
  ...StreamsService,
  append: {
    ...StreamsService.append,
    requestDeserialize: decodeAppendReq,
    responseSerialize: encodeAppendResp,
  },
  batchAppend: {
    ...StreamsService.batchAppend,
    requestDeserialize: decodeBatchAppendReq,
    responseSerialize: encodeBatchAppendResp,
  },
  read: { ...StreamsService.read, responseSerialize: (value: Buffer): Buffer => value },
} as unknown as ServiceDefinition;

export interface GrpcServer {
  /** Binds and starts serving; resolves with the bound port. */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting calls, drops subscriptions, lets in-flight appends finish. */
  stop(): Promise<void>;
}

export function createGrpcServer(store: EventStore): GrpcServer {
  const server = new Server({
    // The client pings every 10 s even without calls; never answer that with GOAWAY.
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.http2.min_ping_interval_without_data_ms': 1000,
    'grpc.http2.max_ping_strikes': 0,
    // Oversized appends must reach the handler so it can answer `maximum-append-size-exceeded`.
    'grpc.max_receive_message_length': 64 * 1024 * 1024,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
  const subscriptions = new Set<Responses>();
  const batchAppends = new Set<BatchAppendSession>();
  const appends = new Set<OpenAppendCall>();
  server.addService(streamsDefinition, {
    append: appendHandler(store, appends),
    read: readHandler(store, subscriptions),
    delete: deleteHandler(store),
    tombstone: tombstoneHandler(store),
    batchAppend: (call: ServerDuplexStream<BatchAppendRequest, BatchAppendResponse>) => {
      const session = new BatchAppendSession(store, call);
      batchAppends.add(session);
      const forget = (): void => void batchAppends.delete(session);
      call.once('close', forget);
      call.once('cancelled', forget);
    },
  } as UntypedServiceImplementation);
  server.addService(
    ServerFeaturesService as unknown as ServiceDefinition,
    {
      getSupportedMethods: (
        _call: unknown,
        callback: (error: null, value: InstanceType<typeof SupportedMethods>) => void,
      ) => {
        // Listing batchappend makes the client send every append over one BatchAppend stream.
        const methods = ['append', 'batchappend', 'read', 'delete', 'tombstone'].map((method) =>
          new SupportedMethod().setServiceName(STREAMS_SERVICE.toLowerCase()).setMethodName(method),
        );
        callback(
          null,
          new SupportedMethods()
            .setMethodsList(methods)
            .setEventStoreServerVersion(COMPATIBLE_SERVER_VERSION),
        );
      },
    } as UntypedServiceImplementation,
  );

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) =>
        server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
          error ? reject(error) : resolve(bound),
        ),
      ),
    stop: async () => {
      const drained = new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      // Every call the server does not end itself is ended here, so stopping never waits on a client.
      for (const subscription of subscriptions) subscription.drop();
      for (const append of appends) append.close();
      // BatchAppend streams live as long as their client: end them once their appends are answered.
      await Promise.all([...batchAppends].map((session) => session.close()));
      // What is left are appends being written: they end with the log's next sync. A connection that
      // still holds a call after that (a peer that stopped reading) is cut.
      const grace = setTimeout(() => server.forceShutdown(), STOP_GRACE_MS);
      await drained;
      clearTimeout(grace);
    },
  };
}
