import {
  ADMIN,
  ALICE,
  ALICE_SECOND,
  BOB,
  CAROL,
  LOBBY,
  T0,
  accept,
  acme,
  changeAssistant,
  changeCallingPlan,
  changeDirectNumbers,
  changePolicy,
  createAccount,
  extend,
  given,
  history,
  invite,
  inviteRefusedFor,
  numberOf,
  provisionCommonArea,
  provisionUser,
} from './account.fixtures.js';
import { DEFAULT_ACCOUNT_POLICY } from './account.state.js';

const at = { by: ADMIN, at: T0 };

describe('accounts and admins', () => {
  it('R1: creating an account makes the actor its first admin and fills the policy with defaults', () => {
    given([])
      .when({ ...createAccount({ maxDelegatesPerDelegator: 5 }), admins: ['ops', ADMIN] })
      .then([
        {
          type: 'AccountCreated',
          data: {
            accountId: 'acme',
            name: 'Acme',
            admins: [ADMIN, 'ops'],
            policy: { ...DEFAULT_ACCOUNT_POLICY, maxDelegatesPerDelegator: 5 },
            ...at,
          },
        },
      ]);
  });

  it('R1: an account is created once (ACCOUNT_ALREADY_EXISTS)', () => {
    given(acme).when(createAccount()).thenRejects('ACCOUNT_ALREADY_EXISTS', 'R1');
  });

  it('R1: commands on an account that does not exist are not found (ACCOUNT_NOT_FOUND)', () => {
    const rejection = given([]).when(provisionUser(ALICE)).thenRejects('ACCOUNT_NOT_FOUND', 'R1');
    expect(rejection.kind).toBe('not_found');
  });

  it('R3: only an admin changes the account policy (ADMIN_ONLY)', () => {
    given(acme)
      .when(changePolicy({ delegationEnabled: false }, ALICE))
      .thenRejects('ADMIN_ONLY', 'R3');
  });

  it('R8: a limit below 1 or not a whole number is rejected (INVALID_DELEGATION_LIMIT)', () => {
    given(acme)
      .when(changePolicy({ maxDelegatesPerDelegator: 0 }))
      .thenRejects('INVALID_DELEGATION_LIMIT', 'R8');
    given([])
      .when(createAccount({ maxDelegatorsPerDelegate: 2.5 }))
      .thenRejects('INVALID_DELEGATION_LIMIT', 'R8');
  });

  it('R8: a limit past what a JSON number holds exactly (2^53 and beyond, 1e308) is rejected, not recorded rounded', () => {
    for (const limit of [2 ** 53, 2 ** 64, 1e308]) {
      given(acme)
        .when(changePolicy({ maxDelegatesPerDelegator: limit }))
        .thenRejects('INVALID_DELEGATION_LIMIT', 'R8');
      given([])
        .when(createAccount({ maxDelegatorsPerDelegate: limit }))
        .thenRejects('INVALID_DELEGATION_LIMIT', 'R8');
    }
    given(acme)
      .when(changePolicy({ maxDelegatesPerDelegator: Number.MAX_SAFE_INTEGER }))
      .thenEmitsTypes(['AccountPolicyChanged']);
  });

  it('R4: the minimum desktop version must be a dotted version (INVALID_VERSION)', () => {
    given(acme)
      .when(changePolicy({ assistantMinimumVersion: 'latest' }))
      .thenRejects('INVALID_VERSION', 'R4');
  });
});

