import {
  ADMIN,
  ALICE,
  ALICE_SECOND,
  BOB,
  CAROL,
  EVERYDAY,
  LOBBY,
  accept,
  acme,
  changeAssistant,
  changePermissions,
  changePolicy,
  changeSharedLines,
  createAccount,
  decline,
  extend,
  given,
  givePowerPack,
  history,
  invite,
  numberOf,
  optIn,
  optOut,
  provisionUser,
  ref,
  revoke,
  stateOf,
  typesOf,
  setDelegateHours,
} from './account.fixtures.js';
import type { AccountEvent } from '#events';
import { explainOptInOrOut } from './account.delegation.decide.js';

const pending = extend(acme, invite('d1', ALICE, BOB));
const active = extend(acme, invite('d1', ALICE, BOB), accept('d1', BOB));
/** Alice invites Bob with optInOut too (R6), so that, once he accepts, he may opt out of ringing (R13). */
const invitedWithOptInOut = invite('d1', ALICE, BOB, { permissions: [...EVERYDAY, 'optInOut'] });
const optable = extend(acme, invitedWithOptInOut, accept('d1', BOB));

describe('inviting a delegate (R6, R7, R9, R10)', () => {
  it('R7: an invitation by the delegator is pending, with its permissions and shared lines', () => {
    given(acme)
      .when(invite('d1', ALICE, BOB))
      .then([
        {
          type: 'DelegateInvited',
          data: { ...ref('d1', ALICE, BOB, ALICE), permissions: EVERYDAY, sharedLines: [numberOf(ALICE)] },
        },
      ]);
  });

  it('R7: an admin may invite on behalf of the delegator', () => {
    given(acme)
      .when(invite('d1', ALICE, BOB, { actor: ADMIN }))
      .thenEmits((events) => expect(events[0]!.data).toMatchObject({ by: ADMIN, delegatorId: ALICE }));
  });

  it('R7: nobody else may invite for the delegator (ACTOR_NOT_ALLOWED)', () => {
    given(acme)
      .when(invite('d1', ALICE, BOB, { actor: CAROL }))
      .thenRejects('ACTOR_NOT_ALLOWED', 'R7');
  });

  it('R7: a delegation id is used once (DELEGATION_ID_TAKEN)', () => {
    given(pending)
      .when(invite('d1', ALICE, CAROL))
      .thenRejects('DELEGATION_ID_TAKEN', 'R7');
  });

  it('R1: inviting a party that is not in the account is rejected as not found', () => {
    const rejection = given(acme)
      .when(invite('d1', ALICE, 'nobody'))
      .thenRejects('PARTY_NOT_FOUND', 'R1');
    expect(rejection.kind).toBe('not_found');
  });

  it('R6: permissions are stored once each, in canonical order', () => {
    given(acme)
      .when(
        invite('d1', ALICE, BOB, { permissions: ['optInOut', 'answerCalls', 'answerCalls', 'placeCalls'] }),
      )
      .thenEmits((events) =>
        expect(events[0]!.data).toMatchObject({ permissions: ['placeCalls', 'answerCalls', 'optInOut'] }),
      );
  });

  it.each([
    ['optInOut without answerCalls', 'OPT_IN_OUT_NEEDS_ANSWER_CALLS', ['placeCalls', 'optInOut']],
    ['vipOnly without answerCalls', 'VIP_ONLY_NEEDS_ANSWER_CALLS', ['placeCalls', 'vipOnly']],
    ['a delegation without any of the core permissions', 'NO_CORE_PERMISSION', ['joinAndMerge']],
    ['a delegation with no permissions at all', 'NO_CORE_PERMISSION', []],
    ['an unknown permission', 'UNKNOWN_PERMISSION', ['answerCalls', 'readMinds' as never]],
  ] as const)('R6: %s is rejected (%s)', (_case, code, permissions) => {
    given(acme)
      .when(invite('d1', ALICE, BOB, { permissions: [...permissions] }))
      .thenRejects(code, 'R6');
  });

  it('R9: a party cannot delegate to itself (SELF_DELEGATION)', () => {
    given(acme)
      .when(invite('d1', ALICE, ALICE))
      .thenRejects('SELF_DELEGATION', 'R9');
  });

  it.each([
    ['pending invitation for the same pair', pending],
    ['delegation for an actively delegated pair', active],
  ])('R9: a second %s is rejected (DELEGATION_ALREADY_EXISTS)', (_case, delegation) => {
    const rejection = given(delegation)
      .when(invite('d2', ALICE, BOB))
      .thenRejects('DELEGATION_ALREADY_EXISTS', 'R9');
    expect(rejection.kind).toBe('conflict');
  });

  it.each([
    ['R6', 'a user delegating to a common-area phone', acme, invite('d1', ALICE, LOBBY)],
    ['R6', 'a common-area phone delegating to a user', acme, invite('d1', LOBBY, ALICE, { actor: ADMIN })],
    ['R9', 'the reverse direction of an active pair, a different pair', active, invite('d2', BOB, ALICE)],
  ])('%s: %s may be invited', (_rule, _case, history, invitation) => {
    given(history).when(invitation).thenEmitsTypes(['DelegateInvited']);
  });

  it('R10: a shared line must be one of the delegator’s own direct numbers (SHARED_LINE_NOT_OWNED)', () => {
    given(acme)
      .when(invite('d1', ALICE, BOB, { sharedLines: [numberOf(CAROL)] }))
      .thenRejects('SHARED_LINE_NOT_OWNED', 'R10');
  });

  it('R10: a delegation shares at least one line (NO_SHARED_LINE)', () => {
    given(acme)
      .when(invite('d1', ALICE, BOB, { sharedLines: [] }))
      .thenRejects('NO_SHARED_LINE', 'R10');
  });
});

