import { jest } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { accountDecider } from '#domain';
import { accountStream, eventSchemas, type AccountEvent } from '#events';
import { EventStore, createEventStoreClient } from '#eventstore';
import { LineTimersProcessManager } from '../../../apps/api/src/lines/line-timers.process-manager.js';
import { collect } from '../../support/collect.js';
import {
  PROCESS_BUDGET_MS,
  startEmbeddedEventStore,
  storeAddress,
  type EmbeddedEventStore,
} from '../../support/embedded-eventstore.js';
import {
  ALICE,
  CALLER,
  apisOnOneStore,
  eventually,
  pendingTimersOn,
  startApi,
  type Api,
  type SeededLine,
} from './lines.support.js';

jest.setTimeout(60_000);

const BOB = 'bob';

/** A call Alice answered through `api` and is transferring to Bob there. */
const transferringToBob = async (api: Api, label: string): Promise<SeededLine> => {
  const line = await api.seedLine(label, { delegates: [{ id: BOB }] });
  expect((await api.post(`${line.path}/incoming-calls`, { from: CALLER, callId: 'c1' })).status).toBe(201);
  expect((await api.post(`${line.path}/calls/c1/answer`, { actor: ALICE })).status).toBe(200);
  const transfer = await api.post(`${line.path}/calls/c1/transfer`, { actor: ALICE, to: BOB });
  expect(transfer.status).toBe(200);
  return line;
};

const recallsOf = async (line: SeededLine) =>
  (await line.storedEvents()).filter((stored) => stored.event.type === 'CallTransferRecalled');

const recalledOnce = async (line: SeededLine): Promise<void> => {
  await eventually(async () => (await recallsOf(line)).length > 0, 'the transfer was never recalled');
  // Every instance has had its say: each checked the change (or found it a duplicate)
  await sleep(500);
  const recalls = await recallsOf(line);
  expect(recalls.map((stored) => stored.event.data)).toEqual([
    expect.objectContaining({
      callId: 'c1',
      attempt: 1,
      to: ALICE,
      target: BOB,
      reason: 'targetNotAllowed',
    }),
  ]);
};

/**
 * Alice's revocation of Bob's delegation as a history import writes it: decided by the real decider on
 * the account as stored, appended through `events` under `importId` (no api instance takes this
 * command). Answers the ids of the events appended.
 */
const revokeBobStraightToStore = async (
  events: EventStore,
  accountId: string,
  importId: string,
): Promise<readonly string[]> => {
  const stream = accountStream(accountId);
  const stored = await collect(events.readStream<AccountEvent>(stream));
  const state = stored.reduce(
    (folded, { event }) => accountDecider.evolve(folded, event),
    accountDecider.initialState,
  );
  const now = '2026-01-05T09:05:00.000Z';
  const revocation = accountDecider.decide(
    { type: 'RevokeDelegation', actor: ALICE, delegationId: `del-${BOB}` },
    state,
    { now },
  );
  const appended = await events.append(
    stream,
    'events' in revocation ? revocation.events : revocation,
    stored.at(-1)!.revision,
    {
      $correlationId: importId,
      $causationId: importId,
      commandId: importId,
      actor: ALICE,
      onBehalfOf: null,
      permission: null,
      simulatedTime: now,
    },
  );
  return appended.eventIds;
};

/**
 * R16 across api instances: every instance holds every line's recall timers, and each checks the
 * transfers it holds against an account change it sees in the log, whoever wrote the change. Virtual
 * clocks stand still, so no recall timer can fire: a recall seen here was the check's.
 */
describe('R16: a transfer whose target may no longer take it, on two api instances', () => {
  const two = apisOnOneStore(2);

  it('Given a transfer requested through instance A that instance B has not seen yet, When the delegation is revoked through instance B, Then A calls the transfer back at once', async () => {
    const [first, second] = two.apis;
    // B's timers stopped: it holds no recall timer, as when it takes the change before its
    // subscription brings the transfer, so its own check of the change finds nothing to check
    await second.app.get(LineTimersProcessManager).onApplicationShutdown();
    const line = await transferringToBob(first, 'recheck-unseen');

    const revoked = await second.post(`/accounts/${line.accountId}/delegations/del-${BOB}/revoke`, {
      actor: ALICE,
    });
    expect(revoked.status).toBe(200);

    await recalledOnce(line);
    expect(await pendingTimersOn(first)).toEqual([]);
    // Bob, who may no longer act on the line, is told the transfer to him was recalled
    const answer = await first.post(`${line.path}/calls/c1/answer`, { actor: BOB });
    expect(answer).toMatchObject({
      status: 409,
      body: {
        code: 'NOT_RINGING_FOR_YOU',
        details: { reason: 'TRANSFER_RECALLED', recalledFor: 'targetNotAllowed', backTo: ALICE },
      },
    });
  });

  it('Given a transfer whose recall timer both instances hold, When the delegation is revoked through instance B, Then both check it and the call comes back to Alice exactly once', async () => {
    const [first, second] = two.apis;
    const line = await transferringToBob(first, 'recheck-both');
    await eventually(
      async () => (await pendingTimersOn(second)).length > 0,
      'the second api never put the recall timer on its clock',
    );

    const revoked = await second.post(`/accounts/${line.accountId}/delegations/del-${BOB}/revoke`, {
      actor: ALICE,
    });
    expect(revoked.status).toBe(200);

    await recalledOnce(line);
    await eventually(
      async () => (await pendingTimersOn(first)).length === 0 && (await pendingTimersOn(second)).length === 0,
      'an instance kept the recall timer of a transfer that was recalled',
    );
  });

  it('Given a transfer under way, When a revocation is appended straight to the store (a history import), Then the call comes back to Alice at once, exactly once', async () => {
    const [first] = two.apis;
    const line = await transferringToBob(first, 'recheck-import');
    await eventually(
      async () => (await pendingTimersOn(two.apis[1])).length > 0,
      'the second api never put the recall timer on its clock',
    );

    const events = first.app.get(EventStore);
    const appended = await revokeBobStraightToStore(events, line.accountId, 'import-1');
    expect(appended).toHaveLength(1);

    await recalledOnce(line);
    const recall = (await recallsOf(line))[0]!;
    expect(recall.metadata).toMatchObject({ $correlationId: 'import-1', $causationId: appended[0] });
  });
});

