import {
  ADMIN,
  ALICE,
  BOB,
  EVERYDAY,
  T0,
  VIP,
  accept,
  acme,
  addVip,
  extend,
  givePowerPack,
  given,
  invite,
  optOut,
  setDelegateHours,
} from './account.fixtures.js';

const withVipDelegate = extend(
  acme,
  givePowerPack(ALICE),
  invite('ab', ALICE, BOB, {
    permissions: [...EVERYDAY, 'optInOut', 'overrideBusinessHours', 'manageVipContacts'],
  }),
  accept('ab', BOB),
);
const at = { now: T0 };
const own = { onBehalfOf: null, permission: null };

describe('authority a decision used, recorded in event metadata (SPEC §2)', () => {
  it('R19: given a delegate with manageVipContacts, when it edits the VIP list, then it acts for the delegator with that permission', () => {
    given(withVipDelegate, at)
      .when(addVip(ALICE, VIP, BOB))
      .thenActsWith({ onBehalfOf: ALICE, permission: 'manageVipContacts' });
  });

  it('R19: when the delegator or an admin edits the VIP list, then it acts on its own authority', () => {
    given(withVipDelegate, at)
      .when(addVip(ALICE, VIP, ALICE))
      .thenActsWith(own);
    given(withVipDelegate, at)
      .when(addVip(ALICE, VIP, ADMIN))
      .thenActsWith(own);
  });

  it('R13: when a delegate opts out or sets its own hours, then it uses optInOut or overrideBusinessHours for the delegator', () => {
    given(withVipDelegate, at)
      .when(optOut('ab', BOB))
      .thenActsWith({ onBehalfOf: ALICE, permission: 'optInOut' });
    given(withVipDelegate, at)
      .when(setDelegateHours('ab', BOB, null))
      .thenActsWith({ onBehalfOf: ALICE, permission: 'overrideBusinessHours' });
  });

  it('R7: when inviting, accepting or managing a delegation, then no delegated authority is used', () => {
    given(withVipDelegate, at)
      .when(invite('ac', ALICE, 'carol'))
      .thenActsWith(own);
    given(extend(acme, givePowerPack(ALICE), invite('ab', ALICE, BOB)), at)
      .when(accept('ab', BOB))
      .thenActsWith(own);
  });
});
