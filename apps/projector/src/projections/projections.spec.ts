import type { AccountPolicy } from '#events';
import { storedLog } from '../engine/engine.fixture.js';
import { ProjectionFailure } from '../engine/projection.js';
import { ReadModels } from '../engine/read-models.js';
import { auditCsv } from '../http/audit-csv.js';
import { lineAccess } from '../queries/access.js';
import { whyBusy, whyCannot, whyRing } from '../queries/diagnostics.js';
import { lineHistory, lineState, partyHistory } from '../queries/line-views.js';
import { auditProjection } from './audit.projection.js';
import type { ProjectedEvent } from './catalogue.js';
import { PROJECTIONS } from './index.js';
import { recordingsProjection } from './recordings.projection.js';
import { voicemailProjection } from './voicemail.projection.js';

const ACCOUNT = 'account-acme';
const LINE = 'line-acme.1001';
const T = (second: number): string => new Date(Date.UTC(2026, 0, 5, 9, 0, second)).toISOString();
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
    expect(inboxes.get('acme.1001')).toEqual({ messages: ['m1'], missedCalls: ['c4'] });
    expect(missedCalls.get('c4')).toMatchObject({
      from: '+15550199',
      reason: 'ringTimeout',
      missedBy: ['alice', 'bob'],
    });
    expect(messages.get('m1')).toMatchObject({ read: false, deleted: null });
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
    expect(messages.get('m1')).toMatchObject({
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

  it('R17: history entries carry placed by / answered by / picked up by / transferred by labels, result and duration', () => {
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
      labels: [
        'answered by Bob on behalf of Alice',
        'picked up by Alice',
        'transferred by Alice to Bob on behalf of Alice',
      ],
    });
    expect(voicemail).toMatchObject({
      callId: 'c4',
      result: 'voicemail',
      durationSeconds: null,
      voicemailMessageId: 'm1',
    });
    expect(partyHistory(readModels, 'acme', 'carol')).toEqual([]);
    expect(partyHistory(readModels, 'acme', 'bob').map((c) => c.callId)).toEqual(['c4', 'c5']);
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
    expect([...byOwner.keys()]).toEqual(['bob']);
    expect(recordings.get('r1')).toMatchObject({ owner: 'bob', line: 'acme.1001', stoppedAt: T(20) });
  });

  it('keeps every event of a call with actor, on-behalf-of, permission, revision, position and ids; CSV too', () => {
    const readModels = project(placed, [
      LINE,
      {
        type: 'CallEnded',
        data: { callId: 'c1', by: 'bob', reason: 'hungUp', missedBy: [], ringLegsEnded: [], at: T(40) },
      },
    ]);
    const trail = readModels.state(auditProjection).trails.get('c1')!;
    expect(trail.map((e) => [e.type, e.stream, e.revision])).toEqual([
      ['CallPlacedOnSharedLine', LINE, '0'],
      ['CallEnded', LINE, '1'],
    ]);
    expect(trail[0]).toMatchObject({
      correlationId: 'corr',
      causationId: 'cause',
      actor: 'tester',
      position: '700',
    });
    const csv = auditCsv(trail).split('\r\n');
    expect(csv[0]).toBe(
      'position,stream,revision,type,simulatedTime,recordedAt,actor,onBehalfOf,permission,correlationId,causationId,commandId,eventId,data,chainHash',
    );
    expect(csv).toHaveLength(4);
  });
});

describe('diagnostics (R20)', () => {
  it('R13: says why a party rang, quoting the recorded routing decision', () => {
    const readModels = project(incoming('c2', 20), rang('c2', 20));
    expect(whyRing(readModels, 'c2', 'bob')).toMatchObject({
      rule: 'R13',
      answer: 'Bob rang: initial ring at ' + T(20) + ': active with answerCalls [ACTIVE_ANSWER_CALLS]',
    });
    expect(whyRing(readModels, 'c2', 'carol')).toMatchObject({ rule: 'R10' });
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
    expect(whyCannot(readModels, 'acme', '1001', 'bob', 'pickUp')).toMatchObject({ rule: 'R15' });
  });

  it('R6/R7/R12: names the missing permission, a delegation that is not active, a busy line', () => {
    expect(whyCannot(project(), 'acme', '1001', 'bob', 'join')).toMatchObject({ rule: 'R6' });
    expect(whyCannot(project(), 'acme', '1001', 'carol', 'answer')).toMatchObject({ rule: 'R7' });
    expect(whyCannot(project(placed), 'acme', '1001', 'alice', 'placeCall')).toMatchObject({ rule: 'R12' });
    expect(whyCannot(project(), 'acme', '1001', 'bob', 'placeCall')).toMatchObject({
      rule: 'R12',
      answer: 'Bob can place calls on line 1001.',
    });
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
    expect(whyCannot(readModels, 'acme', '1001', 'bob', 'answer').answer).toBe(
      'Bob can answer calls on line 1001.',
    );
  });
});

describe('loud failures', () => {
  it('stops on a call event for a call the log never started', () => {
    expect(() => project(answered('ghost', 'bob', 5))).toThrow(ProjectionFailure);
    expect(() => project(answered('ghost', 'bob', 5))).toThrow(
      /projection calls cannot apply CallAnswered .*call ghost is unknown/,
    );
  });

  it('R13: stops on a second answer of the same call', () => {
    expect(() =>
      project(incoming('c2', 20), rang('c2', 20), answered('c2', 'bob', 25), answered('c2', 'alice', 26)),
    ).toThrow(/answered while active/);
  });
});
