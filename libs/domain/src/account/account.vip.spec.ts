import {
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  EVERYDAY,
  LOBBY,
  T0,
  VIP,
  accept,
  acme,
  addVip,
  changePermissions,
  changePolicy,
  extend,
  givePowerPack,
  given,
  invite,
  stateOf,
} from './account.fixtures.js';
import { explainPermission } from './account.eligibility.js';

const withPowerPack = extend(acme, givePowerPack(ALICE));
/** Alice (with the Power Pack) invited Bob with manageVipContacts; he has not accepted yet. */
const bobManagesVipsPending = extend(
  acme,
  givePowerPack(ALICE),
  invite('d1', ALICE, BOB, { permissions: [...EVERYDAY, 'manageVipContacts'] }),
);
/** The same invitation, accepted: Bob manages Alice's VIP list. */
const bobManagesVipsActive = extend(bobManagesVipsPending, accept('d1', BOB));
const routing = (mode: 'delegatorOnly' | 'delegatorFirst', actor = ALICE, delaySeconds = 10) =>
  ({
    type: 'ChangeVipRouting',
    actor,
    delegatorId: ALICE,
    routing: mode === 'delegatorOnly' ? { mode } : { mode, delaySeconds },
  }) as const;
const removeVip = (number: string, actor = ALICE) =>
  ({ type: 'RemoveVipContact', actor, delegatorId: ALICE, number }) as const;

describe('Power Pack for VIP delegation (R5)', () => {
  it('R5: an admin assigns the Power Pack; the change is an event', () => {
    given(acme)
      .when(givePowerPack(ALICE))
      .then([
        { type: 'PartyPowerPackChanged', data: { partyId: ALICE, powerPack: true, by: ADMIN, at: T0 } },
      ]);
  });

  it('R5: a vipOnly delegation needs the delegator’s Power Pack (POWER_PACK_REQUIRED)', () => {
    given(acme)
      .when(invite('d1', ALICE, BOB, { permissions: ['answerCalls', 'vipOnly'] }))
      .thenRejects('POWER_PACK_REQUIRED', 'R5');
    given(withPowerPack)
      .when(invite('d1', ALICE, BOB, { permissions: ['answerCalls', 'vipOnly'] }))
      .thenEmitsTypes(['DelegateInvited']);
  });

  it('R5: the delegate’s Power Pack does not count, only the delegator’s', () => {
    given(extend(acme, givePowerPack(BOB)))
      .when(invite('d1', ALICE, BOB, { permissions: [...EVERYDAY, 'manageVipContacts'] }))
      .thenRejects('POWER_PACK_REQUIRED', 'R5');
  });

  it('R5: granting a VIP permission later is checked the same way', () => {
    given(extend(acme, invite('d1', ALICE, BOB), accept('d1', BOB)))
      .when(changePermissions('d1', ALICE, [...EVERYDAY, 'manageVipContacts']))
      .thenRejects('POWER_PACK_REQUIRED', 'R5');
  });

  it('R5: an account may mark delegation with a common-area phone as premium', () => {
    const premium = extend(acme, changePolicy({ commonAreaDelegationNeedsPowerPack: true }));
    given(premium)
      .when(invite('d1', ALICE, LOBBY))
      .thenRejects('POWER_PACK_REQUIRED', 'R5');
    given(extend(acme, changePolicy({ commonAreaDelegationNeedsPowerPack: true }), givePowerPack(ALICE)))
      .when(invite('d1', ALICE, LOBBY))
      .thenEmitsTypes(['DelegateInvited']);
    given(premium)
      .when(invite('d1', ALICE, BOB))
      .thenEmitsTypes(['DelegateInvited']);
  });

  it('R5: Given an invitation the Power Pack allowed, When it is accepted after the Power Pack was taken away, Then R5 refuses it', () => {
    // Given a premium common-area invitation and a VIP one, each pending, then the Power Pack removed
    const premium = extend(
      acme,
      changePolicy({ commonAreaDelegationNeedsPowerPack: true }),
      givePowerPack(ALICE),
      invite('d-lobby', ALICE, LOBBY),
      invite('d1', ALICE, BOB, { permissions: [...EVERYDAY, 'manageVipContacts'] }),
    );
    const lost = extend(premium, givePowerPack(ALICE, false));
    // When the admin accepts for the common-area phone, or Bob accepts, Then each is refused as inviting now would be
    given(lost)
      .when(accept('d-lobby', ADMIN))
      .thenRejects('POWER_PACK_REQUIRED', 'R5', 'assign the Power Pack to alice');
    given(lost).when(accept('d1', BOB)).thenRejects('POWER_PACK_REQUIRED', 'R5', 'VIP delegation');
    // And with the Power Pack kept, both are accepted
    given(premium).when(accept('d-lobby', ADMIN)).thenEmitsTypes(['DelegationAccepted']);
    given(premium).when(accept('d1', BOB)).thenEmitsTypes(['DelegationAccepted']);
  });

  it('R5, R20: Given an active premium common-area delegation, When the Power Pack is taken away or the account makes it premium later, Then its permissions are unavailable for R5', () => {
    const lobbyDelegation = [invite('d-lobby', ALICE, LOBBY), accept('d-lobby', ADMIN)];
    const unavailable = { ok: false, code: 'POWER_PACK_REQUIRED', rule: 'R5' };
    const premium = extend(
      acme,
      changePolicy({ commonAreaDelegationNeedsPowerPack: true }),
      givePowerPack(ALICE),
    );
    const active = extend(premium, ...lobbyDelegation);
    expect(explainPermission(stateOf(active), ALICE, LOBBY, 'placeCalls')).toEqual({ ok: true });
    expect(
      explainPermission(stateOf(extend(active, givePowerPack(ALICE, false))), ALICE, LOBBY, 'placeCalls'),
    ).toMatchObject(unavailable);
    const madePremiumLater = extend(
      acme,
      ...lobbyDelegation,
      changePolicy({ commonAreaDelegationNeedsPowerPack: true }),
    );
    expect(explainPermission(stateOf(madePremiumLater), ALICE, LOBBY, 'answerCalls')).toMatchObject(
      unavailable,
    );
    // A phone user's delegation is not premium
    const bob = extend(premium, invite('d1', ALICE, BOB), accept('d1', BOB), givePowerPack(ALICE, false));
    expect(explainPermission(stateOf(bob), ALICE, BOB, 'placeCalls')).toEqual({ ok: true });
  });

  it('R5: only an admin assigns the Power Pack (ADMIN_ONLY)', () => {
    given(acme)
      .when({ ...givePowerPack(ALICE), actor: ALICE })
      .thenRejects('ADMIN_ONLY', 'R5');
  });
});

