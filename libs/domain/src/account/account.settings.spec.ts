import type { AccountEvent } from '#events';
import { explainOptInOrOut } from './account.delegation.decide.js';
import {
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  T0,
  accept,
  acme,
  changeCallingPlan,
  changePermissions,
  changePolicy,
  changeSharedLines,
  decline,
  disableFor,
  enableFor,
  extend,
  given,
  invite,
  inviteRefusedFor,
  lock,
  numberOf,
  optIn,
  optOut,
  revoke,
  stateOf,
  unlock,
  setDelegateHours,
} from './account.fixtures.js';

const active = extend(acme, invite('d1', ALICE, BOB), accept('d1', BOB));

describe('enabling call delegation (R3)', () => {
  it('R3: with delegation disabled for the account nobody can invite (DELEGATION_DISABLED_FOR_ACCOUNT)', () => {
    given(extend(acme, changePolicy({ delegationEnabled: false })))
      .when(invite('d1', ALICE, BOB))
      .thenRejects('DELEGATION_DISABLED_FOR_ACCOUNT', 'R3');
  });

  it('R3: a user may switch delegation off for itself; the change is an event', () => {
    given(acme)
      .when(disableFor(BOB, BOB))
      .then([{ type: 'DelegationDisabledForUser', data: { partyId: BOB, by: BOB, at: T0 } }]);
  });

  it('R3: another user may not change someone’s delegation setting (ACTOR_NOT_ALLOWED)', () => {
    given(acme).when(disableFor(BOB, CAROL)).thenRejects('ACTOR_NOT_ALLOWED', 'R3');
  });

  it.each([
    ['R3: a delegate with delegation disabled cannot be invited (DELEGATION_DISABLED_FOR_USER)', BOB],
    ['R3: a delegator with delegation disabled cannot invite (DELEGATION_DISABLED_FOR_USER)', ALICE],
  ])('%s', (_rule, party) => inviteRefusedFor(disableFor, 'DELEGATION_DISABLED_FOR_USER', 'R3')(party));

  it('R3: enabling it again allows the invitation', () => {
    given(extend(acme, disableFor(BOB), enableFor(BOB)))
      .when(invite('d1', ALICE, BOB))
      .thenEmitsTypes(['DelegateInvited']);
  });

  it('R3: an invitation cannot be accepted once the delegate switched delegation off', () => {
    given(extend(acme, invite('d1', ALICE, BOB), disableFor(BOB, BOB)))
      .when(accept('d1', BOB))
      .thenRejects('DELEGATION_DISABLED_FOR_USER', 'R3');
  });
});

