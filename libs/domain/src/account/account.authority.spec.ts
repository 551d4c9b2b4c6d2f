import { accountAuthority } from './account.authority.js';
import {
  ACME,
  ADMIN,
  ALICE,
  BOB,
  EVERYDAY,
  T0,
  accept,
  addVip,
  givePowerPack,
  history,
  invite,
  optOut,
  stateOf,
} from './account.fixtures.js';

const withVipDelegate = stateOf(
  history(
    ...ACME,
    givePowerPack(ALICE),
    invite('ab', ALICE, BOB, {
      permissions: [...EVERYDAY, 'optInOut', 'overrideBusinessHours', 'manageVipContacts'],
    }),
    accept('ab', BOB),
  ),
);

describe('authority recorded in event metadata (SPEC §2)', () => {
  it('R19: a delegate editing the VIP list acts for the delegator with manageVipContacts', () => {
    expect(accountAuthority(addVip(ALICE, '+15557770001', BOB), withVipDelegate)).toEqual({
      onBehalfOf: ALICE,
      permission: 'manageVipContacts',
    });
  });

  it('R19: the delegator or an admin editing the VIP list acts on its own authority', () => {
    const own = { onBehalfOf: null, permission: null };
    expect(accountAuthority(addVip(ALICE, '+15557770001', ALICE), withVipDelegate)).toEqual(own);
    expect(accountAuthority(addVip(ALICE, '+15557770001', ADMIN), withVipDelegate)).toEqual(own);
  });

  it('R13: opting out and setting own hours use optInOut and overrideBusinessHours for the delegator', () => {
    expect(accountAuthority(optOut('ab', BOB), withVipDelegate)).toEqual({
      onBehalfOf: ALICE,
      permission: 'optInOut',
    });
    expect(
      accountAuthority(
        { type: 'SetDelegateBusinessHours', actor: BOB, now: T0, delegationId: 'ab', businessHours: null },
        withVipDelegate,
      ),
    ).toEqual({ onBehalfOf: ALICE, permission: 'overrideBusinessHours' });
  });

  it('R7: inviting, accepting and managing a delegation use no delegated authority', () => {
    for (const command of [invite('ac', ALICE, 'carol'), accept('ab', BOB)])
      expect(accountAuthority(command, withVipDelegate)).toEqual({ onBehalfOf: null, permission: null });
  });
});
