import { ReadModels } from '../engine/read-models.js';
import { whyBusy } from '../queries/diagnostics.js';
import { callsProjection } from './calls.projection.js';
import type { ProjectedEvent } from './catalogue.js';
import { LINE, T, project, viewAs, placed, ringingCall, answered, joined } from './projections.fixture.js';

describe('line busy state per viewer', () => {
  it('R11/R12: a call placed by a delegate shows the line busy, with each viewer seeing its own caller ID', () => {
    const readModels = project(placed);
    expect(viewAs(readModels, 'alice')).toMatchObject({
      line: { number: '+1001', label: 'My number +1001' },
      viewerRole: 'delegator',
      lamp: { state: 'busy', phase: 'dialing', by: ['bob'], onBehalfOf: 'alice', since: T(10) },
    });
    expect(viewAs(readModels, 'bob').line.label).toBe('Alice · +1001');
  });

  it('R13: an incoming call rings the alerted parties, and the line is busy once one answers', () => {
    const ringing = project(...ringingCall('c2', 20));
    expect(viewAs(ringing, 'bob').lamp).toMatchObject({
      state: 'ringing',
      alerted: ['alice', 'bob'],
      alertedNames: ['Alice', 'Bob'],
      youAreAlerted: true,
    });
    const busy = project(...ringingCall('c2', 20), answered('c2', 'bob', 25));
    expect(viewAs(busy, 'alice').lamp).toMatchObject({
      state: 'busy',
      phase: 'connected',
      by: ['bob'],
      since: T(25),
    });
  });

  it('R15: a call held with the privacy lock shows held, locked, by whom', () => {
    const readModels = project(...ringingCall('c3', 20), answered('c3', 'alice', 22), [
      LINE,
      {
        type: 'CallHeld',
        data: { callId: 'c3', by: 'alice', onBehalfOf: null, privacyLocked: true, at: T(30) },
      },
    ]);
    expect(viewAs(readModels, 'bob').lamp).toMatchObject({
      state: 'held',
      heldBy: 'alice',
      locked: true,
      since: T(30),
    });
  });

  it('R15: a call the delegator locked while connected shows busy and locked, and says delegates cannot join it', () => {
    // Given a call alice answered, then locked without holding it
    const readModels = project(...ringingCall('c3', 20), answered('c3', 'alice', 22), [
      LINE,
      { type: 'CallPrivacyLockChanged', data: { callId: 'c3', by: 'alice', locked: true, at: T(25) } },
    ]);
    // When bob looks at the line, and asks why it is busy
    // Then the lamp is busy and locked, and the answer names the lock
    expect(viewAs(readModels, 'bob').lamp).toMatchObject({ state: 'busy', phase: 'connected', locked: true });
    expect(whyBusy(readModels, 'acme', '1001').answer).toMatch(
      /locked for privacy: delegates cannot join or merge it \(R15\)/,
    );
    // And once unlocked, neither says so
    const unlocked = project(
      ...ringingCall('c3', 20),
      answered('c3', 'alice', 22),
      [
        LINE,
        { type: 'CallPrivacyLockChanged', data: { callId: 'c3', by: 'alice', locked: true, at: T(25) } },
      ],
      [
        LINE,
        { type: 'CallPrivacyLockChanged', data: { callId: 'c3', by: 'alice', locked: false, at: T(26) } },
      ],
    );
    expect(viewAs(unlocked, 'bob').lamp).toMatchObject({ state: 'busy', locked: false });
    expect(whyBusy(unlocked, 'acme', '1001').answer).not.toMatch(/locked/);
  });

  const held = (callId: string, who: string, locked: boolean, at: number): [string, ProjectedEvent] => [
    LINE,
    {
      type: 'CallHeld',
      data: {
        callId,
        by: who,
        onBehalfOf: who === 'alice' ? null : 'alice',
        privacyLocked: locked,
        at: T(at),
      },
    },
  ];
  const resumed = (callId: string, who: string, at: number): [string, ProjectedEvent] => [
    LINE,
    { type: 'CallResumed', data: { callId, by: who, at: T(at) } },
  ];
  const lockChanged = (callId: string, locked: boolean, at: number): [string, ProjectedEvent] => [
    LINE,
    { type: 'CallPrivacyLockChanged', data: { callId, by: 'alice', locked, at: T(at) } },
  ];
  const callRow = (readModels: ReadModels, callId: string) =>
    readModels.state(callsProjection).calls.get(`acme.1001/${callId}`)!;
  const answeredByAlice = [...ringingCall('c3', 20), answered('c3', 'alice', 22)];

  it('R15: the privacy lock outlives the hold, as in the line decider: a resumed call stays locked until unlocked', () => {
    const resumedLocked = project(
      ...answeredByAlice,
      held('c3', 'alice', true, 30),
      resumed('c3', 'alice', 35),
    );
    expect(callRow(resumedLocked, 'c3').live).toMatchObject({
      phase: 'connected',
      hold: null,
      privacyLocked: true,
    });
    // Locked or unlocked while connected, not only while held.
    const unlocked = project(
      ...answeredByAlice,
      held('c3', 'alice', true, 30),
      resumed('c3', 'alice', 35),
      lockChanged('c3', false, 40),
    );
    expect(callRow(unlocked, 'c3').live!.privacyLocked).toBe(false);
    const lockedConnected = project(...answeredByAlice, lockChanged('c3', true, 25));
    expect(callRow(lockedConnected, 'c3').live).toMatchObject({ phase: 'connected', privacyLocked: true });
    expect(
      viewAs(project(...answeredByAlice, lockChanged('c3', true, 25), held('c3', 'alice', true, 30)), 'bob')
        .lamp,
    ).toMatchObject({ state: 'held', locked: true });
  });

  it('R15/R16: participants follow the line decider: nobody while held, then only whoever resumed or picked up; a join adds the party', () => {
    const joinedThenHeld = [...answeredByAlice, joined('c3', 'bob', 25), held('c3', 'alice', false, 30)];
    expect(callRow(project(...joinedThenHeld), 'c3').live!.parties).toEqual([]);
    const resumedByAlice = project(...joinedThenHeld, resumed('c3', 'alice', 35));
    expect(callRow(resumedByAlice, 'c3').live!.parties).toEqual(['alice']);
    expect(
      callRow(project(...joinedThenHeld, resumed('c3', 'alice', 35), joined('c3', 'bob', 40)), 'c3').live!
        .parties,
    ).toEqual(['alice', 'bob']);
    const pickedUp = project(...answeredByAlice, joined('c3', 'bob', 25), held('c3', 'bob', false, 30), [
      LINE,
      {
        type: 'HeldCallPickedUp',
        data: { callId: 'c3', by: 'alice', onBehalfOf: null, permission: null, heldBy: 'bob', at: T(35) },
      },
    ]);
    expect(callRow(pickedUp, 'c3').live!.parties).toEqual(['alice']);
    // Everyone the call involved stays in its history.
    expect(callRow(pickedUp, 'c3').parties).toEqual(['alice', 'bob']);
  });

  describe('R16: Given a transfer between the delegator and its delegate, When the target answers, Then the lamp says on whose behalf the target is on the call', () => {
    /** `from` answered c5 and transferred it to `to`, who answered the transfer. */
    const transferred = (from: string, to: string): [string, ProjectedEvent][] => {
      const behalf = (party: string) => (party === 'alice' ? null : 'alice');
      return [
        ...ringingCall('c5', 20),
        answered('c5', from, 22),
        [
          LINE,
          {
            type: 'CallTransferRequested',
            data: {
              callId: 'c5',
              attempt: 1,
              by: from,
              onBehalfOf: behalf(from),
              to,
              recallAt: T(55),
              at: T(25),
            },
          },
        ],
        [
          LINE,
          {
            type: 'CallTransferred',
            data: {
              callId: 'c5',
              attempt: 1,
              by: to,
              onBehalfOf: behalf(to),
              permission: to === 'alice' ? null : 'answerCalls',
              transferredBy: from,
              at: T(28),
            },
          },
        ],
      ];
    };

    it('When Alice transfers to Bob, Then Bob is on it on behalf of Alice, in the lamp as in the busy diagnosis', () => {
      const readModels = project(...transferred('alice', 'bob'));
      expect(viewAs(readModels, 'alice').lamp).toMatchObject({
        state: 'busy',
        by: ['bob'],
        onBehalfOf: 'alice',
        onBehalfOfName: 'Alice',
      });
      expect(whyBusy(readModels, 'acme', '1001').answer).toContain('(Bob on behalf of Alice)');
    });

    it("When Bob transfers to Alice, Then Alice is on her own call, on nobody's behalf", () => {
      const readModels = project(...transferred('bob', 'alice'));
      expect(viewAs(readModels, 'bob').lamp).toMatchObject({
        state: 'busy',
        by: ['alice'],
        onBehalfOf: null,
        onBehalfOfName: null,
      });
      expect(whyBusy(readModels, 'acme', '1001').answer).toContain('(Alice) since');
    });
  });

  it('goes back to idle when the call ends', () => {
    const readModels = project(placed, [
      LINE,
      {
        type: 'CallEnded',
        data: { callId: 'c1', by: 'bob', reason: 'hungUp', missedBy: [], ringLegsEnded: [], at: T(40) },
      },
    ]);
    expect(viewAs(readModels, 'alice').lamp).toEqual({ state: 'idle' });
  });
});
