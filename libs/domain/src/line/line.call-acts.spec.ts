import type { LineEvent } from '#events';
import type { Check } from '../shared/domain-error.js';
import {
  explainCallAction,
  explainDecline,
  explainExternalAnswer,
  explainExternalHangUp,
  explainHangUp,
  explainHold,
  explainPrivacyLock,
  explainResume,
  explainStartRecording,
  explainStopRecording,
  explainTransfer,
} from './line.call-checks.js';
import type { LineCommand } from './line.commands.js';
import type { LineContext } from './line.context.js';
import { refusalOf } from './line.explain.js';
import {
  ASSISTANT,
  BOSS,
  DEPUTY,
  NEWBOSS,
  STRANGER,
  T0,
  assistantInactive,
  assistantOnCall,
  assistantRevoked,
  bossHeld,
  bossHungUp,
  bossOnCall,
  callPlacedBy,
  context,
  decidedAsExplained,
  decline,
  externalAnswer,
  externalHangUp,
  given,
  hangUp,
  history,
  hold,
  incoming,
  join,
  lineContext,
  lockPrivacy,
  passedToNewboss,
  resume,
  ringingCall,
  stateOf,
  transfer,
} from './line.fixtures.js';

/** A party's own act on a call: what the seat offers on it, and R20 explains. */
type CallAct = Extract<
  LineCommand,
  {
    type:
      | 'DeclineCall'
      | 'HoldCall'
      | 'ResumeCall'
      | 'SetCallPrivacyLock'
      | 'TransferCall'
      | 'StartRecording'
      | 'StopRecording'
      | 'HangUp'
      | 'AnswerAsExternalParty'
      | 'HangUpAsExternalParty';
  }
>;

const record = (callId: string, actor: string, recordingId = `r-${actor}`): CallAct => ({
  type: 'StartRecording',
  callId,
  actor,
  recordingId,
});
const stopRecording = (callId: string, actor: string, recordingId: string): CallAct => ({
  type: 'StopRecording',
  callId,
  actor,
  recordingId,
});

/** The explained steps of `command` after `past`: the function the decider decides it with. */
const explained = (past: readonly LineEvent[], command: CallAct, ctx: LineContext): readonly Check[] => {
  const line = stateOf(past);
  const { callId, actor } = command;
  switch (command.type) {
    case 'DeclineCall':
      return explainDecline(ctx, line, callId, actor, ctx.now).checks;
    case 'HoldCall':
      return explainHold(ctx, line, callId, actor, command.privacyLock === true).checks;
    case 'ResumeCall':
      return explainResume(ctx, line, callId, actor).checks;
    case 'SetCallPrivacyLock':
      return explainPrivacyLock(ctx, line, callId, actor).checks;
    case 'TransferCall':
      return explainTransfer(ctx, line, callId, actor, command.to).checks;
    case 'StartRecording':
      return explainStartRecording(line, callId, actor, command.recordingId);
    case 'StopRecording':
      return explainStopRecording(line, callId, command.recordingId, actor);
    case 'HangUp':
      return explainHangUp(line, callId, actor);
    case 'AnswerAsExternalParty':
      return explainExternalAnswer(line, callId);
    case 'HangUpAsExternalParty':
      return explainExternalHangUp(line, callId);
  }
};

const { bothRefuse, bothAllow } = decidedAsExplained(explained);

/** The number passed from Boss to Newboss while Boss's call c1 was on it (R10). */
const reassigned = passedToNewboss();

