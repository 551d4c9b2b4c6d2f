import type { CallTransferRecalled, LineEvent } from '#events';
import {
  ASSISTANT,
  BOSS,
  DEPUTY,
  T0,
  answer,
  assistantInactive,
  assistantOnCall,
  assistantRevoked,
  at,
  bossOnCall,
  context,
  decline,
  given,
  hangUp,
  historyAfter,
  hold,
  join,
  lockPrivacy,
  merge,
  onlyAssistantWith,
  pickUp,
  recallTransfer,
  recheckTransferTarget,
  resume,
  ringingCall,
  transfer,
} from './line.fixtures.js';

const toAssistant = bossOnCall(transfer('c1', BOSS, ASSISTANT));
/** The first transfer of c1, to the assistant, recalled to Boss for `reason` at `when`. */
const recalled = (reason: CallTransferRecalled['data']['reason'], when: string): LineEvent => ({
  type: 'CallTransferRecalled',
  data: { callId: 'c1', attempt: 1, to: BOSS, target: ASSISTANT, reason, at: when },
});
/** The ways the assistant may no longer take a transfer (R16), each an account context. */
const assistantMayNoLongerTakeIt = [
  ['its delegation was revoked', assistantRevoked],
  ['it lost answerCalls', onlyAssistantWith('placeCalls')],
  ['its delegation is no longer active', assistantInactive],
] as const;

describe('transfer between delegator and delegate (R16)', () => {
  it('R16: the delegator transfers a call to a delegate, who rings until the recall time', () => {
    given(bossOnCall())
      .when(transfer('c1', BOSS, ASSISTANT))
      .then([
        {
          type: 'CallTransferRequested',
          data: {
            callId: 'c1',
            attempt: 1,
            by: BOSS,
            onBehalfOf: null,
            to: ASSISTANT,
            recallAt: at(30),
            at: T0,
          },
        },
      ]);
  });

  it('R16: the target answers and the call is transferred to it', () => {
    given(toAssistant)
      .when(answer('c1', ASSISTANT))
      .then([
        {
          type: 'CallTransferred',
          data: {
            callId: 'c1',
            attempt: 1,
            by: ASSISTANT,
            onBehalfOf: BOSS,
            permission: 'answerCalls',
            transferredBy: BOSS,
            at: T0,
          },
        },
      ]);
  });

  it('R16: after the transfer the target is on the call and the transferrer is not', () => {
    const transferred = bossOnCall(transfer('c1', BOSS, ASSISTANT), answer('c1', ASSISTANT));
    given(transferred).when(hold('c1', BOSS)).thenRejects('NOT_ON_CALL');
    given(transferred)
      .when(hold('c1', ASSISTANT))
      .thenEmits(([held]) => expect(held?.type).toBe('CallHeld'));
  });

  it('R16: a delegate transfers back to the delegator', () => {
    given(assistantOnCall())
      .when(transfer('c1', ASSISTANT, BOSS))
      .thenEmits(([requested]) =>
        expect(requested).toMatchObject({
          type: 'CallTransferRequested',
          data: { by: ASSISTANT, onBehalfOf: BOSS, to: BOSS },
        }),
      );
  });

  it('R16: a delegate cannot transfer to another delegate', () => {
    given(assistantOnCall())
      .when(transfer('c1', ASSISTANT, DEPUTY))
      .thenRejects('TRANSFER_TARGET_NOT_ALLOWED', 'R16');
  });

  it('R16: the delegator cannot transfer to a party the line is not shared with, or a delegate without answerCalls', () => {
    given(bossOnCall())
      .when(transfer('c1', BOSS, 'stranger'))
      .thenRejects('TRANSFER_TARGET_NOT_ALLOWED', 'R16');
    const noAnswer = onlyAssistantWith('placeCalls');
    const error = given(bossOnCall(), noAnswer)
      .when(transfer('c1', BOSS, ASSISTANT))
      .thenRejects('TRANSFER_TARGET_NOT_ALLOWED');
    expect(error.message).toMatch(/lack answerCalls/);
    given(bossOnCall(), assistantInactive)
      .when(transfer('c1', BOSS, ASSISTANT))
      .thenRejects('TRANSFER_TARGET_NOT_ALLOWED');
  });

  it('R16: only a party on a connected call can transfer it', () => {
    given(bossOnCall())
      .when(transfer('c1', ASSISTANT, BOSS))
      .thenRejects('NOT_ON_CALL', 'R16');
    given(ringingCall())
      .when(transfer('c1', BOSS, ASSISTANT))
      .thenRejects('CALL_NOT_CONNECTED');
  });

  it('R16: while the transfer rings, nobody but the target can answer it', () => {
    given(toAssistant).when(answer('c1', DEPUTY)).thenRejects('NOT_RINGING_FOR_YOU', 'R16');
  });

  it('R16: nobody but the target can decline the transfer either', () => {
    given(toAssistant).when(decline('c1', DEPUTY)).thenRejects('NOT_RINGING_FOR_YOU', 'R16');
  });

  it.each([
    [
      'not answering in time recalls the call to the transferrer',
      recallTransfer('c1', 1),
      recalled('timeout', at(30)),
    ],
    ['declining recalls the call at once', decline('c1', ASSISTANT), recalled('declined', T0)],
  ])('R16: the target %s', (_case, command, recall) => {
    given(toAssistant).when(command).then([recall]);
  });

  it('R16: after a recall the transferrer is back on the call and may transfer again as a new attempt', () => {
    const recalled = bossOnCall(transfer('c1', BOSS, ASSISTANT), recallTransfer('c1', 1));
    given(recalled)
      .when(transfer('c1', BOSS, DEPUTY, at(40)))
      .thenEmits(([again]) =>
        expect(again).toMatchObject({ data: { attempt: 2, to: DEPUTY, recallAt: at(70) } }),
      );
  });
});