describe('answering an invitation (R7)', () => {
  it.each([
    ['R7: the invitee accepts and the delegation becomes active', accept, 'DelegationAccepted'],
    ['R7: the invitee may decline', decline, 'DelegationDeclined'],
  ] as const)('%s', (_rule, answer, type) => {
    given(pending)
      .when(answer('d1', BOB))
      .then([{ type, data: ref('d1', ALICE, BOB, BOB) }]);
  });

  it('R7: only the invitee may accept, not the delegator nor an admin (ACTOR_NOT_ALLOWED)', () => {
    given(pending).when(accept('d1', ALICE)).thenRejects('ACTOR_NOT_ALLOWED', 'R7');
    given(pending).when(accept('d1', ADMIN)).thenRejects('ACTOR_NOT_ALLOWED', 'R7');
  });

  it('R7: an admin answers for a common-area phone, which has nobody to accept', () => {
    const toLobby = extend(acme, invite('d1', ALICE, LOBBY));
    given(toLobby)
      .when(accept('d1', ADMIN))
      .then([{ type: 'DelegationAccepted', data: ref('d1', ALICE, LOBBY, ADMIN) }]);
    given(toLobby)
      .when(decline('d1', ADMIN))
      .then([{ type: 'DelegationDeclined', data: ref('d1', ALICE, LOBBY, ADMIN) }]);
  });

  it('R7: a declined invitation cannot be accepted (INVITATION_NOT_PENDING)', () => {
    given(extend(acme, invite('d1', ALICE, BOB), decline('d1', BOB)))
      .when(accept('d1', BOB))
      .thenRejects('INVITATION_NOT_PENDING', 'R7');
  });

  it('R7: accepting an unknown invitation is not found (DELEGATION_NOT_FOUND)', () => {
    const rejection = given(acme).when(accept('nope', BOB)).thenRejects('DELEGATION_NOT_FOUND', 'R7');
    expect(rejection.kind).toBe('not_found');
  });

  it('R9: after a decline the same pair may be invited again', () => {
    given(extend(acme, invite('d1', ALICE, BOB), decline('d1', BOB)))
      .when(invite('d2', ALICE, BOB))
      .thenEmitsTypes(['DelegateInvited']);
  });
});