describe('provisioning parties (R1)', () => {
  const base = history(createAccount());

  it('R1: an admin provisions a phone user with its direct numbers, licence and client', () => {
    given(base)
      .when(provisionUser(ALICE, { directNumbers: [numberOf(ALICE), ALICE_SECOND] }))
      .then([
        {
          type: 'PhoneUserProvisioned',
          data: {
            partyId: ALICE,
            name: 'Alice',
            directNumbers: [numberOf(ALICE), ALICE_SECOND],
            callingPlan: 'unlimited',
            powerPack: false,
            assistantEnabled: true,
            desktopClient: { platform: 'windows', version: '6.2.0' },
            ...at,
          },
        },
      ]);
  });

  it('R1: an admin provisions a common-area phone', () => {
    given(base)
      .when(provisionCommonArea(LOBBY))
      .then([
        {
          type: 'CommonAreaPhoneProvisioned',
          data: {
            partyId: LOBBY,
            name: 'Lobby phone',
            directNumbers: [numberOf(LOBBY)],
            callingPlan: 'metered',
            powerPack: false,
            ...at,
          },
        },
      ]);
  });

  it('R1: only an admin provisions (ADMIN_ONLY)', () => {
    given(acme)
      .when({ ...provisionUser('dave'), actor: ALICE })
      .thenRejects('ADMIN_ONLY', 'R1');
  });

  it('R1: a party needs at least one direct number (NO_DIRECT_NUMBER)', () => {
    given(base)
      .when(provisionUser(ALICE, { directNumbers: [] }))
      .thenRejects('NO_DIRECT_NUMBER', 'R1');
  });

  it('R1: direct numbers are E.164 (INVALID_NUMBER)', () => {
    given(base)
      .when(provisionUser(ALICE, { directNumbers: ['555-0100'] }))
      .thenRejects('INVALID_NUMBER', 'R1');
  });

  it('R1: a number listed twice is rejected (DUPLICATE_NUMBER)', () => {
    given(base)
      .when(provisionUser(ALICE, { directNumbers: [numberOf(ALICE), numberOf(ALICE)] }))
      .thenRejects('DUPLICATE_NUMBER', 'R1');
  });

  it('R1: a number belongs to one party in the account (NUMBER_ALREADY_ASSIGNED)', () => {
    const rejection = given(acme)
      .when(provisionUser('dave', { directNumbers: [numberOf(ALICE)] }))
      .thenRejects('NUMBER_ALREADY_ASSIGNED', 'R1');
    expect(rejection.kind).toBe('conflict');
    expect(rejection.message).toContain(ALICE);
  });

  it('R1: a party id is used once, and not by an admin (PARTY_ALREADY_EXISTS)', () => {
    given(acme)
      .when(provisionUser(ALICE, { directNumbers: ['+15559999999'] }))
      .thenRejects('PARTY_ALREADY_EXISTS', 'R1');
    given(acme).when(provisionUser(ADMIN)).thenRejects('PARTY_ALREADY_EXISTS', 'R1');
  });

  it('R1: an admin changes a party’s direct numbers; released numbers may be reused', () => {
    given(acme)
      .when(changeDirectNumbers(ALICE, [ALICE_SECOND]))
      .then([
        { type: 'PartyDirectNumbersChanged', data: { partyId: ALICE, directNumbers: [ALICE_SECOND], ...at } },
      ]);
    const released = extend(acme, changeDirectNumbers(ALICE, [ALICE_SECOND]));
    given(released)
      .when(provisionUser('dave', { directNumbers: [numberOf(ALICE)] }))
      .thenEmitsTypes(['PhoneUserProvisioned']);
  });

  it('R1: changing numbers keeps at least one (NO_DIRECT_NUMBER)', () => {
    given(acme).when(changeDirectNumbers(ALICE, [])).thenRejects('NO_DIRECT_NUMBER', 'R1');
  });

  it('R10: a number shared by a live delegation cannot be taken away (NUMBER_SHARED_BY_DELEGATION)', () => {
    given(extend(acme, invite('d1', ALICE, BOB)))
      .when(changeDirectNumbers(ALICE, [ALICE_SECOND]))
      .thenRejects('NUMBER_SHARED_BY_DELEGATION', 'R10');
  });

  it('R1: changing an unknown party is not found (PARTY_NOT_FOUND)', () => {
    given(acme).when(changeCallingPlan('nobody', 'pro')).thenRejects('PARTY_NOT_FOUND', 'R1');
  });
});

