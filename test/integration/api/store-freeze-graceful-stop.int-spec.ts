import { setTimeout as sleep } from 'node:timers/promises';

import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';

import { ApiErrorFilter, type ApiErrorBody } from '../../../apps/api/src/shared/api-error.filter.js';
import { answerOf } from '../../../libs/http/src/filter-answer.fixture.js';
import {
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  type EmbeddedEventStore,
} from '../../support/embedded-eventstore.js';
import { startApi, type Api } from './lines.support.js';

/**
 * The api whose event store stops gracefully or freezes while commands are in flight: each command is
 * taken or is the store's unavailability (503, resent with its command id), never a 500 that calls it
 * a bug. Found by a fault campaign under `load run`: a store stopped with SIGTERM ends the appends
 * still pending on its BatchAppend call with CANCELLED (as EventStoreDB does), and a store frozen
 * (SIGSTOP) past an append's deadline answers it with Timeout once it runs again; the client hands
 * them on as its CancelledError and DeadlineExceededError, which the api answered 500 INTERNAL_ERROR.
 */
describe('the api while its event store stops gracefully or freezes', () => {
  let store: EmbeddedEventStore | undefined;
  let api: Api | undefined;

  afterEach(async () => {
    await api?.close();
    if (store?.process.signalCode === null && store.process.exitCode === null) store.process.kill('SIGCONT');
    await store?.stop('SIGKILL');
    api = store = undefined;
  }, PROCESS_BUDGET_MS);

  it(
    'answers every command in flight when the store is stopped with SIGTERM 201 or 503 STORE_UNAVAILABLE',
    async () => {
      // Given an api on a store, and commands streaming at it: each a new account, so each an append
      store = await startEmbeddedEventStore({ inMemory: true });
      api = await startApi({ connectionString: store.connectionString });
      expect((await createAccount(api, 'warm')).status).toBe(201);
      let sent = 0;
      let stopping = false;
      const sender = async (): Promise<Answer[]> => {
        const answers: Answer[] = [];
        while (!stopping) answers.push(await createAccount(api!, `a${sent++}`));
        return answers;
      };
      const senders = Array.from({ length: 40 }, sender);

      // When the store is stopped gracefully while they are in flight
      await sleep(300);
      await store.stop('SIGTERM');
      stopping = true;
      const answers = (await Promise.all(senders)).flat();

      // Then each command was taken or is the store's unavailability, and the stop met some in flight
      const refused = answers.filter(({ status }) => status !== 201);
      expect(refused.length).toBeGreaterThan(0);
      for (const answer of refused)
        expect(answer).toEqual({ status: 503, body: expect.objectContaining({ code: 'STORE_UNAVAILABLE' }) });
    },
    PROCESS_BUDGET_MS,
  );

  it(
    "answers an append whose deadline passed while the store was frozen 503 STORE_UNAVAILABLE, as the client's failure",
    async () => {
      // Given an append sent with a short deadline to a store frozen by SIGSTOP
      store = await startEmbeddedEventStore({ inMemory: true });
      const client = EventStoreDBClient.connectionString(store.connectionString);
      await client.appendToStream('store-freeze-probe', jsonEvent({ type: 'Probe', data: {} }));
      store.process.kill('SIGSTOP');
      const pending = client
        .appendToStream('store-freeze-probe', jsonEvent({ type: 'Probe', data: {} }), { deadline: 200 })
        .then(
          () => undefined,
          (error: unknown) => error,
        );

      // When the store runs again after the deadline, and the api answers the client's failure
      await sleep(1_000);
      store.process.kill('SIGCONT');
      const failure = await pending;
      await client.dispose();
      const { status, body } = answerOf<ApiErrorBody>(new ApiErrorFilter(), failure);

      // Then it is the store's unavailability: resent with its command id, it is applied at most once
      expect(failure).toBeInstanceOf(Error);
      expect(status).toBe(503);
      expect(body?.code).toBe('STORE_UNAVAILABLE');
    },
    PROCESS_BUDGET_MS,
  );
});

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const createAccount = (api: Api, accountId: string): Promise<Answer> =>
  api.post('/accounts', { actor: 'root', accountId, name: accountId, policy: {} });
