import {
  ADMIN,
  EVERYDAY,
  apiForSuite,
  expectStatus,
  numberOf,
  phoneUser,
  storedTypes,
  uniqueId,
  type Answer,
} from './accounts.support.js';

/** Every rule of SPEC R1–R10 and the R19 list, rejected through HTTP with its status, code and rule. */
describe('account api: domain rules over HTTP', () => {
  const api = apiForSuite();

  /** What a refusal must carry: its HTTP status, its error code and the SPEC rule it cites. */
  type Refusal = readonly [status: number, code: string, rule: string];

  /** Sends a command that must be refused as `refusal` says, and checks that nothing was appended. */
  async function rejects(
    accountId: string,
    [status, code, rule]: Refusal,
    send: () => Promise<Answer>,
  ): Promise<Answer> {
    const before = await storedTypes(accountId);
    const answer = await send();
    expect(answer).toMatchObject({ status, body: { statusCode: status, code, rule } });
    // A sentence for people, not just the code.
    expect(answer.body.message).toEqual(expect.stringMatching(/^\S.{15,}$/));
    expect(await storedTypes(accountId)).toEqual(before);
    return answer;
  }

  /**
   * Alice's invitation of Bob is refused as `refusal` says until `remedy` (accepted, 200) removes the
   * cause: then the same invitation is accepted (201).
   */
  async function invitationRefusedUntil(
    accountId: string,
    refusal: Refusal,
    remedy: () => Promise<Answer>,
  ): Promise<void> {
    await rejects(accountId, refusal, () => api.invite(accountId, 'alice', 'bob'));
    expectStatus(await remedy(), 200);
    expectStatus(await api.invite(accountId, 'alice', 'bob'), 201);
  }

  const path = (accountId: string, rest = '') => `/accounts/${accountId}${rest}`;

  describe('R1 parties and numbers', () => {
    it('R1: a number already assigned to another party is refused (409 NUMBER_ALREADY_ASSIGNED)', async () => {
      const accountId = await api.accountWith(['alice']);
      await rejects(accountId, [409, 'NUMBER_ALREADY_ASSIGNED', 'R1'], () =>
        api.call('POST', path(accountId, '/phone-users'), phoneUser('bob', 1)),
      );
    });

    it('R1: a number that is not E.164 is refused (422 INVALID_NUMBER)', async () => {
      const accountId = await api.accountWith([]);
      await rejects(accountId, [422, 'INVALID_NUMBER', 'R1'], () =>
        api.call('POST', path(accountId, '/phone-users'), phoneUser('bob', 1, { numbers: ['+0123'] })),
      );
    });

    it('R1: a common-area phone is provisioned like a user; a party id is taken once (409)', async () => {
      const accountId = await api.accountWith(['alice']);
      const lobby = {
        actor: ADMIN,
        partyId: 'lobby',
        name: 'Lobby',
        directNumbers: ['+15550000009'],
        callingPlan: 'metered',
      };
      expect(await api.call('POST', path(accountId, '/common-area-phones'), lobby)).toMatchObject({
        status: 201,
        body: { partyId: 'lobby', events: [{ type: 'CommonAreaPhoneProvisioned' }] },
      });
      await rejects(accountId, [409, 'PARTY_ALREADY_EXISTS', 'R1'], () =>
        api.call('POST', path(accountId, '/common-area-phones'), {
          ...lobby,
          directNumbers: ['+15550000019'],
        }),
      );
    });

    it('R1: only an admin provisions (422 ADMIN_ONLY); an unknown party or account is a 404', async () => {
      const accountId = await api.accountWith(['alice']);
      await rejects(accountId, [422, 'ADMIN_ONLY', 'R1'], () =>
        api.call('POST', path(accountId, '/phone-users'), { ...phoneUser('bob', 2), actor: 'alice' }),
      );
      await rejects(accountId, [404, 'PARTY_NOT_FOUND', 'R1'], () => api.invite(accountId, 'alice', 'ghost'));
      await rejects(accountId, [404, 'PARTY_NOT_FOUND', 'R1'], () =>
        api.call('PUT', path(accountId, '/parties/ghost/ring-timeout'), {
          actor: ADMIN,
          ringTimeoutSeconds: 20,
        }),
      );
      const unknown = uniqueId('nobody');
      expect(await api.call('GET', path(unknown))).toMatchObject({
        status: 404,
        body: { code: 'ACCOUNT_NOT_FOUND', rule: 'R1' },
      });
      expect(await api.invite(unknown, 'alice', 'bob')).toMatchObject({
        status: 404,
        body: { code: 'ACCOUNT_NOT_FOUND' },
      });
      expect(await storedTypes(unknown)).toEqual([]);
    });

    it('R1: an account id is taken once (409 ACCOUNT_ALREADY_EXISTS)', async () => {
      const accountId = await api.accountWith([]);
      await rejects(accountId, [409, 'ACCOUNT_ALREADY_EXISTS', 'R1'], () =>
        api.call('POST', '/accounts', { actor: ADMIN, accountId, name: 'Again' }),
      );
    });
  });

  it('R2: a delegate without a calling plan cannot be invited (422 NO_CALLING_PLAN)', async () => {
    const accountId = await api.accountWith(['alice', 'bob'], {}, { bob: { callingPlan: 'none' } });
    // Giving Bob a plan makes the same invitation succeed.
    await invitationRefusedUntil(accountId, [422, 'NO_CALLING_PLAN', 'R2'], () =>
      api.call('PUT', path(accountId, '/parties/bob/calling-plan'), { actor: ADMIN, callingPlan: 'pro' }),
    );
  });

  describe('R3 enabled, not locked', () => {
    it('R3: delegation disabled for the account refuses invitations (422)', async () => {
      const accountId = await api.accountWith(['alice', 'bob'], { delegationEnabled: false });
      await rejects(accountId, [422, 'DELEGATION_DISABLED_FOR_ACCOUNT', 'R3'], () =>
        api.invite(accountId, 'alice', 'bob'),
      );
      expect(
        await api.call('PATCH', path(accountId, '/policy'), {
          actor: ADMIN,
          policy: { delegationEnabled: true },
        }),
      ).toMatchObject({ status: 200, body: { events: [{ type: 'AccountPolicyChanged' }] } });
      expectStatus(await api.invite(accountId, 'alice', 'bob'), 201);
    });

    it('R3: a user who disabled delegation cannot be invited (422 DELEGATION_DISABLED_FOR_USER)', async () => {
      const accountId = await api.accountWith(['alice', 'bob']);
      expect(
        await api.call('DELETE', path(accountId, '/parties/bob/delegation-enabled'), { actor: 'bob' }),
      ).toMatchObject({ status: 200, body: { events: [{ type: 'DelegationDisabledForUser' }] } });
      await invitationRefusedUntil(accountId, [422, 'DELEGATION_DISABLED_FOR_USER', 'R3'], () =>
        api.call('POST', path(accountId, '/parties/bob/delegation-enabled'), { actor: 'bob' }),
      );
    });

    it('R3: a pending invitation blocks the lock (409); a lock freezes the settings (422)', async () => {
      const accountId = await api.accountWith(['alice', 'bob', 'carol']);
      expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab' }), 201);
      await rejects(accountId, [409, 'PENDING_INVITATION_BLOCKS_LOCK', 'R3'], () =>
        api.call('POST', path(accountId, '/parties/alice/delegation-lock'), { actor: ADMIN }),
      );
      expectStatus(await api.call('POST', path(accountId, '/delegations/ab/accept'), { actor: 'bob' }), 200);
      expect(
        await api.call('POST', path(accountId, '/parties/alice/delegation-lock'), { actor: ADMIN }),
      ).toMatchObject({
        status: 200,
        body: { events: [{ type: 'DelegationLockedByAdmin' }] },
      });
      await rejects(accountId, [422, 'DELEGATION_LOCKED', 'R3'], () =>
        api.call('DELETE', path(accountId, '/parties/alice/delegation-enabled'), { actor: 'alice' }),
      );
      await rejects(accountId, [422, 'DELEGATION_LOCKED', 'R3'], () =>
        api.invite(accountId, 'alice', 'carol'),
      );
      await rejects(accountId, [422, 'ADMIN_ONLY', 'R3'], () =>
        api.call('DELETE', path(accountId, '/parties/alice/delegation-lock'), { actor: 'alice' }),
      );
      expectStatus(
        await api.call('DELETE', path(accountId, '/parties/alice/delegation-lock'), { actor: ADMIN }),
        200,
      );
      expectStatus(await api.invite(accountId, 'alice', 'carol'), 201);
    });
  });

  it('R4: a delegate whose desktop client is unsupported or outdated cannot accept (422)', async () => {
    const accountId = await api.accountWith(['alice', 'bob']);
    expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab' }), 201);
    expectStatus(
      await api.call('PUT', path(accountId, '/parties/bob/desktop-client'), {
        actor: 'bob',
        platform: 'linux',
        version: '6.2.1',
      }),
      200,
    );
    const accept = () => api.call('POST', path(accountId, '/delegations/ab/accept'), { actor: 'bob' });
    await rejects(accountId, [422, 'DESKTOP_CLIENT_UNSUPPORTED', 'R4'], accept);
    expectStatus(
      await api.call('PUT', path(accountId, '/parties/bob/desktop-client'), {
        actor: 'bob',
        platform: 'macos',
        version: '6.2.1',
      }),
      200,
    );
    expectStatus(
      await api.call('PATCH', path(accountId, '/policy'), {
        actor: ADMIN,
        policy: { assistantMinimumVersion: '7.0' },
      }),
      200,
    );
    await rejects(accountId, [422, 'DESKTOP_CLIENT_OUTDATED', 'R4'], accept);
    expectStatus(
      await api.call('PUT', path(accountId, '/parties/bob/assistant'), {
        actor: ADMIN,
        assistantEnabled: false,
      }),
      200,
    );
    await rejects(accountId, [422, 'ASSISTANT_DISABLED', 'R4'], accept);
  });

  it('R5: VIP permissions need the delegator’s Power Pack (422 POWER_PACK_REQUIRED)', async () => {
    const accountId = await api.accountWith(['alice', 'bob']);
    const vipInvite = () => api.invite(accountId, 'alice', 'bob', { permissions: [...EVERYDAY, 'vipOnly'] });
    await rejects(accountId, [422, 'POWER_PACK_REQUIRED', 'R5'], vipInvite);
    await rejects(accountId, [422, 'POWER_PACK_REQUIRED', 'R5'], () =>
      api.call('PUT', path(accountId, '/parties/alice/vip-routing'), {
        actor: 'alice',
        mode: 'delegatorOnly',
      }),
    );
    expectStatus(
      await api.call('PUT', path(accountId, '/parties/alice/power-pack'), { actor: ADMIN, powerPack: true }),
      200,
    );
    expectStatus(await vipInvite(), 201);
  });

  it('R5: a premium common-area delegation is usable only while the delegator holds the Power Pack (422 POWER_PACK_REQUIRED)', async () => {
    // Given an account that marks common-area delegation premium, and Alice with the Power Pack
    const accountId = await api.accountWith(['alice'], { commonAreaDelegationNeedsPowerPack: true });
    const powerPack = async (held: boolean) =>
      expectStatus(
        await api.call('PUT', path(accountId, '/parties/alice/power-pack'), {
          actor: ADMIN,
          powerPack: held,
        }),
        200,
      );
    for (const lobby of ['lobby', 'desk'])
      expectStatus(
        await api.call('POST', path(accountId, '/common-area-phones'), {
          actor: ADMIN,
          partyId: lobby,
          name: lobby,
          directNumbers: [lobby === 'lobby' ? '+15550000009' : '+15550000019'],
          callingPlan: 'metered',
        }),
        201,
      );
    await powerPack(true);
    expectStatus(await api.invite(accountId, 'alice', 'lobby', { delegationId: 'al' }), 201);
    expectStatus(await api.invite(accountId, 'alice', 'desk', { delegationId: 'ad' }), 201);
    expectStatus(await api.call('POST', path(accountId, '/delegations/al/accept'), { actor: ADMIN }), 200);
    const place = (callId: string) =>
      api.call('POST', path(accountId, '/lines/+15550000001/calls'), {
        actor: 'lobby',
        to: '+15550100',
        callId,
      });
    expectStatus(await place('c1'), 201);
    expectStatus(
      await api.call('POST', path(accountId, '/lines/+15550000001/calls/c1/hang-up'), { actor: 'lobby' }),
      200,
    );
    // When the Power Pack is taken away
    await powerPack(false);
    // Then the common-area phone can no longer place a call on the line, nor the pending invitation be accepted
    await rejects(accountId, [422, 'POWER_PACK_REQUIRED', 'R5'], () => place('c2'));
    await rejects(accountId, [422, 'POWER_PACK_REQUIRED', 'R5'], () =>
      api.call('POST', path(accountId, '/delegations/ad/accept'), { actor: ADMIN }),
    );
    // And once it is back, the delegation works again
    await powerPack(true);
    expectStatus(await place('c3'), 201);
  });

  it('R6: a delegation needs a core permission, and optInOut needs answerCalls (422)', async () => {
    const accountId = await api.accountWith(['alice', 'bob']);
    await rejects(accountId, [422, 'NO_CORE_PERMISSION', 'R6'], () =>
      api.invite(accountId, 'alice', 'bob', { permissions: ['joinAndMerge'] }),
    );
    await rejects(accountId, [422, 'OPT_IN_OUT_NEEDS_ANSWER_CALLS', 'R6'], () =>
      api.invite(accountId, 'alice', 'bob', { permissions: ['placeCalls', 'optInOut'] }),
    );
    expectStatus(
      await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab', permissions: ['placeCalls'] }),
      201,
    );
    expectStatus(await api.call('POST', path(accountId, '/delegations/ab/accept'), { actor: 'bob' }), 200);
    await rejects(accountId, [422, 'PERMISSION_REQUIRED', 'R6'], () =>
      api.call('POST', path(accountId, '/delegations/ab/opt-out'), { actor: 'bob' }),
    );
  });

  describe('R7 invitation life', () => {
    it('R7: only the invitee answers, once; an ended delegation cannot be changed', async () => {
      const accountId = await api.accountWith(['alice', 'bob']);
      expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab' }), 201);
      const d = (action: string) => path(accountId, `/delegations/ab/${action}`);
      await rejects(accountId, [422, 'ACTOR_NOT_ALLOWED', 'R7'], () =>
        api.call('POST', d('accept'), { actor: 'alice' }),
      );
      expect(await api.call('POST', d('decline'), { actor: 'bob' })).toMatchObject({
        status: 200,
        body: { events: [{ type: 'DelegationDeclined' }] },
      });
      await rejects(accountId, [409, 'INVITATION_NOT_PENDING', 'R7'], () =>
        api.call('POST', d('accept'), { actor: 'bob' }),
      );
      await rejects(accountId, [409, 'DELEGATION_ALREADY_ENDED', 'R7'], () =>
        api.call('PUT', d('permissions'), { actor: 'alice', permissions: ['answerCalls'] }),
      );
      await rejects(accountId, [422, 'ACTOR_NOT_ALLOWED', 'R7'], () =>
        api.call('POST', d('revoke'), { actor: 'bob' }),
      );
      await rejects(accountId, [404, 'DELEGATION_NOT_FOUND', 'R7'], () =>
        api.call('POST', path(accountId, '/delegations/nope/accept'), { actor: 'bob' }),
      );
    });

    it('R7: an admin-enforced policy activates invitations at once', async () => {
      const accountId = await api.accountWith(['alice', 'bob'], { autoActivateInvitations: true });
      expect(await api.invite(accountId, 'alice', 'bob')).toMatchObject({
        status: 201,
        body: { events: [{ type: 'DelegateInvited' }, { type: 'DelegationActivatedByPolicy' }] },
      });
    });

    it('R7, R4: Given admin-enforced activation, When the invitee could not accept, Then the invitation stays pending with the reason shown, and is activated once that is put right', async () => {
      const accountId = await api.accountWith(['alice', 'bob'], { autoActivateInvitations: true });
      const assistantOf = (assistantEnabled: boolean) =>
        api.call('PUT', path(accountId, '/parties/bob/assistant'), { actor: ADMIN, assistantEnabled });
      expectStatus(await assistantOf(false), 200);

      const invited = await api.invite(accountId, 'alice', 'bob');
      expect(invited).toMatchObject({ status: 201, body: { events: [{ type: 'DelegateInvited' }] } });
      expect(invited.body.events).toHaveLength(1);
      const delegationOf = async () =>
        (await api.call('GET', path(accountId, ''))).body.delegations[0] as Record<string, unknown>;
      expect(await delegationOf()).toMatchObject({
        status: 'pending',
        activationRefused: {
          code: 'ASSISTANT_DISABLED',
          rule: 'R4',
          message: expect.stringContaining('bob'),
        },
      });

      expect(await assistantOf(true)).toMatchObject({
        status: 200,
        body: { events: [{ type: 'PartyAssistantChanged' }, { type: 'DelegationActivatedByPolicy' }] },
      });
      expect(await delegationOf()).toMatchObject({ status: 'active', activationRefused: null });
    });
  });

  it('R8: the per-delegator and per-delegate limits are account settings (409)', async () => {
    const accountId = await api.accountWith(['alice', 'bob', 'carol', 'dave'], {
      maxDelegatesPerDelegator: 2,
      maxDelegatorsPerDelegate: 1,
    });
    expectStatus(await api.invite(accountId, 'alice', 'bob'), 201);
    expectStatus(await api.invite(accountId, 'alice', 'carol'), 201);
    await rejects(accountId, [409, 'DELEGATE_LIMIT_REACHED', 'R8'], () =>
      api.invite(accountId, 'alice', 'dave'),
    );
    await rejects(accountId, [409, 'DELEGATOR_LIMIT_REACHED', 'R8'], () =>
      api.invite(accountId, 'dave', 'bob', {}, numberOf(4)),
    );
    await rejects(accountId, [422, 'INVALID_DELEGATION_LIMIT', 'R8'], () =>
      api.call('PATCH', path(accountId, '/policy'), {
        actor: ADMIN,
        policy: { maxDelegatesPerDelegator: 0 },
      }),
    );
    expectStatus(
      await api.call('PATCH', path(accountId, '/policy'), {
        actor: ADMIN,
        policy: { maxDelegatesPerDelegator: 3 },
      }),
      200,
    );
    expectStatus(await api.invite(accountId, 'alice', 'dave'), 201);
  });

  it('R9: no self-delegation (422) and no second live delegation between a pair (409)', async () => {
    const accountId = await api.accountWith(['alice', 'bob']);
    await rejects(accountId, [422, 'SELF_DELEGATION', 'R9'], () => api.invite(accountId, 'alice', 'alice'));
    expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'first' }), 201);
    // Once revoked, the pair may start again.
    await invitationRefusedUntil(accountId, [409, 'DELEGATION_ALREADY_EXISTS', 'R9'], () =>
      api.call('POST', path(accountId, '/delegations/first/revoke'), { actor: 'alice' }),
    );
  });

  it('R10: only the delegator’s own numbers are shared, and a shared number stays while shared', async () => {
    const accountId = await api.accountWith(
      ['alice', 'bob'],
      {},
      { alice: { numbers: [numberOf(1), '+15550000011'] } },
    );
    await rejects(accountId, [422, 'SHARED_LINE_NOT_OWNED', 'R10'], () =>
      api.invite(accountId, 'alice', 'bob', { sharedLines: [numberOf(2)] }),
    );
    await rejects(accountId, [422, 'NO_SHARED_LINE', 'R10'], () =>
      api.invite(accountId, 'alice', 'bob', { sharedLines: [] }),
    );
    expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab' }), 201);
    expect(
      await api.call('PUT', path(accountId, '/delegations/ab/shared-lines'), {
        actor: 'alice',
        sharedLines: ['+15550000011'],
      }),
    ).toMatchObject({ status: 200, body: { events: [{ type: 'DelegationSharedLinesChanged' }] } });
    await rejects(accountId, [409, 'NUMBER_SHARED_BY_DELEGATION', 'R10'], () =>
      api.call('PUT', path(accountId, '/parties/alice/direct-numbers'), {
        actor: ADMIN,
        directNumbers: [numberOf(1)],
      }),
    );
  });

  it('R19: the VIP list is edited by the delegator or a delegate with manageVipContacts only', async () => {
    const accountId = await api.accountWith(['alice', 'bob', 'carol'], {}, { alice: { powerPack: true } });
    expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab' }), 201);
    const vip = path(accountId, '/parties/alice/vip-contacts');
    const add = (actor: string) => () =>
      api.call('POST', vip, { actor, number: '+15557770001', name: 'Chair' });
    await rejects(accountId, [422, 'ACTOR_NOT_ALLOWED', 'R19'], add('carol'));
    await rejects(accountId, [409, 'INVITATION_PENDING', 'R7'], add('bob'));
    expectStatus(await api.call('POST', path(accountId, '/delegations/ab/accept'), { actor: 'bob' }), 200);
    await rejects(accountId, [422, 'PERMISSION_REQUIRED', 'R6'], add('bob'));
    await rejects(accountId, [404, 'VIP_CONTACT_NOT_FOUND', 'R19'], () =>
      api.call('DELETE', `${vip}/+15557770001`, { actor: 'alice' }),
    );
    await rejects(accountId, [422, 'INVALID_VIP_ROUTING', 'R19'], () =>
      api.call('PUT', path(accountId, '/parties/alice/vip-routing'), {
        actor: 'alice',
        mode: 'delegatorFirst',
        delaySeconds: 0,
      }),
    );
    expectStatus(await add('alice')(), 201);
  });

  it('R13/R14: party hours, ring timeout and the delegate’s own hours go through their endpoints', async () => {
    const accountId = await api.accountWith(['alice', 'bob']);
    const hours = { utcOffsetMinutes: 540, windows: [{ day: 'mon', from: '09:00', to: '17:00' }] };
    expectStatus(
      await api.call('PUT', path(accountId, '/parties/alice/business-hours'), {
        actor: 'alice',
        businessHours: hours,
      }),
      200,
    );
    await rejects(accountId, [422, 'INVALID_BUSINESS_HOURS', 'R13'], () =>
      api.call('PUT', path(accountId, '/parties/alice/business-hours'), {
        actor: 'alice',
        businessHours: { utcOffsetMinutes: 0, windows: [{ day: 'mon', from: '17:00', to: '09:00' }] },
      }),
    );
    await rejects(accountId, [422, 'INVALID_RING_TIMEOUT', 'R14'], () =>
      api.call('PUT', path(accountId, '/parties/alice/ring-timeout'), {
        actor: 'alice',
        ringTimeoutSeconds: 1,
      }),
    );
    expectStatus(
      await api.invite(accountId, 'alice', 'bob', {
        delegationId: 'ab',
        permissions: [...EVERYDAY, 'overrideBusinessHours'],
      }),
      201,
    );
    expectStatus(await api.call('POST', path(accountId, '/delegations/ab/accept'), { actor: 'bob' }), 200);
    const own = await api.call('PUT', path(accountId, '/delegations/ab/business-hours'), {
      actor: 'bob',
      businessHours: hours,
    });
    expect(own).toMatchObject({ status: 200, body: { events: [{ type: 'DelegateBusinessHoursSet' }] } });
    expect(
      await api.call('PUT', path(accountId, '/parties/alice/business-hours'), {
        actor: 'alice',
        businessHours: null,
      }),
    ).toMatchObject({
      status: 200,
      body: { events: [{ type: 'BusinessHoursSet', data: { businessHours: null } }] },
    });
  });
});