describe('calling plans (R2)', () => {
  const noPlan = (partyId: string) => changeCallingPlan(partyId, 'none');

  it('R2: an admin changes a calling plan; the change is an event', () => {
    given(acme)
      .when(noPlan(BOB))
      .then([{ type: 'PartyCallingPlanChanged', data: { partyId: BOB, callingPlan: 'none', ...at } }]);
  });

  it('R2: only an admin changes calling plans (ADMIN_ONLY)', () => {
    given(acme)
      .when({ ...noPlan(BOB), actor: BOB })
      .thenRejects('ADMIN_ONLY', 'R2');
  });

  it.each([
    ['R2: a delegate without a calling plan cannot be invited (NO_CALLING_PLAN)', BOB],
    ['R2: a delegator without a calling plan cannot invite (NO_CALLING_PLAN)', ALICE],
  ])('%s', (_rule, party) => inviteRefusedFor(noPlan, 'NO_CALLING_PLAN', 'R2')(party));

  it('R2: a common-area phone without a plan cannot take part either', () => {
    given(history(createAccount(), provisionUser(ALICE), provisionCommonArea(LOBBY, { callingPlan: 'none' })))
      .when(invite('d1', ALICE, LOBBY))
      .thenRejects('NO_CALLING_PLAN', 'R2');
  });

  it('R2: metered, unlimited and pro plans all qualify', () => {
    for (const callingPlan of ['metered', 'unlimited', 'pro'] as const)
      given(
        history(createAccount(), provisionUser(ALICE, { callingPlan }), provisionUser(BOB, { callingPlan })),
      )
        .when(invite('d1', ALICE, BOB))
        .thenEmitsTypes(['DelegateInvited']);
  });

  it('R2: a plan lost while an invitation waits blocks accepting it', () => {
    given(extend(acme, invite('d1', ALICE, BOB), noPlan(BOB)))
      .when(accept('d1', BOB))
      .thenRejects('NO_CALLING_PLAN', 'R2');
  });
});

describe('Assistant and desktop client (R4)', () => {
  const report = (
    partyId: string,
    platform: 'windows' | 'macos' | 'linux' | 'web',
    version: string,
    actor = partyId,
  ) => ({ type: 'ReportDesktopClient', actor, partyId, desktopClient: { platform, version } }) as const;
  const pendingFor = (...setup: Parameters<typeof history>) =>
    extend(acme, ...setup, invite('d1', ALICE, BOB));

  it('R4: accepting needs the Assistant enabled for the delegate (ASSISTANT_DISABLED)', () => {
    given(pendingFor(changeAssistant(BOB, false)))
      .when(accept('d1', BOB))
      .thenRejects('ASSISTANT_DISABLED', 'R4');
  });

  it('R4: accepting needs a desktop client (DESKTOP_CLIENT_MISSING)', () => {
    given(
      history(
        createAccount(),
        provisionUser(ALICE),
        provisionUser(BOB, { desktopClient: null }),
        invite('d1', ALICE, BOB),
      ),
    )
      .when(accept('d1', BOB))
      .thenRejects('DESKTOP_CLIENT_MISSING', 'R4');
  });

  it('R4: accepting needs the Windows or macOS client (DESKTOP_CLIENT_UNSUPPORTED)', () => {
    for (const platform of ['linux', 'web'] as const)
      given(pendingFor(report(BOB, platform, '6.2.0')))
        .when(accept('d1', BOB))
        .thenRejects('DESKTOP_CLIENT_UNSUPPORTED', 'R4');
  });

  it('R4: accepting needs the client at or above the account minimum (DESKTOP_CLIENT_OUTDATED)', () => {
    const rejection = given(pendingFor(report(BOB, 'macos', '5.17.11')))
      .when(accept('d1', BOB))
      .thenRejects('DESKTOP_CLIENT_OUTDATED', 'R4');
    expect(rejection.message).toContain('6.0.0');
  });

  it('R4: the minimum version is an account setting, compared numerically', () => {
    given(pendingFor(report(BOB, 'macos', '6.9.0'), changePolicy({ assistantMinimumVersion: '6.10' })))
      .when(accept('d1', BOB))
      .thenRejects('DESKTOP_CLIENT_OUTDATED', 'R4');
    given(pendingFor(report(BOB, 'macos', '6.10.0'), changePolicy({ assistantMinimumVersion: '6.10' })))
      .when(accept('d1', BOB))
      .thenEmitsTypes(['DelegationAccepted']);
  });

  it('R4: updating the client makes accepting possible', () => {
    given(pendingFor(report(BOB, 'macos', '5.0'), report(BOB, 'macos', '6.3.1')))
      .when(accept('d1', BOB))
      .thenEmitsTypes(['DelegationAccepted']);
  });

  it('R4: inviting needs no Assistant (it is done in the web portal)', () => {
    given(extend(acme, changeAssistant(BOB, false)))
      .when(invite('d1', ALICE, BOB))
      .thenEmitsTypes(['DelegateInvited']);
  });

  it('R4: a common-area phone needs no Assistant to become a delegate', () => {
    given(extend(acme, invite('d1', ALICE, LOBBY)))
      .when(accept('d1', ADMIN))
      .thenEmitsTypes(['DelegationAccepted']);
  });

  it('R4: a user reports its own client; others may not (ACTOR_NOT_ALLOWED)', () => {
    given(acme)
      .when(report(BOB, 'macos', '6.3.1'))
      .then([
        {
          type: 'PartyDesktopClientChanged',
          data: { partyId: BOB, desktopClient: { platform: 'macos', version: '6.3.1' }, by: BOB, at: T0 },
        },
      ]);
    given(acme)
      .when(report(BOB, 'macos', '6.3.1', CAROL))
      .thenRejects('ACTOR_NOT_ALLOWED', 'R4');
  });

  it('R4: a reported version must be a dotted version (INVALID_VERSION)', () => {
    given(acme)
      .when(report(BOB, 'macos', 'v6'))
      .thenRejects('INVALID_VERSION', 'R4');
  });

  it('R4: the Assistant belongs to phone users, not common-area phones (NOT_A_PHONE_USER)', () => {
    given(acme).when(changeAssistant(LOBBY, true)).thenRejects('NOT_A_PHONE_USER', 'R4');
  });

  it('R4: only an admin switches the Assistant (ADMIN_ONLY)', () => {
    given(acme)
      .when({ ...changeAssistant(BOB, false), actor: BOB })
      .thenRejects('ADMIN_ONLY', 'R4');
    given(acme)
      .when(changeAssistant(BOB, false))
      .then([{ type: 'PartyAssistantChanged', data: { partyId: BOB, assistantEnabled: false, ...at } }]);
  });
});

