import { request } from 'node:http';

import {
  EventStoreDBClient,
  UnknownError,
  jsonEvent,
  persistentSubscriptionToStreamSettingsFromDefaults,
} from '@eventstore/db-client';

import { ownEmbeddedStore, storeAddress } from '../../support/embedded-eventstore.js';

/**
 * What the embedded server does not implement, it says so. The client falls back to HTTP/1.1 on the
 * gRPC port for some persistent-subscription and projection calls (it failed with `Parse Error:
 * Expected HTTP/`): those get a 501 naming what is missing. Calls it makes over gRPC keep gRPC's
 * UNIMPLEMENTED. These tests start their own embedded server: a real EventStoreDB implements them.
 */
describe('calls the embedded server does not implement', () => {
  let client: EventStoreDBClient;
  const own = ownEmbeddedStore(() => client.dispose());
  beforeAll(() => {
    client = EventStoreDBClient.connectionString(own.server.connectionString);
  });

  const failure = (call: Promise<unknown>): Promise<unknown> =>
    call.then(
      () => new Error('expected a failure'),
      (error: unknown) => error,
    );

  it('the client calls that fall back to HTTP fail with a message naming what is not implemented', async () => {
    const fallbacks: [string, () => Promise<unknown>][] = [
      [
        'GET /subscriptions/orders/group/info',
        () => client.getPersistentSubscriptionToStreamInfo('orders', 'group'),
      ],
      ['GET /subscriptions/orders', () => client.listPersistentSubscriptionsToStream('orders')],
      ['GET /subscriptions', () => client.listAllPersistentSubscriptions()],
      [
        'POST /subscriptions/orders/group/replayParked',
        () => client.replayParkedMessagesToStream('orders', 'group'),
      ],
      ['POST /subscriptions/restart', () => client.restartPersistentSubscriptionSubsystem()],
      [
        'POST /projections/continuous',
        () => client.createProjection('p', 'fromAll()', { trackEmittedStreams: true }),
      ],
    ];
    for (const [what, call] of fallbacks) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(UnknownError);
      expect((error as Error).message).toContain(`(${what}) not implemented by the embedded`);
      expect((error as Error).message).toMatch(/^Not Implemented: (persistent subscriptions|projections) /);
    }
  });

  it('answers HTTP/1.1 on the gRPC port with a JSON 501', async () => {
    const { statusCode, body } = await new Promise<{ statusCode: number; body: string }>(
      (resolve, reject) => {
        const port = storeAddress(own.server.connectionString).port;
        const outgoing = request(
          { host: '127.0.0.1', port, path: '/projections/any', method: 'GET' },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () => resolve({ statusCode: response.statusCode!, body: text }));
          },
        );
        outgoing.on('error', reject);
        outgoing.end();
      },
    );
    expect(statusCode).toBe(501);
    expect(JSON.parse(body)).toEqual({
      error: 'not-implemented',
      feature: 'projections',
      method: 'GET',
      path: '/projections/any',
      message:
        'projections (GET /projections/any) not implemented by the embedded EventStoreDB-compatible server',
    });
  });

  it('keeps gRPC UNIMPLEMENTED for calls made over gRPC, and the port goes on serving streams', async () => {
    const create = await failure(
      client.createPersistentSubscriptionToStream(
        'orders',
        'group',
        persistentSubscriptionToStreamSettingsFromDefaults(),
      ),
    );
    expect(create).toBeInstanceOf(UnknownError);
    expect((create as Error).message).toMatch(/UNIMPLEMENTED/);
    const state = await failure(client.getProjectionState('p'));
    expect((state as Error).message).toMatch(/UNIMPLEMENTED/);
    const appended = await client.appendToStream(
      'after-unimplemented',
      jsonEvent({ type: 'Still', data: {} }),
    );
    expect(appended.success).toBe(true);
  });
});
