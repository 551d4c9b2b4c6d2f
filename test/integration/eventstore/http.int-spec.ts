import { storeAddress } from '../../support/embedded-eventstore.js';

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

  it('Given a running store, When GET /ping, Then 200 and the text EventStoreDB answers', async () => {
    const response = await fetch(url('/ping'), { headers: { Accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(
      expect.objectContaining({ text: 'Ping request successfully handled' }),
    );
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
