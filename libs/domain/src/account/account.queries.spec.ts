import {
  explainAssistantEligibility,
  explainDelegateEligibility,
  explainDelegationEligibility,
  explainPermission,
  explainVipEligibility,
} from './account.eligibility.js';
import {
  ACME,
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
  changeCallingPlan,
  changePermissions,
  decline,
  disableFor,
  extend,
  givePowerPack,
  given,
  history,
  invite,
  numberOf,
  optOut,
  provisionUser,
  ref,
  revoke,
  stateOf,
  setDelegateHours,
} from './account.fixtures.js';
import {
  activeDelegationsHeldBy,
  activeDelegationsOf,
  delegationBetween,
  delegationsSharingLine,
  isAdmin,
  isVip,
  lineOwner,
  partyById,
} from './account.queries.js';
import { isWithinBusinessHours } from './account.values.js';
import { lineContextFor } from '../line-context/line-context.js';

const TOKYO_OFFICE = {
  utcOffsetMinutes: 540,
  windows: [
    { day: 'mon' as const, from: '09:00', to: '17:00' },
    { day: 'tue' as const, from: '09:00', to: '24:00' },
  ],
};

describe('eligibility explanations for diagnostics (R20)', () => {
  const account = stateOf(acme);

  it('R2: a party without a calling plan is explained by NO_CALLING_PLAN', () => {
    const state = stateOf(extend(acme, changeCallingPlan(BOB, 'none')));
    expect(explainDelegationEligibility(state, BOB)).toMatchObject({
      ok: false,
      code: 'NO_CALLING_PLAN',
      rule: 'R2',
    });
    expect(explainDelegationEligibility(state, ALICE)).toEqual({ ok: true });
  });

  it('R2: given a party named with a right-to-left override before the api refused them and no calling plan, when its eligibility is explained, then its name is set apart in the sentence', () => {
    const legacy = extend(acme, changeCallingPlan(BOB, 'none')).map((event) =>
      event.type === 'PhoneUserProvisioned' && event.data.partyId === BOB
        ? { ...event, data: { ...event.data, name: '\u202ebuB' } }
        : event,
    );
    expect(explainDelegationEligibility(stateOf(legacy), BOB)).toMatchObject({
      code: 'NO_CALLING_PLAN',
      message: expect.stringMatching(/^\u2068\u202ebuB\u2069 \(bob\) has no calling plan/),
    });
  });

  it('R3: a user with delegation off is explained by DELEGATION_DISABLED_FOR_USER', () => {
    expect(explainDelegationEligibility(stateOf(extend(acme, disableFor(BOB))), BOB)).toMatchObject({
      code: 'DELEGATION_DISABLED_FOR_USER',
      rule: 'R3',
    });
  });

  it('R1: an unknown party or account is explained as not found', () => {
    expect(explainDelegationEligibility(account, 'nobody')).toMatchObject({
      code: 'PARTY_NOT_FOUND',
    });
    expect(explainDelegationEligibility(stateOf([]), ALICE)).toMatchObject({ code: 'ACCOUNT_NOT_FOUND' });
  });

  it('R4: a common-area phone has no Assistant (NOT_A_PHONE_USER, as its commands answer), but needs none to be a delegate', () => {
    expect(explainAssistantEligibility(account, LOBBY)).toMatchObject({
      code: 'NOT_A_PHONE_USER',
      rule: 'R4',
    });
    expect(explainDelegateEligibility(account, LOBBY)).toEqual({ ok: true });
  });

  it('R4: a phone-user delegate with an old client is explained by DESKTOP_CLIENT_OUTDATED', () => {
    const state = stateOf(createOldClientAccount());
    expect(explainDelegateEligibility(state, BOB)).toMatchObject({
      code: 'DESKTOP_CLIENT_OUTDATED',
      rule: 'R4',
    });
    expect(explainDelegationEligibility(state, BOB)).toEqual({ ok: true });
  });

  it('R5: VIP features without the Power Pack are explained by POWER_PACK_REQUIRED', () => {
    expect(explainVipEligibility(account, ALICE)).toMatchObject({ code: 'POWER_PACK_REQUIRED', rule: 'R5' });
  });

  it('R20: why a permission is unavailable, rule by rule', () => {
    const pending = stateOf(extend(acme, invite('d1', ALICE, BOB)));
    expect(explainPermission(account, ALICE, BOB, 'answerCalls')).toMatchObject({
      code: 'DELEGATION_NOT_FOUND',
      rule: 'R7',
    });
    expect(explainPermission(pending, ALICE, BOB, 'answerCalls')).toMatchObject({
      code: 'INVITATION_PENDING',
      rule: 'R7',
    });
    const active = extend(acme, invite('d1', ALICE, BOB), accept('d1', BOB));
    expect(explainPermission(stateOf(active), ALICE, BOB, 'answerCalls')).toEqual({ ok: true });
    expect(explainPermission(stateOf(active), ALICE, BOB, 'joinAndMerge')).toMatchObject({
      code: 'PERMISSION_REQUIRED',
      rule: 'R6',
    });
    expect(
      explainPermission(stateOf(extend(active, disableFor(ALICE))), ALICE, BOB, 'answerCalls'),
    ).toMatchObject({
      code: 'DELEGATION_DISABLED_FOR_USER',
      rule: 'R3',
    });
  });

  it('R5: a VIP permission granted while the Power Pack was held lapses with it', () => {
    const events = extend(
      acme,
      givePowerPack(ALICE),
      invite('d1', ALICE, BOB, { permissions: [...EVERYDAY, 'vipOnly'] }),
      accept('d1', BOB),
      givePowerPack(ALICE, false),
    );
    expect(explainPermission(stateOf(events), ALICE, BOB, 'vipOnly')).toMatchObject({
      code: 'POWER_PACK_REQUIRED',
    });
    expect(explainPermission(stateOf(events), ALICE, BOB, 'answerCalls')).toEqual({ ok: true });
  });
});

