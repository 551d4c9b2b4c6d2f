import { connect, type ClientHttp2Session } from 'node:http2';

import {
  CONNECTION_RECEIVE_WINDOW_BYTES,
  STREAM_RECEIVE_WINDOW_BYTES,
} from '../../../apps/eventstore/src/grpc/server.js';
import { ownEmbeddedStore, storeAddress } from '../../support/embedded-eventstore.js';

/**
 * The server opens every HTTP/2 connection with receive windows of Kestrel's size, not Node's 64 KiB:
 * the official client sends all appends over one BatchAppend stream, and with 64 KiB a writer of
 * 100-event appends waited for a WINDOW_UPDATE per append. What a client can see of it is the
 * SETTINGS frame and the connection's send window.
 */
describe('HTTP/2 receive windows', () => {
  let session: ClientHttp2Session;
  const own = ownEmbeddedStore(() => session?.close());

  it('lets a client send 768 KiB on a stream and 1 MiB on the connection before it must wait', async () => {
    session = connect(storeAddress(own.server.connectionString).origin);
    const settings = await new Promise<{ initialWindowSize?: number }>((resolve) =>
      session.once('remoteSettings', resolve),
    );
    expect(settings.initialWindowSize).toBe(STREAM_RECEIVE_WINDOW_BYTES);
    // The connection window is widened by a WINDOW_UPDATE that follows the SETTINGS.
    const deadline = Date.now() + 5_000;
    while (session.state.remoteWindowSize !== CONNECTION_RECEIVE_WINDOW_BYTES && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(session.state.remoteWindowSize).toBe(CONNECTION_RECEIVE_WINDOW_BYTES);
  });
});
