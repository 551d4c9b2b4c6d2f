import type { EventStoreDBClient } from '@eventstore/db-client';

import { storeAddress } from '../../support/embedded-eventstore.js';
import { storeForSuite } from './support.js';

/** The official client's HTTP request, the one its persistent-subscription and projection calls send. */
type ClientHttpRequest = <T>(
  method: 'GET' | 'POST',
  path: string,
  options: { transformError?: (statusCode: number, statusMessage: string) => Error | undefined },
) => Promise<T>;

/** The client keeps its HTTP request protected; its own test suite reaches it the same way. */
const httpRequestOf = (client: EventStoreDBClient): ClientHttpRequest =>
  (client as unknown as { HTTPRequest: ClientHttpRequest }).HTTPRequest;

/**
 * The store's HTTP port, as tools probe it before any client connects: docker-compose's and
 * Kubernetes' health checks ask `/health/live`, scripts `/ping` and `/info`. EventStoreDB answers them
 * on the port its gRPC clients use (ClusterVNodeStartup's StatusCheck, PingController,
 * InfoController); so must the embedded server, or a health check written for one fails on the other.
 */
describe("the store's HTTP probes", () => {
  const url = (path: string): string => {
    const { hostname, port } = storeAddress(process.env.EVENTSTORE_CONNECTION_STRING!);
    return `http://${hostname}:${port}${path}`;
  };

  it('Given a running store, When GET or HEAD /health/live, Then 204 with no body', async () => {
    for (const method of ['GET', 'HEAD']) {
      const response = await fetch(url('/health/live'), { method });
      expect([method, response.status, await response.text()]).toEqual([method, 204, '']);
    }
  });

  it('Given a running store, When POST /health/live, Then 405: the health branch takes GET and HEAD only', async () => {
    const response = await fetch(url('/health/live'), { method: 'POST' });
    expect(response.status).toBe(405);
  });

  const { client } = storeForSuite();

  // The client's own suite (extra/http.test.ts) expects exactly this of a real node: EventStoreDB
  // answers with its TextMessage, whose JSON carries the message's type id beside the text.
  it('Given a running store, When the official client GETs /ping, Then the text EventStoreDB answers and a numeric msgTypeId', async () => {
    const ping = await httpRequestOf(client)('GET', '/ping', {});
    expect(ping).toEqual({ msgTypeId: expect.any(Number), text: 'Ping request successfully handled' });
  });

  it('Given a running store, When a path EventStoreDB has no route for is requested, Then 404 Not Found, as the client sees it', async () => {
    const seen: [number, string][] = [];
    const error = await httpRequestOf(client)('POST', '/asdpoijsad', {
      transformError: (statusCode, statusMessage) => {
        seen.push([statusCode, statusMessage]);
        return new Error(statusMessage);
      },
    }).catch((failure: unknown) => failure);
    expect(seen).toEqual([[404, 'Not Found']]);
    expect(error).toEqual(new Error('Not Found'));
  });

  it('Given a running single node, When GET /info, Then 200 naming its version, leader state and insecure authentication', async () => {
    const response = await fetch(url('/info'), { headers: { Accept: 'application/json' } });
    expect(response.status).toBe(200);
    const info = (await response.json()) as Record<string, unknown>;
    expect(info).toEqual(
      expect.objectContaining({
        esVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
        state: 'leader',
        features: expect.any(Object),
        authentication: expect.objectContaining({ type: 'insecure' }),
      }),
    );
  });
});
