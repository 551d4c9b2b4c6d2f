import { evolveAccount, initialAccountState, lineContextFor, routeIncomingCall } from '#domain';
import { VIRTUAL_CLOCK_STREAM, type AccountEvent, type AccountPolicy } from '#events';
import { storedLog } from '../engine/engine.fixture.js';
import { ProjectionFailure } from '../engine/projection.js';
import { ReadModels } from '../engine/read-models.js';
import { lineAccess, partyHistoryAccess } from '../queries/access.js';
import { accountStateOf } from '../queries/account-state.js';
import { findCall } from '../queries/call-lookup.js';
import { whyBusy, whyCannot, whyRing } from '../queries/diagnostics.js';
import { lineHistory, lineState, partyHistory } from '../queries/line-views.js';
import { auditProjection } from './audit.projection.js';
import { callsProjection } from './calls.projection.js';
import { clockProjection, virtualClockTime } from './clock.projection.js';
import type { ProjectedEvent } from './catalogue.js';
import { PROJECTIONS } from './index.js';
import { recordingsProjection } from './recordings.projection.js';
import { voicemailProjection } from './voicemail.projection.js';

const ACCOUNT = 'account-acme';
const LINE = 'line-acme.1001';
const T = (second: number): string => new Date(Date.UTC(2026, 0, 5, 9, 0, second)).toISOString();
/** When the diagnoses below are asked: after every event of these specs. */
const AT = { at: T(120), source: 'the time asked for' };
const by = { by: 'admin', at: T(0) };
const policy: AccountPolicy = {
  delegationEnabled: true,
  autoActivateInvitations: false,
  maxDelegatesPerDelegator: 15,
  maxDelegatorsPerDelegate: 15,
  assistantMinimumVersion: '6.0.0',
  commonAreaDelegationNeedsPowerPack: false,
};
const user = (partyId: string, name: string, directNumbers: string[]): [string, ProjectedEvent] => [
  ACCOUNT,
  {
    type: 'PhoneUserProvisioned',
    data: {
      ...by,
      partyId,
      name,
      directNumbers,
      callingPlan: 'pro',
      powerPack: false,
      assistantEnabled: true,
      desktopClient: { platform: 'macos', version: '6.2.0' },
    },
  },
];
const delegation = { ...by, delegationId: 'd1', delegatorId: 'alice', delegateId: 'bob' };

/** Alice owns 1001 and delegates it to Bob (place, answer, pick up); Carol is in the account, no delegate. */
const account: [string, ProjectedEvent][] = [
  [
    ACCOUNT,
    { type: 'AccountCreated', data: { ...by, accountId: 'acme', name: 'Acme', admins: ['admin'], policy } },
  ],
  user('alice', 'Alice', ['1001']),
  user('bob', 'Bob', ['2002']),
  user('carol', 'Carol', ['3003']),
  [
    ACCOUNT,
    {
      type: 'DelegateInvited',
      data: {
        ...delegation,
        permissions: ['placeCalls', 'answerCalls', 'pickUpHeldCalls'],
        sharedLines: ['1001'],
      },
    },
  ],
  [ACCOUNT, { type: 'DelegationAccepted', data: delegation }],
];

const project = (...events: [string, ProjectedEvent][]): ReadModels => {
  const readModels = new ReadModels(PROJECTIONS);
  for (const stored of storedLog([...account, ...events])) readModels.apply(stored);
  return readModels;
};

const viewAs = (readModels: ReadModels, viewer: string) => {
  const access = lineAccess(readModels, 'acme', '1001', viewer);
  if (!access.allowed) throw new Error(access.reason);
  return lineState(readModels, 'acme', '1001', viewer, access);
};

const placed: [string, ProjectedEvent] = [
  LINE,
  {
    type: 'CallPlacedOnSharedLine',
    data: {
      callId: 'c1',
      line: '1001',
      to: '+15550100',
      placedBy: 'bob',
      onBehalfOf: 'alice',
      permission: 'placeCalls',
      callerId: { number: '1001', name: 'Alice' },
      at: T(10),
    },
  },
];
const incoming = (callId: string, at: number): [string, ProjectedEvent] => [
  LINE,
  { type: 'IncomingCallReceived', data: { callId, line: '1001', from: '+15550199', vip: false, at: T(at) } },
];
const rang = (callId: string, at: number): [string, ProjectedEvent] => [
  LINE,
  {
    type: 'CallRang',
    data: {
      callId,
      stage: 'initial',
      alerted: ['alice', 'bob'],
      decisions: [
        {
          partyId: 'alice',
          role: 'delegator',
          rings: true,
          afterSeconds: 0,
          rule: 'R13',
          reason: 'DELEGATOR',
          message: 'the delegator always rings',
        },
        {
          partyId: 'bob',
          role: 'delegate',
          rings: true,
          afterSeconds: 0,
          rule: 'R13',
          reason: 'ACTIVE_ANSWER_CALLS',
          message: 'active with answerCalls',
        },
      ],
      ringTimeoutAt: T(at + 30),
      escalationAt: null,
      at: T(at),
    },
  },
];
const sentToVoicemail = (callId: string, at: number): [string, ProjectedEvent] => [
  LINE,
  {
    type: 'CallSentToVoicemail',
    data: {
      callId,
      reason: 'ringTimeout',
      missedBy: ['alice', 'bob'],
      ringLegsEnded: ['alice', 'bob'],
      at: T(at),
    },
  },
];
const ended = (callId: string, at: number): [string, ProjectedEvent] => [
  LINE,
  {
    type: 'CallEnded',
    data: { callId, by: 'alice', reason: 'hungUp', missedBy: [], ringLegsEnded: [], at: T(at) },
  },
];
/** The same event on another stream. */
const on = (stream: string, [, event]: [string, ProjectedEvent]): [string, ProjectedEvent] => [stream, event];
const answered = (callId: string, who: string, at: number): [string, ProjectedEvent] => [
  LINE,
  {
    type: 'CallAnswered',
    data: {
      callId,
      by: who,
      onBehalfOf: who === 'alice' ? null : 'alice',
      permission: who === 'alice' ? null : 'answerCalls',
      ringLegsEnded: ['alice', 'bob'].filter((p) => p !== who),
      at: T(at),
    },
  },
];

