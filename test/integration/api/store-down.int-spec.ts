import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { EventStoreDBClient, jsonEvent } from '@eventstore/db-client';

import { ApiErrorFilter, type ApiErrorBody } from '../../../apps/api/src/shared/api-error.filter.js';
import { answerOf } from '../../../libs/http/src/filter-answer.fixture.js';
import {
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  storeAddress,
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

/** The api's log records (as the JSON lines pino writes), from info up, for `startApi`'s logDestination. */
const apiLog = () => {
  const records: Record<string, unknown>[] = [];
  return {
    records,
    destination: { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) },
    of: (context: string) => records.filter((record) => record.context === context),
  };
};

/**
 * The api started while its event store does not answer: all three killed at once and restarted in
 * any order, or the api's process manager faster than the store's. Found by restarting the api before
 * the store after a kill -9 of both: the api died at start, its first read for the account
 * subscription failing with the client's UnavailableError, and never listened.
 */
describe('the api started before its event store', () => {
  let store: EmbeddedEventStore | undefined;
  let api: Api | undefined;
  let storeDir: string | undefined;

  afterEach(async () => {
    await api?.close();
    await store?.stop('SIGKILL');
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
    api = store = storeDir = undefined;
  }, PROCESS_BUDGET_MS);

  it(
    'starts, answers commands 503 STORE_UNAVAILABLE while the store is away, and takes them once it answers',
    async () => {
      // Given a store address where nothing listens yet
      const gone = await startEmbeddedEventStore({ inMemory: true });
      await gone.stop('SIGTERM');
      const { port } = storeAddress(gone.connectionString);

      // When the api starts there, and stays without it for a few of its tries
      const log = apiLog();
      api = await startApi({ connectionString: gone.connectionString, logDestination: log.destination });

      // Then it answers, commands being the store's unavailability rather than a failed start
      const createAccount = () =>
        api!.post('/accounts', { actor: 'root', accountId: 'early', name: 'Early', commandId: 'early-1' });
      expect(await createAccount()).toEqual({
        status: 503,
        body: expect.objectContaining({ code: 'STORE_UNAVAILABLE' }),
      });
      await sleep(2_500);

      // And its log says once, not at every try, that following the accounts cannot start, why, and
      // how often it is tried again
      expect(log.of('AccountRepository')).toEqual([
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(
            /^subscription to account-\* cannot start \(.*UNAVAILABLE.*\); trying again every 1000 ms until the event store answers$/,
          ),
        }),
      ]);

      // And the line timers' subscription says so once too
      expect(log.of('line-timers')).toEqual([
        expect.objectContaining({
          level: 50,
          msg: expect.stringMatching(
            /^subscription to line events failed \(.*UNAVAILABLE.*\); trying again every 1000 ms until it follows again$/,
          ),
        }),
      ]);

      // And once the store answers at that address, the same command is taken
      store = await startEmbeddedEventStore({ inMemory: true, args: ['--port', port] });
      let answer = await createAccount();
      for (const giveUpAt = Date.now() + 20_000; answer.status === 503 && Date.now() < giveUpAt;)
        answer = await createAccount();
      expect(answer.status).toBe(201);
      expect(
        (await api.post('/accounts/early/phone-users', phoneUser('alice', 0, { numbers: ['+15550000009'] })))
          .status,
      ).toBe(201);

      // And the log says, once each, that following the accounts and the line events started
      const recovered = () => [...log.of('AccountRepository').slice(1), ...log.of('line-timers').slice(1)];
      for (const giveUpAt = Date.now() + 20_000; recovered().length < 2 && Date.now() < giveUpAt;)
        await sleep(100);
      expect(recovered()).toEqual([
        expect.objectContaining({
          level: 30,
          msg: 'subscription to account-* started after trying again: the event store answers',
        }),
        expect.objectContaining({ level: 30, msg: 'subscription to line events follows again, caught up' }),
      ]);
    },
    PROCESS_BUDGET_MS,
  );

  it(
    "on the virtual clock, waits for the store to read the clock's time, then starts at that time",
    async () => {
      // Given a store whose virtual clock was moved an hour on, then stopped
      storeDir = await mkdtemp(join(tmpdir(), 'store-down-'));
      store = await startEmbeddedEventStore({ dataDir: storeDir });
      const { port } = storeAddress(store.connectionString);
      api = await startApi({ clock: 'virtual', connectionString: store.connectionString });
      const { now: movedTo } = (
        await api.post<{ now: string }>('/clock/advance', { actor: 'tester', bySeconds: 3600 })
      ).body;
      await api.close();
      await store.stop('SIGTERM');

      // When the api starts while the store is away, and the store comes back a few of its tries later
      const log = apiLog();
      const starting = startApi({
        clock: 'virtual',
        connectionString: store.connectionString,
        logDestination: log.destination,
      });
      await sleep(2_500);
      store = await startEmbeddedEventStore({ dataDir: storeDir, args: ['--port', port] });
      api = await starting;

      // Then the api's clock is where the store says it was moved, not at its configured start
      expect((await api.get<{ now: string }>('/clock')).body.now).toBe(movedTo);

      // And its log says once that it waits for the store, why, and how often it asks, then that it
      // read the time
      expect(log.of('clock')).toEqual([
        expect.objectContaining({
          level: 40,
          msg: expect.stringMatching(
            /^waiting for the event store to read the virtual clock's time, trying every 1000 ms: .*UNAVAILABLE/,
          ),
        }),
        expect.objectContaining({ level: 30, msg: "read the virtual clock's time: the event store answers" }),
      ]);
    },
    PROCESS_BUDGET_MS,
  );
});
