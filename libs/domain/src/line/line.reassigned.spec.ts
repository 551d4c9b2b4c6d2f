import type { LineEvent } from '#events';
import type { LineCommand } from './line.commands.js';
import {
  ASSISTANT,
  BOSS,
  CALLER,
  LINE,
  NEWBOSS,
  T0,
  VIP_CALLER,
  answer,
  assistantOnCall,
  at,
  bossHeld,
  bossOnCall,
  decline,
  delegate,
  escalateVipRing,
  expireRing,
  externalHangUp,
  given,
  hangUp,
  history,
  historyAfter,
  hold,
  incoming,
  join,
  lineContext,
  lockPrivacy,
  merge,
  passedToNewboss,
  pickUp,
  place,
  resume,
  ringingCall,
  stateOf,
  vipCallRinging,
  vipDelegatorFirst,
} from './line.fixtures.js';
import { callOfCurrentOwnership, recentCallsOf, totalsOf } from './line.state.js';

/**
 * R10: a number an admin takes from Boss and gives to Newboss, who shares it with Assistant, while a
 * call that came for Boss is still on it. That call stays Boss's: Newboss and Newboss's delegates
 * cannot take it over, while the parties on it still hold, resume and wind it down, each on its own.
 * (Its voicemail: line.inbox.spec.ts.)
 */
const reassigned = passedToNewboss(delegate(ASSISTANT, 'Assistant'));
const sentence = `Call c1 started while ${LINE} was another party's number: it is that party's call, not this line's.`;