describe('join and merge (R16)', () => {
  it('R16: a delegate with joinAndMerge joins an active call on the shared line', () => {
    given(bossOnCall())
      .when(join('c1', ASSISTANT))
      .then([
        {
          type: 'CallJoined',
          data: { callId: 'c1', by: ASSISTANT, onBehalfOf: BOSS, permission: 'joinAndMerge', at: T0 },
        },
      ]);
  });

  it('R16: a delegate without joinAndMerge cannot join', () => {
    const noJoin = onlyAssistantWith('answerCalls');
    given(bossOnCall(), noJoin).when(join('c1', ASSISTANT)).thenRejects('PERMISSION_REQUIRED', 'R16');
  });

  it('R16: a party already on the call cannot join it again', () => {
    given(bossOnCall()).when(join('c1', BOSS)).thenRejects('ALREADY_ON_CALL', 'R16');
  });

  it('R16: the delegator may always join a call on its own line', () => {
    given(assistantOnCall())
      .when(join('c1', BOSS))
      .thenEmits(([joined]) =>
        expect(joined).toMatchObject({ type: 'CallJoined', data: { permission: null } }),
      );
  });

  it('R15: a call the delegator locked cannot be joined by a delegate (R16)', () => {
    const locked = bossOnCall(lockPrivacy('c1', BOSS));
    given(locked).when(join('c1', ASSISTANT)).thenRejects('CALL_PRIVACY_LOCKED', 'R15');
  });

  it('R16: after a join, one party hanging up leaves the call to the others', () => {
    const conference = bossOnCall(join('c1', ASSISTANT));
    given(conference)
      .when(hangUp('c1', BOSS))
      .then([{ type: 'CallLeft', data: { callId: 'c1', by: BOSS, at: T0 } }]);
    given(bossOnCall(join('c1', ASSISTANT), hangUp('c1', BOSS)))
      .when(hangUp('c1', ASSISTANT))
      .thenEmits(([ended]) =>
        expect(ended).toMatchObject({ type: 'CallEnded', data: { by: ASSISTANT, reason: 'hungUp' } }),
      );
  });

  it('R16: merging a held call brings it back as a conference of the holder and the merging party', () => {
    const held = bossOnCall(hold('c1', BOSS));
    given(held)
      .when(merge('c1', ASSISTANT))
      .then([
        {
          type: 'CallsMerged',
          data: {
            callId: 'c1',
            by: ASSISTANT,
            onBehalfOf: BOSS,
            permission: 'joinAndMerge',
            heldBy: BOSS,
            participants: [BOSS, ASSISTANT],
            at: T0,
          },
        },
      ]);
  });

  it('R16: only a held call can be merged, and not by its own holder', () => {
    given(bossOnCall()).when(merge('c1', ASSISTANT)).thenRejects('CALL_NOT_HELD', 'R16');
    const held = bossOnCall(hold('c1', BOSS));
    given(held).when(merge('c1', BOSS)).thenRejects('CALL_HELD_BY_YOU', 'R16');
  });

  it('R15: a held call the delegator locked cannot be merged by a delegate (R16)', () => {
    const locked = bossOnCall(hold('c1', BOSS, true));
    given(locked).when(merge('c1', ASSISTANT)).thenRejects('CALL_PRIVACY_LOCKED', 'R15');
  });
});