/** Bob runs a 5.x client, below the default minimum 6.0.0. */
function createOldClientAccount() {
  return history(
    ...ACME.slice(0, 2),
    provisionUser(BOB, { desktopClient: { platform: 'macos', version: '5.9' } }),
  );
}

describe('queries for the call side (R10, R13, R19)', () => {
  const events = extend(
    acme,
    givePowerPack(ALICE),
    addVip(ALICE, VIP),
    invite('d1', ALICE, BOB),
    accept('d1', BOB),
    invite('d2', ALICE, CAROL),
    invite('d3', ALICE, LOBBY),
    decline('d3', ADMIN),
  );
  const state = stateOf(events);

  it('R1: parties are found by id and lines by number', () => {
    expect(partyById(state, BOB)).toMatchObject({ id: BOB, kind: 'phoneUser' });
    expect(lineOwner(state, numberOf(ALICE))?.id).toBe(ALICE);
    expect(lineOwner(state, '+19999999999')).toBeUndefined();
    expect(isAdmin(state, ADMIN)).toBe(true);
    expect(isAdmin(state, ALICE)).toBe(false);
  });

  it('R7: only accepted delegations are active; the pending one is found between its pair', () => {
    expect(activeDelegationsOf(state, ALICE).map((d) => d.id)).toEqual(['d1']);
    expect(activeDelegationsHeldBy(state, BOB).map((d) => d.id)).toEqual(['d1']);
    expect(delegationBetween(state, ALICE, CAROL)?.status).toBe('pending');
    expect(delegationBetween(state, ALICE, LOBBY)).toBeUndefined();
  });

  it('R10: the delegations sharing a line are the live ones that list it', () => {
    expect(delegationsSharingLine(state, numberOf(ALICE)).map((d) => d.id)).toEqual(['d1', 'd2']);
    expect(delegationsSharingLine(state, numberOf(BOB))).toEqual([]);
  });

  it('R19: a VIP caller is recognised only while the delegator holds the Power Pack', () => {
    expect(isVip(state, ALICE, VIP)).toBe(true);
    expect(isVip(state, ALICE, '+15550001234')).toBe(false);
    expect(isVip(stateOf(extend(events, givePowerPack(ALICE, false))), ALICE, VIP)).toBe(false);
  });

  it('R11: the account as the shared line sees it names the delegator and lists every live delegate with its standing', () => {
    expect(lineContextFor(state, numberOf(ALICE), T0)).toEqual({
      now: T0,
      line: { number: numberOf(ALICE), name: null, ringTimeoutSeconds: 30, businessHours: null, owned: true },
      delegator: { partyId: ALICE, name: 'Alice', eligibility: null, powerPack: true },
      delegates: [
        {
          partyId: BOB,
          name: 'Bob',
          active: true,
          permissions: EVERYDAY,
          optedIn: true,
          businessHours: null,
          eligibility: null,
        },
        {
          partyId: CAROL,
          name: 'Carol',
          active: false,
          permissions: EVERYDAY,
          optedIn: true,
          businessHours: null,
          eligibility: null,
        },
      ],
      vip: { contacts: [VIP], routing: { mode: 'delegatorOnly' } },
    });
    expect(() => lineContextFor(state, '+19999999999', T0)).toThrow(
      expect.objectContaining({ code: 'LINE_NOT_FOUND', rule: 'R10' }),
    );
  });

  it('R13: an opted-out delegate shows as not opted in; a revoked one disappears from the line', () => {
    const later = stateOf(
      extend(
        events,
        changePermissions('d1', ALICE, [...EVERYDAY, 'optInOut']),
        optOut('d1', BOB),
        revoke('d2', ALICE),
      ),
    );
    const view = lineContextFor(later, numberOf(ALICE), T0);
    expect(view.delegates.map((d) => [d.partyId, d.optedIn])).toEqual([[BOB, false]]);
  });
});