describe('VIP contacts (R19)', () => {
  it('R19: the delegator adds a VIP contact', () => {
    given(withPowerPack)
      .when(addVip(ALICE, VIP))
      .then([
        {
          type: 'VipContactAdded',
          data: { delegatorId: ALICE, number: VIP, name: 'Important caller', by: ALICE, at: T0 },
        },
      ]);
  });

  it('R5: VIP contacts need the delegator’s Power Pack (POWER_PACK_REQUIRED)', () => {
    given(acme).when(addVip(ALICE, VIP)).thenRejects('POWER_PACK_REQUIRED', 'R5');
  });

  it('R19: a VIP contact number is E.164 (INVALID_NUMBER)', () => {
    given(withPowerPack).when(addVip(ALICE, 'boss')).thenRejects('INVALID_NUMBER', 'R19');
  });

  it('R19: an active delegate with manageVipContacts edits the list', () => {
    given(bobManagesVipsActive)
      .when(addVip(ALICE, VIP, BOB))
      .thenEmits((events) => expect(events[0]!.data).toMatchObject({ by: BOB, delegatorId: ALICE }));
  });

  it('R6: a delegate without manageVipContacts cannot edit the list (PERMISSION_REQUIRED)', () => {
    given(extend(acme, givePowerPack(ALICE), invite('d1', ALICE, BOB), accept('d1', BOB)))
      .when(addVip(ALICE, VIP, BOB))
      .thenRejects('PERMISSION_REQUIRED', 'R6');
  });

  it('R7: a delegate whose invitation is still pending cannot edit the list (INVITATION_PENDING)', () => {
    given(bobManagesVipsPending)
      .when(addVip(ALICE, VIP, BOB))
      .thenRejects('INVITATION_PENDING', 'R7');
  });

  it('R19: someone who is not a delegate cannot edit the list (ACTOR_NOT_ALLOWED)', () => {
    given(withPowerPack)
      .when(addVip(ALICE, VIP, CAROL))
      .thenRejects('ACTOR_NOT_ALLOWED', 'R19');
  });

  it('R19: removing a contact is an event; removing one that is not there is not found', () => {
    const listed = extend(acme, givePowerPack(ALICE), addVip(ALICE, VIP));
    given(listed)
      .when(removeVip(VIP))
      .then([{ type: 'VipContactRemoved', data: { delegatorId: ALICE, number: VIP, by: ALICE, at: T0 } }]);
    const rejection = given(listed)
      .when(removeVip('+15557770002'))
      .thenRejects('VIP_CONTACT_NOT_FOUND', 'R19');
    expect(rejection.kind).toBe('not_found');
  });

  it('R19: a lapsed Power Pack still lets the delegator clean up its dormant list', () => {
    given(extend(acme, givePowerPack(ALICE), addVip(ALICE, VIP), givePowerPack(ALICE, false)))
      .when(removeVip(VIP))
      .thenEmitsTypes(['VipContactRemoved']);
  });
});

describe('VIP routing (R19)', () => {
  it('R19: the delegator routes VIP callers to itself first, delegates after a delay', () => {
    given(withPowerPack)
      .when(routing('delegatorFirst', ALICE, 15))
      .then([
        {
          type: 'VipRoutingChanged',
          data: {
            delegatorId: ALICE,
            routing: { mode: 'delegatorFirst', delaySeconds: 15 },
            by: ALICE,
            at: T0,
          },
        },
      ]);
  });

  it('R19: routing starts as delegatorOnly, so setting it again changes nothing', () => {
    given(withPowerPack).when(routing('delegatorOnly')).then([]);
  });

  it('R5: VIP routing needs the Power Pack (POWER_PACK_REQUIRED)', () => {
    given(acme).when(routing('delegatorFirst')).thenRejects('POWER_PACK_REQUIRED', 'R5');
  });

  it('R19: the delay is 1–300 whole seconds (INVALID_VIP_ROUTING)', () => {
    given(withPowerPack)
      .when(routing('delegatorFirst', ALICE, 0))
      .thenRejects('INVALID_VIP_ROUTING', 'R19');
    given(withPowerPack)
      .when(routing('delegatorFirst', ALICE, 301))
      .thenRejects('INVALID_VIP_ROUTING', 'R19');
  });

  it('R19: an unknown routing mode is rejected (INVALID_VIP_ROUTING)', () => {
    given(withPowerPack)
      .when({ ...routing('delegatorOnly'), routing: { mode: 'everyone' } as never })
      .thenRejects('INVALID_VIP_ROUTING', 'R19');
  });

  it('R19: delegates may not change the routing, even with manageVipContacts (ACTOR_NOT_ALLOWED)', () => {
    given(bobManagesVipsActive).when(routing('delegatorFirst', BOB)).thenRejects('ACTOR_NOT_ALLOWED', 'R19');
  });
});