describe('a transfer whose target may no longer take it (R16)', () => {
  it.each(assistantMayNoLongerTakeIt)(
    'R16: Given a call being transferred to the assistant, When its target is checked after %s, Then the call goes back to the delegator at once, not at the recall time',
    (_change, changed) => {
      given(toAssistant, changed)
        .when(recheckTransferTarget('c1', 1, at(5)))
        .then([recalled('targetNotAllowed', at(5))]);
    },
  );

  it('R16: Given a call being transferred to a target that may still take it, When its target is checked, Then nothing changes and it still rings until the recall time', () => {
    given(toAssistant)
      .when(recheckTransferTarget('c1', 1, at(5)))
      .then([]);
  });

  it('R16: Given a transfer that is over (answered, or a later attempt under way), When the check for it comes, Then nothing changes', () => {
    given(bossOnCall(transfer('c1', BOSS, ASSISTANT), answer('c1', ASSISTANT)), assistantRevoked)
      .when(recheckTransferTarget('c1', 1))
      .then([]);
    given(toAssistant, assistantRevoked).when(recheckTransferTarget('c1', 2)).then([]);
    given(toAssistant, assistantRevoked).when(recheckTransferTarget('c2', 1)).then([]);
  });

  it("R16: Given a delegate transferring to the delegator, When its target is checked, Then nothing changes: the delegator always takes its own line's calls", () => {
    given(assistantOnCall(transfer('c1', ASSISTANT, BOSS)), assistantRevoked)
      .when(recheckTransferTarget('c1', 1))
      .then([]);
  });
});

