import type { BusinessHours, LineEvent, Permission } from '#events';
import type { LineContext, LineDelegate } from './line.context.js';
import {
  ASSISTANT,
  BOSS,
  CALLER,
  DEPUTY,
  EVERYDAY,
  T0,
  VIP_CALLER,
  answer,
  assistantOptedOut,
  at,
  decline,
  delegate,
  escalateVipRing,
  given,
  history,
  incoming,
  lineContext,
  vipCallRinging,
  vipDelegatorFirst,
} from './line.fixtures.js';
import { isWithinBusinessHours } from '../account/account.values.js';
import { routeIncomingCall } from './line.routing.js';

/** Monday to Friday, 09:00–17:00 UTC. T0 is Monday 10:00 UTC, `EVENING` Monday 20:00 UTC. */
const OFFICE: BusinessHours = {
  utcOffsetMinutes: 0,
  windows: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, from: '09:00', to: '17:00' })),
};
const EVENING = at(10 * 3600);
const NIGHT_SHIFT: BusinessHours = {
  utcOffsetMinutes: 0,
  windows: [{ day: 'mon', from: '18:00', to: '24:00' }],
};

/** The line open in `OFFICE` hours; permissions wider than everyday; the delegator without the Power Pack. */
const OFFICE_LINE: Partial<LineContext> = {
  line: { number: 'n', name: null, ringTimeoutSeconds: 30, businessHours: OFFICE, owned: true },
};
const OVERRIDING: Permission[] = [...EVERYDAY, 'overrideBusinessHours'];
const VIP_ONLY: Permission[] = [...EVERYDAY, 'vipOnly'];
const NO_POWER_PACK: Partial<LineContext> = {
  delegator: { partyId: BOSS, name: 'Boss', eligibility: null, powerPack: false },
};
/** VIP callers ring the delegator first, the delegates after `delaySeconds`. */
const vipDelegatesAfter = (delaySeconds: number): Partial<LineContext> => ({
  vip: { contacts: [VIP_CALLER], routing: { mode: 'delegatorFirst', delaySeconds } },
});

const only = (assistant: Partial<LineDelegate>, changes: Partial<LineContext> = {}) =>
  lineContext({ delegates: [delegate(ASSISTANT, 'Assistant', assistant)], ...changes });

const assistantDecision = (context: LineContext, from = CALLER, when = T0) =>
  routeIncomingCall(context, from, when).find((d) => d.partyId === ASSISTANT);