describe('policy activation (R7)', () => {
  /** Then the command's own event, and one delegation, `activation`, activated by policy. */
  const ownEventAndActivation =
    (ownType: AccountEvent['type'], activation: ReturnType<typeof ref>) =>
    (events: readonly AccountEvent[]) => {
      expect(typesOf(events)).toEqual([ownType, 'DelegationActivatedByPolicy']);
      expect(events[1]!.data).toEqual(activation);
    };

  it('R7: with admin-enforced activation an invitation is active at once, with no acceptance', () => {
    given(extend(acme, changePolicy({ autoActivateInvitations: true })))
      .when(invite('d1', ALICE, BOB))
      .thenEmits(ownEventAndActivation('DelegateInvited', ref('d1', ALICE, BOB, ALICE)));
  });

  it('R7: switching admin-enforced activation on activates the invitations still pending', () => {
    given(extend(acme, invite('d1', ALICE, BOB), invite('d2', ALICE, CAROL), accept('d2', CAROL)))
      .when(changePolicy({ autoActivateInvitations: true }))
      .thenEmits(ownEventAndActivation('AccountPolicyChanged', ref('d1', ALICE, BOB, ADMIN)));
  });

  /** Acme with admin-enforced activation, where Bob's Assistant is off: he could not accept an invitation (R4). */
  const bobWithoutPanel = extend(
    acme,
    changePolicy({ autoActivateInvitations: true }),
    changeAssistant(BOB, false),
  );

  it('R7, R4: Given admin-enforced activation, When Alice invites Bob, whose Assistant is off, Then the invitation stays pending, as accepting it would be refused', () => {
    given(bobWithoutPanel)
      .when(invite('d1', ALICE, BOB))
      .thenEmitsTypes(['DelegateInvited']);
    // And Bob's accept is refused for the same reason
    given(extend(bobWithoutPanel, invite('d1', ALICE, BOB)))
      .when(accept('d1', BOB))
      .thenRejects('ASSISTANT_DISABLED', 'R4');
  });

  it('R7, R5: Given pending invitations, When admin-enforced activation is switched on, Then only those accepting would activate are activated (checked against the new policy)', () => {
    // Given a VIP invitation whose delegator has since lost the Power Pack, a premium common-area one, and an everyday one
    const invitations = extend(
      acme,
      givePowerPack(ALICE),
      invite('d-vip', ALICE, BOB, { permissions: [...EVERYDAY, 'manageVipContacts'] }),
      givePowerPack(ALICE, false),
      invite('d-lobby', ALICE, LOBBY),
      invite('d-carol', ALICE, CAROL),
    );
    // When the same policy change makes common-area delegation premium and switches activation on
    given(invitations)
      .when(changePolicy({ autoActivateInvitations: true, commonAreaDelegationNeedsPowerPack: true }))
      // Then only Carol's invitation is activated
      .thenEmits(ownEventAndActivation('AccountPolicyChanged', ref('d-carol', ALICE, CAROL, ADMIN)));
  });

  it('R7: Given admin-enforced activation and an invitation it left pending, When what refused it is put right, Then the same command activates it', () => {
    const waiting = extend(bobWithoutPanel, invite('d1', ALICE, BOB));
    given(waiting)
      .when(changeAssistant(BOB, true))
      .thenEmits(ownEventAndActivation('PartyAssistantChanged', ref('d1', ALICE, BOB, ADMIN)));
    // And a command that changes nothing activates nothing
    given(waiting).when(changeAssistant(BOB, false)).then([]);
  });

  it('R7: an activated-by-policy delegation has nothing left to accept (INVITATION_NOT_PENDING)', () => {
    given(extend(acme, changePolicy({ autoActivateInvitations: true }), invite('d1', ALICE, BOB)))
      .when(accept('d1', BOB))
      .thenRejects('INVITATION_NOT_PENDING', 'R7');
  });
});

