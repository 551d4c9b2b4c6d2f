import type { LineEvent } from '#events';
import { inContext, type Timed } from '../shared/decider.js';
import type { LineCommand } from './line.commands.js';
import type { LineContext } from './line.context.js';
import { lineDecider } from './line.decider.js';
import {
  ASSISTANT,
  BOSS,
  DEPUTY,
  T0,
  TIMERS,
  VIP_CALLER,
  answer,
  assistantOnCall,
  at,
  bossOnCall,
  callPlacedBy,
  context,
  decline,
  escalateVipRing,
  expireRing,
  given,
  hangUp,
  history,
  hold,
  incoming,
  lineContext,
  place,
  recallTransfer,
  ringingCall,
  stateOf,
  transfer,
  vipCallRinging,
  vipDelegatorFirst,
} from './line.fixtures.js';
import { evolveLine, RECENT_CALLS_KEPT, type LineState } from './line.state.js';
import { CHANGES_LINE_TIMERS, dueLineTimers, pendingLineTimers } from './line.timers.js';

describe('timers as data (R21)', () => {
  it('R21: a ringing call has a ring-timeout timer carrying the command to send when due', () => {
    expect(pendingLineTimers(stateOf(ringingCall()))).toEqual([
      {
        key: 'ringTimeout:c1',
        kind: 'ringTimeout',
        callId: 'c1',
        dueAt: at(30),
        command: { type: 'ExpireRing', callId: 'c1', actor: TIMERS },
      },
    ]);
  });

  it('R21: VIP delegatorFirst adds an escalation timer, earliest first', () => {
    const timers = pendingLineTimers(stateOf(vipCallRinging()));
    expect(timers.map((t) => [t.kind, t.dueAt])).toEqual([
      ['vipEscalation', at(10)],
      ['ringTimeout', at(30)],
    ]);
    expect(timers[0]?.command).toEqual({ type: 'EscalateVipRing', callId: 'c1', actor: TIMERS });
  });

  it('R21: a transfer has a recall timer keyed by its attempt; answered calls, held calls and idle lines have none', () => {
    const transferring = bossOnCall(transfer('c1', BOSS, ASSISTANT, at(5)));
    expect(pendingLineTimers(stateOf(transferring))).toEqual([
      {
        key: 'transferRecall:c1:1',
        kind: 'transferRecall',
        callId: 'c1',
        dueAt: at(35),
        command: { type: 'RecallTransfer', callId: 'c1', attempt: 1, actor: TIMERS },
      },
    ]);
    expect(pendingLineTimers(stateOf(bossOnCall()))).toEqual([]);
    expect(pendingLineTimers(stateOf(bossOnCall(hold('c1', BOSS))))).toEqual([]);
    expect(pendingLineTimers(lineDecider.initialState)).toEqual([]);
  });

  it('R21: only timers at or before the given time are due', () => {
    const state = stateOf(ringingCall());
    expect(dueLineTimers(state, at(29))).toEqual([]);
    expect(dueLineTimers(state, at(30)).map((t) => t.key)).toEqual(['ringTimeout:c1']);
  });

  it('R21: a ring timeout for a call already answered is a stale timer and appends nothing', () => {
    given(assistantOnCall()).when(expireRing('c1')).then([]);
  });

  it('R21: a ring timeout for a call that already left the line, or another call, appends nothing', () => {
    given(ringingCall(expireRing('c1')))
      .when(expireRing('c1', at(31)))
      .then([]);
    given(history(context, incoming('c2')))
      .when(expireRing('c1'))
      .then([]);
    given([]).when(expireRing('c1')).then([]);
  });

  it('R21: a VIP escalation after the call was answered appends nothing', () => {
    given(vipCallRinging(answer('c1', BOSS)), vipDelegatorFirst)
      .when(escalateVipRing('c1'))
      .then([]);
  });

  it('R21: a recall for an earlier transfer attempt, or after the target answered, appends nothing', () => {
    const secondAttempt = bossOnCall(
      transfer('c1', BOSS, ASSISTANT, T0),
      decline('c1', ASSISTANT),
      transfer('c1', BOSS, DEPUTY, at(1)),
    );
    given(secondAttempt).when(recallTransfer('c1', 1)).then([]);
    const answered = bossOnCall(transfer('c1', BOSS, ASSISTANT, T0), answer('c1', ASSISTANT));
    given(answered).when(recallTransfer('c1', 1)).then([]);
  });

  it('R21: a timer fired before it is due is refused so the process manager reschedules it', () => {
    const error = given(ringingCall())
      .when(expireRing('c1', at(29)))
      .thenRejects('TIMER_NOT_DUE', 'R21');
    expect(error.details).toEqual({ dueAt: at(30), at: at(29) });
  });

  it("R21: time comes from the command's at, else from the context's now, never from the wall clock", () => {
    given([], lineContext({ now: '2030-02-03T04:05:06.000Z' }))
      .when(place('c1', BOSS))
      .thenEmits(([placed]) => expect(placed).toMatchObject({ data: { at: '2030-02-03T04:05:06.000Z' } }));
    given([])
      .when({ ...place('c1', BOSS), at: '2026-01-05T10:00:07+00:00' })
      .thenEmits(([placed]) => expect(placed).toMatchObject({ data: { at: at(7) } }));
  });

  it('R21: a time that is not ISO-8601 is refused with INVALID_TIME', () => {
    given([])
      .when({ ...place('c1', BOSS), at: 'tomorrow' })
      .thenRejects('INVALID_TIME', 'R21');
  });
});