describe('who rings for an incoming call (R13, R19, R5)', () => {
  it.each<[string, Partial<LineDelegate>, Partial<LineContext>, string, string, boolean, string]>([
    ['R13: an active delegate with answerCalls rings', {}, {}, CALLER, T0, true, 'ALERTED'],
    [
      'R13: an inactive delegation does not ring',
      { active: false },
      {},
      CALLER,
      T0,
      false,
      'DELEGATION_NOT_ACTIVE',
    ],
    [
      'R13: a delegate without answerCalls does not ring',
      { permissions: ['placeCalls'] },
      {},
      CALLER,
      T0,
      false,
      'ANSWER_CALLS_NOT_GRANTED',
    ],
    ['R13: an opted-out delegate does not ring', { optedIn: false }, {}, CALLER, T0, false, 'OPTED_OUT'],
    ['R13: within the line business hours a delegate rings', {}, OFFICE_LINE, CALLER, T0, true, 'ALERTED'],
    [
      'R13: outside the line business hours a delegate does not ring',
      {},
      OFFICE_LINE,
      CALLER,
      EVENING,
      false,
      'OUTSIDE_BUSINESS_HOURS',
    ],
    [
      'R13: with overrideBusinessHours a delegate rings within its own hours even when the line is closed',
      { permissions: OVERRIDING, businessHours: NIGHT_SHIFT },
      OFFICE_LINE,
      CALLER,
      EVENING,
      true,
      'ALERTED',
    ],
    [
      'R13: with overrideBusinessHours a delegate does not ring outside its own hours even when the line is open',
      { permissions: OVERRIDING, businessHours: NIGHT_SHIFT },
      OFFICE_LINE,
      CALLER,
      T0,
      false,
      'OUTSIDE_OWN_HOURS',
    ],
    [
      'R13: overrideBusinessHours without own hours lifts the line hours altogether',
      { permissions: OVERRIDING },
      OFFICE_LINE,
      CALLER,
      EVENING,
      true,
      'ALERTED',
    ],
    [
      'R19: a vipOnly delegate is not alerted for other callers',
      { permissions: VIP_ONLY },
      vipDelegatesAfter(0),
      CALLER,
      T0,
      false,
      'VIP_ONLY_NON_VIP_CALLER',
    ],
    [
      'R19: a vipOnly delegate is alerted for VIP callers',
      { permissions: VIP_ONLY },
      vipDelegatesAfter(0),
      VIP_CALLER,
      T0,
      true,
      'VIP_DELEGATOR_FIRST',
    ],
    [
      'R19: a VIP caller with delegatorOnly routing rings the delegator only',
      {},
      {},
      VIP_CALLER,
      T0,
      false,
      'VIP_DELEGATOR_ONLY',
    ],
    [
      'R19: a VIP caller with delegatorFirst routing rings delegates after the delay',
      {},
      vipDelegatesAfter(10),
      VIP_CALLER,
      T0,
      true,
      'VIP_DELEGATOR_FIRST',
    ],
    [
      'R19: a delegatorFirst delay as long as the ring timeout never reaches the delegates',
      {},
      vipDelegatesAfter(30),
      VIP_CALLER,
      T0,
      false,
      'VIP_DELAY_EXCEEDS_RING_TIMEOUT',
    ],
    [
      'R5: without the Power Pack nobody is VIP, so VIP routing does not apply',
      {},
      NO_POWER_PACK,
      VIP_CALLER,
      T0,
      true,
      'ALERTED',
    ],
    [
      'R5: without the Power Pack a vipOnly delegate is never alerted',
      { permissions: VIP_ONLY },
      NO_POWER_PACK,
      VIP_CALLER,
      T0,
      false,
      'POWER_PACK_REQUIRED',
    ],
  ])('%s', (_name, assistant, changes, from, when, rings, reason) => {
    expect(assistantDecision(only(assistant, changes), from, when)).toMatchObject({ rings, reason });
  });

  it('R13: the delegator always rings, whatever the hours or the caller', () => {
    const closed = lineContext(OFFICE_LINE);
    expect(routeIncomingCall(closed, VIP_CALLER, EVENING)[0]).toMatchObject({ partyId: BOSS, rings: true });
  });

  it('R13: a delegate failing eligibility does not ring, naming the failing rule (R4)', () => {
    const decision = assistantDecision(
      only({
        eligibility: {
          ok: false,
          rule: 'R4',
          code: 'DESKTOP_CLIENT_OUTDATED',
          message: 'Update the desktop client.',
        },
      }),
    );
    expect(decision).toMatchObject({ rings: false, rule: 'R4', reason: 'DESKTOP_CLIENT_OUTDATED' });
  });

  it('R13: business hours honour the fixed UTC offset (Tokyo 19:00 on Monday is closed)', () => {
    const tokyo: BusinessHours = { ...OFFICE, utcOffsetMinutes: 540 };
    expect(isWithinBusinessHours(tokyo, T0)).toBe(false);
    expect(isWithinBusinessHours(tokyo, '2026-01-05T00:30:00Z')).toBe(true);
    expect(isWithinBusinessHours(OFFICE, '2026-01-05T17:00:00Z')).toBe(false);
    expect(isWithinBusinessHours(OFFICE, '2026-01-10T10:00:00Z')).toBe(false);
  });

  it('R13: the routing matrix is recorded in CallRang so history can explain who was not alerted', () => {
    const deputyOptedOut = lineContext({
      delegates: [delegate(ASSISTANT, 'Assistant'), delegate(DEPUTY, 'Deputy', { optedIn: false })],
    });
    given([], deputyOptedOut)
      .when(incoming('c1'))
      .thenEmits(([, rang]) =>
        expect(rang).toMatchObject({
          type: 'CallRang',
          data: {
            alerted: [BOSS, ASSISTANT],
            decisions: [
              { partyId: BOSS, rings: true },
              { partyId: ASSISTANT, rings: true },
              {
                partyId: DEPUTY,
                rings: false,
                rule: 'R13',
                reason: 'OPTED_OUT',
                message: expect.stringMatching(/opt back in/),
              },
            ],
          },
        }),
      );
  });
});

