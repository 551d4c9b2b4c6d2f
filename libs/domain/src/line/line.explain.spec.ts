import type { BusinessHours } from '#events';
import { DomainError, refusal } from '../shared/domain-error.js';
import type { LineCommand } from './line.commands.js';
import type { LineContext } from './line.context.js';
import { decideLine } from './line.decide.js';
import { explainLineAction, refusalOf, type LineAction } from './line.explain.js';
import {
  ASSISTANT,
  at,
  BOSS,
  CALLER,
  delegate,
  history,
  hold,
  incoming,
  LINE,
  lineContext,
  onlyAssistantWith,
  place,
  stateOf,
  STRANGER,
  T0,
} from './line.fixtures.js';
import { explainRingAt, routeIncomingCall } from './line.routing.js';

const noPlan = refusal('NO_CALLING_PLAN', 'R2', { name: 'Boss', party: BOSS });
const outdated = refusal('DESKTOP_CLIENT_OUTDATED', 'R4', {
  party: ASSISTANT,
  version: '5.9.0',
  minimum: '6.0.0',
});

/** The command each action stands for, on a line where it could succeed but for the party's rights. */
const commandFor = (action: LineAction, actor: string): LineCommand => {
  const commands: Record<LineAction, LineCommand> = {
    placeCall: place('c9', actor),
    answer: { type: 'AnswerCall', callId: 'c1', actor },
    pickUp: { type: 'PickUpHeldCall', callId: 'c1', actor },
    join: { type: 'JoinCall', callId: 'c1', actor },
    merge: { type: 'MergeHeldCall', callId: 'c1', actor },
  };
  return commands[action];
};

