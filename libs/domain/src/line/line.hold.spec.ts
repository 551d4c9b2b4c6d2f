import {
  ASSISTANT,
  BOSS,
  DEPUTY,
  T0,
  assistantInactive,
  assistantOnCall,
  bossHeld,
  bossOnCall,
  given,
  hangUp,
  hold,
  join,
  lockPrivacy,
  merge,
  onlyAssistantWith,
  pickUp,
  resume,
  ringingCall,
} from './line.fixtures.js';
import type { StartRecording } from './line.commands.js';

describe('hold, resume, pick up and privacy (R15)', () => {
  it('R15: any party on the call may hold it, a delegate on behalf of the delegator', () => {
    given(assistantOnCall())
      .when(hold('c1', ASSISTANT))
      .then([
        {
          type: 'CallHeld',
          data: { callId: 'c1', by: ASSISTANT, onBehalfOf: BOSS, privacyLocked: false, at: T0 },
        },
      ]);
  });

  it('R15: Given a delegate joined the delegator’s call and records it, When the delegator holds it, Then the delegate leaves the call, its recording stopped, before the hold (R16, R18)', () => {
    const record: StartRecording = {
      type: 'StartRecording',
      callId: 'c1',
      actor: ASSISTANT,
      recordingId: 'r1',
    };
    given(bossOnCall(join('c1', ASSISTANT), record))
      .when(hold('c1', BOSS))
      .then([
        {
          type: 'RecordingStopped',
          data: { callId: 'c1', recordingId: 'r1', owner: ASSISTANT, reason: 'ownerLeftCall', at: T0 },
        },
        { type: 'CallLeft', data: { callId: 'c1', by: ASSISTANT, at: T0 } },
        {
          type: 'CallHeld',
          data: { callId: 'c1', by: BOSS, onBehalfOf: null, privacyLocked: false, at: T0 },
        },
      ]);
  });

  it('R15: Given a held call merged into a conference, When the delegate holds it, Then the delegator leaves it and, no longer on it, cannot hang it up; the holder alone resumes it', () => {
    const merged = bossOnCall(hold('c1', BOSS), merge('c1', ASSISTANT));
    given(merged).when(hold('c1', ASSISTANT)).thenEmitsTypes(['CallLeft', 'CallHeld']);
    const heldByAssistant = bossOnCall(hold('c1', BOSS), merge('c1', ASSISTANT), hold('c1', ASSISTANT));
    given(heldByAssistant).when(hangUp('c1', BOSS)).thenRejects('NOT_ON_CALL', 'R12');
    given(heldByAssistant).when(resume('c1', ASSISTANT)).thenEmitsTypes(['CallResumed']);
  });

  it('R15: Given a call its party is alone on, When it holds it, Then nobody leaves: the hold alone', () => {
    given(bossOnCall(join('c1', ASSISTANT), hangUp('c1', ASSISTANT)))
      .when(hold('c1', BOSS))
      .thenEmitsTypes(['CallHeld']);
  });

  it('R15: a party not on the call cannot hold it', () => {
    given(bossOnCall()).when(hold('c1', DEPUTY)).thenRejects('NOT_ON_CALL', 'R15');
  });

  it('R15: a ringing call cannot be held', () => {
    given(ringingCall()).when(hold('c1', BOSS)).thenRejects('CALL_NOT_CONNECTED', 'R15');
  });

  it('R15: the holder resumes the held call', () => {
    given(bossHeld())
      .when(resume('c1', BOSS))
      .then([{ type: 'CallResumed', data: { callId: 'c1', by: BOSS, at: T0 } }]);
  });

  it('R15: only the holder may resume; others are told to pick it up instead', () => {
    const error = given(bossHeld()).when(resume('c1', ASSISTANT)).thenRejects('NOT_HOLDER', 'R15');
    expect(error.message).toMatch(/Only Boss, who held call c1, can resume it; pick it up instead/);
  });

  it('R15: a delegate with pickUpHeldCalls picks up the held call, attributed to the delegator', () => {
    given(bossHeld())
      .when(pickUp('c1', ASSISTANT))
      .then([
        {
          type: 'HeldCallPickedUp',
          data: {
            callId: 'c1',
            by: ASSISTANT,
            onBehalfOf: BOSS,
            permission: 'pickUpHeldCalls',
            heldBy: BOSS,
            at: T0,
          },
        },
      ]);
  });

  it('R15: the delegator picks up a call a delegate held', () => {
    const assistantHeld = assistantOnCall(hold('c1', ASSISTANT));
    given(assistantHeld)
      .when(pickUp('c1', BOSS))
      .thenEmits(([picked]) =>
        expect(picked).toMatchObject({
          type: 'HeldCallPickedUp',
          data: { by: BOSS, onBehalfOf: null, permission: null },
        }),
      );
  });

  it('R15: a delegate without pickUpHeldCalls is refused with PERMISSION_REQUIRED', () => {
    const noPickUp = onlyAssistantWith('answerCalls');
    given(bossHeld(), noPickUp).when(pickUp('c1', ASSISTANT)).thenRejects('PERMISSION_REQUIRED', 'R15');
  });

  it('R15: the holder picking up its own call is told to resume it', () => {
    given(bossHeld()).when(pickUp('c1', BOSS)).thenRejects('CALL_HELD_BY_YOU', 'R15');
  });

  it('R15: a call that is not held cannot be picked up', () => {
    given(bossOnCall()).when(pickUp('c1', ASSISTANT)).thenRejects('CALL_NOT_HELD', 'R15');
  });

  it('R15: a call the delegator held with the privacy lock cannot be picked up by a delegate', () => {
    expect(bossHeld(true).at(-1)).toMatchObject({ type: 'CallHeld', data: { privacyLocked: true } });
    const error = given(bossHeld(true))
      .when(pickUp('c1', ASSISTANT))
      .thenRejects('CALL_PRIVACY_LOCKED', 'R15');
    expect(error.kind).toBe('conflict');
  });

  it('R15: only the delegator may hold with the privacy lock', () => {
    given(assistantOnCall())
      .when(hold('c1', ASSISTANT, true))
      .thenRejects('PRIVACY_LOCK_DELEGATOR_ONLY', 'R15');
  });

  it('R15: the delegator locks and unlocks a call it is on; setting the same lock again is a no-op', () => {
    const lock = lockPrivacy('c1', BOSS);
    given(bossOnCall())
      .when(lock)
      .then([{ type: 'CallPrivacyLockChanged', data: { callId: 'c1', by: BOSS, locked: true, at: T0 } }]);
    given(bossOnCall(lock)).when(lock).then([]);
    given(bossHeld(true))
      .when(lockPrivacy('c1', BOSS, false))
      .then([{ type: 'CallPrivacyLockChanged', data: { callId: 'c1', by: BOSS, locked: false, at: T0 } }]);
  });

  it('R15: once unlocked, a delegate may pick the call up again', () => {
    const unlocked = bossOnCall(hold('c1', BOSS, true), lockPrivacy('c1', BOSS, false));
    given(unlocked)
      .when(pickUp('c1', ASSISTANT))
      .thenEmits(([picked]) => expect(picked?.type).toBe('HeldCallPickedUp'));
  });

  it('R15: a delegate cannot set the privacy lock', () => {
    given(assistantOnCall())
      .when(lockPrivacy('c1', ASSISTANT))
      .thenRejects('PRIVACY_LOCK_DELEGATOR_ONLY', 'R15');
  });

  it('R15: the lock stays with the call through resume, so a later hold still blocks delegates', () => {
    const resumedAndHeldAgain = bossOnCall(hold('c1', BOSS, true), resume('c1', BOSS), hold('c1', BOSS));
    given(resumedAndHeldAgain).when(pickUp('c1', DEPUTY)).thenRejects('CALL_PRIVACY_LOCKED', 'R15');
  });

  it('R15: a delegate with pickUpHeldCalls but an inactive delegation cannot pick up', () => {
    given(bossHeld(), assistantInactive)
      .when(pickUp('c1', ASSISTANT))
      .thenRejects('DELEGATION_NOT_ACTIVE', 'R7');
  });
});