describe('business hours (R13)', () => {
  it('R13: a time is inside the hours in their local time, from inclusive, to exclusive', () => {
    // T0 is Monday 09:00 UTC = Monday 18:00 in Tokyo.
    expect(isWithinBusinessHours(TOKYO_OFFICE, T0)).toBe(false);
    expect(isWithinBusinessHours(TOKYO_OFFICE, '2026-01-05T00:00:00.000Z')).toBe(true);
    expect(isWithinBusinessHours(TOKYO_OFFICE, '2026-01-05T08:00:00.000Z')).toBe(false);
    expect(isWithinBusinessHours(TOKYO_OFFICE, '2026-01-06T14:59:00.000Z')).toBe(true);
    expect(isWithinBusinessHours(TOKYO_OFFICE, 'not a time')).toBe(false);
  });

  const overriding = extend(
    acme,
    invite('d1', ALICE, BOB, { permissions: [...EVERYDAY, 'overrideBusinessHours'] }),
    accept('d1', BOB),
  );
  const setHours = (actor: string, businessHours: typeof TOKYO_OFFICE | null = TOKYO_OFFICE) =>
    setDelegateHours('d1', actor, businessHours);

  it('R13: a delegate with overrideBusinessHours sets its own hours on the delegation', () => {
    given(overriding)
      .when(setHours(BOB))
      .then([
        {
          type: 'DelegateBusinessHoursSet',
          data: { ...ref('d1', ALICE, BOB, BOB), businessHours: TOKYO_OFFICE },
        },
      ]);
  });

  it('R6: without overrideBusinessHours the delegate cannot set its hours (PERMISSION_REQUIRED)', () => {
    given(extend(acme, invite('d1', ALICE, BOB), accept('d1', BOB)))
      .when(setHours(BOB))
      .thenRejects('PERMISSION_REQUIRED', 'R6');
  });

  it('R13: dropping overrideBusinessHours clears the delegate’s own hours', () => {
    given(extend(overriding, setHours(BOB)))
      .when(changePermissions('d1', ALICE, EVERYDAY))
      .thenEmitsTypes(['DelegationPermissionsChanged', 'DelegateBusinessHoursSet']);
  });
});