describe('explainDecline: the decider’s steps for declining a call (R14, R16, R20)', () => {
  it('R14: Given a call ringing for a delegate, When it declines, Then both allow, ringing for it last', () => {
    const checks = bothAllow(ringingCall(), decline('c1', ASSISTANT));
    expect(checks.at(-1)?.message).toBe('Call c1 rings for Assistant.');
  });

  it('R14: Given a party the call does not ring for, When it declines, Then both refuse with the reason routing gives', () => {
    bothRefuse(ringingCall(), decline('c1', STRANGER), 'LINE_NOT_SHARED', 'R10');
    const vipCall = history(context, incoming('c1', '+15550199'));
    bothRefuse(vipCall, decline('c1', ASSISTANT), 'NOT_RINGING_FOR_YOU', 'R13');
  });

  it('R14: Given a connected call, When a delegate declines it, Then both name who answered', () => {
    bothRefuse(bossOnCall(), decline('c1', ASSISTANT), 'ALREADY_ANSWERED', 'R13');
  });

  it('R16: Given a transfer to a delegate, When another declines it, Then both refuse; the target may', () => {
    const transferred = bossOnCall(transfer('c1', BOSS, ASSISTANT));
    bothRefuse(transferred, decline('c1', DEPUTY), 'NOT_RINGING_FOR_YOU', 'R16');
    expect(bothAllow(transferred, decline('c1', ASSISTANT)).at(-1)?.rule).toBe('R16');
  });
});

describe('explainHold: the decider’s steps for holding a call (R15, R20)', () => {
  it('R15: Given a delegate on a connected call, When it holds it, Then both allow; locked, both refuse it to the delegate only', () => {
    bothAllow(assistantOnCall(), hold('c1', ASSISTANT));
    bothRefuse(assistantOnCall(), hold('c1', ASSISTANT, true), 'PRIVACY_LOCK_DELEGATOR_ONLY', 'R15');
    bothAllow(bossOnCall(), hold('c1', BOSS, true));
  });

  it('R15: Given a call still dialing, When its caller holds it, Then both say it is not connected', () => {
    const dialing = callPlacedBy(ASSISTANT);
    const refusal = bothRefuse(dialing, hold('c1', ASSISTANT), 'CALL_NOT_CONNECTED', 'R15');
    expect(refusal.message).toMatch(/^Call c1 is dialing, not connected;/);
  });

  it('R15: Given a party not on the call, When it holds it, Then both say it is not on it', () => {
    bothRefuse(assistantOnCall(), hold('c1', BOSS), 'NOT_ON_CALL', 'R15');
  });

  it('R10: Given the number passed to another party mid-call, When the call’s delegate holds it locked, Then both name its owner', () => {
    const past = assistantOnCall();
    expect(bothAllow(past, hold('c1', ASSISTANT), reassigned)[0]?.rule).toBe('R10');
    const refusal = bothRefuse(
      past,
      hold('c1', ASSISTANT, true),
      'PRIVACY_LOCK_DELEGATOR_ONLY',
      'R15',
      reassigned,
    );
    expect(refusal.message).toBe(`Only the delegator (${BOSS}) can lock or unlock a call for privacy.`);
    bothRefuse(past, hold('c1', NEWBOSS), 'CALL_NOT_FOUND', 'R15', reassigned);
  });
});

describe('explainResume: the decider’s steps for resuming a call (R15, R20)', () => {
  it('R15: Given a call the delegator holds, When it resumes it, Then both allow; another is told to pick it up', () => {
    bothAllow(bossHeld(), resume('c1', BOSS));
    const refusal = bothRefuse(bossHeld(), resume('c1', ASSISTANT), 'NOT_HOLDER', 'R15');
    expect(refusal.message).toMatch(/^Only Boss, who held call c1, can resume it;/);
  });

  it('R15: Given a connected or ended call, When its party resumes it, Then both say it is not held, or over', () => {
    bothRefuse(bossOnCall(), resume('c1', BOSS), 'CALL_NOT_HELD', 'R15');
    bothRefuse(bossHungUp(), resume('c1', BOSS), 'CALL_ENDED', 'R15');
  });
});

describe('explainPrivacyLock: the decider’s steps for locking a call for privacy (R15, R20)', () => {
  it('R15: Given the delegator on the call, When it locks it, Then both allow; a delegate on it is refused first', () => {
    bothAllow(bossOnCall(), lockPrivacy('c1', BOSS));
    bothAllow(bossHeld(), lockPrivacy('c1', BOSS, false));
    bothRefuse(assistantOnCall(), lockPrivacy('c1', ASSISTANT), 'PRIVACY_LOCK_DELEGATOR_ONLY', 'R15');
  });

  it('R15: Given a delegate on the call, When the delegator, not on it, locks it, Then both say it is not on it', () => {
    bothRefuse(assistantOnCall(), lockPrivacy('c1', BOSS), 'NOT_ON_CALL', 'R15');
  });

  it('R15: Given no call, When a delegate locks one, Then the delegator-only refusal comes before the missing call', () => {
    bothRefuse([], lockPrivacy('c1', ASSISTANT), 'PRIVACY_LOCK_DELEGATOR_ONLY', 'R15');
    bothRefuse([], lockPrivacy('c1', BOSS), 'CALL_NOT_FOUND', 'R15');
  });
});