/**
 * A virtual-clock run in miniature, as a process manager does it: decide each command at its
 * time, and before it fire every line timer due by then, in due order, at its due time.
 */
const runScenario = (ctx: LineContext, steps: readonly Timed<LineCommand>[]): LineEvent[] => {
  const events: LineEvent[] = [];
  const apply = (timed: Timed<LineCommand>) => {
    const [command, context] = inContext(timed, ctx);
    events.push(...lineDecider.decide(command, stateOf(events), context).events);
  };
  for (const step of steps) {
    const now = step.at ?? ctx.now;
    let next = dueLineTimers(stateOf(events), now)[0];
    while (next) {
      apply({ ...next.command, at: next.dueAt });
      next = dueLineTimers(stateOf(events), now)[0];
    }
    apply(step);
  }
  return events;
};

describe('determinism (R21)', () => {
  const scenario: LineCommand[] = [
    incoming('c1', VIP_CALLER, T0),
    { ...answer('c1', DEPUTY), at: at(12) },
    transfer('c1', DEPUTY, BOSS, at(20)),
    hangUp('c1', DEPUTY, at(56)),
    incoming('c2', '+15550111', at(60)),
    { ...place('c3', ASSISTANT), at: at(100) },
  ];

  it('R21: the same commands with the same context yield identical events, timers included', () => {
    const first = runScenario(vipDelegatorFirst, scenario);
    const second = runScenario(vipDelegatorFirst, scenario);
    expect(second).toEqual(first);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(first.map((e) => e.type)).toEqual([
      'IncomingCallReceived',
      'CallRang',
      'CallRang',
      'CallAnswered',
      'CallTransferRequested',
      'CallTransferRecalled',
      'CallEnded',
      'IncomingCallReceived',
      'CallRang',
      'CallSentToVoicemail',
      'VoicemailLeft',
      'CallPlacedOnSharedLine',
    ]);
    expect(first[5]).toMatchObject({ data: { reason: 'timeout', at: at(50) } });
    expect(first[9]).toMatchObject({ data: { reason: 'ringTimeout', at: at(90) } });
  });

  it('R21: deciding never mutates the state it was given', () => {
    const state = stateOf(ringingCall());
    const snapshot = JSON.stringify(state);
    lineDecider.decide(answer('c1', BOSS), state, context);
    lineDecider.evolve(state, {
      type: 'CallDeclined',
      data: { callId: 'c1', by: BOSS, onBehalfOf: null, at: T0 },
    });
    expect(JSON.stringify(state)).toBe(snapshot);
  });
});