describe('revoking and changing a delegation (R7, R10)', () => {
  it.each([
    ['R7: the delegator revokes an active delegation', active, ALICE],
    ['R7: an admin may revoke, and revoking a pending invitation withdraws it', pending, ADMIN],
  ])('%s', (_rule, delegation, by) => {
    given(delegation)
      .when(revoke('d1', by))
      .then([{ type: 'DelegationRevoked', data: ref('d1', ALICE, BOB, by) }]);
  });

  it('R7: the delegate may not revoke (ACTOR_NOT_ALLOWED)', () => {
    given(active).when(revoke('d1', BOB)).thenRejects('ACTOR_NOT_ALLOWED', 'R7');
  });

  it('R7: a revoked delegation cannot be revoked or changed again (DELEGATION_ALREADY_ENDED)', () => {
    const revoked = extend(acme, invite('d1', ALICE, BOB), accept('d1', BOB), revoke('d1', ALICE));
    given(revoked).when(revoke('d1', ALICE)).thenRejects('DELEGATION_ALREADY_ENDED', 'R7');
    given(revoked)
      .when(changePermissions('d1', ALICE, ['answerCalls']))
      .thenRejects('DELEGATION_ALREADY_ENDED', 'R7');
  });

  it('R7: the delegator changes permissions; the change is an event', () => {
    given(active)
      .when(changePermissions('d1', ALICE, ['answerCalls', 'joinAndMerge']))
      .then([
        {
          type: 'DelegationPermissionsChanged',
          data: { ...ref('d1', ALICE, BOB, ALICE), permissions: ['answerCalls', 'joinAndMerge'] },
        },
      ]);
  });

  it('R6: a permission change is checked like an invitation (OPT_IN_OUT_NEEDS_ANSWER_CALLS)', () => {
    given(active)
      .when(changePermissions('d1', ALICE, ['placeCalls', 'optInOut']))
      .thenRejects('OPT_IN_OUT_NEEDS_ANSWER_CALLS', 'R6');
  });

  it('R7: the delegate may not change its own permissions (ACTOR_NOT_ALLOWED)', () => {
    given(active)
      .when(changePermissions('d1', BOB, ['answerCalls']))
      .thenRejects('ACTOR_NOT_ALLOWED', 'R7');
  });

  it('R13: dropping optInOut from an opted-out delegate opts it back in, so it is not silenced for good', () => {
    given(extend(optable, optOut('d1', BOB)))
      .when(changePermissions('d1', ALICE, EVERYDAY))
      .thenEmitsTypes(['DelegationPermissionsChanged', 'DelegateOptedIn']);
  });

  it('R10: the delegator changes the shared lines to another of its own numbers', () => {
    const twoLines = history(
      createAccount(),
      provisionUser(ALICE, { directNumbers: [numberOf(ALICE), ALICE_SECOND] }),
      provisionUser(BOB),
      invite('d1', ALICE, BOB),
    );
    given(twoLines)
      .when(changeSharedLines('d1', ALICE, [ALICE_SECOND, numberOf(ALICE)]))
      .then([
        {
          type: 'DelegationSharedLinesChanged',
          data: { ...ref('d1', ALICE, BOB, ALICE), sharedLines: [ALICE_SECOND, numberOf(ALICE)] },
        },
      ]);
    given(twoLines)
      .when(changeSharedLines('d1', ALICE, [numberOf(BOB)]))
      .thenRejects('SHARED_LINE_NOT_OWNED', 'R10');
  });
});

describe('opting in and out (R6, R13)', () => {
  it('R6: a delegate with optInOut opts out and back in', () => {
    given(optable)
      .when(optOut('d1', BOB))
      .then([{ type: 'DelegateOptedOut', data: ref('d1', ALICE, BOB, BOB) }]);
    given(extend(optable, optOut('d1', BOB)))
      .when(optIn('d1', BOB))
      .then([{ type: 'DelegateOptedIn', data: ref('d1', ALICE, BOB, BOB) }]);
  });

  it('R6: a delegate without optInOut cannot opt out (PERMISSION_REQUIRED)', () => {
    given(active).when(optOut('d1', BOB)).thenRejects('PERMISSION_REQUIRED', 'R6');
  });

  it('R7: opting out needs an active delegation (DELEGATION_NOT_ACTIVE)', () => {
    const error = given(extend(acme, invitedWithOptInOut))
      .when(optOut('d1', BOB))
      .thenRejects('DELEGATION_NOT_ACTIVE', 'R7');
    expect(error.message).toBe('Delegation d1 is pending, not active: it must be accepted first.');
  });

  it('R7: Given a delegation revoked or declined, When the delegate opts out, Then DELEGATION_NOT_ACTIVE says it is over, not that accepting it would help', () => {
    for (const [status, ended] of [
      ['revoked', extend(optable, revoke('d1', ALICE))],
      ['declined', extend(acme, invitedWithOptInOut, decline('d1', BOB))],
    ] as const) {
      const error = given(ended).when(optOut('d1', BOB)).thenRejects('DELEGATION_NOT_ACTIVE', 'R7');
      expect(error.message).toBe(
        `Delegation d1 was ${status}: it is over, and only a new invitation makes you a delegate again.`,
      );
    }
  });
});

