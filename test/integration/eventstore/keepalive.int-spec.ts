import { once } from 'node:events';
import { connect as connectHttp2, constants } from 'node:http2';
import { connect as connectTcp } from 'node:net';
import { Duplex } from 'node:stream';

import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';

import {
  ownEmbeddedStore,
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  storeAddress,
} from '../../support/embedded-eventstore.js';

const { ReadReq } = streamsPb;

/** A gRPC message frame: not compressed, its length, the message. */
const grpcFrame = (message: Uint8Array): Buffer => {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
};

/** What the official client sends for `subscribeToAll({ fromPosition: END })`. */
const subscribeToAllFromEnd = (): Uint8Array => {
  const options = new ReadReq.Options()
    .setAll(new ReadReq.Options.AllOptions().setEnd(new sharedPb.Empty()))
    .setSubscription(new ReadReq.Options.SubscriptionOptions())
    .setNoFilter(new sharedPb.Empty())
    .setUuidOption(new ReadReq.Options.UUIDOption().setString(new sharedPb.Empty()));
  return new ReadReq().setOptions(options).serializeBinary();
};

/**
 * EventStoreDB pings every client connection (`--keep-alive-interval`, `--keep-alive-timeout`, 10 s
 * each) and closes one whose client stopped answering, which ends that client's subscriptions. The
 * embedded server only answered the client's pings: a client that vanished without closing its
 * connection (a killed load generator, a network that went away) kept its subscriptions on the server
 * for as long as the operating system kept the socket.
 */
describe('keepalive pings from the server', () => {
  const own = ownEmbeddedStore(
    () => undefined,
    ['--keep-alive-interval', '300', '--keep-alive-timeout', '300'],
  );

  it('closes a connection whose client stops answering pings, and with it the subscription', async () => {
    const { hostname, port } = storeAddress(own.server.connectionString);
    const tcp = connectTcp({ host: hostname, port: Number(port) });
    const closedByServer = once(tcp, 'close');
    // Between the HTTP/2 client and the socket, so that the client can go silent as a dead one does.
    let silent = false;
    const wire = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _encoding, done) => {
        if (!silent) tcp.write(chunk);
        done();
      },
    });
    tcp.on('data', (chunk: Buffer) => void (silent || wire.push(chunk)));
    const session = connectHttp2(`http://${hostname}:${port}`, { createConnection: () => wire });
    session.on('error', () => undefined);
    try {
      const subscription = session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: '/event_store.client.streams.Streams/Read',
        [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
        [constants.HTTP2_HEADER_TE]: 'trailers',
      });
      subscription.on('error', () => undefined);
      subscription.end(grpcFrame(subscribeToAllFromEnd()));
      // The confirmation: the subscription is open on the server.
      await once(subscription, 'data');
      silent = true;
      await closedByServer;
    } finally {
      session.destroy();
      tcp.destroy();
    }
  });

  it(
    'refuses a keepalive setting that is not a whole number of milliseconds, naming the option',
    async () => {
      for (const [option, value] of [
        ['--keep-alive-interval', '0'],
        ['--keep-alive-timeout', '1.5'],
      ]) {
        const started = startEmbeddedEventStore({ inMemory: true, args: [option!, value!] });
        await expect(started).rejects.toThrow(
          `option '${option} <ms>' argument '${value}' is invalid. not a number of milliseconds`,
        );
      }
    },
    PROCESS_BUDGET_MS,
  );
});