describe('explainTransfer: the decider’s steps for transferring a call (R16, R20)', () => {
  it('R16: Given a delegate on a connected call, When it transfers it to its delegator, Then both allow; to another delegate, both refuse', () => {
    bothAllow(assistantOnCall(), transfer('c1', ASSISTANT, BOSS) as CallAct);
    bothRefuse(
      assistantOnCall(),
      transfer('c1', ASSISTANT, DEPUTY) as CallAct,
      'TRANSFER_TARGET_NOT_ALLOWED',
      'R16',
    );
  });

  it('R16: Given a transfer ringing, When its transferrer transfers again, Then both say the call is not connected', () => {
    const transferring = bossOnCall(transfer('c1', BOSS, ASSISTANT));
    bothRefuse(transferring, transfer('c1', BOSS, DEPUTY) as CallAct, 'CALL_NOT_CONNECTED', 'R16');
  });

  it('R16: Given no target chosen yet, When asked, Then the steps end with the party on the call', () => {
    const line = stateOf(assistantOnCall());
    const { checks, acting } = explainTransfer(context, line, 'c1', ASSISTANT, null);
    expect(acting).not.toBeNull();
    expect(checks.at(-1)?.message).toBe('Assistant is on call c1.');
    expect(refusalOf(explainTransfer(context, line, 'c1', BOSS, null).checks)?.code).toBe('NOT_ON_CALL');
  });
});

describe('explainStartRecording and explainStopRecording: the decider’s steps for recordings (R18, R20)', () => {
  it('R18: Given a party on a connected call, When it records, Then both allow; a second of its own, both refuse', () => {
    bothAllow(assistantOnCall(), record('c1', ASSISTANT));
    const recording = assistantOnCall(record('c1', ASSISTANT, 'r1'));
    bothRefuse(recording, record('c1', ASSISTANT, 'r2'), 'RECORDING_ALREADY_ACTIVE', 'R18');
  });

  it('R18: Given a recording id taken, When another party on the call records under it, Then both refuse', () => {
    const recording = bossOnCall(join('c1', ASSISTANT), record('c1', BOSS, 'r1'));
    bothRefuse(recording, record('c1', ASSISTANT, 'r1'), 'RECORDING_ALREADY_ACTIVE', 'R18');
  });

  it('R18: Given a held call or a party not on it, When it records, Then both refuse', () => {
    bothRefuse(bossHeld(), record('c1', BOSS), 'CALL_NOT_CONNECTED', 'R18');
    bothRefuse(bossOnCall(), record('c1', ASSISTANT), 'NOT_ON_CALL', 'R18');
  });

  it('R18: Given a recording, When its owner stops it, Then both allow; another party or another id, both refuse', () => {
    const recording = bossOnCall(join('c1', ASSISTANT), record('c1', BOSS, 'r1'));
    bothAllow(recording, stopRecording('c1', BOSS, 'r1'));
    bothRefuse(recording, stopRecording('c1', ASSISTANT, 'r1'), 'RECORDING_NOT_OWNER', 'R18');
    bothRefuse(recording, stopRecording('c1', BOSS, 'r9'), 'RECORDING_NOT_FOUND', 'R18');
  });
});

