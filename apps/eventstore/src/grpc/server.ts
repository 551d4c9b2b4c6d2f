import { randomUUID } from 'node:crypto';
import type { Http2Server, Http2Session, ServerOptions as Http2ServerOptions } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

import {
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

import type { LogStore } from '../storage/index.js';
import { BatchAppendSession } from './batch-append-handler.js';
import {
  advertisedEndPoint,
  gossipReadHandler,
  type AdvertiseToClient,
  type HttpEndPoint,
} from './gossip.js';
import { answerHttpRequest, type NodeInfo } from './http-endpoints.js';
import {
  GossipService,
  ServerFeaturesService,
  StreamsService,
  SupportedMethod,
  SupportedMethods,
} from './protocol.js';
import { readHandler, type Responses } from './read-handler.js';
import {
  decodeAppendReq,
  decodeBatchAppendReq,
  encodeAppendResp,
  encodeBatchAppendResp,
  type BatchAppendRequest,
  type BatchAppendResponse,
} from './streams-codec.js';
import { UNIMPLEMENTED_SERVICES, unimplementedService } from './unimplemented.js';
import { appendHandler, deleteHandler, tombstoneHandler, type OpenAppendCall } from './write-handlers.js';

/** The EventStoreDB version whose gRPC behaviour this server reproduces, as reported to clients. */
export const COMPATIBLE_SERVER_VERSION = '23.10.0';

/** What the HTTP port's `/info` reports. */
const NODE_INFO: NodeInfo = { esVersion: COMPATIBLE_SERVER_VERSION };

const STREAMS_SERVICE = 'event_store.client.streams.Streams';
const GOSSIP_SERVICE = 'event_store.client.gossip.Gossip';

/**
 * The Streams methods ServerFeatures lists (lower case, as EventStoreDB lists them). Listing
 * batchappend makes the client send every append over one BatchAppend stream.
 */
export const SUPPORTED_STREAMS_METHODS = ['append', 'batchappend', 'read', 'delete', 'tombstone'] as const;

/**
 * The features EventStoreDB's ServerFeatures lists with a Streams method: Read's `position` and
 * `events`, and BatchAppend's `deadline_duration`, which tells a client it may send an append's
 * deadline as a Duration (BatchAppendReq.Options field 7; streams-codec.ts reads it).
 */
const STREAMS_METHOD_FEATURES: Readonly<Partial<Record<string, readonly string[]>>> = {
  read: ['position', 'events'],
  batchappend: ['deadline_duration'],
};

/**
 * Every method ServerFeatures lists, as `[service, method, features]`: EventStoreDB lists each
 * client-facing one.
 */
const SUPPORTED_METHODS: readonly (readonly [string, string, readonly string[]])[] = [
  ...SUPPORTED_STREAMS_METHODS.map(
    (method) => [STREAMS_SERVICE, method, STREAMS_METHOD_FEATURES[method] ?? []] as const,
  ),
  [GOSSIP_SERVICE, 'read', []],
];

/**
 * HTTP/2 receive windows, as Kestrel (EventStoreDB's HTTP server) advertises them since .NET 7: the
 * bytes a client may send before the server acknowledges them, per connection and per stream.
 * Node's default is 64 KiB for both, and the official client sends every append over one
 * BatchAppend stream: with 64 KiB, writers of 100-event appends (~50 KiB each) waited for
 * WINDOW_UPDATEs one append at a time and the client idled 23% of a run (bench:store (b): 81% of
 * the client's ceiling with 64 KiB, 92% with these, same run). Memory stays bounded: a call's
 * unfinished appends are held to MAX_UNFINISHED_BYTES_PER_CALL whatever the window.
 */
export const CONNECTION_RECEIVE_WINDOW_BYTES = 1024 * 1024;
export const STREAM_RECEIVE_WINDOW_BYTES = 768 * 1024;
/**
 * The calls one connection may carry at once (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS): Kestrel's
 * default, which EventStoreDB keeps. A client's further calls wait, without an error, until one of its
 * calls ends; the official client sends all its calls over one connection, so 100 open subscriptions
 * stall its 101st call. With no limit here, a program holding more worked against this server and
 * stalled against EventStoreDB.
 */
export const MAX_CONCURRENT_CALLS_PER_CONNECTION = 100;
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

export interface GrpcServerOptions {
  /** This node's instance id, which gossip reports (stable for the process); default: a new one. */
  readonly instanceId?: string;
  /** What gossip tells clients to connect to, in place of the bound host and port. */
  readonly advertiseToClient?: AdvertiseToClient;
  /** How often each connection is pinged, and how long the client has to answer; default 10 s each. */
  readonly keepAlive?: { readonly intervalMs: number; readonly timeoutMs: number };
}

/** EventStoreDB's `--keep-alive-interval` and `--keep-alive-timeout` defaults. */
export const DEFAULT_KEEP_ALIVE = { intervalMs: 10_000, timeoutMs: 10_000 } as const;

export function createGrpcServer(store: LogStore, options: GrpcServerOptions = {}): GrpcServer {
  const keepAlive = options.keepAlive ?? DEFAULT_KEEP_ALIVE;
  const server = new Server({
    // As EventStoreDB does, ping every connection and close one whose client stopped answering: that
    // ends the calls of a client that vanished without closing (killed, or its network gone), which
    // otherwise held their subscriptions on the server for as long as the socket lived.
    'grpc.keepalive_time_ms': keepAlive.intervalMs,
    'grpc.keepalive_timeout_ms': keepAlive.timeoutMs,
    'grpc.max_concurrent_streams': MAX_CONCURRENT_CALLS_PER_CONNECTION,
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
  let endPoint: HttpEndPoint | undefined;
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
        const methods = SUPPORTED_METHODS.map(([service, method, features]) =>
          new SupportedMethod()
            .setServiceName(service.toLowerCase())
            .setMethodName(method)
            .setFeaturesList([...features]),
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
  server.addService(
    GossipService as unknown as ServiceDefinition,
    {
      read: gossipReadHandler(options.instanceId ?? randomUUID(), () => endPoint),
    } as UntypedServiceImplementation,
  );

  for (const [feature, definition] of UNIMPLEMENTED_SERVICES)
    server.addService(definition, unimplementedService(feature, definition));

  // One TCP port for both protocols, as on EventStoreDB: gRPC over HTTP/2, and HTTP/1.1 for what the
  // client asks over HTTP (it falls back to it for calls the server does not list as supported).
  const injector = withReceiveWindows(server, () =>
    server.createConnectionInjector(ServerCredentials.createInsecure()),
  );
  // Connections not yet sorted by protocol, or answering over HTTP/1.1: a stop closes them.
  const unsorted = new Set<Socket>();
  const listener = createNetServer((socket) => {
    unsorted.add(socket);
    socket.once('close', () => unsorted.delete(socket));
    socket.once('error', () => socket.destroy());
    socket.once('data', (first: Buffer) => {
      if (!isHttp2Preface(first)) {
        return startsLikeHttp1(first)
          ? answerHttp1(socket, first, NODE_INFO)
          : answerBadRequest(socket, first);
      }
      unsorted.delete(socket);
      socket.pause();
      // http2 hands what was read before the session started to the session first.
      socket.unshift(first);
      injector.injectConnection(socket);
    });
  });

  return {
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        listener.once('error', reject);
        listener.listen(port, host, () => {
          listener.off('error', reject);
          const bound = listener.address() as AddressInfo;
          endPoint = advertisedEndPoint(
            { host, address: bound.address, port: bound.port },
            options.advertiseToClient,
          );
          resolve(bound.port);
        });
      }),
    stop: async () => {
      listener.close();
      for (const socket of unsorted) socket.destroy();
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

/**
 * The parts of grpc-js's Server that hold the HTTP/2 server options and servers. grpc-js has no
 * option for a server's receive windows (grpc-node pull request 3058 adds
 * `grpc-node.flow_control_window` for servers; not released), so they are set here.
 */
interface GrpcServerInternals {
  commonServerOptions?: Http2ServerOptions;
  http2Servers?: Map<Http2Server, unknown>;
}

/**
 * Creates the connection injector with the receive windows above: the stream window through the
 * SETTINGS every session opens with, the connection window with a WINDOW_UPDATE as each session
 * starts. Should a grpc-js release move these internals, the server still works, with Node's 64 KiB
 * windows, and says so; the window test (`flow-control.int-spec.ts`) fails on such a release.
 */
function withReceiveWindows<T>(server: Server, createInjector: () => T): T {
  const internals = server as unknown as GrpcServerInternals;
  const options = internals.commonServerOptions;
  if (!options || !(internals.http2Servers instanceof Map)) {
    console.warn('eventstore: this grpc-js keeps HTTP/2 receive windows at 64 KiB; appends will be slower');
    return createInjector();
  }
  options.settings = { ...options.settings, initialWindowSize: STREAM_RECEIVE_WINDOW_BYTES };
  const before = new Set(internals.http2Servers.keys());
  const injector = createInjector();
  for (const http2Server of internals.http2Servers.keys()) {
    if (before.has(http2Server)) continue;
    // A session whose socket is already gone throws on setLocalWindowSize: a client must not crash us.
    http2Server.on('session', (session: Http2Session) => {
      if (!session.destroyed) session.setLocalWindowSize(CONNECTION_RECEIVE_WINDOW_BYTES);
    });
  }
  return injector;
}

/** Every HTTP/2 connection starts with this preface; an HTTP/1.1 one starts with a request line. */
const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

function isHttp2Preface(first: Buffer): boolean {
  const length = Math.min(first.length, HTTP2_PREFACE.length);
  return first.subarray(0, length).equals(HTTP2_PREFACE.subarray(0, length));
}

/**
 * The characters an HTTP method (a token) is made of. What starts otherwise is not HTTP/1.1: most often
 * a TLS handshake, from a client whose connection string lacks `tls=false`.
 */
const HTTP_TOKEN_CHARACTER = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
/** A TLS connection starts with a handshake record, content type 22. */
const TLS_HANDSHAKE_RECORD = 0x16;

function startsLikeHttp1(first: Buffer): boolean {
  return HTTP_TOKEN_CHARACTER.test(String.fromCharCode(first[0]!));
}

/**
 * What is neither HTTP/2 nor HTTP/1.1 is answered as Kestrel (EventStoreDB's HTTP server) answers a
 * malformed request line: 400, and the connection closed. A TLS client's handshake then fails and its
 * calls fail at once with UNAVAILABLE; waiting for a request line that never comes left every call of
 * that client hanging, reads and subscriptions for ever. The TLS client cannot read the answer, so the
 * server also says on its console what went wrong.
 */
function answerBadRequest(socket: Socket, first: Buffer): void {
  const tls = first[0] === TLS_HANDSHAKE_RECORD;
  const message = tls
    ? 'a client opened a TLS connection, and this server speaks only plain text: connect with tls=false (esdb://host:port?tls=false)'
    : 'a client sent something that is neither HTTP/2 nor HTTP/1.1';
  if (tls) console.warn(`eventstore: ${message}`);
  const body = JSON.stringify({ error: 'bad-request', message });
  socket.end(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** A request head larger than this is not one the client sends: the connection is dropped. */
const MAX_HTTP1_HEAD_BYTES = 16 * 1024;

/**
 * HTTP/1.1 on the gRPC port, as on EventStoreDB: the probes tools send (`/health/live`, `/ping`,
 * `/info`), and the official client's fallbacks for persistent-subscription info/list/replay/restart
 * and some projection calls, which get a 501 naming what is missing (without an answer in HTTP/1.1
 * the client failed with `Parse Error: Expected HTTP/`). The request head is read, answered
 * (`http-endpoints.ts`), and the connection closed (`Connection: close`); a body is not read.
 */
function answerHttp1(socket: Socket, first: Buffer, info: NodeInfo): void {
  let head = first;
  const answer = (): void => {
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > MAX_HTTP1_HEAD_BYTES) socket.destroy();
      return;
    }
    socket.off('data', more);
    const [method = 'GET', target = '/'] = head
      .subarray(0, head.indexOf('\r\n'))
      .toString('latin1')
      .split(' ');
    const path = new URL(target, 'http://localhost').pathname;
    const { status, reason, headers, body } = answerHttpRequest(method, path, info);
    const fields = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\n${fields.join('')}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        // A HEAD is answered with the head a GET would get, and never a body.
        (method === 'HEAD' ? '' : body),
    );
  };
  const more = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    answer();
  };
  socket.on('data', more);
  answer();
}
