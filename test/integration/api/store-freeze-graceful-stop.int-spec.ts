import { setImmediate } from 'node:timers/promises';

import { CancelledError, EventStoreDBClient, jsonEvent } from '@eventstore/db-client';

import { ApiErrorFilter, type ApiErrorBody } from '../../../apps/api/src/shared/api-error.filter.js';
import { answerOf } from '../../../libs/http/src/filter-answer.fixture.js';
import {
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  type EmbeddedEventStore,
} from '../../support/embedded-eventstore.js';

/**
 * How the api answers the official client's failures when the event store stops gracefully or freezes
 * under appends: as the store's unavailability (503, resent with its command id), never a 500 that
 * calls it a bug. Found by a fault campaign under `load run`: a store stopped with SIGTERM ends the appends
 * still pending on its BatchAppend call with CANCELLED (as EventStoreDB does), and a store frozen
 * (SIGSTOP) past an append's deadline answers it with Timeout once it runs again; the client hands
 * them on as its CancelledError and DeadlineExceededError, which the api answered 500 INTERNAL_ERROR.
 */
describe('the api while its event store stops gracefully or freezes', () => {
  let store: EmbeddedEventStore | undefined;

  afterEach(async () => {
    if (store?.process.signalCode === null && store.process.exitCode === null) store.process.kill('SIGCONT');
    await store?.stop('SIGKILL');
    store = undefined;
  }, PROCESS_BUDGET_MS);

  /** A store of this test's own and a client that has appended to it once, so its connection is up. */
  const connectedStore = async (): Promise<{ server: EmbeddedEventStore; client: EventStoreDBClient }> => {
    const server = (store = await startEmbeddedEventStore({ inMemory: true }));
    const client = EventStoreDBClient.connectionString(server.connectionString);
    await client.appendToStream('store-probe', probe());
    return { server, client };
  };

  it(
    'answers the appends a store stopped with SIGTERM left pending 503 STORE_UNAVAILABLE, as the client fails them',
    async () => {
      // Given appends streaming at a store over the client's one BatchAppend call, 50 at a time
      const { server, client } = await connectedStore();
      let sent = 0;
      let stopped = false;
      const sender = async (): Promise<unknown[]> => {
        const failures: unknown[] = [];
        while (!stopped)
          await client
            .appendToStream(`store-graceful-${sent++}`, probe())
            .catch((error: unknown) => failures.push(error));
        return failures;
      };
      const senders = Array.from({ length: 50 }, sender);

      // When the store is stopped gracefully while they are in flight (a hundred sent: each sender has
      // one pending whenever it is not between two), and the api answers each failure
      while (sent < 100) await setImmediate();
      await server.stop('SIGTERM');
      stopped = true;
      const failures = (await Promise.all(senders)).flat();
      await client.dispose();

      // Then the stop ended appends pending on the call (CANCELLED), and each failure is the store's
      // unavailability, never a bug
      expect(failures.some((failure) => failure instanceof CancelledError)).toBe(true);
      for (const failure of failures) {
        const { status, body } = answerOf<ApiErrorBody>(new ApiErrorFilter(), failure);
        expect({ status, code: body?.code }).toEqual({ status: 503, code: 'STORE_UNAVAILABLE' });
      }
    },
    PROCESS_BUDGET_MS,
  );

  it(
    "answers an append whose deadline passed while the store was frozen 503 STORE_UNAVAILABLE, as the client's failure",
    async () => {
      // Given an append sent with a short deadline to a store frozen by SIGSTOP
      const { server, client } = await connectedStore();
      server.process.kill('SIGSTOP');
      const pending = client.appendToStream('store-probe', probe(), { deadline: 200 }).then(
        () => undefined,
        (error: unknown) => error,
      );

      // When the store runs again once the client failed the append, and the api answers that failure
      const failure = await pending;
      server.process.kill('SIGCONT');
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

const probe = () => jsonEvent({ type: 'Probe', data: {} });
