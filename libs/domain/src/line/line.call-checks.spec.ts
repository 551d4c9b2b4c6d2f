import type { LineEvent } from '#events';
import { kindOf } from '../reasons.js';
import { explainAnswer, explainJoin, explainPickUp, type ExplainedAction } from './line.call-checks.js';
import type { AnswerCall, JoinCall, PickUpHeldCall } from './line.commands.js';
import type { LineContext } from './line.context.js';
import type { Refusal } from '../shared/domain-error.js';
import {
  ASSISTANT,
  BOSS,
  DEPUTY,
  answer,
  assistantOptedOut,
  bossHeld,
  bossHungUp,
  bossOnCall,
  callPlacedBy,
  context,
  decidedAsExplained,
  decline,
  delegate,
  given,
  history,
  hold,
  incoming,
  join,
  lineContext,
  lockPrivacy,
  onlyAssistantWith,
  pickUp,
  resume,
  ringingCall,
  stateOf,
  transfer,
} from './line.fixtures.js';

type CallCommand = AnswerCall | PickUpHeldCall | JoinCall;

/** The explained steps of `command` after `past`: what R20's diagnostics read the decider's verdict from. */
const explained = (past: readonly LineEvent[], command: CallCommand, ctx: LineContext): ExplainedAction => {
  const line = stateOf(past);
  switch (command.type) {
    case 'AnswerCall':
      return explainAnswer(ctx, line, command.callId, command.actor, ctx.now);
    case 'PickUpHeldCall':
      return explainPickUp(ctx, line, command.callId, command.actor);
    case 'JoinCall':
      return explainJoin(ctx, line, command.callId, command.actor);
  }
};

const decided = decidedAsExplained((past, command: CallCommand, ctx) => explained(past, command, ctx).checks);

/** As decidedAsExplained's, and a refused command has no acting party. */
const bothRefuse = (
  past: readonly LineEvent[],
  command: CallCommand,
  code: string,
  rule: string,
  ctx = context,
): Refusal => {
  expect(explained(past, command, ctx).acting).toBeNull();
  return decided.bothRefuse(past, command, code, rule, ctx);
};

/** As decidedAsExplained's, and the command is decided into events by an acting party. */
const bothAllow = (past: readonly LineEvent[], command: CallCommand, ctx = context): ExplainedAction => {
  decided.bothAllow(past, command, ctx);
  given(past, ctx)
    .when(command)
    .thenEmits((events) => expect(events.length).toBeGreaterThan(0));
  const result = explained(past, command, ctx);
  expect(result.acting).not.toBeNull();
  return result;
};

describe('explainAnswer: the decider’s steps for answering a call (R13, R14, R16, R20)', () => {
  it('R13: Given a call ringing for a delegate, When it answers, Then both allow, ringing for it last', () => {
    const { checks } = bothAllow(ringingCall(), answer('c1', ASSISTANT));
    expect(checks.map((check) => check.rule)).toEqual(['R10', 'R7', 'R3', 'R4', 'R13', 'R13', 'R13']);
    expect(checks.at(-1)?.message).toBe('Call c1 is ringing for Assistant.');
  });

  it('R14: Given a delegate declined the ringing call, When it answers, Then both refuse, caused by its decline', () => {
    const declined = ringingCall(decline('c1', ASSISTANT));
    const refusal = bothRefuse(declined, answer('c1', ASSISTANT), 'NOT_RINGING_FOR_YOU', 'R13');
    expect(refusal).toMatchObject({
      message: 'Call c1 is not ringing for you: you declined it.',
      details: { reason: 'DECLINED' },
      cause: { rule: 'R14', code: 'DECLINED' },
    });
    // The others' legs stay open (R14).
    bothAllow(declined, answer('c1', DEPUTY));
  });

  it('R13: Given an opted-out delegate, When it answers the ringing call, Then both refuse, caused by routing', () => {
    const refusal = bothRefuse(
      history(assistantOptedOut, incoming('c1')),
      answer('c1', ASSISTANT),
      'NOT_RINGING_FOR_YOU',
      'R13',
      assistantOptedOut,
    );
    expect(refusal.cause).toEqual({ rule: 'R13', code: 'OPTED_OUT' });
  });

  it('R13: Given the delegator answered, When a delegate answers, Then both name who answered, on the line and after', () => {
    bothRefuse(bossOnCall(), answer('c1', ASSISTANT), 'ALREADY_ANSWERED', 'R13');
    const ended = bossHungUp();
    expect(bothRefuse(ended, answer('c1', ASSISTANT), 'ALREADY_ANSWERED', 'R13').message).toBe(
      'Call c1 was already answered by Boss.',
    );
  });

  it('R13: Given an outgoing call, When a party answers it, Then both say it is not ringing', () => {
    bothRefuse(callPlacedBy(BOSS), answer('c1', ASSISTANT), 'CALL_NOT_RINGING', 'R13');
  });

  it('R16: Given a transfer to a delegate, When another answers, Then both refuse before asking its permission; the target may', () => {
    const transferred = bossOnCall(transfer('c1', BOSS, ASSISTANT));
    const noPermission = lineContext({
      delegates: [delegate(ASSISTANT, 'Assistant'), delegate(DEPUTY, 'Deputy', { permissions: [] })],
    });
    bothRefuse(transferred, answer('c1', DEPUTY), 'NOT_RINGING_FOR_YOU', 'R16', noPermission);
    const { checks } = bothAllow(transferred, answer('c1', ASSISTANT));
    expect(checks.slice(-2).map((check) => check.rule)).toEqual(['R16', 'R16']);
  });
});