describe("a call of the number's previous owner (R10)", () => {
  it.each([
    ['a connected call', 'Newboss joins it', bossOnCall(), join('c1', NEWBOSS), 'R16'],
    ['a connected call', "Newboss's delegate joins it", bossOnCall(), join('c1', ASSISTANT), 'R16'],
    ['a held call', 'Newboss picks it up', bossHeld(), pickUp('c1', NEWBOSS), 'R15'],
    ['a held call', 'Newboss resumes it', bossHeld(), resume('c1', NEWBOSS), 'R15'],
    ['a held call', "Newboss's delegate resumes it", bossHeld(), resume('c1', ASSISTANT), 'R15'],
    ['a connected call', 'Newboss holds it', bossOnCall(), hold('c1', NEWBOSS), 'R15'],
    ['a held call', "Newboss's delegate picks it up", bossHeld(), pickUp('c1', ASSISTANT), 'R15'],
    ['a held call', 'Newboss merges it', bossHeld(), merge('c1', NEWBOSS), 'R16'],
    ['a held call', 'Newboss locks it', bossHeld(), lockPrivacy('c1', NEWBOSS), 'R15'],
    ['a ringing call', 'Newboss answers it', ringingCall(), answer('c1', NEWBOSS), 'R13'],
    ['a ringing call', 'Newboss declines it', ringingCall(), decline('c1', NEWBOSS), 'R14'],
  ] as const)(
    'Given %s of Boss on the number now Newboss owns, When %s, Then CALL_NOT_FOUND says whose call it is',
    (_given, _when, past, command: LineCommand, rule) => {
      const error = given(past, reassigned).when(command).thenRejects('CALL_NOT_FOUND', rule);
      expect(error.kind).toBe('not_found');
      expect(error.message).toBe(sentence);
    },
  );

  it('Given a connected call of Boss on the number now Newboss owns, When Boss hangs up, Then the call ends', () => {
    given(bossOnCall(), reassigned)
      .when(hangUp('c1', BOSS))
      .thenEmits((events) => expect(events).toMatchObject([{ type: 'CallEnded', data: { by: BOSS } }]));
  });

  it('Given a call Boss held on the number now Newboss owns, When Boss resumes it, Then it is connected again, Boss acting for itself', () => {
    const when = given(bossHeld(), reassigned).when(resume('c1', BOSS));
    when.then([{ type: 'CallResumed', data: { callId: 'c1', by: BOSS, at: T0 } }]);
    when.thenActsWith({ onBehalfOf: null, permission: null });
  });

  it("Given Boss's call that Assistant answered for Boss, When the number passed to Newboss, Then Assistant holds, resumes and leaves it on its own: for neither Boss, whose delegation sharing the number had to end first (R10, R7), nor Newboss", () => {
    const holding = given(assistantOnCall(), reassigned).when(hold('c1', ASSISTANT));
    holding.then([
      {
        type: 'CallHeld',
        data: { callId: 'c1', by: ASSISTANT, onBehalfOf: null, privacyLocked: false, at: T0 },
      },
    ]);
    holding.thenActsWith({ onBehalfOf: null, permission: null });
    const resuming = given(assistantOnCall(hold('c1', ASSISTANT)), reassigned).when(resume('c1', ASSISTANT));
    resuming.thenEmits((events) =>
      expect(events).toMatchObject([{ type: 'CallResumed', data: { by: ASSISTANT } }]),
    );
    resuming.thenActsWith({ onBehalfOf: null, permission: null });
    given(assistantOnCall(), reassigned)
      .when(hangUp('c1', ASSISTANT))
      .thenActsWith({ onBehalfOf: null, permission: null });
    given(assistantOnCall(), reassigned)
      .when({ type: 'StartRecording', callId: 'c1', actor: ASSISTANT, recordingId: 'r1' })
      .thenActsWith({ onBehalfOf: null, permission: null });
  });

  it("Given Assistant's hold of Boss's call, When the number passed to Newboss who shares it with nobody, Then Assistant still resumes it: not through Newboss's delegations", () => {
    const alone = passedToNewboss();
    given(assistantOnCall(hold('c1', ASSISTANT)), alone)
      .when(resume('c1', ASSISTANT))
      .thenEmitsTypes(['CallResumed']);
    // While Boss, not on the call Assistant holds, is refused as before: the line is no longer Boss's
    given(assistantOnCall(hold('c1', ASSISTANT)), alone)
      .when(resume('c1', BOSS))
      .thenRejects('LINE_NOT_SHARED', 'R10');
  });

  it("Given Boss's connected call on the number now Newboss owns, When Boss holds it locked, Then it is locked; When Assistant does, Then only Boss may lock it", () => {
    given(bossOnCall(), reassigned)
      .when(hold('c1', BOSS, true))
      .thenEmits((events) =>
        expect(events).toMatchObject([{ type: 'CallHeld', data: { privacyLocked: true, onBehalfOf: null } }]),
      );
    given(bossOnCall(join('c1', ASSISTANT)), reassigned)
      .when(hold('c1', ASSISTANT, true))
      .thenRejects('PRIVACY_LOCK_DELEGATOR_ONLY', 'R15', `Only the delegator (${BOSS}) can lock`);
    given(bossOnCall(), reassigned).when(lockPrivacy('c1', BOSS)).thenEmitsTypes(['CallPrivacyLockChanged']);
  });

  it("Given a VIP call ringing Boss first, When the number passed to Newboss before the escalation, Then Newboss's delegates are not alerted", () => {
    const vipForNewboss = { ...reassigned, vip: vipDelegatorFirst.vip };
    given(vipCallRinging(), vipForNewboss).when(escalateVipRing('c1')).then([]);
    // While a VIP call that came for Newboss escalates to Newboss's delegates as ever
    given(history(vipForNewboss, incoming('c2', VIP_CALLER, T0)), vipForNewboss)
      .when(escalateVipRing('c2'))
      .thenEmits((events) =>
        expect(events).toMatchObject([
          { type: 'CallRang', data: { stage: 'vipEscalation', alerted: [ASSISTANT] } },
        ]),
      );
  });

  it("Given Boss's call ringing, connected or held on the number, When it passed to Newboss, Then the line is busy but Newboss's ownership has no call in progress to show", () => {
    for (const past of [ringingCall(), bossOnCall(), bossHeld()]) {
      const state = stateOf(past);
      expect(state.call).toMatchObject({ callId: 'c1', owner: BOSS });
      expect(callOfCurrentOwnership(state, NEWBOSS)).toBeNull();
      expect(callOfCurrentOwnership(state, BOSS)).toBe(state.call);
    }
    // A call recorded before owners were is the current ownership's, as its messages are
    const unrecorded = stateOf(
      ringingCall().map((event): LineEvent =>
        event.type === 'IncomingCallReceived' ? { ...event, data: { ...event.data, owner: null } } : event,
      ),
    );
    expect(callOfCurrentOwnership(unrecorded, NEWBOSS)).toBe(unrecorded.call);
  });

  it.each([
    ['ringing', ringingCall()],
    ['connected', bossOnCall()],
    ['held', bossHeld()],
  ])(
    "Given Boss's call %s on the number now Newboss owns, When Newboss or its delegate places a call, Then LINE_BUSY names neither the call nor who is on it",
    (_phase, past) => {
      for (const actor of [NEWBOSS, ASSISTANT]) {
        const error = given(past, reassigned).when(place('n1', actor)).thenRejects('LINE_BUSY', 'R12');
        expect(error.message).toBe(
          `Line ${LINE} is busy with a call that started while it was another party's number; it takes no new call until that call ends.`,
        );
        expect(error.details).toEqual({});
      }
    },
  );
});

