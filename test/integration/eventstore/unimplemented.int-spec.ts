import { request } from 'node:http';

import monitoringGrpc from '@eventstore/db-client/generated/monitoring_grpc_pb.js';
import monitoringPb from '@eventstore/db-client/generated/monitoring_pb.js';
import operationsGrpc from '@eventstore/db-client/generated/operations_grpc_pb.js';
import operationsPb from '@eventstore/db-client/generated/operations_pb.js';
import usersGrpc from '@eventstore/db-client/generated/users_grpc_pb.js';
import usersPb from '@eventstore/db-client/generated/users_pb.js';
import { credentials, status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';

import {
  EventStoreDBClient,
  UnknownError,
  jsonEvent,
  persistentSubscriptionToStreamSettingsFromDefaults,
} from '@eventstore/db-client';

import { ownEmbeddedStore, storeAddress } from '../../support/embedded-eventstore.js';
import { collect } from './support.js';

/**
 * What the embedded server does not implement, it says so. The client falls back to HTTP/1.1 on the
 * gRPC port for some persistent-subscription and projection calls (it failed with `Parse Error:
 * Expected HTTP/`): those get a 501 naming what is missing. Calls it makes over gRPC get gRPC's
 * UNIMPLEMENTED, with the same sentence. These tests start their own embedded server: a real EventStoreDB implements them.
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

  const getHttp1 = (path: string) =>
    new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
      const port = storeAddress(own.server.connectionString).port;
      const outgoing = request({ host: '127.0.0.1', port, path, method: 'GET' }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ statusCode: response.statusCode!, body: text }));
      });
      outgoing.on('error', reject);
      outgoing.end();
    });

  it('answers HTTP/1.1 on the gRPC port with a JSON 501', async () => {
    const { statusCode, body } = await getHttp1('/projections/any');
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

  // EventStoreDB answers /stats with its monitoring statistics; the health probes are answered (http.int-spec.ts).
  it('answers /stats with a 501 naming monitoring', async () => {
    const { statusCode, body } = await getHttp1('/stats');
    expect(statusCode).toBe(501);
    expect(JSON.parse(body)).toEqual(expect.objectContaining({ feature: 'monitoring', path: '/stats' }));
  });

  const refusal = (feature: string, path: string): string =>
    `12 UNIMPLEMENTED: ${feature} (${path}) not implemented by the embedded EventStoreDB-compatible server`;

  // Unregistered, these calls were refused by grpc-js with the method's path alone.
  it('refuses the calls the client makes over gRPC with UNIMPLEMENTED, naming the feature; streams go on working', async () => {
    const persistent = '/event_store.client.persistent_subscriptions.PersistentSubscriptions';
    const projections = '/event_store.client.projections.Projections';
    const settings = persistentSubscriptionToStreamSettingsFromDefaults();
    const calls: [feature: string, path: string, call: () => Promise<unknown>][] = [
      [
        'persistent subscriptions',
        `${persistent}/Create`,
        () => client.createPersistentSubscriptionToStream('orders', 'group', settings),
      ],
      [
        'persistent subscriptions',
        `${persistent}/Update`,
        () => client.updatePersistentSubscriptionToStream('orders', 'group', settings),
      ],
      [
        'persistent subscriptions',
        `${persistent}/Delete`,
        () => client.deletePersistentSubscriptionToStream('orders', 'group'),
      ],
      [
        'persistent subscriptions',
        `${persistent}/Read`,
        () => collect(client.subscribeToPersistentSubscriptionToStream('orders', 'group')),
      ],
      ['projections', `${projections}/Create`, () => client.createProjection('p', 'fromAll()')],
      ['projections', `${projections}/Update`, () => client.updateProjection('p', 'fromAll()')],
      ['projections', `${projections}/Delete`, () => client.deleteProjection('p')],
      ['projections', `${projections}/Enable`, () => client.enableProjection('p')],
      ['projections', `${projections}/Disable`, () => client.disableProjection('p')],
      ['projections', `${projections}/Reset`, () => client.resetProjection('p')],
      ['projections', `${projections}/State`, () => client.getProjectionState('p')],
      ['projections', `${projections}/Result`, () => client.getProjectionResult('p')],
      ['projections', `${projections}/Statistics`, () => client.listProjections()],
      ['projections', `${projections}/RestartSubsystem`, () => client.restartSubsystem()],
    ];
    for (const [feature, path, call] of calls) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(UnknownError);
      expect((error as Error).message).toBe(refusal(feature, path));
    }
    const appended = await client.appendToStream(
      'after-unimplemented',
      jsonEvent({ type: 'Still', data: {} }),
    );
    expect(appended.success).toBe(true);
  });

  // The client has no calls for these services; other EventStoreDB clients do.
  it('refuses users, operations and monitoring calls the same way, unary and streaming', async () => {
    const host = storeAddress(own.server.connectionString).host;
    const insecure = credentials.createInsecure();
    const users = new usersGrpc.UsersClient(host, insecure);
    const operations = new operationsGrpc.OperationsClient(host, insecure);
    const monitoring = new monitoringGrpc.MonitoringClient(host, insecure);
    try {
      const unary = (send: (callback: (error: ServiceError | null) => void) => void) =>
        new Promise<ServiceError | null>((resolve) => send(resolve));
      const streaming = (call: ClientReadableStream<unknown>) =>
        new Promise<ServiceError>((resolve) => call.on('error', resolve));
      const errors = [
        await unary((callback) => users.create(new usersPb.CreateReq(), callback)),
        await streaming(users.details(new usersPb.DetailsReq())),
        await unary((callback) => operations.startScavenge(new operationsPb.StartScavengeReq(), callback)),
        await streaming(monitoring.stats(new monitoringPb.StatsReq())),
      ];
      expect(errors.map((error) => [error?.code, error?.details])).toEqual(
        [
          ['users', '/event_store.client.users.Users/Create'],
          ['users', '/event_store.client.users.Users/Details'],
          ['operations', '/event_store.client.operations.Operations/StartScavenge'],
          ['monitoring', '/event_store.client.monitoring.Monitoring/Stats'],
        ].map(([feature, path]) => [
          status.UNIMPLEMENTED,
          refusal(feature!, path!).replace('12 UNIMPLEMENTED: ', ''),
        ]),
      );
    } finally {
      for (const stub of [users, operations, monitoring]) stub.close();
    }
  });
});