describe('VIP delegation in the decider (R19)', () => {
  const vipRinging = vipCallRinging();
  const escalate = escalateVipRing('c1');
  /** The delegator's decline, then the delegates alerted at once instead of the ring ending. */
  const declinedAndDelegatesAlerted = (events: readonly LineEvent[]) =>
    expect(events).toMatchObject([
      { type: 'CallDeclined', data: { by: BOSS } },
      { type: 'CallRang', data: { stage: 'vipEscalation', alerted: [ASSISTANT, DEPUTY] } },
    ]);

  it('R19: a VIP caller with delegatorFirst rings the delegator alone and schedules the escalation', () => {
    expect(vipRinging[1]).toMatchObject({
      type: 'CallRang',
      data: { stage: 'initial', alerted: [BOSS], ringTimeoutAt: at(30), escalationAt: at(10) },
    });
    given(vipRinging, vipDelegatorFirst)
      .when(answer('c1', ASSISTANT))
      .thenRejects('NOT_RINGING_FOR_YOU', 'R13');
  });

  it('R19: when the delay passes the delegates are alerted too, with the same ring timeout', () => {
    given(vipRinging, vipDelegatorFirst)
      .when(escalate)
      .thenEmits(([rang]) =>
        expect(rang).toMatchObject({
          type: 'CallRang',
          data: {
            stage: 'vipEscalation',
            alerted: [ASSISTANT, DEPUTY],
            ringTimeoutAt: at(30),
            escalationAt: null,
            at: at(10),
          },
        }),
      );
    given(vipCallRinging(escalate), vipDelegatorFirst)
      .when(answer('c1', DEPUTY))
      .thenEmits(([answered]) =>
        expect(answered).toMatchObject({ data: { by: DEPUTY, ringLegsEnded: [BOSS, ASSISTANT] } }),
      );
  });

  it('R19: escalation re-checks routing, so a delegate who opted out meanwhile is not alerted', () => {
    const later = { ...vipDelegatorFirst, delegates: assistantOptedOut.delegates };
    given(vipRinging, later)
      .when(escalate)
      .thenEmits(([rang]) => expect(rang).toMatchObject({ data: { alerted: [DEPUTY] } }));
  });

  it('R19: escalation re-checks routing, so when VIP routing no longer applies (caller off the list, Power Pack gone) the delegates ring as for anyone else', () => {
    const notVipAnyMore = lineContext({ vip: { ...vipDelegatorFirst.vip, contacts: [] } });
    const noPowerPack = lineContext({
      vip: vipDelegatorFirst.vip,
      delegator: { ...vipDelegatorFirst.delegator, powerPack: false },
    });
    for (const later of [notVipAnyMore, noPowerPack]) {
      given(vipRinging, later)
        .when(escalate)
        .thenEmits(([rang]) =>
          expect(rang).toMatchObject({ data: { stage: 'vipEscalation', alerted: [ASSISTANT, DEPUTY] } }),
        );
      given(vipRinging, later).when(decline('c1', BOSS)).thenEmits(declinedAndDelegatesAlerted);
    }
  });

  it('R19: the delegator declining before the delay alerts the delegates at once instead of ending the ring', () => {
    given(vipRinging, vipDelegatorFirst).when(decline('c1', BOSS)).thenEmits(declinedAndDelegatesAlerted);
  });

  it('R19: with delegatorOnly the delegates are never alerted and the delegator declining sends the caller to voicemail', () => {
    const delegatorOnly = lineContext();
    given(history(delegatorOnly, incoming('c1', VIP_CALLER)), delegatorOnly)
      .when(decline('c1', BOSS))
      .thenEmitsTypes(['CallDeclined', 'CallSentToVoicemail', 'VoicemailLeft']);
  });

  it('R19: the incoming call records whether the caller is VIP', () => {
    expect(vipRinging[0]).toMatchObject({ type: 'IncomingCallReceived', data: { vip: true } });
  });
});