describe("the recent calls and totals of the number's current ownership (R10, R17)", () => {
  // Given Boss's number took a call Assistant answered (c1) and one that went to voicemail (c2)
  const bossCalls = history(
    lineContext(),
    incoming('c1'),
    answer('c1', ASSISTANT),
    hangUp('c1', ASSISTANT, at(20)),
    incoming('c2', CALLER, at(40)),
    expireRing('c2', at(70)),
  );

  it("Given Boss's calls on the number, When it passed to Newboss and a call came for Newboss and went to voicemail, Then Newboss's recent calls and totals are that call's alone", () => {
    const state = stateOf(
      historyAfter(bossCalls, reassigned, incoming('n1', CALLER, at(100)), expireRing('n1', at(130))),
    );
    expect(recentCallsOf(state, NEWBOSS)).toEqual([
      {
        callId: 'n1',
        owner: NEWBOSS,
        answeredBy: null,
        endedAs: 'voicemail',
        at: at(130),
        recalledTransfers: [],
      },
    ]);
    expect(totalsOf(state, NEWBOSS)).toEqual({ calls: 1, missed: 1, voicemails: 1 });
    // While the line keeps Boss's calls too, each with its owner, and counts them as Boss's
    expect(state.recentCalls.map((call) => [call.callId, call.owner])).toEqual([
      ['c1', BOSS],
      ['c2', BOSS],
      ['n1', NEWBOSS],
    ]);
    expect(totalsOf(state, BOSS)).toEqual({ calls: 2, missed: 1, voicemails: 1 });
  });

  it("Given Boss's call on the number when it passed to Newboss, When a call arrives on the busy line, Then it goes to voicemail as Newboss's: listed and counted for Newboss, not Boss", () => {
    const events = historyAfter(bossOnCall(), reassigned, incoming('n1', CALLER, at(10)));
    expect(events.slice(-3)).toMatchObject([
      { type: 'IncomingCallReceived', data: { callId: 'n1', owner: NEWBOSS } },
      { type: 'CallSentToVoicemail', data: { callId: 'n1', reason: 'lineBusy' } },
      { type: 'VoicemailLeft', data: { callId: 'n1', owner: NEWBOSS } },
    ]);
    const state = stateOf(events);
    // Its owner came with its arrival, not from the call in progress, which is still Boss's
    expect(state.call).toMatchObject({ callId: 'c1', owner: BOSS });
    expect(state.recentCalls).toEqual([
      {
        callId: 'n1',
        owner: NEWBOSS,
        answeredBy: null,
        endedAs: 'voicemail',
        at: at(10),
        recalledTransfers: [],
      },
    ]);
    expect(state.arrivedWhileBusy).toBeNull();
    expect(totalsOf(state, NEWBOSS)).toEqual({ calls: 1, missed: 1, voicemails: 1 });
    expect(totalsOf(state, BOSS)).toEqual({ calls: 1, missed: 0, voicemails: 0 });
  });

  it("Given a call and its message recorded before owners were (owner null), When the number passed to Newboss, Then they are listed and counted as Newboss's, as its inbox lists the message", () => {
    const unrecorded = ringingCall(expireRing('c1')).map((event): LineEvent =>
      event.type === 'IncomingCallReceived' || event.type === 'VoicemailLeft'
        ? ({ ...event, data: { ...event.data, owner: null } } as LineEvent)
        : event,
    );
    const state = stateOf(unrecorded);
    expect(recentCallsOf(state, NEWBOSS)).toMatchObject([{ callId: 'c1', owner: null }]);
    expect(totalsOf(state, NEWBOSS)).toEqual({ calls: 1, missed: 1, voicemails: 1 });
  });

  it("Given Boss's finished calls on the number now Newboss owns, When late commands name them, Then the line still says how each ended", () => {
    const past = historyAfter(bossCalls, reassigned);
    const late = given(past, reassigned).when(answer('c1', ASSISTANT)).thenRejects('ALREADY_ANSWERED', 'R13');
    expect(late.message).toBe('Call c1 was already answered by Assistant.');
    // And the caller of the call that went to voicemail hanging up then is no news
    given(past, reassigned).when(externalHangUp('c2')).then([]);
  });
});
