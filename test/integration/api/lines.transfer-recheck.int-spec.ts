import { jest } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { accountDecider } from '#domain';
import { accountStream, type AccountEvent } from '#events';
import { EventStore } from '#eventstore';
import { LineTimersProcessManager } from '../../../apps/api/src/lines/line-timers.process-manager.js';
import { collect } from '../../support/collect.js';
import {
  ALICE,
  CALLER,
  eventually,
  pendingTimersOn,
  twoApisOnOneStore,
  type Api,
  type SeededLine,
} from './lines.support.js';

jest.setTimeout(60_000);

const BOB = 'bob';

/**
 * R16 across api instances: every instance holds every line's recall timers, and each checks the
 * transfers it holds against an account change it sees in the log, whoever wrote the change. Virtual
 * clocks stand still, so no recall timer can fire: a recall seen here was the check's.
 */
describe('R16: a transfer whose target may no longer take it, on two api instances', () => {
  const two = twoApisOnOneStore();

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
    // Every instance has had its say: both checked the change (or found it a duplicate)
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
    expect((await first.post(`${line.path}/calls/c1/answer`, { actor: BOB })).status).toBe(422);
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

    // Decided by the real decider on the account as stored, appended through the store's client:
    // no api instance takes this command
    const events = two.apis[0].app.get(EventStore);
    const stream = accountStream(line.accountId);
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
        $correlationId: 'import-1',
        $causationId: 'import-1',
        commandId: 'import-1',
        actor: ALICE,
        onBehalfOf: null,
        permission: null,
        simulatedTime: now,
      },
    );
    expect(appended.eventIds).toHaveLength(1);

    await recalledOnce(line);
    const recall = (await recallsOf(line))[0]!;
    expect(recall.metadata).toMatchObject({ $correlationId: 'import-1', $causationId: appended.eventIds[0] });
  });
});
