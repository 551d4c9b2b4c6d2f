import type { LineCommand } from './line.commands.js';
import {
  ASSISTANT,
  BOSS,
  LINE,
  T0,
  TIMERS,
  VIP_CALLER,
  answer,
  at,
  bossHeld,
  bossOnCall,
  decline,
  delegate,
  given,
  hangUp,
  history,
  incoming,
  join,
  lineContext,
  lockPrivacy,
  merge,
  pickUp,
  ringingCall,
} from './line.fixtures.js';

/**
 * R10: a number an admin takes from Boss and gives to Newboss, who shares it with Assistant, while a
 * call that came for Boss is still on it. That call stays Boss's: Newboss and Newboss's delegates
 * cannot take it over, while the parties on it still wind it down. (Its voicemail: line.inbox.spec.ts.)
 */
const NEWBOSS = 'newboss';
const reassigned = lineContext({
  delegator: { partyId: NEWBOSS, name: 'Newboss', eligibility: null, powerPack: true },
  delegates: [delegate(ASSISTANT, 'Assistant')],
});
const sentence = `Call c1 started while ${LINE} was another party's number: it is that party's call, not this line's.`;

describe("a call of the number's previous owner (R10)", () => {
  it.each([
    ['a connected call', 'Newboss joins it', bossOnCall(), join('c1', NEWBOSS), 'R16'],
    ['a connected call', "Newboss's delegate joins it", bossOnCall(), join('c1', ASSISTANT), 'R16'],
    ['a held call', 'Newboss picks it up', bossHeld(), pickUp('c1', NEWBOSS), 'R15'],
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

  it("Given a VIP call ringing Boss first, When the number passed to Newboss before the escalation, Then Newboss's delegates are not alerted", () => {
    const vip = lineContext({
      vip: { contacts: [VIP_CALLER], routing: { mode: 'delegatorFirst', delaySeconds: 10 } },
    });
    const vipForNewboss = { ...reassigned, vip: vip.vip };
    given(history(vip, incoming('c1', VIP_CALLER, T0)), vipForNewboss)
      .when({ type: 'EscalateVipRing', callId: 'c1', actor: TIMERS, at: at(10) })
      .then([]);
    // While a VIP call that came for Newboss escalates to Newboss's delegates as ever
    given(history(vipForNewboss, incoming('c2', VIP_CALLER, T0)), vipForNewboss)
      .when({ type: 'EscalateVipRing', callId: 'c2', actor: TIMERS, at: at(10) })
      .thenEmits((events) =>
        expect(events).toMatchObject([
          { type: 'CallRang', data: { stage: 'vipEscalation', alerted: [ASSISTANT] } },
        ]),
      );
  });
});