describe('line busy state per viewer', () => {
  it('R11/R12: a call placed by a delegate shows the line busy, with each viewer seeing its own caller ID', () => {
    const readModels = project(placed);
    expect(viewAs(readModels, 'alice')).toMatchObject({
      line: { label: 'My number 1001' },
      viewerRole: 'delegator',
      lamp: { state: 'busy', phase: 'dialing', by: ['bob'], onBehalfOf: 'alice', since: T(10) },
    });
    expect(viewAs(readModels, 'bob').line.label).toBe('Alice · 1001');
  });

  it('R13: an incoming call rings the alerted parties, and the line is busy once one answers', () => {
    const ringing = project(incoming('c2', 20), rang('c2', 20));
    expect(viewAs(ringing, 'bob').lamp).toMatchObject({
      state: 'ringing',
      alerted: ['alice', 'bob'],
      alertedNames: ['Alice', 'Bob'],
      youAreAlerted: true,
    });
    const busy = project(incoming('c2', 20), rang('c2', 20), answered('c2', 'bob', 25));
    expect(viewAs(busy, 'alice').lamp).toMatchObject({
      state: 'busy',
      phase: 'connected',
      by: ['bob'],
      since: T(25),
    });
  });

  it('R15: a call held with the privacy lock shows held, locked, by whom', () => {
    const readModels = project(incoming('c3', 20), rang('c3', 20), answered('c3', 'alice', 22), [
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
    const readModels = project(incoming('c3', 20), rang('c3', 20), answered('c3', 'alice', 22), [
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
      incoming('c3', 20),
      rang('c3', 20),
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
  const joined = (callId: string, who: string, at: number): [string, ProjectedEvent] => [
    LINE,
    {
      type: 'CallJoined',
      data: {
        callId,
        by: who,
        onBehalfOf: who === 'alice' ? null : 'alice',
        permission: who === 'alice' ? null : 'joinAndMerge',
        at: T(at),
      },
    },
  ];
  const lockChanged = (callId: string, locked: boolean, at: number): [string, ProjectedEvent] => [
    LINE,
    { type: 'CallPrivacyLockChanged', data: { callId, by: 'alice', locked, at: T(at) } },
  ];
  const callRow = (readModels: ReadModels, callId: string) =>
    readModels.state(callsProjection).calls.get(`acme.1001/${callId}`)!;
  const answeredByAlice = [incoming('c3', 20), rang('c3', 20), answered('c3', 'alice', 22)];

  it('R15: the privacy lock outlives the hold, as in the line decider: a resumed call stays locked until unlocked', () => {
    const resumedLocked = project(
      ...answeredByAlice,
      held('c3', 'alice', true, 30),
      resumed('c3', 'alice', 35),
    );
    expect(callRow(resumedLocked, 'c3')).toMatchObject({ status: 'active', held: null, privacyLocked: true });
    // Locked or unlocked while connected, not only while held.
    const unlocked = project(
      ...answeredByAlice,
      held('c3', 'alice', true, 30),
      resumed('c3', 'alice', 35),
      lockChanged('c3', false, 40),
    );
    expect(callRow(unlocked, 'c3').privacyLocked).toBe(false);
    const lockedConnected = project(...answeredByAlice, lockChanged('c3', true, 25));
    expect(callRow(lockedConnected, 'c3')).toMatchObject({ status: 'active', privacyLocked: true });
    expect(
      viewAs(project(...answeredByAlice, lockChanged('c3', true, 25), held('c3', 'alice', true, 30)), 'bob')
        .lamp,
    ).toMatchObject({ state: 'held', locked: true });
  });

  it('R15/R16: participants follow the line decider: nobody while held, then only whoever resumed or picked up; a join adds the party', () => {
    const joinedThenHeld = [...answeredByAlice, joined('c3', 'bob', 25), held('c3', 'alice', false, 30)];
    expect(callRow(project(...joinedThenHeld), 'c3').participants).toEqual([]);
    const resumedByAlice = project(...joinedThenHeld, resumed('c3', 'alice', 35));
    expect(callRow(resumedByAlice, 'c3').participants).toEqual(['alice']);
    expect(
      callRow(project(...joinedThenHeld, resumed('c3', 'alice', 35), joined('c3', 'bob', 40)), 'c3')
        .participants,
    ).toEqual(['alice', 'bob']);
    const pickedUp = project(...answeredByAlice, joined('c3', 'bob', 25), held('c3', 'bob', false, 30), [
      LINE,
      {
        type: 'HeldCallPickedUp',
        data: { callId: 'c3', by: 'alice', onBehalfOf: null, permission: null, heldBy: 'bob', at: T(35) },
      },
    ]);
    expect(callRow(pickedUp, 'c3').participants).toEqual(['alice']);
    // Everyone the call involved stays in its history.
    expect(callRow(pickedUp, 'c3').parties).toEqual(['alice', 'bob']);
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

describe('shared voicemail inbox and call history', () => {
  const toVoicemail: [string, ProjectedEvent][] = [
    incoming('c4', 20),
    rang('c4', 20),
    [
      LINE,
      {
        type: 'CallSentToVoicemail',
        data: {
          callId: 'c4',
          reason: 'ringTimeout',
          missedBy: ['alice', 'bob'],
          ringLegsEnded: ['alice', 'bob'],
          at: T(50),
        },
      },
    ],
    [LINE, { type: 'VoicemailLeft', data: { messageId: 'm1', callId: 'c4', from: '+15550199', at: T(51) } }],
  ];

  it('R14: an unanswered call leaves a missed-call entry and a message in the line inbox', () => {
    const { inboxes, missedCalls, messages } = project(...toVoicemail).state(voicemailProjection);
    expect(inboxes.get('acme.1001')).toEqual({ messages: ['acme.1001/m1'], missedCalls: ['acme.1001/c4'] });
    expect(missedCalls.get('acme.1001/c4')).toMatchObject({
      from: '+15550199',
      reason: 'ringTimeout',
      missedBy: ['alice', 'bob'],
    });
    expect(messages.get('acme.1001/m1')).toMatchObject({ read: false, deleted: null });
  });

  it('R17: read state is shared and a deletion records who and when', () => {
    const { messages } = project(
      ...toVoicemail,
      [LINE, { type: 'VoicemailRead', data: { messageId: 'm1', by: 'bob', onBehalfOf: 'alice', at: T(60) } }],
      [
        LINE,
        { type: 'VoicemailDeleted', data: { messageId: 'm1', by: 'alice', onBehalfOf: null, at: T(70) } },
      ],
    ).state(voicemailProjection);
    expect(messages.get('acme.1001/m1')).toMatchObject({
      read: true,
      readBy: [{ by: 'bob', onBehalfOf: 'alice', at: T(60) }],
      deleted: { by: 'alice', onBehalfOf: null, at: T(70) },
    });
  });

  it('R17: the inbox is visible to the delegator and active delegates only', () => {
    const readModels = project(...toVoicemail);
    expect(lineAccess(readModels, 'acme', '1001', 'alice')).toMatchObject({
      allowed: true,
      role: 'delegator',
    });
    expect(lineAccess(readModels, 'acme', '1001', 'bob')).toMatchObject({ allowed: true, role: 'delegate' });
    expect(lineAccess(readModels, 'acme', '1001', 'carol')).toMatchObject({ allowed: false, rule: 'R17' });
    const revoked = project([ACCOUNT, { type: 'DelegationRevoked', data: delegation }]);
    expect(lineAccess(revoked, 'acme', '1001', 'bob')).toMatchObject({
      allowed: false,
      rule: 'R17',
      reason: "bob's delegation from Alice is revoked, not active",
    });
  });

  it('R16/R17: history entries carry placed by / answered by / picked up by / transferred by labels (the transferrer acting for itself), result and duration', () => {
    const readModels = project(
      incoming('c5', 20),
      rang('c5', 20),
      answered('c5', 'bob', 25),
      [
        LINE,
        {
          type: 'CallHeld',
          data: { callId: 'c5', by: 'bob', onBehalfOf: 'alice', privacyLocked: false, at: T(30) },
        },
      ],
      [
        LINE,
        {
          type: 'HeldCallPickedUp',
          data: { callId: 'c5', by: 'alice', onBehalfOf: null, permission: null, heldBy: 'bob', at: T(35) },
        },
      ],
      [
        LINE,
        {
          type: 'CallTransferRequested',
          data: {
            callId: 'c5',
            attempt: 1,
            by: 'alice',
            onBehalfOf: null,
            to: 'bob',
            recallAt: T(65),
            at: T(40),
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
            by: 'bob',
            onBehalfOf: 'alice',
            permission: 'answerCalls',
            transferredBy: 'alice',
            at: T(45),
          },
        },
      ],
      [
        LINE,
        {
          type: 'CallEnded',
          data: { callId: 'c5', by: 'bob', reason: 'hungUp', missedBy: [], ringLegsEnded: [], at: T(85) },
        },
      ],
      ...toVoicemail,
    );
    const [voicemail, handled] = lineHistory(readModels, 'acme', '1001');
    expect(handled).toMatchObject({
      callId: 'c5',
      result: 'answered',
      durationSeconds: 60,
      labels: ['answered by Bob on behalf of Alice', 'picked up by Alice', 'transferred by Alice to Bob'],
    });
    expect(voicemail).toMatchObject({
      callId: 'c4',
      result: 'voicemail',
      durationSeconds: null,
      voicemailMessageId: 'm1',
    });
    expect(partyHistory(readModels, 'acme', 'carol', 'carol')).toEqual([]);
    expect(partyHistory(readModels, 'acme', 'bob', 'bob').map((c) => c.callId)).toEqual(['c4', 'c5']);
  });

  it("R17: a party's history follows the line's rule: its own calls to itself, to a party sharing lines with it the calls on lines that party may see, to anybody else nothing", () => {
    const onBobsLine: [string, ProjectedEvent] = [
      'line-acme.2002',
      {
        type: 'CallPlacedOnSharedLine',
        data: {
          callId: 'own',
          line: '2002',
          to: '+15550100',
          placedBy: 'bob',
          onBehalfOf: null,
          permission: null,
          callerId: { number: '2002', name: 'Bob' },
          at: T(5),
        },
      },
    ];
    const events = [onBobsLine, incoming('c5', 20), rang('c5', 20), answered('c5', 'bob', 25)];
    const readModels = project(...events);
    const seen = (viewer: string) => partyHistory(readModels, 'acme', 'bob', viewer).map((c) => c.callId);
    expect(partyHistoryAccess(readModels, 'acme', 'bob', 'bob')).toEqual({ allowed: true, role: 'self' });
    expect(seen('bob')).toEqual(['c5', 'own']);
    // Alice shares 1001 with Bob, not Bob's own 2002.
    expect(partyHistoryAccess(readModels, 'acme', 'bob', 'alice')).toEqual({
      allowed: true,
      role: 'delegator',
    });
    expect(seen('alice')).toEqual(['c5']);
    expect(partyHistoryAccess(readModels, 'acme', 'alice', 'bob')).toEqual({
      allowed: true,
      role: 'delegate',
    });
    expect(partyHistoryAccess(readModels, 'acme', 'bob', 'carol')).toMatchObject({
      allowed: false,
      rule: 'R17',
    });
    expect(seen('carol')).toEqual([]);
    const revoked = project(...events, [ACCOUNT, { type: 'DelegationRevoked', data: delegation }]);
    expect(partyHistoryAccess(revoked, 'acme', 'bob', 'alice')).toMatchObject({
      allowed: false,
      rule: 'R17',
    });
    // Bob keeps the call he answered on Alice's line in his own history: he took part in it.
    expect(partyHistory(revoked, 'acme', 'bob', 'bob').map((c) => c.callId)).toEqual(['c5', 'own']);
  });

  it('a call the caller abandons while ringing is missed', () => {
    const readModels = project(incoming('c6', 20), rang('c6', 20), [
      LINE,
      {
        type: 'CallEnded',
        data: {
          callId: 'c6',
          by: null,
          reason: 'callerAbandoned',
          missedBy: ['alice', 'bob'],
          ringLegsEnded: [],
          at: T(28),
        },
      },
    ]);
    expect(lineHistory(readModels, 'acme', '1001')[0]).toMatchObject({
      result: 'missed',
      missedBy: ['alice', 'bob'],
    });
  });
});

describe('recordings and audit trail', () => {
  it('R18: a recording is listed under the party who started it only', () => {
    const { byOwner, recordings } = project(
      placed,
      [LINE, { type: 'RecordingStarted', data: { callId: 'c1', recordingId: 'r1', by: 'bob', at: T(12) } }],
      [
        LINE,
        {
          type: 'RecordingStopped',
          data: { callId: 'c1', recordingId: 'r1', owner: 'bob', reason: 'stoppedByOwner', at: T(20) },
        },
      ],
    ).state(recordingsProjection);
    expect([...byOwner.keys()]).toEqual(['acme/bob']);
    expect(recordings.get('acme.1001/c1/r1')).toMatchObject({
      owner: 'bob',
      line: 'acme.1001',
      stoppedAt: T(20),
    });
  });

  it("keeps every event of a call, voicemail steps included, as revisions of the call's line stream", () => {
    const readModels = project(
      incoming('c1', 20),
      rang('c1', 20),
      [LINE, { type: 'CallDeclined', data: { callId: 'c1', by: 'bob', onBehalfOf: 'alice', at: T(22) } }],
      sentToVoicemail('c1', 50),
      [
        LINE,
        { type: 'VoicemailLeft', data: { messageId: 'c1', callId: 'c1', from: '+15550199', at: T(60) } },
      ],
      incoming('c2', 70),
      [LINE, { type: 'VoicemailRead', data: { messageId: 'c1', by: 'bob', onBehalfOf: 'alice', at: T(80) } }],
    );
    expect([...readModels.state(auditProjection).trails]).toEqual([
      ['acme.1001/c1', [0, 1, 2, 3, 4, 6]],
      ['acme.1001/c2', [5]],
    ]);
  });
});

describe('diagnostics (R20)', () => {
  it('R13: says why a party rang, quoting the recorded routing decision', () => {
    const readModels = project(incoming('c2', 20), rang('c2', 20));
    const call = readModels.state(callsProjection).calls.get('acme.1001/c2')!;
    expect(whyRing(readModels, call, 'bob')).toMatchObject({
      rule: 'R13',
      answer: 'Bob rang: initial ring at ' + T(20) + ': active with answerCalls [ACTIVE_ANSWER_CALLS]',
    });
    expect(whyRing(readModels, call, 'carol')).toMatchObject({ rule: 'R10' });
  });

  it('R12: says why the line is busy, naming the call and who holds it', () => {
    expect(whyBusy(project(placed), 'acme', '1001')).toMatchObject({ rule: 'R12' });
    expect(whyBusy(project(), 'acme', '1001')).toMatchObject({ rule: null });
  });

  it('R15: a delegate cannot pick up a call the delegator locked', () => {
    const readModels = project(incoming('c3', 20), rang('c3', 20), answered('c3', 'alice', 22), [
      LINE,
      {
        type: 'CallHeld',
        data: { callId: 'c3', by: 'alice', onBehalfOf: null, privacyLocked: true, at: T(30) },
      },
    ]);
    expect(whyCannot(readModels, 'acme', '1001', 'bob', 'pickUp', AT)).toMatchObject({ rule: 'R15' });
  });

  it('R10/R12/R16: names the missing permission, a line not shared, a busy line, as the decider does', () => {
    expect(whyCannot(project(), 'acme', '1001', 'bob', 'join', AT)).toMatchObject({
      rule: 'R16',
      code: 'PERMISSION_REQUIRED',
    });
    expect(whyCannot(project(), 'acme', '1001', 'carol', 'answer', AT)).toMatchObject({
      rule: 'R10',
      code: 'LINE_NOT_SHARED',
    });
    expect(whyCannot(project(placed), 'acme', '1001', 'alice', 'placeCall', AT)).toMatchObject({
      rule: 'R12',
    });
    expect(whyCannot(project(), 'acme', '1001', 'bob', 'placeCall', AT)).toMatchObject({
      rule: 'R12',
      answer: 'Bob can place calls on line 1001.',
    });
  });

  /** Account events changing a party's R4/R5 settings. */
  const partyChange = (event: ProjectedEvent): [string, ProjectedEvent] => [ACCOUNT, event];
  const accountEventsOf = (extra: [string, ProjectedEvent][]): AccountEvent[] =>
    [...account, ...extra].filter(([stream]) => stream === ACCOUNT).map(([, event]) => event as AccountEvent);

  it('R20/R4: rebuilds the domain account state the api decides with from the read model', () => {
    const extra: [string, ProjectedEvent][] = [
      partyChange({ type: 'PartyPowerPackChanged', data: { ...by, partyId: 'alice', powerPack: true } }),
      partyChange({ type: 'RingTimeoutChanged', data: { ...by, partyId: 'alice', ringTimeoutSeconds: 20 } }),
      partyChange({
        type: 'VipContactAdded',
        data: { ...by, delegatorId: 'alice', number: '+1555', name: 'CEO' },
      }),
      partyChange({
        type: 'CommonAreaPhoneProvisioned',
        data: {
          ...by,
          partyId: 'lobby',
          name: 'Lobby',
          directNumbers: ['4004'],
          callingPlan: 'metered',
          powerPack: false,
        },
      }),
    ];
    expect(accountStateOf(project(...extra), 'acme')).toEqual(
      accountEventsOf(extra).reduce(evolveAccount, initialAccountState),
    );
    expect(accountStateOf(project(), 'nobody')).toEqual(initialAccountState);
  });

  it('R20/R4: an outdated desktop client stops a delegate, with the code and sentence the api refuses with', () => {
    const readModels = project(
      partyChange({
        type: 'AccountPolicyChanged',
        data: { ...by, policy: { ...policy, assistantMinimumVersion: '6.3.0' } },
      }),
    );
    const diagnosis = whyCannot(readModels, 'acme', '1001', 'bob', 'answer', AT);
    expect(diagnosis).toMatchObject({
      rule: 'R4',
      code: 'DESKTOP_CLIENT_OUTDATED',
      answer:
        'Bob cannot answer calls on line 1001: bob runs desktop client 6.2.0, older than the required 6.3.0: update the desktop app.',
    });
    // The api's line decisions refuse bob with the failure its line context carries (R20).
    const delegate = lineContextFor(accountStateOf(readModels, 'acme'), '1001', T(0)).delegates[0]!;
    expect(delegate.eligibility).toEqual({
      rule: diagnosis.rule,
      code: diagnosis.code,
      message: diagnosis.checks.at(-1)!.detail,
    });
    // The delegator's own line needs no Assistant.
    expect(
      whyCannot(readModels, 'acme', '1001', 'alice', 'placeCall', AT).checks.map((c) => c.rule),
    ).not.toContain('R4');
  });

  it('R20/R4: names a disabled Assistant, an unsupported client and a missing one, after R10 and R2/R3', () => {
    const disabled = partyChange({
      type: 'PartyAssistantChanged',
      data: { ...by, partyId: 'bob', assistantEnabled: false },
    });
    expect(whyCannot(project(disabled), 'acme', '1001', 'bob', 'pickUp', AT)).toMatchObject({
      rule: 'R4',
      code: 'ASSISTANT_DISABLED',
    });
    expect(
      whyCannot(
        project(
          partyChange({
            type: 'PartyDesktopClientChanged',
            data: { ...by, partyId: 'bob', desktopClient: { platform: 'web', version: '7.0.0' } },
          }),
        ),
        'acme',
        '1001',
        'bob',
        'placeCall',
        AT,
      ),
    ).toMatchObject({ rule: 'R4', code: 'DESKTOP_CLIENT_UNSUPPORTED' });
    const dave: [string, ProjectedEvent] = [
      ACCOUNT,
      {
        type: 'PhoneUserProvisioned',
        data: {
          ...by,
          partyId: 'dave',
          name: 'Dave',
          directNumbers: ['5005'],
          callingPlan: 'pro',
          powerPack: false,
          assistantEnabled: true,
          desktopClient: null,
        },
      },
    ];
    // Dave is no delegate: the line is not shared (the verdict), and inviting him would fail on R4.
    const notShared = whyCannot(project(dave), 'acme', '1001', 'dave', 'answer', AT);
    expect(notShared).toMatchObject({ rule: 'R10', code: 'LINE_NOT_SHARED' });
    expect(notShared.checks.at(-1)).toMatchObject({ rule: 'R4', ok: false, code: 'DESKTOP_CLIENT_MISSING' });
    const noPlan = partyChange({
      type: 'PartyCallingPlanChanged',
      data: { ...by, partyId: 'bob', callingPlan: 'none' },
    });
    expect(whyCannot(project(disabled, noPlan), 'acme', '1001', 'bob', 'answer', AT)).toMatchObject({
      rule: 'R2',
    });
  });

  it('R20/R4: a common-area phone delegate needs no Assistant', () => {
    const lobby = { ...by, delegationId: 'd2', delegatorId: 'alice', delegateId: 'lobby' };
    const readModels = project(
      partyChange({
        type: 'CommonAreaPhoneProvisioned',
        data: {
          ...by,
          partyId: 'lobby',
          name: 'Lobby',
          directNumbers: ['4004'],
          callingPlan: 'metered',
          powerPack: false,
        },
      }),
      partyChange({
        type: 'DelegateInvited',
        data: { ...lobby, permissions: ['answerCalls'], sharedLines: ['1001'] },
      }),
      partyChange({ type: 'DelegationAccepted', data: lobby }),
    );
    const diagnosis = whyCannot(readModels, 'acme', '1001', 'lobby', 'answer', AT);
    expect(diagnosis).toMatchObject({ answer: 'Lobby can answer calls on line 1001.' });
    expect(diagnosis.checks).toContainEqual({
      rule: 'R4',
      ok: true,
      detail: 'Lobby has a calling plan, may take part in delegation and meets the Assistant needs.',
    });
  });

  it('R20/R5: a VIP-only delegate of a delegator without the Power Pack cannot answer, after R13 and before R19', () => {
    const vipOnly = partyChange({
      type: 'DelegationPermissionsChanged',
      data: { ...delegation, permissions: ['placeCalls', 'answerCalls', 'vipOnly'] },
    });
    const powerPack = (on: boolean) =>
      partyChange({ type: 'PartyPowerPackChanged', data: { ...by, partyId: 'alice', powerPack: on } });
    expect(
      whyCannot(project(powerPack(true), vipOnly, powerPack(false)), 'acme', '1001', 'bob', 'answer', AT),
    ).toMatchObject({
      rule: 'R5',
      code: 'POWER_PACK_REQUIRED',
      answer:
        'Bob cannot answer calls on line 1001: vipOnly answering needs the Power Pack add-on on the delegator.',
    });
    // The permission comes first: without answerCalls the Power Pack does not matter yet.
    const vipOnlyAlone = partyChange({
      type: 'DelegationPermissionsChanged',
      data: { ...delegation, permissions: ['vipOnly'] },
    });
    expect(whyCannot(project(vipOnlyAlone), 'acme', '1001', 'bob', 'answer', AT)).toMatchObject({
      rule: 'R13',
      code: 'PERMISSION_REQUIRED',
    });
    // With the Power Pack, R5 passes and the ringing call's recorded routing names the non-VIP caller (R19).
    const arrived = [powerPack(true), vipOnly, incoming('c4', 20)];
    const context = lineContextFor(accountStateOf(project(...arrived), 'acme'), '1001', T(20));
    const decisions = routeIncomingCall(context, '+15550199', T(20));
    const rangAlice: [string, ProjectedEvent] = [
      LINE,
      {
        type: 'CallRang',
        data: {
          callId: 'c4',
          stage: 'initial',
          alerted: ['alice'],
          decisions,
          ringTimeoutAt: T(50),
          escalationAt: null,
          at: T(20),
        },
      },
    ];
    const withPack = whyCannot(project(...arrived, rangAlice), 'acme', '1001', 'bob', 'answer', AT);
    expect(withPack).toMatchObject({ rule: 'R19', code: 'VIP_ONLY_NON_VIP_CALLER' });
    expect(withPack.checks.map((c) => c.rule)).toEqual(['R1', 'R10', 'R10', 'R3', 'R4', 'R13', 'R13', 'R19']);
    // Other actions never consult the Power Pack.
    expect(
      whyCannot(project(vipOnly), 'acme', '1001', 'bob', 'placeCall', AT).checks.map((c) => c.rule),
    ).not.toContain('R5');
  });
});

describe('virtual clock', () => {
  const advanced = (from: number, to: number): [string, ProjectedEvent] => [
    VIRTUAL_CLOCK_STREAM,
    { type: 'VirtualClockAdvanced', data: { from: T(from), to: T(to) } },
  ];

  it('R21: records where the virtual clock was last advanced to, with no line or account event after it', () => {
    expect(virtualClockTime(project(placed))).toBeUndefined();
    const readModels = project(advanced(0, 5), placed, advanced(10, 3600));
    expect(virtualClockTime(readModels)).toBe(T(3600));
    expect([...readModels.state(clockProjection).clocks]).toEqual([
      [VIRTUAL_CLOCK_STREAM, { time: T(3600) }],
    ]);
    // Every other read model passes the clock by.
    expect(readModels.state(auditProjection).trails.size).toBe(1);
  });
});

describe('delegation roster', () => {
  it('R7: keeps delegation ids per account, so two accounts may both have a d1', () => {
    const other = 'account-other';
    const readModels = project(
      [
        other,
        {
          type: 'AccountCreated',
          data: { ...by, accountId: 'other', name: 'Other', admins: ['admin'], policy },
        },
      ],
      [
        other,
        {
          type: 'DelegateInvited',
          data: { ...delegation, permissions: ['answerCalls'], sharedLines: ['1001'] },
        },
      ],
    );
    expect(lineAccess(readModels, 'acme', '1001', 'bob')).toMatchObject({ allowed: true, role: 'delegate' });
    expect(whyCannot(readModels, 'acme', '1001', 'bob', 'answer', AT).answer).toBe(
      'Bob can answer calls on line 1001.',
    );
  });
});

describe('ids unique only per line or per account', () => {
  const LINE_2 = 'line-acme.2002';
  /** A call c1 on each of two lines of one account: rung, answered, recorded, then one sent to voicemail. */
  const twoLines: [string, ProjectedEvent][] = [
    incoming('c1', 20),
    on(LINE_2, incoming('c1', 21)),
    rang('c1', 20),
    on(LINE_2, rang('c1', 21)),
    answered('c1', 'alice', 22),
    [LINE, { type: 'RecordingStarted', data: { callId: 'c1', recordingId: 'r1', by: 'alice', at: T(23) } }],
    on(LINE_2, sentToVoicemail('c1', 51)),
    [
      LINE_2,
      { type: 'VoicemailLeft', data: { messageId: 'm1', callId: 'c1', from: '+15550199', at: T(52) } },
    ],
    [
      LINE,
      {
        type: 'RecordingStopped',
        data: { callId: 'c1', recordingId: 'r1', owner: 'alice', reason: 'callEnded', at: T(60) },
      },
    ],
    ended('c1', 60),
    [LINE, { type: 'VoicemailLeft', data: { messageId: 'm1', callId: 'c1', from: '+15550199', at: T(61) } }],
  ];

  it('two lines with the same call, message and recording ids coexist in every projection', () => {
    const readModels = project(...twoLines);
    const { calls, partyCalls } = readModels.state(callsProjection);
    expect(calls.get('acme.1001/c1')).toMatchObject({
      status: 'ended',
      result: 'answered',
      line: 'acme.1001',
    });
    expect(calls.get('acme.2002/c1')).toMatchObject({ status: 'voicemail', result: 'voicemail' });
    expect(partyCalls.get('acme/alice')).toEqual(['acme.1001/c1', 'acme.2002/c1']);
    expect(new Map(readModels.state(auditProjection).trails)).toEqual(
      new Map([
        ['acme.1001/c1', [0, 1, 2, 3, 4, 5, 6]],
        ['acme.2002/c1', [0, 1, 2, 3]],
      ]),
    );
    const { messages, missedCalls } = readModels.state(voicemailProjection);
    expect([...messages.keys()]).toEqual(['acme.2002/m1', 'acme.1001/m1']);
    expect([...missedCalls.keys()]).toEqual(['acme.2002/c1']);
    expect(readModels.state(recordingsProjection).recordings.get('acme.1001/c1/r1')).toMatchObject({
      stoppedAt: T(60),
    });
  });

  it('finds a call by id while one line used it, and names the lines once several did', () => {
    const one = project(incoming('c1', 20));
    expect(findCall(one, 'c1')).toMatchObject({ kind: 'found', call: { key: 'acme.1001/c1' } });
    const readModels = project(...twoLines);
    expect(findCall(readModels, 'c1')).toEqual({ kind: 'ambiguous', lines: ['acme.1001', 'acme.2002'] });
    expect(findCall(readModels, 'c1', 'acme.2002')).toMatchObject({
      kind: 'found',
      call: { key: 'acme.2002/c1', result: 'voicemail' },
      instance: 1,
      instances: 1,
    });
    expect(findCall(readModels, 'c1', 'acme.3003')).toMatchObject({ kind: 'notFound' });
  });

  it('a line that reuses the id of a call that is over keeps both calls, trails and messages', () => {
    const readModels = project(
      incoming('c1', 20),
      rang('c1', 20),
      sentToVoicemail('c1', 50),
      [
        LINE,
        { type: 'VoicemailLeft', data: { messageId: 'c1', callId: 'c1', from: '+15550199', at: T(51) } },
      ],
      [
        LINE,
        { type: 'VoicemailDeleted', data: { messageId: 'c1', by: 'alice', onBehalfOf: null, at: T(52) } },
      ],
      incoming('c1', 60),
      rang('c1', 60),
      sentToVoicemail('c1', 90),
      [
        LINE,
        { type: 'VoicemailLeft', data: { messageId: 'c1', callId: 'c1', from: '+15550199', at: T(91) } },
      ],
      [LINE, { type: 'VoicemailRead', data: { messageId: 'c1', by: 'bob', onBehalfOf: 'alice', at: T(92) } }],
    );
    expect(lineHistory(readModels, 'acme', '1001').map((c) => [c.callId, c.startedAt])).toEqual([
      ['c1', T(60)],
      ['c1', T(20)],
    ]);
    expect(findCall(readModels, 'c1')).toMatchObject({ kind: 'found', instance: 2, instances: 2 });
    expect(findCall(readModels, 'c1', 'acme.1001', 1)).toMatchObject({ call: { startedAt: T(20) } });
    expect(new Map(readModels.state(auditProjection).trails)).toEqual(
      new Map([
        ['acme.1001/c1', [0, 1, 2, 3, 4]],
        ['acme.1001/c1/2', [5, 6, 7, 8, 9]],
      ]),
    );
    const { messages, inboxes } = readModels.state(voicemailProjection);
    expect(inboxes.get('acme.1001')).toEqual({
      messages: ['acme.1001/c1', 'acme.1001/c1/2'],
      missedCalls: ['acme.1001/c1', 'acme.1001/c1/2'],
    });
    expect(messages.get('acme.1001/c1')).toMatchObject({ read: false, deleted: { by: 'alice' } });
    expect(messages.get('acme.1001/c1/2')).toMatchObject({ read: true, deleted: null });
  });

  it('two accounts with the same party, call and recording ids keep their histories and recordings apart', () => {
    const OTHER = 'account-other';
    const OTHER_LINE = 'line-other.1001';
    const recorded = (stream: string): [string, ProjectedEvent] => [
      stream,
      { type: 'RecordingStarted', data: { callId: 'c1', recordingId: 'r1', by: 'alice', at: T(23) } },
    ];
    const readModels = project(
      [
        OTHER,
        { type: 'AccountCreated', data: { ...by, accountId: 'other', name: 'Other', admins: [], policy } },
      ],
      on(OTHER, user('alice', 'Alicia', ['1001'])),
      incoming('c1', 20),
      on(OTHER_LINE, incoming('c1', 20)),
      rang('c1', 20),
      on(OTHER_LINE, rang('c1', 20)),
      answered('c1', 'alice', 22),
      on(OTHER_LINE, answered('c1', 'alice', 22)),
      recorded(LINE),
      recorded(OTHER_LINE),
    );
    expect(partyHistory(readModels, 'acme', 'alice', 'alice').map((c) => c.line)).toEqual(['acme.1001']);
    expect(partyHistory(readModels, 'other', 'alice', 'alice').map((c) => c.line)).toEqual(['other.1001']);
    const { byOwner } = readModels.state(recordingsProjection);
    expect(new Map(byOwner)).toEqual(
      new Map([
        ['acme/alice', ['acme.1001/c1/r1']],
        ['other/alice', ['other.1001/c1/r1']],
      ]),
    );
  });

  it('digests the read models canonically: rows restored in another order give the same digest', () => {
    const readModels = project(...twoLines);
    const restored = new ReadModels(PROJECTIONS);
    for (const row of [...readModels.rows()].reverse()) restored.restoreRow(row);
    expect(restored.digest()).toBe(readModels.digest());
    expect(project(...twoLines.slice(0, -1)).digest()).not.toBe(readModels.digest());
  });
});

describe('loud failures', () => {
  it('stops on a call event for a call the log never started', () => {
    expect(() => project(answered('ghost', 'bob', 5))).toThrow(ProjectionFailure);
    expect(() => project(answered('ghost', 'bob', 5))).toThrow(
      /projection calls cannot apply CallAnswered .*call acme\.1001\/ghost is unknown/,
    );
  });

  it('stops on a second call by an id while the first is still in progress on the line', () => {
    expect(() => project(incoming('c1', 20), incoming('c1', 21))).toThrow(
      /call c1 started on line acme\.1001 while a call with that id is ringing there/,
    );
  });

  it('R13: stops on a second answer of the same call', () => {
    expect(() =>
      project(incoming('c2', 20), rang('c2', 20), answered('c2', 'bob', 25), answered('c2', 'alice', 26)),
    ).toThrow(/answered while active/);
  });
});
