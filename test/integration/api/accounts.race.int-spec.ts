import { jest } from '@jest/globals';
import {
  closeStore,
  numberOf,
  startApi,
  storedEvents,
  type Answer,
  type RunningApi,
} from './accounts.support.js';

// Booting an app while ts-jest compiles other suites in parallel can exceed Jest's 5 s default.
jest.setTimeout(60_000);

const LIMIT = 15;
const RACERS = 20;

/**
 * R8 under concurrency: invitations race through HTTP, on one api and on two api instances (two
 * caches and queues, like two processes), and the account limits still hold exactly.
 */
describe('account api: R8 limits hold under concurrent invitations', () => {
  let first: RunningApi;
  let second: RunningApi;
  beforeAll(async () => {
    [first, second] = await Promise.all([startApi(), startApi()]);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
    await closeStore();
  });

  const others = Array.from({ length: RACERS }, (_, index) => `p${index + 1}`);

  const outcomes = (answers: readonly Answer[]) => ({
    accepted: answers.filter((a) => a.status === 201).length,
    rejected: answers.filter((a) => a.status !== 201).map((a) => [a.status, a.body.code, a.body.rule]),
  });

  const liveInvitations = async (accountId: string) =>
    (await storedEvents(accountId)).filter((stored) => stored.event.type === 'DelegateInvited');

  it.each([
    ['one api', () => [first]],
    ['two api instances', () => [first, second]],
  ])('R8: %s: 20 concurrent invitations by one delegator, limit 15 → exactly 15', async (_name, apis) => {
    const accountId = await first.accountWith(['boss', ...others]);
    const instances = apis();
    const answers = await Promise.all(
      others.map((delegate, index) =>
        instances[index % instances.length]!.invite(accountId, 'boss', delegate),
      ),
    );
    expect(outcomes(answers)).toEqual({
      accepted: LIMIT,
      rejected: Array(RACERS - LIMIT).fill([409, 'DELEGATE_LIMIT_REACHED', 'R8']),
    });
    const invited = await liveInvitations(accountId);
    expect(invited).toHaveLength(LIMIT);
    expect(
      new Set(invited.map((stored) => (stored.event.data as { delegateId: string }).delegateId)).size,
    ).toBe(LIMIT);
  });

  it('R8: two api instances: 20 delegators invite one delegate at once, limit 15 → exactly 15', async () => {
    const accountId = await first.accountWith([...others, 'assistant']);
    const answers = await Promise.all(
      others.map((delegator, index) =>
        (index % 2 === 0 ? first : second).invite(accountId, delegator, 'assistant', {}, numberOf(index + 1)),
      ),
    );
    expect(outcomes(answers)).toEqual({
      accepted: LIMIT,
      rejected: Array(RACERS - LIMIT).fill([409, 'DELEGATOR_LIMIT_REACHED', 'R8']),
    });
    expect(await liveInvitations(accountId)).toHaveLength(LIMIT);
    // Both instances agree on the outcome, whichever cache answers.
    const [viewA, viewB] = await Promise.all(
      [first, second].map(async (api) => (await api.call('GET', `/accounts/${accountId}`)).body),
    );
    expect(viewA.delegations).toHaveLength(LIMIT);
    expect(viewB).toEqual(viewA);
  });

  // Which answers say `duplicate` depends on timing (a resend racing the first at the same revision is
  // an idempotent append on the server); what must hold is one invitation and one delegation id.
  it('R8: concurrent resends of one invitation on two instances append it once', async () => {
    const accountId = await first.accountWith(['boss', 'p1']);
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        (index % 2 === 0 ? first : second).invite(accountId, 'boss', 'p1', { commandId: 'invite-once' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.delegationId)).size).toBe(1);
    expect(await liveInvitations(accountId)).toHaveLength(1);
  });
});
