import { ADMIN, EVERYDAY, expectStatus, numberOf, servedAccountForSuite } from './accounts.support.js';

/**
 * R7, R13 through the api and a projector over the log: a common-area phone has nobody signed in and
 * no Assistant panel, so an admin sets its own delegation settings (opting it out of ringing), as it
 * answers its invitations; the line then rings it no more, and the ring diagnosis says why.
 */
describe('a common-area phone delegate’s own settings, set by an admin (R7, R13)', () => {
  const { api, accountId, read } = servedAccountForSuite(['alice']);
  const NUMBER = numberOf(1);
  const onAccount = (rest: string) => `/accounts/${accountId}${rest}`;
  const onLine = (rest: string) => onAccount(`/lines/${NUMBER.slice(1)}${rest}`);

  beforeAll(async () => {
    expectStatus(
      await api.call('POST', onAccount('/common-area-phones'), {
        actor: ADMIN,
        partyId: 'lobby',
        name: 'Lobby',
        directNumbers: ['+15550000009'],
        callingPlan: 'metered',
      }),
      201,
    );
    const invited = await api.invite(accountId, 'alice', 'lobby', {
      delegationId: 'alice-lobby',
      permissions: [...EVERYDAY, 'optInOut'],
      sharedLines: [NUMBER],
    });
    expectStatus(invited, 201);
    expectStatus(await api.call('POST', onAccount('/delegations/alice-lobby/accept'), { actor: ADMIN }), 200);
  });

  it('R13: Given Alice delegates to the lobby phone, When an admin opts it out, Then a call to her line does not ring it, and the diagnosis says it opted out', async () => {
    const refused = await api.call('POST', onAccount('/delegations/alice-lobby/opt-out'), { actor: 'alice' });
    expectStatus(refused, 422);
    expect(refused.body).toMatchObject({ code: 'ACTOR_NOT_ALLOWED', rule: 'R7' });

    const optedOut = await api.call('POST', onAccount('/delegations/alice-lobby/opt-out'), { actor: ADMIN });
    expectStatus(optedOut, 200);
    expect(optedOut.body.events).toEqual([expect.objectContaining({ type: 'DelegateOptedOut' })]);

    const rang = await api.call('POST', onLine('/incoming-calls'), { from: '+15550199', callId: 'c1' });
    expectStatus(rang, 201);
    expect(rang.body.events[1]).toMatchObject({ type: 'CallRang', data: { alerted: ['alice'] } });
    const why = await read(`/lines/${accountId}/${NUMBER.slice(1)}/calls/c1/diagnostics/ring?party=lobby`);
    expect(why.status).toBe(200);
    expect(why.body).toMatchObject({ rule: 'R13', answer: expect.stringContaining('[OPTED_OUT]') });
  });
});