describe('compact line state (R12)', () => {
  it('R12: after many calls the folded state keeps only the current call, a few recent calls, the used ids and counters', () => {
    const commands: Timed<LineCommand>[] = [];
    for (let n = 0; n < 500; n++) {
      commands.push(incoming(`c${n}`, '+15550111', at(n * 60)), {
        ...answer(`c${n}`, ASSISTANT),
        at: at(n * 60 + 5),
      });
      commands.push(hangUp(`c${n}`, ASSISTANT, at(n * 60 + 50)));
    }
    const state = stateOf(history(context, ...commands));
    expect(state.call).toBeNull();
    expect(state.recentCalls).toHaveLength(RECENT_CALLS_KEPT);
    expect(state.recentCalls.at(-1)).toEqual({
      callId: 'c499',
      owner: BOSS,
      answeredBy: ASSISTANT,
      endedAs: 'ended',
      at: at(499 * 60 + 50),
      recalledTransfers: [],
    });
    expect(state.totals).toEqual([{ owner: BOSS, calls: 500, missed: 0, voicemails: 0 }]);
    expect(JSON.stringify(state).length).toBeLessThan(3_000);
  });

  describe('the line event types that change no timer', () => {
    // Every phase a call can be in, those with timers first, and an idle line.
    const states: [string, LineState][] = [
      ['ringing', stateOf(ringingCall())],
      ['ringing VIP, escalation due', stateOf(vipCallRinging())],
      ['transferring', stateOf(bossOnCall(transfer('c1', BOSS, ASSISTANT, at(5))))],
      ['connected', stateOf(bossOnCall())],
      ['held', stateOf(bossOnCall(hold('c1', BOSS)))],
      ['dialing', stateOf(callPlacedBy(BOSS))],
      ['idle', stateOf([])],
    ];
    /** One event of the type about call `callId`, with every field the fold reads. */
    const sample = (type: LineEvent['type'], callId: string): LineEvent =>
      ({
        type,
        data: {
          callId,
          by: DEPUTY,
          placedBy: DEPUTY,
          to: '+15550111',
          from: '+15550112',
          line: '+81300000001',
          vip: true,
          locked: true,
          recordingId: 'r1',
          messageId: 'm1',
          reason: 'callerAbandoned',
          at: at(7),
        },
      }) as unknown as LineEvent;
    const unchanging = (Object.keys(CHANGES_LINE_TIMERS) as LineEvent['type'][]).filter(
      (type) => !CHANGES_LINE_TIMERS[type],
    );

    it.each(unchanging)(
      'R21: %s leaves every pending timer as it was, on the call in progress or another, in every phase',
      (type) => {
        for (const [, state] of states) {
          const before = pendingLineTimers(state);
          for (const callId of ['c1', 'c2']) {
            expect(pendingLineTimers(evolveLine(state, sample(type, callId)))).toEqual(before);
          }
        }
      },
    );

    it('R21: the states above have timers to lose, and the types that do change timers can change them', () => {
      expect(states.filter(([, state]) => pendingLineTimers(state).length > 0).map(([name]) => name)).toEqual(
        ['ringing', 'ringing VIP, escalation due', 'transferring'],
      );
      // An answer, a hang-up, a voicemail each clear a ring's timers: the list is not `true` for nothing.
      const [, ringing] = states[0]!;
      for (const type of [
        'CallAnswered',
        'CallEnded',
        'CallSentToVoicemail',
        'CallHeld',
        'CallsMerged',
      ] as const) {
        expect(CHANGES_LINE_TIMERS[type]).toBe(true);
        expect(pendingLineTimers(evolveLine(ringing, sample(type, 'c1')))).toEqual([]);
      }
    });
  });
});
