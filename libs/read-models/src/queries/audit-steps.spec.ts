import { auditStep } from './audit-steps.js';

const T = '2026-01-05T09:00:30.000Z';

describe("each step of a call's story says what happened (audit call)", () => {
  it('R13/R19: a ring names who was alerted, who later, and who not with the rule and reason', () => {
    // Given a VIP call ringing the delegator first, a delegate after 10 s, and one opted out
    const step = auditStep({
      type: 'CallRang',
      data: {
        callId: 'c1',
        stage: 'initial',
        alerted: ['alice'],
        decisions: [
          {
            partyId: 'alice',
            role: 'delegator',
            rings: true,
            afterSeconds: 0,
            rule: 'R19',
            reason: 'VIP',
            message: '',
          },
          {
            partyId: 'bob',
            role: 'delegate',
            rings: true,
            afterSeconds: 10,
            rule: 'R19',
            reason: 'VIP_FIRST',
            message: '',
          },
          {
            partyId: 'carol',
            role: 'delegate',
            rings: false,
            afterSeconds: 0,
            rule: 'R13',
            reason: 'OPTED_OUT',
            message: '',
          },
        ],
        ringTimeoutAt: T,
        escalationAt: '2026-01-05T09:00:10.000Z',
        at: '2026-01-05T09:00:00.000Z',
      },
    });
    // Then the sentence carries all three
    expect(step).toBe(
      `alerted alice; later: bob after 10 s; not alerted: carol (R13 OPTED_OUT); voicemail at ${T} if unanswered`,
    );
  });

  it.each([
    [
      'CallPlacedOnSharedLine',
      {
        callId: 'c1',
        line: '+15550100',
        to: '+15550199',
        placedBy: 'bob',
        onBehalfOf: 'alice',
        permission: 'placeCalls',
        callerId: { number: '+15550100', name: 'Alice' },
        at: T,
      },
      'bob for alice dialled +15550199, showing Alice +15550100',
    ],
    [
      'CallTransferRequested',
      { callId: 'c1', attempt: 1, by: 'alice', onBehalfOf: null, to: 'bob', recallAt: T, at: T },
      `alice transferred the call to bob (transfer 1); back at ${T} if unanswered`,
    ],
    [
      'CallTransferRecalled',
      { callId: 'c1', attempt: 1, to: 'alice', target: 'bob', reason: 'timeout', at: T },
      'bob did not answer transfer 1: the call is back with alice',
    ],
    [
      'CallTransferRecalled',
      { callId: 'c1', attempt: 2, to: 'alice', target: 'bob', reason: 'targetNotAllowed', at: T },
      'bob may no longer take transfer 2: the call is back with alice',
    ],
    [
      'CallSentToVoicemail',
      { callId: 'c1', reason: 'ringTimeout', missedBy: ['alice', 'bob'], ringLegsEnded: [], at: T },
      'sent to voicemail (ringTimeout); missed by alice, bob',
    ],
    [
      'VoicemailLeft',
      { messageId: 'm1', callId: 'c1', from: '+15550199', at: T },
      '+15550199 left voicemail m1',
    ],
    [
      'CallAnswered',
      {
        callId: 'c1',
        by: 'bob',
        onBehalfOf: 'alice',
        permission: 'answerCalls',
        ringLegsEnded: ['alice'],
        at: T,
      },
      'bob for alice answered; stopped ringing for alice',
    ],
    [
      'CallEnded',
      {
        callId: 'c1',
        by: null,
        reason: 'callerAbandoned',
        missedBy: ['alice'],
        ringLegsEnded: ['alice'],
        at: T,
      },
      'the caller hung up while ringing; missed by alice',
    ],
  ])('%s says who did what, to whom', (type, data, sentence) => {
    expect(auditStep({ type, data })).toBe(sentence);
  });

  it.each([
    [
      'CallAnswered',
      {
        callId: 'c1',
        by: 'bob',
        onBehalfOf: 'alice',
        permission: 'answerCalls',
        ringLegsEnded: ['carol'],
        at: T,
      },
      'Bob Jones for Alice Smith answered; stopped ringing for carol',
    ],
    [
      'CallTransferRecalled',
      { callId: 'c1', attempt: 1, to: 'alice', target: 'bob', reason: 'declined', at: T },
      'Bob Jones declined transfer 1: the call is back with Alice Smith',
    ],
  ])('Given names for the parties, %s names them, a party without one by its id', (type, data, sentence) => {
    const names = new Map([
      ['alice', 'Alice Smith'],
      ['bob', 'Bob Jones'],
    ]);
    expect(auditStep({ type, data }, (party) => names.get(party) ?? party)).toBe(sentence);
  });
});
