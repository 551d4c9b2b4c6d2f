import type { LineEvent } from '#events';
import {
  ASSISTANT,
  BOSS,
  CALLER,
  DEPUTY,
  LINE,
  STRANGER,
  T0,
  answer,
  assistantOnCall,
  assistantOptedOut,
  at,
  callPlacedBy,
  decline,
  delegate,
  expireRing,
  externalHangUp,
  given,
  hangUp,
  history,
  incoming,
  lineContext,
  onlyAssistantWith,
  place,
  ringingCall,
} from './line.fixtures.js';

describe('incoming calls: ringing and answering (R13)', () => {
  it('R13: an incoming call rings the delegator and every active delegate with answerCalls, recording why', () => {
    given([])
      .when(incoming('c1'))
      .then([
        {
          type: 'IncomingCallReceived',
          data: { callId: 'c1', line: LINE, from: CALLER, vip: false, at: T0, owner: BOSS },
        },
        {
          type: 'CallRang',
          data: {
            callId: 'c1',
            stage: 'initial',
            alerted: [BOSS, ASSISTANT, DEPUTY],
            decisions: [
              expect.objectContaining({ partyId: BOSS, rings: true, rule: 'R13', reason: 'LINE_OWNER' }),
              expect.objectContaining({ partyId: ASSISTANT, rings: true, rule: 'R13', reason: 'ALERTED' }),
              expect.objectContaining({ partyId: DEPUTY, rings: true, rule: 'R13', reason: 'ALERTED' }),
            ],
            ringTimeoutAt: at(30),
            escalationAt: null,
            at: T0,
          },
        },
      ]);
  });

  it('R13: the first answer wins; the other ring legs end and the answer is attributed to the delegator', () => {
    given(ringingCall())
      .when(answer('c1', ASSISTANT))
      .then([
        {
          type: 'CallAnswered',
          data: {
            callId: 'c1',
            by: ASSISTANT,
            onBehalfOf: BOSS,
            permission: 'answerCalls',
            ringLegsEnded: [BOSS, DEPUTY],
            at: T0,
          },
        },
      ]);
  });

  it('R13: every later answer is rejected with ALREADY_ANSWERED naming who answered', () => {
    const answered = assistantOnCall();
    const error = given(answered).when(answer('c1', BOSS)).thenRejects('ALREADY_ANSWERED', 'R13');
    expect(error.kind).toBe('conflict');
    expect(error.details).toEqual({ callId: 'c1', answeredBy: ASSISTANT });
    expect(error.message).toBe('Call c1 was already answered by Assistant.');
  });

  it('R13: an answer arriving after the answered call ended still names who answered', () => {
    const over = ringingCall(answer('c1', DEPUTY), hangUp('c1', DEPUTY));
    given(over).when(answer('c1', ASSISTANT)).thenRejects('ALREADY_ANSWERED', 'R13');
  });

  it('R13: N answers decided on the same ringing state: each alone would win, after the first the rest are ALREADY_ANSWERED', () => {
    const contenders = [BOSS, ASSISTANT, DEPUTY];
    for (const party of contenders) {
      given(ringingCall()).when(answer('c1', party)).thenEmitsTypes(['CallAnswered']);
    }
    const won = ringingCall(answer('c1', DEPUTY));
    for (const party of contenders.filter((p) => p !== DEPUTY)) {
      given(won).when(answer('c1', party)).thenRejects('ALREADY_ANSWERED', 'R13');
    }
  });

  it('R13: only alerted parties may answer: a delegate without answerCalls is refused with PERMISSION_REQUIRED', () => {
    const noAnswer = onlyAssistantWith('placeCalls');
    given(history(noAnswer, incoming('c1')), noAnswer)
      .when(answer('c1', ASSISTANT))
      .thenRejects('PERMISSION_REQUIRED', 'R13');
  });

  it('R13: an opted-out delegate was not alerted and cannot answer (NOT_RINGING_FOR_YOU says why)', () => {
    const error = given(history(assistantOptedOut, incoming('c1')), assistantOptedOut)
      .when(answer('c1', ASSISTANT))
      .thenRejects('NOT_RINGING_FOR_YOU', 'R13');
    expect(error.details).toMatchObject({ reason: 'OPTED_OUT' });
  });

  it('R13: a party the line is not shared with cannot answer', () => {
    given(ringingCall()).when(answer('c1', STRANGER)).thenRejects('LINE_NOT_SHARED', 'R10');
  });

  it('R13: answering an unknown call is CALL_NOT_FOUND', () => {
    const error = given([]).when(answer('nope', BOSS)).thenRejects('CALL_NOT_FOUND');
    expect(error.kind).toBe('not_found');
  });
});

