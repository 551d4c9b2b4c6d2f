import {
  ADMIN,
  EVERYDAY,
  apiForSuite,
  expectStatus,
  startApi,
  storedEvents,
  storedTypes,
  uniqueId,
} from './accounts.support.js';

describe('account api: a delegation from provisioning to revocation', () => {
  const api = apiForSuite();

  it('creates, provisions, invites, accepts, changes permissions and revokes, with SPEC §2 metadata', async () => {
    const accountId = uniqueId('acct');
    const created = await api.call(
      'POST',
      '/accounts',
      { actor: ADMIN, accountId, name: 'Acme', commandId: `create-${accountId}` },
      { 'x-correlation-id': 'onboarding-1' },
    );
    expect(created).toMatchObject({
      status: 201,
      body: {
        commandId: `create-${accountId}`,
        duplicate: false,
        revision: '0',
        position: expect.stringMatching(/^\d+$/),
        events: [{ type: 'AccountCreated', data: { accountId, admins: [ADMIN] } }],
      },
    });
    for (const [partyId, number] of [
      ['alice', '+15550000001'],
      ['bob', '+15550000002'],
    ] as const) {
      const provisioned = await api.call('POST', `/accounts/${accountId}/phone-users`, {
        actor: ADMIN,
        partyId,
        name: partyId,
        directNumbers: [number],
        callingPlan: 'unlimited',
        assistantEnabled: true,
        desktopClient: { platform: 'macos', version: '6.3.0' },
      });
      expect(provisioned).toMatchObject({ status: 201, body: { partyId } });
    }

    const invited = await api.call('POST', `/accounts/${accountId}/delegations`, {
      actor: 'alice',
      delegatorId: 'alice',
      delegateId: 'bob',
      permissions: ['answerCalls', 'placeCalls'],
      sharedLines: ['+15550000001'],
    });
    expect(invited).toMatchObject({
      status: 201,
      body: {
        delegationId: expect.stringMatching(/^[0-9a-f]{32}$/),
        events: [{ type: 'DelegateInvited', data: { permissions: ['placeCalls', 'answerCalls'] } }],
      },
    });
    const delegationId: string = invited.body.delegationId;
    const path = `/accounts/${accountId}/delegations/${delegationId}`;

    expect(await api.call('POST', `${path}/accept`, { actor: 'bob' })).toMatchObject({
      status: 200,
      body: { events: [{ type: 'DelegationAccepted', data: { delegationId, by: 'bob' } }] },
    });
    expect(
      await api.call('PUT', `${path}/permissions`, {
        actor: 'alice',
        permissions: [...EVERYDAY, 'optInOut'],
      }),
    ).toMatchObject({ status: 200, body: { events: [{ type: 'DelegationPermissionsChanged' }] } });
    expect(await api.call('POST', `${path}/opt-out`, { actor: 'bob' })).toMatchObject({
      status: 200,
      body: { events: [{ type: 'DelegateOptedOut' }] },
    });

    const view = await api.call('GET', `/accounts/${accountId}`);
    expect(view).toMatchObject({
      status: 200,
      body: {
        accountId,
        revision: '6',
        parties: [{ partyId: 'alice', directNumbers: ['+15550000001'] }, { partyId: 'bob' }],
        delegations: [
          {
            delegationId,
            delegatorId: 'alice',
            delegateId: 'bob',
            status: 'active',
            permissions: [...EVERYDAY, 'optInOut'],
            sharedLines: ['+15550000001'],
            optedIn: false,
          },
        ],
      },
    });

    const revoked = await api.call('POST', `${path}/revoke`, { actor: 'alice', commandId: 'revoke-1' });
    expect(revoked).toMatchObject({ status: 200, body: { events: [{ type: 'DelegationRevoked' }] } });
    expect((await api.call('GET', `/accounts/${accountId}`)).body.delegations[0].status).toBe('revoked');

    const stored = await storedEvents(accountId);
    expect(stored.map((s) => s.event.type)).toEqual([
      'AccountCreated',
      'PhoneUserProvisioned',
      'PhoneUserProvisioned',
      'DelegateInvited',
      'DelegationAccepted',
      'DelegationPermissionsChanged',
      'DelegateOptedOut',
      'DelegationRevoked',
    ]);
    const simulatedTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(stored[0]!.metadata).toEqual({
      $correlationId: 'onboarding-1',
      $causationId: `create-${accountId}`,
      commandId: `create-${accountId}`,
      actor: ADMIN,
      onBehalfOf: null,
      permission: null,
      simulatedTime,
      requestDigest: expect.stringMatching(/^[0-9a-f]{64}$/),
      schemaVersion: 1,
    });
    // The simulated time recorded in metadata is the decision's own `at`.
    expect(stored[0]!.metadata.simulatedTime).toBe((stored[0]!.event.data as { at: string }).at);
    expect(stored[4]!.metadata).toMatchObject({ actor: 'bob', onBehalfOf: null, permission: null });
    // Opting out is the delegate working its delegation: on behalf of alice, with optInOut (R13).
    expect(stored[6]!.metadata).toMatchObject({
      actor: 'bob',
      onBehalfOf: 'alice',
      permission: 'optInOut',
      $correlationId: stored[6]!.metadata.commandId,
      $causationId: stored[6]!.metadata.commandId,
    });
    expect(stored[7]!.metadata).toMatchObject({
      commandId: 'revoke-1',
      $correlationId: 'revoke-1',
      actor: 'alice',
      onBehalfOf: null,
      permission: null,
    });
    expect(stored[7]!.position).toBe(BigInt(revoked.body.position));
  });

  it('records a delegate editing the VIP list as acting for the delegator with manageVipContacts (R19)', async () => {
    const accountId = await api.accountWith(['alice', 'bob'], {}, { alice: { powerPack: true } });
    const invited = await api.invite(accountId, 'alice', 'bob', {
      delegationId: 'alice-bob',
      permissions: [...EVERYDAY, 'manageVipContacts'],
    });
    expectStatus(invited, 201);
    expect(invited.body.delegationId).toBe('alice-bob');
    expectStatus(
      await api.call('POST', `/accounts/${accountId}/delegations/alice-bob/accept`, { actor: 'bob' }),
      200,
    );

    const vip = `/accounts/${accountId}/parties/alice/vip-contacts`;
    expect(
      await api.call('POST', vip, { actor: 'bob', number: '+15557770001', name: 'Chair' }),
    ).toMatchObject({
      status: 201,
      body: { events: [{ type: 'VipContactAdded', data: { delegatorId: 'alice', by: 'bob' } }] },
    });
    expect(
      await api.call('POST', vip, { actor: 'alice', number: '+15557770002', name: 'CFO' }),
    ).toMatchObject({
      status: 201,
    });
    expect(await api.call('DELETE', `${vip}/+15557770002`, { actor: 'bob' })).toMatchObject({
      status: 200,
      body: { events: [{ type: 'VipContactRemoved' }] },
    });
    expect(
      await api.call('PUT', `/accounts/${accountId}/parties/alice/vip-routing`, {
        actor: 'alice',
        mode: 'delegatorFirst',
        delaySeconds: 10,
      }),
    ).toMatchObject({ status: 200, body: { events: [{ type: 'VipRoutingChanged' }] } });

    const stored = await storedEvents(accountId);
    const vipEvents = stored.filter((s) => s.event.type.startsWith('Vip'));
    expect(
      vipEvents.map((s) => [s.event.type, s.metadata.actor, s.metadata.onBehalfOf, s.metadata.permission]),
    ).toEqual([
      ['VipContactAdded', 'bob', 'alice', 'manageVipContacts'],
      ['VipContactAdded', 'alice', null, null],
      ['VipContactRemoved', 'bob', 'alice', 'manageVipContacts'],
      ['VipRoutingChanged', 'alice', null, null],
    ]);
    const view = await api.call('GET', `/accounts/${accountId}`);
    expect(view.body.parties[0]).toMatchObject({
      vipContacts: [{ number: '+15557770001', name: 'Chair' }],
      vipRouting: { mode: 'delegatorFirst', delaySeconds: 10 },
    });
  });

  it('answers a resent command id with the first answer and appends nothing (idempotency)', async () => {
    const accountId = await api.accountWith(['alice', 'bob']);
    const body = { delegationId: 'first', commandId: 'invite-once' };
    const first = await api.invite(accountId, 'alice', 'bob', body);
    expectStatus(first, 201);
    // The same request under the same command id: the first result, not a second invitation.
    const again = await api.invite(accountId, 'alice', 'bob', body);
    expect(again.status).toBe(201);
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    expect(again.body.delegationId).toBe('first');
    // Another request under it (another delegation id) is refused, not answered with the first result.
    const reused = await api.invite(accountId, 'alice', 'bob', { ...body, delegationId: 'second' });
    expect(reused).toMatchObject({ status: 422, body: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    // The header form of the command id works the same way.
    const byHeader = () =>
      api.call(
        'POST',
        `/accounts/${accountId}/delegations/first/accept`,
        { actor: 'bob' },
        { 'idempotency-key': 'acc-1' },
      );
    const accepted = await byHeader();
    expect((await byHeader()).body).toEqual({ ...accepted.body, duplicate: true });
    expect(await storedTypes(accountId)).toEqual([
      'AccountCreated',
      'PhoneUserProvisioned',
      'PhoneUserProvisioned',
      'DelegateInvited',
      'DelegationAccepted',
    ]);
  });

  it('answers a resend on another api instance (another cache) with the first answer too', async () => {
    const accountId = await api.accountWith(['alice', 'bob']);
    const other = await startApi();
    try {
      const first = await api.invite(accountId, 'alice', 'bob', { commandId: 'invite-x' });
      const again = await other.invite(accountId, 'alice', 'bob', { commandId: 'invite-x' });
      expect(again.body).toEqual({ ...first.body, duplicate: true });
      expect((await storedTypes(accountId)).filter((t) => t === 'DelegateInvited')).toHaveLength(1);
    } finally {
      await other.close();
    }
  });

  it('answers a command that changes nothing with no events and no revision', async () => {
    const accountId = await api.accountWith(['alice']);
    const answer = await api.call('PUT', `/accounts/${accountId}/parties/alice/calling-plan`, {
      actor: ADMIN,
      callingPlan: 'unlimited',
    });
    expect(answer).toMatchObject({ status: 200, body: { events: [], revision: null, position: null } });
  });

  it('serves every account endpoint in the OpenAPI document, with examples', async () => {
    const doc = (await api.call('GET', '/docs-json')).body;
    expect(Object.keys(doc.paths).filter((p: string) => p.startsWith('/accounts'))).toEqual(
      expect.arrayContaining([
        '/accounts',
        '/accounts/{accountId}',
        '/accounts/{accountId}/delegations',
        '/accounts/{accountId}/delegations/{delegationId}/accept',
        '/accounts/{accountId}/parties/{partyId}/vip-contacts/{number}',
      ]),
    );
    expect(doc.components.schemas.InviteDelegateDto.properties.permissions).toMatchObject({
      example: EVERYDAY,
      items: { enum: expect.arrayContaining(['placeCalls', 'vipOnly']) },
    });
  });
});