describe('line settings (R13, R14)', () => {
  const hours = { utcOffsetMinutes: 540, windows: [{ day: 'mon' as const, from: '09:00', to: '17:00' }] };

  it('R13: a party sets the business hours of its own lines', () => {
    given(acme)
      .when({ type: 'SetBusinessHours', actor: ALICE, partyId: ALICE, businessHours: hours })
      .then([
        { type: 'BusinessHoursSet', data: { partyId: ALICE, businessHours: hours, by: ALICE, at: T0 } },
      ]);
  });

  it('R13: malformed business hours are rejected (INVALID_BUSINESS_HOURS)', () => {
    for (const windows of [
      [{ day: 'mon' as const, from: '17:00', to: '09:00' }],
      [{ day: 'mon' as const, from: '9am', to: '17:00' }],
      [{ day: 'someday' as never, from: '09:00', to: '17:00' }],
    ])
      given(acme)
        .when({
          type: 'SetBusinessHours',
          actor: ALICE,
          partyId: ALICE,
          businessHours: { ...hours, windows },
        })
        .thenRejects('INVALID_BUSINESS_HOURS', 'R13');
  });

  it('R13: another user may not set someone’s business hours (ACTOR_NOT_ALLOWED)', () => {
    given(acme)
      .when({ type: 'SetBusinessHours', actor: CAROL, partyId: ALICE, businessHours: hours })
      .thenRejects('ACTOR_NOT_ALLOWED', 'R13');
  });

  it('R14: the ring timeout of a party’s lines is between 5 and 300 seconds (INVALID_RING_TIMEOUT)', () => {
    given(acme)
      .when({ type: 'ChangeRingTimeout', actor: ADMIN, partyId: ALICE, ringTimeoutSeconds: 20 })
      .then([{ type: 'RingTimeoutChanged', data: { partyId: ALICE, ringTimeoutSeconds: 20, ...at } }]);
    given(acme)
      .when({ type: 'ChangeRingTimeout', actor: ADMIN, partyId: ALICE, ringTimeoutSeconds: 2 })
      .thenRejects('INVALID_RING_TIMEOUT', 'R14');
  });
});
