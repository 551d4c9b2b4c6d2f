import { lineAccess, partyHistoryAccess } from '../queries/access.js';
import { lineHistory, lineInbox, partyHistory } from '../queries/line-views.js';
import type { ProjectedEvent } from './catalogue.js';
import { voicemailProjection } from './voicemail.projection.js';
import { ACCOUNT, LINE, T, delegation, project, ringingCall, answered } from './projections.fixture.js';

describe('shared voicemail inbox and call history', () => {
  const toVoicemail: [string, ProjectedEvent][] = [
    ...ringingCall('c4', 20),
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
    [
      LINE,
      {
        type: 'VoicemailLeft',
        data: { messageId: 'm1', callId: 'c4', from: '+15550199', at: T(51), owner: 'alice' },
      },
    ],
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

  it('R10/R17: a line shows the calls and messages of its current owner, and those logged before owners were', () => {
    // Given the same missed call recorded for Carol (who owned 1001 before Alice), for Alice, and before
    // owners were (a v1 event, upcast with a null owner)
    const recordedFor = (owner: string | null): [string, ProjectedEvent][] =>
      toVoicemail.map(([stream, event]): [string, ProjectedEvent] =>
        event.type === 'IncomingCallReceived' || event.type === 'VoicemailLeft'
          ? [stream, { ...event, data: { ...event.data, owner } } as ProjectedEvent]
          : [stream, event],
      );
    const seen = (log: [string, ProjectedEvent][]) => {
      const readModels = project(...log);
      const { messages, missedCalls } = lineInbox(readModels, 'acme', '1001');
      return {
        messages: messages.map((m) => m.messageId),
        missedCalls: missedCalls.map((c) => c.callId),
        history: lineHistory(readModels, 'acme', '1001').map((call) => call.callId),
      };
    };
    // When the line, which Alice owns now, is read, Then Carol's call is not in it, Alice's and the unrecorded are
    expect(seen(recordedFor('carol'))).toEqual({ messages: [], missedCalls: [], history: [] });
    const alices = { messages: ['m1'], missedCalls: ['c4'], history: ['c4'] };
    expect(seen(recordedFor('alice'))).toEqual(alices);
    expect(seen(recordedFor(null))).toEqual(alices);
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
    // A line asked for by its digits is named with its "+" in the reasons people read
    expect(lineAccess(readModels, 'acme', '4004', 'alice')).toMatchObject({
      allowed: false,
      rule: 'R10',
      reason: 'No party of this account owns the number +4004; provision it as a direct number first.',
    });
    const revoked = project([ACCOUNT, { type: 'DelegationRevoked', data: delegation }]);
    expect(lineAccess(revoked, 'acme', '1001', 'bob')).toMatchObject({
      allowed: false,
      rule: 'R17',
      reason: "bob's delegation from Alice is revoked, not active",
    });
    // Invited again since, Bob is told of the newest delegation between them, not the revoked one
    const reinvited = project(
      [ACCOUNT, { type: 'DelegationRevoked', data: delegation }],
      [
        ACCOUNT,
        {
          type: 'DelegateInvited',
          data: { ...delegation, delegationId: 'd2', permissions: ['answerCalls'], sharedLines: ['1001'] },
        },
      ],
    );
    expect(lineAccess(reinvited, 'acme', '1001', 'bob')).toMatchObject({
      allowed: false,
      rule: 'R17',
      reason: "bob's delegation from Alice is pending, not active",
    });
  });

  it('R16/R17: history entries carry placed by / answered by / picked up by / transferred by labels (the transferrer acting for itself), result and duration', () => {
    const readModels = project(
      ...ringingCall('c5', 20),
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
          owner: 'bob',
        },
      },
    ];
    const events = [onBobsLine, ...ringingCall('c5', 20), answered('c5', 'bob', 25)];
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
    const readModels = project(...ringingCall('c6', 20), [
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
