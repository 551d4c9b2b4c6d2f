import type { LineEvent } from '#events';
import type { LineCommand } from './line.commands.js';
import { lineDecider } from './line.decider.js';
import {
  ASSISTANT,
  BOSS,
  CALLER,
  DEPUTY,
  LINE,
  STRANGER,
  T0,
  answer,
  assistantInactive,
  assistantOnCall,
  callPlacedBy,
  context,
  delegate,
  externalAnswer,
  given,
  hangUp,
  history,
  hold,
  incoming,
  lineContext,
  onlyAssistantWith,
  place,
  ringingCall,
  stateOf,
} from './line.fixtures.js';
import { hasUsedCallId, RECENT_CALLS_KEPT } from './line.state.js';

const heldBy = (events: readonly LineEvent[], actor: string): readonly LineEvent[] =>
  lineDecider.decide(hold('c1', actor), stateOf(events), context).events;

describe('placing calls on a shared line', () => {
  it.each([
    [
      'R11: the delegator calls from its own number, acting for nobody and needing no permission',
      BOSS,
      null,
      null,
    ],
    [
      "R12: a delegate with placeCalls calls on the delegator's behalf, showing the delegator's name and number (R11)",
      ASSISTANT,
      BOSS,
      'placeCalls',
    ],
  ] as const)('%s', (_name, placedBy, onBehalfOf, permission) => {
    given([])
      .when(place('c1', placedBy))
      .then([
        {
          type: 'CallPlacedOnSharedLine',
          data: {
            callId: 'c1',
            line: LINE,
            to: CALLER,
            placedBy,
            onBehalfOf,
            permission,
            callerId: { number: LINE, name: 'Boss' },
            at: T0,
            owner: BOSS,
          },
        },
      ]);
  });

  it('R12: a delegate without placeCalls is refused with PERMISSION_REQUIRED naming the permission', () => {
    const noPlace = onlyAssistantWith('answerCalls');
    const error = given([], noPlace).when(place('c1', ASSISTANT)).thenRejects('PERMISSION_REQUIRED', 'R12');
    expect(error.kind).toBe('unprocessable');
    expect(error.details).toMatchObject({ permission: 'placeCalls' });
    expect(error.message).toMatch(/placeCalls.*ask Boss to grant it/);
  });

  it('R10: a party the line is not shared with is refused with LINE_NOT_SHARED', () => {
    given([]).when(place('c1', STRANGER)).thenRejects('LINE_NOT_SHARED', 'R10');
  });

  it('R7: a delegate whose delegation is not active is refused with DELEGATION_NOT_ACTIVE', () => {
    given([], assistantInactive).when(place('c1', ASSISTANT)).thenRejects('DELEGATION_NOT_ACTIVE', 'R7');
  });

  it("R10: a delegate failing eligibility is refused with that rule's own code (R2)", () => {
    const unlicensed = lineContext({
      delegates: [
        delegate(ASSISTANT, 'Assistant', {
          eligibility: {
            ok: false,
            rule: 'R2',
            code: 'NO_CALLING_PLAN',
            message: 'Assign a calling plan to Assistant.',
          },
        }),
      ],
    });
    const error = given([], unlicensed).when(place('c1', ASSISTANT)).thenRejects('NO_CALLING_PLAN', 'R2');
    expect(error.message).toBe('Assign a calling plan to Assistant.');
  });

  it('R10: when the delegator cannot delegate (R3) no delegate may use its line, but the delegator still can', () => {
    const locked = lineContext({
      delegator: {
        partyId: BOSS,
        name: 'Boss',
        powerPack: true,
        eligibility: {
          ok: false,
          rule: 'R3',
          code: 'DELEGATION_DISABLED_FOR_USER',
          message: 'Enable call delegation for Boss.',
        },
      },
    });
    given([], locked).when(place('c1', ASSISTANT)).thenRejects('DELEGATION_DISABLED_FOR_USER', 'R3');
    given([], locked).when(place('c1', BOSS)).thenEmitsTypes(['CallPlacedOnSharedLine']);
  });

  it('R12: a second session on a busy line is rejected with LINE_BUSY naming the call and who holds it', () => {
    const error = given(callPlacedBy(ASSISTANT)).when(place('c2', BOSS)).thenRejects('LINE_BUSY', 'R12');
    expect(error.kind).toBe('conflict');
    expect(error.details).toEqual({ callId: 'c1', phase: 'dialing', heldBy: [ASSISTANT] });
    expect(error.message).toMatch(/busy with call c1 \(dialing, placed by Assistant\)/);
  });

  it('R12: LINE_BUSY describes the call as it is: connected with its parties, on hold by its holder, being transferred', () => {
    const connected = assistantOnCall();
    const busy = (events: typeof connected) =>
      given(events).when(place('c2', DEPUTY)).thenRejects('LINE_BUSY', 'R12').message;
    expect(busy(connected)).toContain('busy with call c1 (connected, Assistant on it)');
    expect(busy(connected)).not.toContain('hold');
    const held = [...connected, ...heldBy(connected, ASSISTANT)];
    expect(busy(held)).toContain('busy with call c1 (on hold by Assistant)');
    const transferring = [
      ...connected,
      ...lineDecider.decide(
        { type: 'TransferCall', callId: 'c1', actor: ASSISTANT, to: BOSS },
        stateOf(connected),
        context,
      ).events,
    ];
    expect(busy(transferring)).toContain('busy with call c1 (being transferred to Boss)');
  });

  it('R12: a line ringing with an incoming call is busy too, and LINE_BUSY says who it rings for', () => {
    const error = given(ringingCall()).when(place('c2', DEPUTY)).thenRejects('LINE_BUSY', 'R12');
    expect(error.message).toMatch(/ringing for Boss and Assistant and Deputy/);
  });

  it('R12: concurrent starts decided on the same revision: the first append wins, the re-decided loser gets LINE_BUSY', () => {
    const { events: first } = lineDecider.decide(place('c1', ASSISTANT), lineDecider.initialState, context);
    const { events: second } = lineDecider.decide(place('c2', DEPUTY), lineDecider.initialState, context);
    // Both decide "idle" on the same revision; the store accepts only one append. The loser is
    // decided again on the winner's events and refused.
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    given(first).when(place('c2', DEPUTY)).thenRejects('LINE_BUSY', 'R12');
  });

  it('R12: the line is free again once the call ends', () => {
    const ended = callPlacedBy(ASSISTANT, externalAnswer('c1'), hangUp('c1', ASSISTANT));
    expect(ended.map((e) => e.type)).toEqual([
      'CallPlacedOnSharedLine',
      'CallAnsweredByExternalParty',
      'CallEnded',
    ]);
    given(ended)
      .when(place('c2', BOSS))
      .thenEmits((events) => expect(events).toHaveLength(1));
  });

  it('R12: a call id the line used cannot start a new call', () => {
    const ended = callPlacedBy(BOSS, hangUp('c1', BOSS));
    given(ended).when(place('c1', BOSS)).thenRejects('CALL_ID_IN_USE', 'R12');
    given(callPlacedBy(BOSS))
      .when(incoming('c1'))
      .thenRejects('CALL_ID_IN_USE', 'R12', 'Call id c1 is the call in progress on this line');
  });

  it('R12: a call id names one call of its line for good, however many calls came after it', () => {
    const commands: LineCommand[] = [place('c0', BOSS), hangUp('c0', BOSS)];
    for (let n = 1; n <= RECENT_CALLS_KEPT + 5; n++) {
      commands.push(place(`c${n}`, BOSS), hangUp(`c${n}`, BOSS));
    }
    const past = history(context, ...commands);
    given(past)
      .when(incoming('c0'))
      .thenRejects(
        'CALL_ID_IN_USE',
        'R12',
        'Call id c0 was already used by an earlier call on this line; a call id names one call of a line for good',
      );
    given(past).when(place('c-new', BOSS)).thenEmitsTypes(['CallPlacedOnSharedLine']);
  });

  it('R12: a state decided on twice keeps meaning the ids folded into it (the used ids are shared, not copied)', () => {
    const base = stateOf(callPlacedBy(BOSS, hangUp('c1', BOSS)));
    const placed = (callId: string) => lineDecider.decide(place(callId, BOSS), base, context).events[0]!;
    const first = lineDecider.evolve(base, placed('c2'));
    const second = lineDecider.evolve(base, placed('c3'));
    expect([hasUsedCallId(first.usedCallIds, 'c2'), hasUsedCallId(first.usedCallIds, 'c3')]).toEqual([
      true,
      false,
    ]);
    expect([hasUsedCallId(second.usedCallIds, 'c2'), hasUsedCallId(second.usedCallIds, 'c3')]).toEqual([
      false,
      true,
    ]);
    expect([hasUsedCallId(base.usedCallIds, 'c2'), hasUsedCallId(base.usedCallIds, 'c1')]).toEqual([
      false,
      true,
    ]);
  });

  it('R12: the external party answering a dialing call connects it; answering twice is refused', () => {
    const dialing = callPlacedBy(BOSS);
    given(dialing)
      .when(externalAnswer('c1'))
      .then([{ type: 'CallAnsweredByExternalParty', data: { callId: 'c1', at: T0 } }]);
    given(callPlacedBy(BOSS, externalAnswer('c1')))
      .when(externalAnswer('c1'))
      .thenRejects('CALL_NOT_RINGING', 'R12');
  });

  it('R12: answering an outgoing call as a line-side party is refused with CALL_NOT_RINGING', () => {
    given(callPlacedBy(BOSS)).when(answer('c1', ASSISTANT)).thenRejects('CALL_NOT_RINGING');
  });
});
