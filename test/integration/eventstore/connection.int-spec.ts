import { connect as connectTcp } from 'node:net';

import { EventStoreDBClient, UnavailableError, jsonEvent } from '@eventstore/db-client';

import { storeAddress } from '../../support/embedded-eventstore.js';

import { collect, uniqueStream } from './support.js';

/**
 * The client speaks TLS unless the connection string says `tls=false`, and an insecure EventStoreDB
 * answers the TLS greeting as a malformed HTTP/1.1 request: 400 and the connection closed, so the
 * client's handshake fails and its calls fail at once. The embedded server waited for a request line
 * that never came, and every call of such a client hung: reads and subscriptions for ever.
 */
describe('a client that forgets tls=false', () => {
  const insecure = process.env.EVENTSTORE_CONNECTION_STRING!;
  const overTls = insecure.replace(/([?&])tls=false/, '$1tls=true');
  let client: EventStoreDBClient;
  beforeAll(() => {
    client = EventStoreDBClient.connectionString(overTls);
  });
  afterAll(() => client.dispose());

  // The client raises UnavailableError for reads and a plain Error for appends: its own mapping, the
  // same against EventStoreDB. What matters is that each call fails, with UNAVAILABLE.
  it('fails reads, subscriptions and appends with UNAVAILABLE instead of waiting', async () => {
    expect(overTls).not.toBe(insecure);
    const stream = uniqueStream('over-tls');
    const outcomes = await Promise.allSettled([
      collect(client.readStream(stream)),
      collect(client.readAll({ maxCount: 1 })),
      collect(client.subscribeToStream(stream)),
      client.appendToStream(stream, jsonEvent({ type: 'Lost', data: {} })),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    const [read, readAll, subscription, append] = outcomes.map(
      (outcome) => (outcome as PromiseRejectedResult).reason as Error,
    );
    for (const error of [read, readAll, subscription]) expect(error).toBeInstanceOf(UnavailableError);
    for (const error of [read, readAll, subscription, append])
      expect(error!.message).toMatch(/^14 UNAVAILABLE: No connection established/);
  });

  it('what starts as neither HTTP/2 nor HTTP/1.1 is answered 400 and the connection closed', async () => {
    const { hostname, port } = storeAddress(insecure);
    const answerTo = (bytes: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const socket = connectTcp({ host: hostname, port: Number(port) }, () => socket.write(bytes));
        let answer = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (answer += chunk));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
      });
    // The start of a TLS 1.2 ClientHello record, and bytes no protocol starts with.
    const tlsHello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03]);
    const binary = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x0d, 0x0a]);
    for (const bytes of [tlsHello, binary])
      expect(await answerTo(bytes)).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
  });
});