describe('explainHangUp: the decider’s steps for hanging up (R12, R20)', () => {
  it('R12: Given a party on the call, When it hangs up, Then both allow; one not on it, both refuse', () => {
    bothAllow(assistantOnCall(), hangUp('c1', ASSISTANT) as CallAct);
    bothRefuse(assistantOnCall(), hangUp('c1', DEPUTY) as CallAct, 'NOT_ON_CALL', 'R12');
    bothRefuse(bossHungUp(), hangUp('c1', BOSS) as CallAct, 'CALL_ENDED', 'R12');
  });

  it('R12: Given a delegate whose delegation was revoked mid-call, When it hangs up, Then both still allow', () => {
    const revoked = lineContext({ delegates: [] });
    bothAllow(assistantOnCall(), hangUp('c1', ASSISTANT) as CallAct, revoked);
  });

  it('R7: Given a delegate whose delegation was revoked mid-call, When it hangs up or records, Then it acts on its own, whether or not a new invitation to it is pending', () => {
    for (const account of [assistantRevoked, assistantInactive]) {
      given(assistantOnCall(), account)
        .when(hangUp('c1', ASSISTANT))
        .thenActsWith({ onBehalfOf: null, permission: null });
      given(assistantOnCall(), account)
        .when(record('c1', ASSISTANT, 'r1'))
        .thenActsWith({ onBehalfOf: null, permission: null });
    }
    // And an active delegate on the call still acts for the delegator
    given(assistantOnCall())
      .when(hangUp('c1', ASSISTANT))
      .thenActsWith({ onBehalfOf: BOSS, permission: null });
  });
});

describe('explainExternalAnswer and explainExternalHangUp: the other end’s steps (R12, R14, R20)', () => {
  it('R12: Given a call a delegate placed, When the called number answers it, Then both allow; connected, both refuse', () => {
    const dialing = callPlacedBy(ASSISTANT);
    bothAllow(dialing, externalAnswer('c1'));
    const connected = callPlacedBy(ASSISTANT, externalAnswer('c1'));
    bothRefuse(connected, externalAnswer('c1'), 'CALL_NOT_RINGING', 'R12');
  });

  it('R12: Given an incoming call ringing, When its other end would answer it, Then both refuse saying the call is ringing, not dialing', () => {
    const refusal = bothRefuse(ringingCall(), externalAnswer('c1'), 'CALL_NOT_RINGING', 'R12');
    expect(refusal.message).toBe(
      'Call c1 is ringing, not dialing: its other end answers only a call still dialing it.',
    );
  });

  it('R12: Given an incoming call answered, When the other end would answer it, Then both name who answered', () => {
    bothRefuse(bossOnCall(), externalAnswer('c1'), 'ALREADY_ANSWERED', 'R13');
  });

  it('R14: Given a call on the line, or one that already left it, When the other end hangs up, Then both allow; an unknown call, both refuse', () => {
    bothAllow(ringingCall(), externalHangUp('c1'));
    bothAllow(bossHeld(), externalHangUp('c1'));
    const line = stateOf(bossHungUp());
    expect(refusalOf(explainExternalHangUp(line, 'c1'))).toBeUndefined();
    given(bossHungUp()).when(externalHangUp('c1')).then([]);
    bothRefuse([], externalHangUp('c9'), 'CALL_NOT_FOUND', 'R14');
  });
});

describe('explainCallAction: R20 asks each call action by name, as the seat does', () => {
  it('R20: Given a call the delegator holds, When each action is asked of it and of a delegate, Then each answers as its own explain function', () => {
    const line = stateOf(bossHeld());
    const codes = (actor: string) =>
      (
        ['decline', 'hold', 'holdLocked', 'resume', 'privacyLock', 'transfer', 'record', 'hangUp'] as const
      ).map((action) => refusalOf(explainCallAction(context, line, 'c1', actor, action, T0))?.code ?? 'ok');
    expect(codes(BOSS)).toEqual([
      'ALREADY_ANSWERED',
      'CALL_NOT_CONNECTED',
      'CALL_NOT_CONNECTED',
      'ok',
      'ok',
      'CALL_NOT_CONNECTED',
      'CALL_NOT_CONNECTED',
      'ok',
    ]);
    expect(codes(ASSISTANT)).toEqual([
      'ALREADY_ANSWERED',
      'CALL_NOT_CONNECTED',
      'CALL_NOT_CONNECTED',
      'NOT_HOLDER',
      'PRIVACY_LOCK_DELEGATOR_ONLY',
      'CALL_NOT_CONNECTED',
      'CALL_NOT_CONNECTED',
      'NOT_ON_CALL',
    ]);
  });
});
