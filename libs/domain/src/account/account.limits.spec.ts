import type { AccountCommand } from './account.commands.js';
import { accountDecider } from './account.decider.js';
import { explainActivation } from './account.eligibility.js';
import {
  ALICE,
  BOB,
  T0,
  accept,
  acme,
  changePolicy,
  createAccount,
  decline,
  extend,
  given,
  history,
  invite,
  provisionUser,
  revoke,
  stateOf,
  typesOf,
} from './account.fixtures.js';

/** Parties p1 … pN, provisioned with the everyday licence. */
const parties = (count: number): AccountCommand[] =>
  Array.from({ length: count }, (_, i) => provisionUser(`p${i + 1}`));

/** Alice invites p1 … pN (pending). */
const aliceInvites = (count: number): AccountCommand[] =>
  Array.from({ length: count }, (_, i) => invite(`a${i + 1}`, ALICE, `p${i + 1}`));

/** p1 … pN each invite Bob (pending). */
const inviteBob = (count: number): AccountCommand[] =>
  Array.from({ length: count }, (_, i) => invite(`b${i + 1}`, `p${i + 1}`, BOB));

describe('delegation limits (R8)', () => {
  it('R8: a delegator may have 15 delegates by default', () => {
    given(extend(acme, ...parties(15), ...aliceInvites(14)))
      .when(invite('a15', ALICE, 'p15'))
      .thenEmitsTypes(['DelegateInvited']);
  });

  it('R8: a 16th invitation for the same delegator is rejected with DELEGATE_LIMIT_REACHED', () => {
    const rejection = given(extend(acme, ...parties(16), ...aliceInvites(15)))
      .when(invite('a16', ALICE, 'p16'))
      .thenRejects('DELEGATE_LIMIT_REACHED', 'R8');
    expect(rejection.kind).toBe('conflict');
    expect(rejection.message).toMatch(/maxDelegatesPerDelegator/);
  });

  it('R8: a delegate may serve 15 delegators; a 16th is rejected with DELEGATOR_LIMIT_REACHED', () => {
    given(extend(acme, ...parties(15), ...inviteBob(14)))
      .when(invite('b15', 'p15', BOB))
      .thenEmitsTypes(['DelegateInvited']);
    const rejection = given(extend(acme, ...parties(16), ...inviteBob(15)))
      .when(invite('b16', 'p16', BOB))
      .thenRejects('DELEGATOR_LIMIT_REACHED', 'R8');
    expect(rejection.message).toMatch(/maxDelegatorsPerDelegate/);
  });

  it('R8: both limits are account settings', () => {
    const small = [
      createAccount({ maxDelegatesPerDelegator: 2, maxDelegatorsPerDelegate: 1 }),
      provisionUser(ALICE),
      provisionUser(BOB),
    ];
    given(history(...small, ...parties(3), ...aliceInvites(2)))
      .when(invite('a3', ALICE, 'p3'))
      .thenRejects('DELEGATE_LIMIT_REACHED', 'R8');
    given(history(...small, ...parties(2), ...inviteBob(1)))
      .when(invite('b2', 'p2', BOB))
      .thenRejects('DELEGATOR_LIMIT_REACHED', 'R8');
  });

  it('R8: raising a limit in the policy makes room', () => {
    given(extend(acme, ...parties(16), ...aliceInvites(15), changePolicy({ maxDelegatesPerDelegator: 20 })))
      .when(invite('a16', ALICE, 'p16'))
      .thenEmitsTypes(['DelegateInvited']);
  });

  it('R8: lowering a limit keeps existing delegations but admits no new ones', () => {
    const lowered = extend(
      acme,
      ...parties(4),
      ...aliceInvites(3),
      changePolicy({ maxDelegatesPerDelegator: 2 }),
    );
    given(lowered).when(accept('a3', 'p3')).thenEmitsTypes(['DelegationAccepted']);
    given(lowered)
      .when(invite('a4', ALICE, 'p4'))
      .thenRejects('DELEGATE_LIMIT_REACHED', 'R8');
  });

  describe('a limit lowered while invitations are pending', () => {
    // Alice has p1 and p2 active and p3 invited; the admin then lowers her limit to 2.
    const lowered = extend(
      acme,
      ...parties(3),
      ...aliceInvites(3),
      accept('a1', 'p1'),
      accept('a2', 'p2'),
      changePolicy({ maxDelegatesPerDelegator: 2 }),
    );

    it('R8: Given two active delegates at a lowered limit of 2, When the third invitee accepts, Then it is refused with DELEGATE_LIMIT_REACHED and the invitation stays pending', () => {
      const rejection = given(lowered).when(accept('a3', 'p3')).thenRejects('DELEGATE_LIMIT_REACHED', 'R8');
      expect(rejection.message).toBe(
        'alice already has 2 active delegates, the account limit since it was lowered: this invitation stays pending until one of them ends or an admin raises maxDelegatesPerDelegator.',
      );
      expect(
        explainActivation(stateOf(lowered), { delegatorId: ALICE, delegateId: 'p3', permissions: [] }),
      ).toMatchObject({ ok: false, code: 'DELEGATE_LIMIT_REACHED', rule: 'R8' });
    });

    it('R8: Given the same, When one active delegation is revoked, Then the invitee may accept', () => {
      given(extend(lowered, revoke('a1', ALICE)))
        .when(accept('a3', 'p3'))
        .thenEmitsTypes(['DelegationAccepted']);
    });

    it('R8: Given the same, When Alice invites again, Then the pending invitation still counts and the invitation is refused', () => {
      given(extend(lowered, provisionUser('p4')))
        .when(invite('a4', ALICE, 'p4'))
        .thenRejects('DELEGATE_LIMIT_REACHED', 'R8');
    });

    it('R8: Given the same, When admin-enforced activation is switched on, Then the invitation is not activated past the limit', () => {
      given(lowered)
        .when(changePolicy({ autoActivateInvitations: true }))
        .thenEmitsTypes(['AccountPolicyChanged']);
    });

    it('R8: Given the pending invitation under admin-enforced activation, When an active delegation is revoked, Then the invitation is activated by policy with the revocation', () => {
      given(extend(lowered, changePolicy({ autoActivateInvitations: true })))
        .when(revoke('a1', ALICE))
        .thenEmitsTypes(['DelegationRevoked', 'DelegationActivatedByPolicy']);
    });

    it('R8: Given Bob active for one delegator and invited by another, When his limit is lowered to 1 and he accepts, Then it is refused with DELEGATOR_LIMIT_REACHED', () => {
      const bobLowered = extend(
        acme,
        ...parties(2),
        ...inviteBob(2),
        accept('b1', BOB),
        changePolicy({ maxDelegatorsPerDelegate: 1 }),
      );
      const rejection = given(bobLowered)
        .when(accept('b2', BOB))
        .thenRejects('DELEGATOR_LIMIT_REACHED', 'R8');
      expect(rejection.message).toMatch(/already an active delegate of 1 delegators/);
    });
  });

  it('R8: pending invitations count toward the limit, not only active delegations', () => {
    const small = [createAccount({ maxDelegatesPerDelegator: 2 }), provisionUser(ALICE)];
    given(
      history(
        ...small,
        ...parties(3),
        invite('a1', ALICE, 'p1'),
        accept('a1', 'p1'),
        invite('a2', ALICE, 'p2'),
      ),
    )
      .when(invite('a3', ALICE, 'p3'))
      .thenRejects('DELEGATE_LIMIT_REACHED', 'R8');
  });

  it('R8: a declined invitation frees its slot', () => {
    const small = [createAccount({ maxDelegatesPerDelegator: 1 }), provisionUser(ALICE)];
    given(history(...small, ...parties(2), invite('a1', ALICE, 'p1'), decline('a1', 'p1')))
      .when(invite('a2', ALICE, 'p2'))
      .thenEmitsTypes(['DelegateInvited']);
  });

  it('R8: a revoked delegation frees its slot, for the delegator and for the delegate', () => {
    const small = [
      createAccount({ maxDelegatesPerDelegator: 1, maxDelegatorsPerDelegate: 1 }),
      provisionUser(ALICE),
      provisionUser(BOB),
    ];
    const revoked = history(
      ...small,
      ...parties(2),
      invite('a1', ALICE, 'p1'),
      accept('a1', 'p1'),
      revoke('a1', ALICE),
    );
    given(revoked)
      .when(invite('a2', ALICE, 'p2'))
      .thenEmitsTypes(['DelegateInvited']);
    given(revoked)
      .when(invite('a3', 'p2', 'p1'))
      .thenEmitsTypes(['DelegateInvited']);
  });

  it('R8: two invitations decided concurrently on the same revision cannot both stand: the re-decision of the second is rejected', () => {
    // The store refuses the second append (same expected revision); the handler re-decides it
    // against the state that includes the first, as this spec does.
    const small = [createAccount({ maxDelegatesPerDelegator: 2 }), provisionUser(ALICE)];
    const before = history(...small, ...parties(3), invite('a1', ALICE, 'p1'));
    const { events: first } = accountDecider.decide(invite('a2', ALICE, 'p2'), stateOf(before), { now: T0 });
    const { events: second } = accountDecider.decide(invite('a3', ALICE, 'p3'), stateOf(before), { now: T0 });
    expect(typesOf(first)).toEqual(['DelegateInvited']);
    expect(typesOf(second)).toEqual(['DelegateInvited']);
    given([...before, ...first])
      .when(invite('a3', ALICE, 'p3'))
      .thenRejects('DELEGATE_LIMIT_REACHED', 'R8');
  });

  it('R8: the same holds for the per-delegate limit under concurrent invitations from different delegators', () => {
    const small = [createAccount({ maxDelegatorsPerDelegate: 1 }), provisionUser(BOB)];
    const before = history(...small, ...parties(2));
    const { events: first } = accountDecider.decide(invite('b1', 'p1', BOB), stateOf(before), { now: T0 });
    const { events: second } = accountDecider.decide(invite('b2', 'p2', BOB), stateOf(before), { now: T0 });
    expect(typesOf(second)).toEqual(['DelegateInvited']);
    given([...before, ...first])
      .when(invite('b2', 'p2', BOB))
      .thenRejects('DELEGATOR_LIMIT_REACHED', 'R8');
  });
});