describe('declines, timeouts and the shared voicemail (R14)', () => {
  const declinedByAssistant = ringingCall(decline('c1', ASSISTANT));
  /** Assistant is on outgoing call c1 when caller c2 calls, so c2 finds the line busy. */
  const secondCallerFoundBusy = callPlacedBy(ASSISTANT, incoming('c2'));
  /**
   * What `by` declining c1, which rang Boss, Assistant and Deputy, decides when no ring leg is left that
   * could answer: the decline (a delegate's on Boss's behalf), the call sent to voicemail as missed by all
   * three, ending `ringLegsEnded`, and the message left in Boss's inbox.
   */
  const lastDeclineSendsToVoicemail = (by: string, ringLegsEnded: string[]): LineEvent[] => [
    { type: 'CallDeclined', data: { callId: 'c1', by, onBehalfOf: by === BOSS ? null : BOSS, at: T0 } },
    {
      type: 'CallSentToVoicemail',
      data: {
        callId: 'c1',
        reason: 'allDeclined',
        missedBy: [BOSS, ASSISTANT, DEPUTY],
        ringLegsEnded,
        at: T0,
      },
    },
    { type: 'VoicemailLeft', data: { messageId: 'c1', callId: 'c1', from: CALLER, at: T0, owner: BOSS } },
  ];

  it('R14: one party declining does not end the ring while others still ring', () => {
    given(ringingCall())
      .when(decline('c1', ASSISTANT))
      .then([{ type: 'CallDeclined', data: { callId: 'c1', by: ASSISTANT, onBehalfOf: BOSS, at: T0 } }]);
    given(declinedByAssistant)
      .when(answer('c1', DEPUTY))
      .thenEmits(([answered]) => expect(answered).toMatchObject({ data: { ringLegsEnded: [BOSS] } }));
  });

  it('R14: a party that declined can no longer answer', () => {
    const error = given(declinedByAssistant).when(answer('c1', ASSISTANT)).thenRejects('NOT_RINGING_FOR_YOU');
    expect(error.details).toMatchObject({ reason: 'DECLINED' });
  });

  it('R14: declining twice changes nothing', () => {
    given(declinedByAssistant).when(decline('c1', ASSISTANT)).then([]);
  });

  it('R14: when the last ringing party declines the call goes to voicemail at once', () => {
    const twoDeclined = ringingCall(decline('c1', BOSS), decline('c1', ASSISTANT));
    given(twoDeclined).when(decline('c1', DEPUTY)).then(lastDeclineSendsToVoicemail(DEPUTY, []));
  });

  describe('R14: Given the call rang Boss, Assistant and Deputy, and Assistant and Deputy then lost the line', () => {
    const rangAll = ringingCall();

    it('When Boss declines after both delegations were revoked mid-ring, Then the caller goes to voicemail at once: nobody is left who can answer', () => {
      given(rangAll, lineContext({ delegates: [] }))
        .when(decline('c1', BOSS))
        .then(lastDeclineSendsToVoicemail(BOSS, [ASSISTANT, DEPUTY]));
    });

    it("When Boss declines after Assistant lost answerCalls and Deputy's delegation is no longer active, Then voicemail at once; with Deputy still able to answer, Deputy's leg keeps it ringing", () => {
      const lostAnswerCalls = lineContext({
        delegates: [
          delegate(ASSISTANT, 'Assistant', { permissions: ['placeCalls'] }),
          delegate(DEPUTY, 'Deputy', { active: false }),
        ],
      });
      given(rangAll, lostAnswerCalls)
        .when(decline('c1', BOSS))
        .then(lastDeclineSendsToVoicemail(BOSS, [ASSISTANT, DEPUTY]));
      given(
        rangAll,
        lineContext({
          delegates: [
            delegate(ASSISTANT, 'Assistant', { permissions: ['placeCalls'] }),
            delegate(DEPUTY, 'Deputy'),
          ],
        }),
      )
        .when(decline('c1', BOSS))
        .then([{ type: 'CallDeclined', data: { callId: 'c1', by: BOSS, onBehalfOf: null, at: T0 } }]);
    });
  });

  it('R14: nobody answering within the ring timeout sends the call to voicemail: missed-call entry and message', () => {
    given(ringingCall())
      .when(expireRing('c1'))
      .then([
        {
          type: 'CallSentToVoicemail',
          data: {
            callId: 'c1',
            reason: 'ringTimeout',
            missedBy: [BOSS, ASSISTANT, DEPUTY],
            ringLegsEnded: [BOSS, ASSISTANT, DEPUTY],
            at: at(30),
          },
        },
        {
          type: 'VoicemailLeft',
          data: { messageId: 'c1', callId: 'c1', from: CALLER, at: at(30), owner: BOSS },
        },
      ]);
  });

  it('R14: after the timeout the line is free and the call can no longer be answered', () => {
    const missed = ringingCall(expireRing('c1'));
    given(missed)
      .when(place('c2', BOSS))
      .thenEmits((events) => expect(events).toHaveLength(1));
    const error = given(missed).when(answer('c1', BOSS)).thenRejects('CALL_ENDED');
    expect(error.details).toMatchObject({ endedAs: 'voicemail' });
  });

  it('R14: a call to a busy line alerts nobody and goes straight to the shared voicemail as busy', () => {
    given(callPlacedBy(ASSISTANT))
      .when(incoming('c2', '+15550123'))
      .then([
        {
          type: 'IncomingCallReceived',
          data: { callId: 'c2', line: LINE, from: '+15550123', vip: false, at: T0, owner: BOSS },
        },
        {
          type: 'CallSentToVoicemail',
          data: { callId: 'c2', reason: 'lineBusy', missedBy: [], ringLegsEnded: [], at: T0 },
        },
        {
          type: 'VoicemailLeft',
          data: { messageId: 'c2', callId: 'c2', from: '+15550123', at: T0, owner: BOSS },
        },
      ]);
  });

  it('R14: the busy line keeps its call while the second caller goes to voicemail', () => {
    given(secondCallerFoundBusy).when(place('c3', BOSS)).thenRejects('LINE_BUSY');
    given(secondCallerFoundBusy)
      .when(hangUp('c1', ASSISTANT))
      .thenEmits((ended) => expect(ended.map((e) => e.type)).toEqual(['CallEnded']));
  });

  it('R14: a call sent to voicemail because the line was busy keeps its id reserved', () => {
    given(secondCallerFoundBusy).when(incoming('c2')).thenRejects('CALL_ID_IN_USE', 'R12');
    given(secondCallerFoundBusy).when(externalHangUp('c2')).then([]);
  });

  it('R14: the caller hanging up while it rings is a missed call with no voicemail', () => {
    given(ringingCall())
      .when(externalHangUp('c1', at(5)))
      .then([
        {
          type: 'CallEnded',
          data: {
            callId: 'c1',
            by: null,
            reason: 'callerAbandoned',
            missedBy: [BOSS, ASSISTANT, DEPUTY],
            ringLegsEnded: [BOSS, ASSISTANT, DEPUTY],
            at: at(5),
          },
        },
      ]);
  });

  it('R14: the caller hanging up after the call went to voicemail is no news', () => {
    given(ringingCall(expireRing('c1')))
      .when(externalHangUp('c1'))
      .then([]);
  });
});