describe('admin lock (R3)', () => {
  it('R3: an admin locks a user’s delegation settings', () => {
    given(acme)
      .when(lock(BOB))
      .then([{ type: 'DelegationLockedByAdmin', data: { partyId: BOB, by: ADMIN, at: T0 } }]);
  });

  it('R3: only an admin locks and unlocks (ADMIN_ONLY)', () => {
    given(acme).when(lock(BOB, BOB)).thenRejects('ADMIN_ONLY', 'R3');
    given(extend(acme, lock(BOB)))
      .when(unlock(BOB, BOB))
      .thenRejects('ADMIN_ONLY', 'R3');
  });

  it('R3: a lock freezes the user’s own setting (DELEGATION_LOCKED)', () => {
    given(extend(acme, lock(BOB)))
      .when(disableFor(BOB, BOB))
      .thenRejects('DELEGATION_LOCKED', 'R3');
  });

  it('R3: a lock freezes the setting for admins too, until unlocked', () => {
    given(extend(acme, lock(BOB)))
      .when(disableFor(BOB, ADMIN))
      .thenRejects('DELEGATION_LOCKED', 'R3');
    given(extend(acme, lock(BOB), unlock(BOB)))
      .when(disableFor(BOB, ADMIN))
      .thenEmitsTypes(['DelegationDisabledForUser']);
  });

  it('R3: a locked party can neither be invited nor invite (DELEGATION_LOCKED)', () => {
    given(extend(acme, lock(BOB)))
      .when(invite('d1', ALICE, BOB))
      .thenRejects('DELEGATION_LOCKED', 'R3');
    given(extend(acme, lock(ALICE)))
      .when(invite('d1', ALICE, BOB))
      .thenRejects('DELEGATION_LOCKED', 'R3');
  });

  it('R3: an active delegation of a locked party can be neither revoked nor changed (DELEGATION_LOCKED)', () => {
    const locked = extend(acme, invite('d1', ALICE, BOB), accept('d1', BOB), lock(BOB));
    given(locked).when(revoke('d1', ALICE)).thenRejects('DELEGATION_LOCKED', 'R3');
    given(locked)
      .when(changePermissions('d1', ALICE, ['answerCalls']))
      .thenRejects('DELEGATION_LOCKED', 'R3');
    given(locked)
      .when(changeSharedLines('d1', ALICE, [numberOf(ALICE)]))
      .thenRejects('DELEGATION_LOCKED', 'R3');
  });

  it('R3: Given a delegation whose delegate or delegator is locked, When the delegate opts out or sets its own hours on it, Then DELEGATION_LOCKED, as its delegator revoking it is', () => {
    const own = extend(
      acme,
      invite('d1', ALICE, BOB, { permissions: ['answerCalls', 'optInOut', 'overrideBusinessHours'] }),
      accept('d1', BOB),
    );
    const hours = setDelegateHours('d1', BOB, {
      utcOffsetMinutes: 0,
      windows: [{ day: 'mon', from: '09:00', to: '17:00' }],
    });
    for (const [party, locked] of [
      [BOB, extend(own, lock(BOB))],
      [ALICE, extend(own, lock(ALICE))],
    ] as const) {
      const refused = given(locked).when(optOut('d1', BOB)).thenRejects('DELEGATION_LOCKED', 'R3');
      expect(refused.message).toBe(
        `An admin locked the delegation settings of ${party}: ask an admin to unlock them first.`,
      );
      given(locked).when(hours).thenRejects('DELEGATION_LOCKED', 'R3');
      // R20: the seat's opt-out toggle is diagnosed by the decider's own steps, so it says the same.
      const state = stateOf(locked);
      if (state.status !== 'active') throw new Error('the account is not active');
      expect(explainOptInOrOut(state, BOB, 'd1')).toMatchObject({ ok: false, code: 'DELEGATION_LOCKED' });
    }
    // Opted out before the lock, the delegate stays so until it is lifted.
    given(extend(own, optOut('d1', BOB), lock(BOB)))
      .when(optIn('d1', BOB))
      .thenRejects('DELEGATION_LOCKED', 'R3');
    given(extend(own, lock(BOB), unlock(BOB)))
      .when(optOut('d1', BOB))
      .thenEmitsTypes(['DelegateOptedOut']);
  });

  it('R3: a lock does not stop an active delegation from working (it freezes, it does not switch off)', () => {
    const locked = extend(acme, invite('d1', ALICE, BOB), accept('d1', BOB), lock(BOB));
    given(locked)
      .when(invite('d2', ALICE, CAROL))
      .thenEmitsTypes(['DelegateInvited']);
  });

  it('R3: "locked off" is disabled and locked: the message says to unlock and enable', () => {
    const rejection = given(extend(acme, disableFor(BOB), lock(BOB)))
      .when(invite('d1', ALICE, BOB))
      .thenRejects('DELEGATION_DISABLED_FOR_USER', 'R3');
    expect(rejection.message).toMatch(/unlock and enable/);
  });

  it('R3: a pending invitation to the user blocks the lock (PENDING_INVITATION_BLOCKS_LOCK)', () => {
    const rejection = given(extend(acme, invite('d1', ALICE, BOB)))
      .when(lock(BOB))
      .thenRejects('PENDING_INVITATION_BLOCKS_LOCK', 'R3');
    expect(rejection.kind).toBe('conflict');
    expect(rejection.message).toContain('d1');
  });

  it('R3: a pending invitation from the user blocks the lock too', () => {
    given(extend(acme, invite('d1', ALICE, BOB)))
      .when(lock(ALICE))
      .thenRejects('PENDING_INVITATION_BLOCKS_LOCK', 'R3');
  });

  it('R3: once the invitation is answered the lock is possible', () => {
    given(extend(acme, invite('d1', ALICE, BOB), decline('d1', BOB)))
      .when(lock(BOB))
      .thenEmitsTypes(['DelegationLockedByAdmin']);
    given(active).when(lock(BOB)).thenEmitsTypes(['DelegationLockedByAdmin']);
  });

  it('R3: unlocking is an event and lifts the freeze', () => {
    given(extend(acme, lock(BOB)))
      .when(unlock(BOB))
      .then([{ type: 'DelegationUnlockedByAdmin', data: { partyId: BOB, by: ADMIN, at: T0 } }]);
    given(extend(acme, lock(BOB), unlock(BOB)))
      .when(invite('d1', ALICE, BOB))
      .thenEmitsTypes(['DelegateInvited']);
  });
});

describe('folding stored events', () => {
  // Stored data is checked for the fields its schema has, not against others: a foreign writer may add some.
  const withForeignFields = <E extends AccountEvent>(
    event: E,
    extra: Record<string, unknown>,
  ): AccountEvent => ({ ...event, data: { ...event.data, ...extra } }) as AccountEvent;

  it('R2: a calling-plan event changes only the calling plan, whatever other fields its stored data carries', () => {
    const noPlan = extend(acme, changeCallingPlan(BOB, 'none'));
    const planEvent = noPlan.at(-1)!;
    const foreign = [
      ...acme,
      withForeignFields(planEvent, { kind: 'commonAreaPhone', delegationLocked: true }),
    ];
    expect(stateOf(foreign)).toEqual(stateOf(noPlan));
  });

  it('R6: a permissions event changes only the permissions, whatever other fields its stored data carries', () => {
    const changed = extend(active, changePermissions('d1', ALICE, ['answerCalls']));
    const permissionsEvent = changed.at(-1)!;
    const foreign = [...active, withForeignFields(permissionsEvent, { status: 'revoked', optedIn: false })];
    expect(stateOf(foreign)).toEqual(stateOf(changed));
  });
});