/** The decider's rejection of `action` by `actor`, on a line with call c1 as the action needs it. */
const rejectionOf = (context: LineContext, action: LineAction, actor: string): DomainError | null => {
  const friendly = lineContext();
  const setUp =
    action === 'answer'
      ? history(friendly, incoming('c1'))
      : action === 'placeCall'
        ? []
        : history(
            friendly,
            incoming('c1'),
            { type: 'AnswerCall', callId: 'c1', actor: BOSS },
            ...(action === 'pickUp' || action === 'merge' ? [hold('c1', BOSS)] : []),
          );
  try {
    decideLine(commandFor(action, actor), stateOf(setUp), context);
    return null;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
};

const expectDeciderAgrees = (context: LineContext, action: LineAction, actor: string) => {
  const refusal = refusalOf(explainLineAction(context, actor, action));
  const rejection = rejectionOf(context, action, actor);
  expect(rejection && { rule: rejection.rule, code: rejection.code, message: rejection.message }).toEqual(
    refusal ? { rule: refusal.rule, code: refusal.code, message: refusal.message } : null,
  );
  return refusal;
};

const ACTIONS: readonly LineAction[] = ['placeCall', 'answer', 'pickUp', 'join', 'merge'];

describe('explainLineAction: the decider’s permission and eligibility steps (R20)', () => {
  it('R10: Given a party the line is not shared with, When it acts, Then LINE_NOT_SHARED, as the decider says', () => {
    for (const action of ACTIONS) {
      expect(expectDeciderAgrees(lineContext(), action, STRANGER)).toMatchObject({
        rule: 'R10',
        code: 'LINE_NOT_SHARED',
      });
    }
  });

  it('R7: Given a pending delegation of an ineligible delegate, When it acts, Then the inactive delegation comes first', () => {
    const context = lineContext({
      delegates: [delegate(ASSISTANT, 'Assistant', { active: false, eligibility: outdated })],
    });
    expect(expectDeciderAgrees(context, 'placeCall', ASSISTANT)).toMatchObject({
      rule: 'R7',
      code: 'DELEGATION_NOT_ACTIVE',
    });
  });

  it('R2: Given an ineligible delegator, When a delegate acts, Then the delegator’s failure comes before the delegate’s', () => {
    const context = lineContext({
      delegator: { partyId: BOSS, name: 'Boss', eligibility: noPlan, powerPack: true },
      delegates: [delegate(ASSISTANT, 'Assistant', { eligibility: outdated })],
    });
    for (const action of ACTIONS) {
      expect(expectDeciderAgrees(context, action, ASSISTANT)).toMatchObject({
        rule: 'R2',
        code: 'NO_CALLING_PLAN',
      });
    }
    // The delegator's own line asks no eligibility of the delegator.
    expect(expectDeciderAgrees(context, 'placeCall', BOSS)).toBeUndefined();
  });

  it('R4: Given an ineligible delegate, When it acts, Then its own failure is named', () => {
    const context = lineContext({ delegates: [delegate(ASSISTANT, 'Assistant', { eligibility: outdated })] });
    expect(expectDeciderAgrees(context, 'answer', ASSISTANT)).toMatchObject(outdated);
  });

  it('R12/R13/R15/R16: Given a delegate without permissions, When it acts, Then each action names its own rule', () => {
    const context = onlyAssistantWith();
    const rules = ACTIONS.map((action) => expectDeciderAgrees(context, action, ASSISTANT)?.rule);
    expect(rules).toEqual(['R12', 'R13', 'R15', 'R16', 'R16']);
    expect(refusalOf(explainLineAction(context, ASSISTANT, 'join'))?.code).toBe('PERMISSION_REQUIRED');
  });

  it('R10: Given an active, eligible delegate with the permissions, When it acts, Then every step passes', () => {
    for (const action of ACTIONS)
      expect(expectDeciderAgrees(lineContext(), action, ASSISTANT)).toBeUndefined();
    expect(explainLineAction(lineContext(), ASSISTANT, 'answer').map((check) => check.rule)).toEqual([
      'R10',
      'R7',
      'R3',
      'R4',
      'R13',
    ]);
  });
});

/** Monday 09:00–17:00 UTC; T0 is Monday 10:00 UTC. */
const OFFICE: BusinessHours = { utcOffsetMinutes: 0, windows: [{ day: 'mon', from: '09:00', to: '17:00' }] };
const EVENING = at(10 * 3600);
const officeLine = { number: LINE, name: null, ringTimeoutSeconds: 30, businessHours: OFFICE, owned: true };

/** Routing's decision for the assistant on a call from `from` arriving at `when`. */
const routed = (context: LineContext, when: string, from = CALLER) =>
  routeIncomingCall(context, from, when).find((d) => d.partyId === ASSISTANT);

describe('explainRingAt: routing’s refusals that hold for any caller at a time (R20)', () => {
  it('R13: Given a delegate opted out, Then OPTED_OUT at any time, as routing records it', () => {
    const context = lineContext({ delegates: [delegate(ASSISTANT, 'Assistant', { optedIn: false })] });
    expect(explainRingAt(context, ASSISTANT, T0)).toMatchObject({
      rule: 'R13',
      reason: 'OPTED_OUT',
      rings: false,
    });
  });

  it('R5: Given a vipOnly delegate and no Power Pack, Then POWER_PACK_REQUIRED, whoever calls', () => {
    const context = lineContext({
      delegator: { partyId: BOSS, name: 'Boss', eligibility: null, powerPack: false },
      delegates: [delegate(ASSISTANT, 'Assistant', { permissions: ['answerCalls', 'vipOnly'] })],
    });
    expect(explainRingAt(context, ASSISTANT, T0)).toMatchObject({
      rule: 'R5',
      reason: 'POWER_PACK_REQUIRED',
    });
  });

  it('R19: Given a vipOnly delegate with the Power Pack, Then nothing holds for every caller: only the caller decides', () => {
    const context = onlyAssistantWith('answerCalls', 'vipOnly');
    expect(explainRingAt(context, ASSISTANT, T0)).toBeNull();
    expect(explainRingAt(context, STRANGER, T0)).toBeUndefined();
    expect(routed(context, T0)).toMatchObject({ rule: 'R19', reason: 'VIP_ONLY_NON_VIP_CALLER' });
  });

  it('R13: Given the line’s business hours, When it is evening, Then OUTSIDE_BUSINESS_HOURS, as routing decides a call then', () => {
    const context = lineContext({ line: officeLine });
    expect(explainRingAt(context, ASSISTANT, T0)).toBeNull();
    expect(routed(context, T0)).toMatchObject({ rings: true });
    const evening = explainRingAt(context, ASSISTANT, EVENING);
    expect(evening).toMatchObject({ rule: 'R13', reason: 'OUTSIDE_BUSINESS_HOURS', rings: false });
    expect(evening).toEqual(routed(context, EVENING));
    // The line's hours never keep its delegator from ringing.
    expect(explainRingAt(context, BOSS, EVENING)).toBeUndefined();
  });

  it('R13: Given overrideBusinessHours and own hours, When the line is open but the delegate’s hours are not, Then OUTSIDE_OWN_HOURS', () => {
    const context = lineContext({
      line: officeLine,
      delegates: [
        delegate(ASSISTANT, 'Assistant', {
          permissions: ['answerCalls', 'overrideBusinessHours'],
          businessHours: { utcOffsetMinutes: 0, windows: [{ day: 'mon', from: '18:00', to: '24:00' }] },
        }),
      ],
    });
    const morning = explainRingAt(context, ASSISTANT, T0);
    expect(morning).toMatchObject({ rule: 'R13', reason: 'OUTSIDE_OWN_HOURS' });
    expect(morning).toEqual(routed(context, T0));
    expect(explainRingAt(context, ASSISTANT, EVENING)).toBeNull();
  });

  it('R13: Given a standing refusal outside business hours, Then the standing refusal comes first, as in routing', () => {
    const context = lineContext({
      line: officeLine,
      delegates: [delegate(ASSISTANT, 'Assistant', { optedIn: false })],
    });
    expect(explainRingAt(context, ASSISTANT, EVENING)).toEqual(routed(context, EVENING));
    expect(explainRingAt(context, ASSISTANT, EVENING)).toMatchObject({ reason: 'OPTED_OUT' });
  });
});