describe('explainPickUp: the decider’s steps for picking up a held call (R15, R20)', () => {
  it('R15: Given a call held by the delegator, When a delegate picks it up, Then both allow', () => {
    const { checks } = bothAllow(bossHeld(), pickUp('c1', ASSISTANT));
    expect(checks.slice(-3).map((check) => check.message)).toEqual([
      'Assistant has pickUpHeldCalls.',
      'Call c1 is on hold by Boss.',
      'Call c1 is not locked for privacy.',
    ]);
  });

  it('R15: Given a connected call, When a delegate would pick it up, Then both say it is not held', () => {
    bothRefuse(bossOnCall(), pickUp('c1', ASSISTANT), 'CALL_NOT_HELD', 'R15');
  });

  it('R15: Given the holder, When it would pick up its own call, Then both tell it to resume', () => {
    bothRefuse(bossHeld(), pickUp('c1', BOSS), 'CALL_HELD_BY_YOU', 'R15');
  });

  it('R15: Given a privacy-locked hold, When a delegate picks it up, Then both refuse; the delegator may', () => {
    bothRefuse(bossHeld(true), pickUp('c1', ASSISTANT), 'CALL_PRIVACY_LOCKED', 'R15');
    const assistantHeldLocked = bossOnCall(
      join('c1', ASSISTANT),
      lockPrivacy('c1', BOSS),
      hold('c1', ASSISTANT),
    );
    bothRefuse(assistantHeldLocked, pickUp('c1', DEPUTY), 'CALL_PRIVACY_LOCKED', 'R15');
    const { checks } = bothAllow(assistantHeldLocked, pickUp('c1', BOSS));
    expect(checks.at(-1)?.message).toBe('Call c1 is on hold by Assistant.');
  });

  it('R15: Given the call ended or never existed, When a delegate picks it up, Then both say so', () => {
    bothRefuse(bossHungUp(), pickUp('c1', ASSISTANT), 'CALL_ENDED', 'R15');
    expect(kindOf(bothRefuse([], pickUp('c1', ASSISTANT), 'CALL_NOT_FOUND', 'R15').code)).toBe('not_found');
  });

  it('R15: Given a delegate without pickUpHeldCalls, When it picks up a call it holds, Then the permission comes first', () => {
    const noPickUp = onlyAssistantWith('answerCalls');
    const assistantHeld = history(noPickUp, incoming('c1'), answer('c1', ASSISTANT), hold('c1', ASSISTANT));
    bothRefuse(assistantHeld, pickUp('c1', ASSISTANT), 'PERMISSION_REQUIRED', 'R15', noPickUp);
  });
});

describe('explainJoin: the decider’s steps for joining a call (R16, R15, R20)', () => {
  it('R16: Given the delegator on a call, When a delegate with joinAndMerge joins, Then both allow', () => {
    const { checks } = bothAllow(bossOnCall(), join('c1', ASSISTANT));
    expect(checks.slice(-3).map((check) => check.rule)).toEqual(['R16', 'R16', 'R15']);
  });

  it('R16: Given a ringing or held call, When a delegate joins, Then both say it is not connected', () => {
    bothRefuse(ringingCall(), join('c1', ASSISTANT), 'CALL_NOT_CONNECTED', 'R16');
    bothRefuse(bossHeld(), join('c1', ASSISTANT), 'CALL_NOT_CONNECTED', 'R16');
  });

  it('R16: Given a party on the call, When it joins, Then both say it is already on it', () => {
    bothRefuse(bossOnCall(), join('c1', BOSS), 'ALREADY_ON_CALL', 'R16');
  });

  it('R15: Given a call the delegator locked and resumed, When a delegate joins, Then both refuse; the lock outlives the hold', () => {
    const lockedOnCall = bossOnCall(hold('c1', BOSS, true), resume('c1', BOSS));
    bothRefuse(lockedOnCall, join('c1', ASSISTANT), 'CALL_PRIVACY_LOCKED', 'R15');
    bothRefuse(lockedOnCall, join('c1', BOSS), 'ALREADY_ON_CALL', 'R16');
  });

  it('R16: Given the call ended, When a delegate joins, Then both say so', () => {
    bothRefuse(bossHungUp(), join('c1', ASSISTANT), 'CALL_ENDED', 'R16');
  });
});