/**
 * R16 with R21: on the virtual clock a recall lands at a fixed point of a replayed scenario. A check
 * that no command awaits (one for an account change seen in the log, or the one a transfer starts
 * after its own append) is waited for by the clock: reading the clock or moving it answers only once
 * the recall it makes is in the log.
 */
describe('R16 on the virtual clock: a transfer check under way', () => {
  const one = apisOnOneStore(1);

  /**
   * The api's store, slow to take a recall: each append of one waits for `release`. `held` resolves
   * once one is waiting, so the check that makes it is under way.
   */
  const holdingRecalls = (api: Api): { held: Promise<void>; release: () => void } => {
    const store = api.app.get(EventStore);
    const append = store.append.bind(store);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    jest.spyOn(store, 'append').mockImplementation(async (stream, events, ...rest) => {
      if (events.some((event) => event.type === 'CallTransferRecalled')) {
        holding();
        await released;
      }
      return append(stream, events, ...rest);
    });
    return { held, release };
  };

  it.each([
    ['reading the clock', (api: Api) => api.get<{ pendingTimers: unknown[] }>('/clock')],
    [
      'advancing the clock',
      (api: Api) => api.post<{ pendingTimers: unknown[] }>('/clock/advance', { actor: ALICE, bySeconds: 1 }),
    ],
  ])(
    "Given a transfer ringing whose target's delegation a history import revoked, When the check the api started for it is still under way, Then %s answers once the call is back with Alice",
    async (_, clockCall) => {
      const [api] = one.apis;
      const line = await transferringToBob(api, 'recheck-clock');
      const recall = holdingRecalls(api);
      await revokeBobStraightToStore(api.app.get(EventStore), line.accountId, 'import-1');
      await recall.held;

      const answered = clockCall(api);
      // Held until the clock answered, or had all the time it needs to answer without the check:
      // a clock that does not wait for the check answers before the recall is in the log
      await Promise.race([answered, sleep(500)]);
      recall.release();

      const clock = await answered;
      expect(clock.status).toBe(200);
      expect(clock.body.pendingTimers).toEqual([]);
      expect(await recallsOf(line)).toHaveLength(1);
    },
  );
});

/**
 * R16 across a lost subscription: an instance whose account subscription dropped follows the accounts
 * again from the last event it brought, so an account change written meanwhile is checked against the
 * transfers it holds as any other. The store runs on a log on disk, so that it can be stopped and the
 * change written to the same log by another server while the api cannot reach it.
 */
describe('R16: an account change written while the api could not follow the accounts', () => {
  let storeDir: string;
  let server: EmbeddedEventStore | undefined;
  let api: Api | undefined;
  beforeEach(async () => {
    storeDir = await mkdtemp(join(tmpdir(), 'transfer-recheck-'));
    server = await startEmbeddedEventStore({ dataDir: storeDir });
    api = await startApi({ clock: 'virtual', connectionString: server.connectionString });
  }, PROCESS_BUDGET_MS);
  afterEach(async () => {
    await api?.close();
    await server?.stop('SIGTERM');
    await rm(storeDir, { recursive: true, force: true });
  }, PROCESS_BUDGET_MS);

  it(
    "Given a transfer under way, When the delegation is revoked while the store is out of the api's reach, Then once the api reaches it again the call comes back to Alice at once",
    async () => {
      const line = await transferringToBob(api!, 'recheck-gap');
      const { port } = storeAddress(server!.connectionString);
      await server!.stop('SIGTERM');
      server = undefined;

      // Written to the same log through a server on another port: the api sees it only in the log
      const aside = await startEmbeddedEventStore({ dataDir: storeDir });
      const client = createEventStoreClient(aside.connectionString);
      try {
        await revokeBobStraightToStore(new EventStore(client, eventSchemas), line.accountId, 'import-gap');
      } finally {
        await client.dispose();
        await aside.stop('SIGTERM');
      }
      server = await startEmbeddedEventStore({ dataDir: storeDir, args: ['--port', port] });

      // The virtual clock stands still: a recall can only be the check's
      await eventually(
        () =>
          line.storedEvents().then(
            () => true,
            () => false,
          ),
        'the api never reached the restarted store',
      );
      await recalledOnce(line);
    },
    PROCESS_BUDGET_MS,
  );
});
