import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';

import { ApiErrorFilter, type ApiErrorBody } from '../../../apps/api/src/shared/api-error.filter.js';
import { answerOf } from '../../../libs/http/src/filter-answer.fixture.js';
import {
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  type EmbeddedEventStore,
} from '../../support/embedded-eventstore.js';
import { phoneUser } from './accounts.support.js';
import { startApi, type Api } from './lines.support.js';

/**
 * The api whose event store went away (killed): every command is the store's unavailability (503),
 * which the client resends, never a 500 that calls it a bug. Found by killing the store under load: a
 * command decided on a cached fold goes straight to its append, and once a lost connection has made
 * the client forget the server's features, the append first asks for them again, whose failure the
 * client hands on as gRPC's own error (status 14), not as its UnavailableError.
 */
describe('the api once its event store is gone', () => {
  let store: EmbeddedEventStore;
  let api: Api;

  beforeAll(async () => {
    store = await startEmbeddedEventStore({ inMemory: true });
    api = await startApi({ connectionString: store.connectionString });
  }, PROCESS_BUDGET_MS);
  afterAll(async () => {
    await api?.close();
    await store?.stop('SIGKILL');
  }, PROCESS_BUDGET_MS);

  const post = (path: string, body: object) => api.post(path, body);
  const addPhoneUser = (partyId: string, directNumber: string) =>
    post('/accounts/acme/phone-users', phoneUser(partyId, 0, { numbers: [directNumber] }));

  it(
    "answers the official client's failure to append to a store it cannot reach 503 STORE_UNAVAILABLE, not as a bug",
    async () => {
      // Given the error the client gives an append when the store is gone: its request for the
      // server's features fails first, and that failure is grpc-js's own error, not UnavailableError
      const own = await startEmbeddedEventStore({ inMemory: true });
      const client = EventStoreDBClient.connectionString(own.connectionString);
      await client.appendToStream('store-down-probe', jsonEvent({ type: 'Probe', data: {} }));
      await own.stop('SIGKILL');
      const failure = await client
        .appendToStream('store-down-probe', jsonEvent({ type: 'Probe', data: {} }))
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      await client.dispose();

      // When the api answers it
      const { status, body } = answerOf<ApiErrorBody>(new ApiErrorFilter(), failure);

      // Then it is the store's unavailability
      expect(status).toBe(503);
      expect(body?.code).toBe('STORE_UNAVAILABLE');
    },
    PROCESS_BUDGET_MS,
  );

  it('answers every command on a line it holds in memory 503 STORE_UNAVAILABLE, saying to send it again', async () => {
    // Given a line the api has folded and holds, its call ringing, and then the store killed
    expect(
      (await post('/accounts', { actor: 'root', accountId: 'acme', name: 'Acme', policy: {} })).status,
    ).toBe(201);
    expect((await addPhoneUser('alice', '+15550000001')).status).toBe(201);
    const ring = (callId: string) =>
      post('/accounts/acme/lines/15550000001/incoming-calls', { callId, from: '+15550100' });
    expect((await ring('c1')).status).toBe(201);
    await store.stop('SIGKILL');

    // When commands on that line are sent, one after the other
    const answers = [
      await post('/accounts/acme/lines/15550000001/calls/c1/answer', { actor: 'alice' }),
      await post('/accounts/acme/lines/15550000001/calls/c1/decline', { actor: 'alice' }),
      await ring('c2'),
    ];

    // Then each is the store's unavailability, not a bug
    for (const answer of answers)
      expect(answer).toEqual({
        status: 503,
        body: expect.objectContaining({
          code: 'STORE_UNAVAILABLE',
          message: expect.stringMatching(/event store is not answering.*send the command again/),
        }),
      });
  });
});