describe('a former target of a recalled transfer answering or declining the call (R16)', () => {
  const recalledByTimer = bossOnCall(transfer('c1', BOSS, ASSISTANT), recallTransfer('c1', 1));
  const notAnswered =
    'its transfer to you was recalled at 2026-01-05T10:00:30.000Z, as you did not answer it in time, and went back to Boss.';
  const acts = [
    ['answers', answer],
    ['declines', decline],
  ] as const;

  it.each(acts)(
    'R16: Given a transfer to the assistant recalled because it rang out, When the assistant %s the call, Then it is told of the recall: when, why, and that the call went back to Boss',
    (_act, act) => {
      const error = given(recalledByTimer)
        .when(act('c1', ASSISTANT))
        .thenRejects('NOT_RINGING_FOR_YOU', 'R16', `Call c1 is not ringing for you: ${notAnswered}`);
      expect(error.details).toEqual({
        callId: 'c1',
        party: ASSISTANT,
        reason: 'TRANSFER_RECALLED',
        recalledAt: at(30),
        recalledFor: 'timeout',
        backTo: BOSS,
      });
    },
  );

  it.each(acts)(
    'R16: Given a transfer the assistant declined, When the assistant then %s the call, Then it is told it declined it and the call went back to Boss',
    (_act, act) => {
      given(bossOnCall(transfer('c1', BOSS, ASSISTANT), decline('c1', ASSISTANT)))
        .when(act('c1', ASSISTANT))
        .thenRejects(
          'NOT_RINGING_FOR_YOU',
          'R16',
          'its transfer to you was recalled at 2026-01-05T10:00:00.000Z, as you declined it, and went back to Boss.',
        );
    },
  );

  describe.each(assistantMayNoLongerTakeIt)('a transfer recalled because %s', (_change, changed) => {
    const recalledByCheck = historyAfter(toAssistant, changed, recheckTransferTarget('c1', 1));
    it.each(acts)(
      'R16: Given the transfer recalled as the assistant may no longer take it, When the assistant %s the call, Then it is told so, not only that it may not act on the line',
      (_act, act) => {
        const error = given(recalledByCheck, changed)
          .when(act('c1', ASSISTANT))
          .thenRejects(
            'NOT_RINGING_FOR_YOU',
            'R16',
            'Call c1 is not ringing for you: its transfer to you was recalled at 2026-01-05T10:00:05.000Z, as you may no longer take it, and went back to Boss.',
          );
        expect(error.details).toMatchObject({ recalledFor: 'targetNotAllowed', backTo: BOSS });
      },
    );
  });

  it.each(acts)(
    'R16: Given the recalled call then ended, When the assistant %s it, Then it is told the call is over and of the recall, not only who answered it',
    (_act, act) => {
      const error = given(historyAfter(recalledByTimer, context, hangUp('c1', BOSS, at(40))))
        .when(act('c1', ASSISTANT))
        .thenRejects(
          'NOT_RINGING_FOR_YOU',
          'R16',
          `Call c1 is no longer on the line (ended); ${notAnswered}`,
        );
      expect(error.details).toMatchObject({ reason: 'TRANSFER_RECALLED', endedAs: 'ended' });
    },
  );

  it('R16: Given Boss held the recalled call, then resumed it, or transferred it to Deputy, When the assistant answers, Then it is still told of its own recall', () => {
    for (const after of [
      [hold('c1', BOSS)],
      [hold('c1', BOSS), resume('c1', BOSS)],
      [transfer('c1', BOSS, DEPUTY, at(35))],
    ])
      given(historyAfter(recalledByTimer, context, ...after))
        .when(answer('c1', ASSISTANT))
        .thenRejects('NOT_RINGING_FOR_YOU', 'R16', notAnswered);
  });

  it('R16: Given the call transferred to the assistant again after the recall, When the assistant answers, Then the call is transferred to it', () => {
    given(historyAfter(recalledByTimer, context, transfer('c1', BOSS, ASSISTANT, at(35))))
      .when(answer('c1', ASSISTANT))
      .thenEmitsTypes(['CallTransferred']);
  });

  it.each([
    ['joined it', [join('c1', ASSISTANT)]],
    ['picked it up from hold', [hold('c1', BOSS), pickUp('c1', ASSISTANT)]],
    ['merged it from hold', [hold('c1', BOSS), merge('c1', ASSISTANT)]],
  ])(
    'R16: Given the assistant %s after the recall, When it answers the call, Then it is told who answered, not of a recall it has been past',
    (_came, cameOn) => {
      given(historyAfter(recalledByTimer, context, ...cameOn))
        .when(answer('c1', ASSISTANT))
        .thenRejects('ALREADY_ANSWERED', 'R13');
    },
  );

  it('R16: Given a transfer recalled from the assistant, When Deputy, who was never its target, answers, Then Deputy is told who answered, as before', () => {
    given(recalledByTimer).when(answer('c1', DEPUTY)).thenRejects('ALREADY_ANSWERED', 'R13');
  });
});
