import { ADMIN, EVERYDAY, expectStatus, numberOf, servedAccountForSuite } from './accounts.support.js';

/**
 * R3, R20 through the api and a projector over the log: an admin lock freezes the delegations of the
 * party it locks, the delegate's own settings on them included, so the seat's Opt out toggle is
 * disabled with the code the api refuses it with, until the lock is lifted.
 */
describe('a locked party’s delegations, as the seat and the api see them (R3, R20)', () => {
  const { api, accountId, read } = servedAccountForSuite(['alice', 'bob']);
  const onAccount = (rest: string) => `/accounts/${accountId}${rest}`;
  const lock = (method: 'POST' | 'DELETE') =>
    api.call(method, onAccount('/parties/bob/delegation-lock'), { actor: ADMIN });
  const optOut = () => api.call('POST', onAccount('/delegations/alice-bob/opt-out'), { actor: 'bob' });
  const bobsToggle = async () => {
    const seat = await read(`/panel/seat?account=${accountId}&viewer=bob`);
    expect(seat.status).toBe(200);
    return seat.body.delegators[0].optInOut;
  };

  beforeAll(async () => {
    const invited = await api.invite(accountId, 'alice', 'bob', {
      delegationId: 'alice-bob',
      permissions: [...EVERYDAY, 'optInOut'],
      sharedLines: [numberOf(1)],
    });
    expectStatus(invited, 201);
    expectStatus(await api.call('POST', onAccount('/delegations/alice-bob/accept'), { actor: 'bob' }), 200);
  });

  it('R3: Given an admin locked Bob, When his seat shows his delegation and he opts out, Then both say DELEGATION_LOCKED; once unlocked, he opts out', async () => {
    expect(await bobsToggle()).toMatchObject({ allowed: true });
    expectStatus(await lock('POST'), 200);

    expect(await bobsToggle()).toMatchObject({ allowed: false, rule: 'R3', code: 'DELEGATION_LOCKED' });
    const refused = await optOut();
    expectStatus(refused, 422);
    expect(refused.body).toMatchObject({ code: 'DELEGATION_LOCKED', rule: 'R3' });

    expectStatus(await lock('DELETE'), 200);
    expect(await bobsToggle()).toMatchObject({ allowed: true });
    const optedOut = await optOut();
    expectStatus(optedOut, 200);
    expect(optedOut.body.events).toEqual([expect.objectContaining({ type: 'DelegateOptedOut' })]);
  });
});
