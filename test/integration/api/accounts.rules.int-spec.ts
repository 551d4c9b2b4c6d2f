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

  /** Sends a command that must be rejected, and checks the answer and that nothing was appended. */
  async function rejects(
    accountId: string,
    send: () => Promise<Answer>,
    status: number,
    code: string,
    rule: string,
  ): Promise<Answer> {
    const before = await storedTypes(accountId);
    const answer = await send();
    expect(answer).toMatchObject({ status, body: { statusCode: status, code, rule } });
    // A sentence for people, not just the code.
    expect(answer.body.message).toEqual(expect.stringMatching(/^\S.{15,}$/));
    expect(await storedTypes(accountId)).toEqual(before);
    return answer;
  }

  const path = (accountId: string, rest = '') => `/accounts/${accountId}${rest}`;

  describe('R1 parties and numbers', () => {
    it('R1: a number already assigned to another party is refused (409 NUMBER_ALREADY_ASSIGNED)', async () => {
      const accountId = await api.accountWith(['alice']);
      await rejects(
        accountId,
        () => api.call('POST', path(accountId, '/phone-users'), phoneUser('bob', 1)),
        409,
        'NUMBER_ALREADY_ASSIGNED',
        'R1',
      );
    });

    it('R1: a number that is not E.164 is refused (422 INVALID_NUMBER)', async () => {
      const accountId = await api.accountWith([]);
      await rejects(
        accountId,
        () => api.call('POST', path(accountId, '/phone-users'), phoneUser('bob', 1, { numbers: ['+0123'] })),
        422,
        'INVALID_NUMBER',
        'R1',
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
      await rejects(
        accountId,
        () =>
          api.call('POST', path(accountId, '/common-area-phones'), {
            ...lobby,
            directNumbers: ['+15550000019'],
          }),
        409,
        'PARTY_ALREADY_EXISTS',
        'R1',
      );
    });

    it('R1: only an admin provisions (422 ADMIN_ONLY); an unknown party or account is a 404', async () => {
      const accountId = await api.accountWith(['alice']);
      await rejects(
        accountId,
        () => api.call('POST', path(accountId, '/phone-users'), { ...phoneUser('bob', 2), actor: 'alice' }),
        422,
        'ADMIN_ONLY',
        'R1',
      );
      await rejects(accountId, () => api.invite(accountId, 'alice', 'ghost'), 404, 'PARTY_NOT_FOUND', 'R1');
      await rejects(
        accountId,
        () =>
          api.call('PUT', path(accountId, '/parties/ghost/ring-timeout'), {
            actor: ADMIN,
            ringTimeoutSeconds: 20,
          }),
        404,
        'PARTY_NOT_FOUND',
        'R1',
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
      await rejects(
        accountId,
        () => api.call('POST', '/accounts', { actor: ADMIN, accountId, name: 'Again' }),
        409,
        'ACCOUNT_ALREADY_EXISTS',
        'R1',
      );
    });
  });

  it('R2: a delegate without a calling plan cannot be invited (422 NO_CALLING_PLAN)', async () => {
    const accountId = await api.accountWith(['alice', 'bob'], {}, { bob: { callingPlan: 'none' } });
    await rejects(accountId, () => api.invite(accountId, 'alice', 'bob'), 422, 'NO_CALLING_PLAN', 'R2');
    // Giving Bob a plan makes the same invitation succeed.
    expectStatus(
      await api.call('PUT', path(accountId, '/parties/bob/calling-plan'), {
        actor: ADMIN,
        callingPlan: 'pro',
      }),
      200,
    );
    expectStatus(await api.invite(accountId, 'alice', 'bob'), 201);
  });

  describe('R3 enabled, not locked', () => {
    it('R3: delegation disabled for the account refuses invitations (422)', async () => {
      const accountId = await api.accountWith(['alice', 'bob'], { delegationEnabled: false });
      await rejects(
        accountId,
        () => api.invite(accountId, 'alice', 'bob'),
        422,
        'DELEGATION_DISABLED_FOR_ACCOUNT',
        'R3',
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
      await rejects(
        accountId,
        () => api.invite(accountId, 'alice', 'bob'),
        422,
        'DELEGATION_DISABLED_FOR_USER',
        'R3',
      );
      expectStatus(
        await api.call('POST', path(accountId, '/parties/bob/delegation-enabled'), { actor: 'bob' }),
        200,
      );
      expectStatus(await api.invite(accountId, 'alice', 'bob'), 201);
    });

    it('R3: a pending invitation blocks the lock (409); a lock freezes the settings (422)', async () => {
      const accountId = await api.accountWith(['alice', 'bob', 'carol']);
      expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab' }), 201);
      await rejects(
        accountId,
        () => api.call('POST', path(accountId, '/parties/alice/delegation-lock'), { actor: ADMIN }),
        409,
        'PENDING_INVITATION_BLOCKS_LOCK',
        'R3',
      );
      expectStatus(await api.call('POST', path(accountId, '/delegations/ab/accept'), { actor: 'bob' }), 200);
      expect(
        await api.call('POST', path(accountId, '/parties/alice/delegation-lock'), { actor: ADMIN }),
      ).toMatchObject({
        status: 200,
        body: { events: [{ type: 'DelegationLockedByAdmin' }] },
      });
      await rejects(
        accountId,
        () => api.call('DELETE', path(accountId, '/parties/alice/delegation-enabled'), { actor: 'alice' }),
        422,
        'DELEGATION_LOCKED',
        'R3',
      );
      await rejects(accountId, () => api.invite(accountId, 'alice', 'carol'), 422, 'DELEGATION_LOCKED', 'R3');
      await rejects(
        accountId,
        () => api.call('DELETE', path(accountId, '/parties/alice/delegation-lock'), { actor: 'alice' }),
        422,
        'ADMIN_ONLY',
        'R3',
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
    await rejects(accountId, accept, 422, 'DESKTOP_CLIENT_UNSUPPORTED', 'R4');
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
    await rejects(accountId, accept, 422, 'DESKTOP_CLIENT_OUTDATED', 'R4');
    expectStatus(
      await api.call('PUT', path(accountId, '/parties/bob/assistant'), {
        actor: ADMIN,
        assistantEnabled: false,
      }),
      200,
    );
    await rejects(accountId, accept, 422, 'ASSISTANT_DISABLED', 'R4');
  });

  it('R5: VIP permissions need the delegator’s Power Pack (422 POWER_PACK_REQUIRED)', async () => {
    const accountId = await api.accountWith(['alice', 'bob']);
    const vipInvite = () => api.invite(accountId, 'alice', 'bob', { permissions: [...EVERYDAY, 'vipOnly'] });
    await rejects(accountId, vipInvite, 422, 'POWER_PACK_REQUIRED', 'R5');
    await rejects(
      accountId,
      () =>
        api.call('PUT', path(accountId, '/parties/alice/vip-routing'), {
          actor: 'alice',
          mode: 'delegatorOnly',
        }),
      422,
      'POWER_PACK_REQUIRED',
      'R5',
    );
    expectStatus(
      await api.call('PUT', path(accountId, '/parties/alice/power-pack'), { actor: ADMIN, powerPack: true }),
      200,
    );
    expectStatus(await vipInvite(), 201);
  });

  it('R6: a delegation needs a core permission, and optInOut needs answerCalls (422)', async () => {
    const accountId = await api.accountWith(['alice', 'bob']);
    await rejects(
      accountId,
      () => api.invite(accountId, 'alice', 'bob', { permissions: ['joinAndMerge'] }),
      422,
      'NO_CORE_PERMISSION',
      'R6',
    );
    await rejects(
      accountId,
      () => api.invite(accountId, 'alice', 'bob', { permissions: ['placeCalls', 'optInOut'] }),
      422,
      'OPT_IN_OUT_NEEDS_ANSWER_CALLS',
      'R6',
    );
    expectStatus(
      await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab', permissions: ['placeCalls'] }),
      201,
    );
    expectStatus(await api.call('POST', path(accountId, '/delegations/ab/accept'), { actor: 'bob' }), 200);
    await rejects(
      accountId,
      () => api.call('POST', path(accountId, '/delegations/ab/opt-out'), { actor: 'bob' }),
      422,
      'PERMISSION_REQUIRED',
      'R6',
    );
  });

  describe('R7 invitation life', () => {
    it('R7: only the invitee answers, once; an ended delegation cannot be changed', async () => {
      const accountId = await api.accountWith(['alice', 'bob']);
      expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab' }), 201);
      const d = (action: string) => path(accountId, `/delegations/ab/${action}`);
      await rejects(
        accountId,
        () => api.call('POST', d('accept'), { actor: 'alice' }),
        422,
        'ACTOR_NOT_ALLOWED',
        'R7',
      );
      expect(await api.call('POST', d('decline'), { actor: 'bob' })).toMatchObject({
        status: 200,
        body: { events: [{ type: 'DelegationDeclined' }] },
      });
      await rejects(
        accountId,
        () => api.call('POST', d('accept'), { actor: 'bob' }),
        409,
        'INVITATION_NOT_PENDING',
        'R7',
      );
      await rejects(
        accountId,
        () => api.call('PUT', d('permissions'), { actor: 'alice', permissions: ['answerCalls'] }),
        409,
        'DELEGATION_ALREADY_ENDED',
        'R7',
      );
      await rejects(
        accountId,
        () => api.call('POST', d('revoke'), { actor: 'bob' }),
        422,
        'ACTOR_NOT_ALLOWED',
        'R7',
      );
      await rejects(
        accountId,
        () => api.call('POST', path(accountId, '/delegations/nope/accept'), { actor: 'bob' }),
        404,
        'DELEGATION_NOT_FOUND',
        'R7',
      );
    });

    it('R7: an admin-enforced policy activates invitations at once', async () => {
      const accountId = await api.accountWith(['alice', 'bob'], { autoActivateInvitations: true });
      expect(await api.invite(accountId, 'alice', 'bob')).toMatchObject({
        status: 201,
        body: { events: [{ type: 'DelegateInvited' }, { type: 'DelegationActivatedByPolicy' }] },
      });
    });
  });

  it('R8: the per-delegator and per-delegate limits are account settings (409)', async () => {
    const accountId = await api.accountWith(['alice', 'bob', 'carol', 'dave'], {
      maxDelegatesPerDelegator: 2,
      maxDelegatorsPerDelegate: 1,
    });
    expectStatus(await api.invite(accountId, 'alice', 'bob'), 201);
    expectStatus(await api.invite(accountId, 'alice', 'carol'), 201);
    await rejects(
      accountId,
      () => api.invite(accountId, 'alice', 'dave'),
      409,
      'DELEGATE_LIMIT_REACHED',
      'R8',
    );
    await rejects(
      accountId,
      () => api.invite(accountId, 'dave', 'bob', {}, numberOf(4)),
      409,
      'DELEGATOR_LIMIT_REACHED',
      'R8',
    );
    await rejects(
      accountId,
      () =>
        api.call('PATCH', path(accountId, '/policy'), {
          actor: ADMIN,
          policy: { maxDelegatesPerDelegator: 0 },
        }),
      422,
      'INVALID_DELEGATION_LIMIT',
      'R8',
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
    await rejects(accountId, () => api.invite(accountId, 'alice', 'alice'), 422, 'SELF_DELEGATION', 'R9');
    expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'first' }), 201);
    await rejects(
      accountId,
      () => api.invite(accountId, 'alice', 'bob'),
      409,
      'DELEGATION_ALREADY_EXISTS',
      'R9',
    );
    // Once revoked, the pair may start again.
    expectStatus(
      await api.call('POST', path(accountId, '/delegations/first/revoke'), { actor: 'alice' }),
      200,
    );
    expectStatus(await api.invite(accountId, 'alice', 'bob'), 201);
  });

  it('R10: only the delegator’s own numbers are shared, and a shared number stays while shared', async () => {
    const accountId = await api.accountWith(
      ['alice', 'bob'],
      {},
      { alice: { numbers: [numberOf(1), '+15550000011'] } },
    );
    await rejects(
      accountId,
      () => api.invite(accountId, 'alice', 'bob', { sharedLines: [numberOf(2)] }),
      422,
      'SHARED_LINE_NOT_OWNED',
      'R10',
    );
    await rejects(
      accountId,
      () => api.invite(accountId, 'alice', 'bob', { sharedLines: [] }),
      422,
      'NO_SHARED_LINE',
      'R10',
    );
    expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab' }), 201);
    expect(
      await api.call('PUT', path(accountId, '/delegations/ab/shared-lines'), {
        actor: 'alice',
        sharedLines: ['+15550000011'],
      }),
    ).toMatchObject({ status: 200, body: { events: [{ type: 'DelegationSharedLinesChanged' }] } });
    await rejects(
      accountId,
      () =>
        api.call('PUT', path(accountId, '/parties/alice/direct-numbers'), {
          actor: ADMIN,
          directNumbers: [numberOf(1)],
        }),
      409,
      'NUMBER_SHARED_BY_DELEGATION',
      'R10',
    );
  });

  it('R19: the VIP list is edited by the delegator or a delegate with manageVipContacts only', async () => {
    const accountId = await api.accountWith(['alice', 'bob', 'carol'], {}, { alice: { powerPack: true } });
    expectStatus(await api.invite(accountId, 'alice', 'bob', { delegationId: 'ab' }), 201);
    const vip = path(accountId, '/parties/alice/vip-contacts');
    const add = (actor: string) => () =>
      api.call('POST', vip, { actor, number: '+15557770001', name: 'Chair' });
    await rejects(accountId, add('carol'), 422, 'ACTOR_NOT_ALLOWED', 'R19');
    await rejects(accountId, add('bob'), 409, 'INVITATION_PENDING', 'R7');
    expectStatus(await api.call('POST', path(accountId, '/delegations/ab/accept'), { actor: 'bob' }), 200);
    await rejects(accountId, add('bob'), 422, 'PERMISSION_REQUIRED', 'R6');
    await rejects(
      accountId,
      () => api.call('DELETE', `${vip}/+15557770001`, { actor: 'alice' }),
      404,
      'VIP_CONTACT_NOT_FOUND',
      'R19',
    );
    await rejects(
      accountId,
      () =>
        api.call('PUT', path(accountId, '/parties/alice/vip-routing'), {
          actor: 'alice',
          mode: 'delegatorFirst',
          delaySeconds: 0,
        }),
      422,
      'INVALID_VIP_ROUTING',
      'R19',
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
    await rejects(
      accountId,
      () =>
        api.call('PUT', path(accountId, '/parties/alice/business-hours'), {
          actor: 'alice',
          businessHours: { utcOffsetMinutes: 0, windows: [{ day: 'mon', from: '17:00', to: '09:00' }] },
        }),
      422,
      'INVALID_BUSINESS_HOURS',
      'R13',
    );
    await rejects(
      accountId,
      () =>
        api.call('PUT', path(accountId, '/parties/alice/ring-timeout'), {
          actor: 'alice',
          ringTimeoutSeconds: 1,
        }),
      422,
      'INVALID_RING_TIMEOUT',
      'R14',
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