describe('a common-area phone’s own delegation settings, set by an admin (R7, R13)', () => {
  /** Alice delegates to the lobby phone with optInOut and overrideBusinessHours; an admin accepts for it. */
  const lobbyDelegate = extend(
    acme,
    invite('d1', ALICE, LOBBY, { permissions: [...EVERYDAY, 'optInOut', 'overrideBusinessHours'] }),
    accept('d1', ADMIN),
  );
  const NIGHTS = { utcOffsetMinutes: 0, windows: [{ day: 'mon', from: '18:00', to: '24:00' }] } as const;
  const setHours = (actor: string) => setDelegateHours('d1', actor, NIGHTS);

  it('R7: Given a delegation to a common-area phone, When an admin opts it out and back in, Then each is the phone’s own setting, recorded as the admin’s act', () => {
    given(lobbyDelegate)
      .when(optOut('d1', ADMIN))
      .then([{ type: 'DelegateOptedOut', data: ref('d1', ALICE, LOBBY, ADMIN) }]);
    given(extend(lobbyDelegate, optOut('d1', ADMIN)))
      .when(optIn('d1', ADMIN))
      .then([{ type: 'DelegateOptedIn', data: ref('d1', ALICE, LOBBY, ADMIN) }]);
    given(lobbyDelegate)
      .when(optOut('d1', ADMIN))
      .thenActsWith({ onBehalfOf: ALICE, permission: 'optInOut' });
  });

  it('R13: Given a delegation to a common-area phone with overrideBusinessHours, When an admin sets its own hours, Then they are set', () => {
    given(lobbyDelegate)
      .when(setHours(ADMIN))
      .then([
        {
          type: 'DelegateBusinessHoursSet',
          data: { ...ref('d1', ALICE, LOBBY, ADMIN), businessHours: NIGHTS },
        },
      ]);
  });

  it('R7: Given a delegation to a common-area phone, When its delegator or another user sets its own settings, Then only an admin is named as who may', () => {
    for (const actor of [ALICE, CAROL]) {
      given(lobbyDelegate)
        .when(optOut('d1', actor))
        .thenRejects(
          'ACTOR_NOT_ALLOWED',
          'R7',
          'Only an admin may do this on delegation d1 for the common-area phone lobby.',
        );
      given(lobbyDelegate).when(setHours(actor)).thenRejects('ACTOR_NOT_ALLOWED', 'R7');
    }
  });

  it('R7: Given a delegation to a phone user, When an admin opts the user out, Then it is refused: the user sets it in its own Assistant panel', () => {
    given(optable)
      .when(optOut('d1', ADMIN))
      .thenRejects('ACTOR_NOT_ALLOWED', 'R7', 'Only the delegate bob may do this on delegation d1.');
  });
});

describe('explainOptInOrOut: the decider’s steps for opting in or out (R6, R7, R13, R20)', () => {
  type Opting = ReturnType<typeof optIn> | ReturnType<typeof optOut>;
  const explained = (past: readonly AccountEvent[], command: Opting) => {
    const state = stateOf(past);
    if (state.status !== 'active') throw new Error('the account is not active');
    return explainOptInOrOut(state, command.actor, command.delegationId);
  };
  /** Given `past`, When `command`, Then the decider rejects it exactly as the explained steps refuse it. */
  const bothRefuse = (past: readonly AccountEvent[], command: Opting, code: string) => {
    const rejection = given(past).when(command).thenRejects(code);
    expect(explained(past, command)).toMatchObject({
      ok: false,
      code: rejection.code,
      rule: rejection.rule,
      message: rejection.message,
    });
  };

  it('R6: Given a delegate with optInOut, When it opts out or in (already in: a no-op), Then both allow', () => {
    for (const command of [optOut('d1', BOB), optIn('d1', BOB)]) {
      given(optable)
        .when(command)
        .thenEmits(() => undefined);
      expect(explained(optable, command)).toEqual({ ok: true });
    }
  });

  it('R6: Given a delegate without optInOut, When it opts out, Then both say the permission is required', () => {
    bothRefuse(active, optOut('d1', BOB), 'PERMISSION_REQUIRED');
  });

  it('R7: Given a pending or revoked delegation, or none, When its delegate opts out, Then both refuse alike', () => {
    bothRefuse(extend(acme, invitedWithOptInOut), optOut('d1', BOB), 'DELEGATION_NOT_ACTIVE');
    bothRefuse(extend(optable, revoke('d1', ALICE)), optIn('d1', BOB), 'DELEGATION_NOT_ACTIVE');
    bothRefuse(optable, optOut('toString', BOB), 'DELEGATION_NOT_FOUND');
  });

  it('R7: Given an active delegation, When its delegator or another party opts the delegate out, Then both say only the delegate may', () => {
    bothRefuse(optable, optOut('d1', ALICE), 'ACTOR_NOT_ALLOWED');
    bothRefuse(optable, optOut('d1', CAROL), 'ACTOR_NOT_ALLOWED');
  });
});

describe('timestamps', () => {
  it('R21: every event carries the simulated time of the command that caused it', () => {
    given(acme)
      .when({ ...invite('d1', ALICE, BOB), at: '2026-02-01T00:00:00.000Z' })
      .thenEmits((events) => expect(events[0]!.data).toMatchObject({ at: '2026-02-01T00:00:00.000Z' }));
  });
});
