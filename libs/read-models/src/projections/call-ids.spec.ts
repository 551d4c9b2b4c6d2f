import { ProjectionFailure } from '../engine/projection.js';
import { ReadModels } from '../engine/read-models.js';
import { findCall } from '../queries/call-lookup.js';
import { lineHistory, partyHistory } from '../queries/line-views.js';
import { auditProjection } from './audit.projection.js';
import { callsProjection } from './calls.projection.js';
import type { ProjectedEvent } from './catalogue.js';
import { PROJECTIONS } from './index.js';
import { recordingsProjection } from './recordings.projection.js';
import { voicemailProjection } from './voicemail.projection.js';
import {
  LINE,
  T,
  by,
  policy,
  user,
  project,
  incoming,
  rang,
  ringingCall,
  sentToVoicemail,
  ended,
  on,
  answered,
} from './projections.fixture.js';

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
      {
        type: 'VoicemailLeft',
        data: { messageId: 'm1', callId: 'c1', from: '+15550199', at: T(52), owner: 'bob' },
      },
    ],
    [
      LINE,
      {
        type: 'RecordingStopped',
        data: { callId: 'c1', recordingId: 'r1', owner: 'alice', reason: 'callEnded', at: T(60) },
      },
    ],
    ended('c1', 60),
    [
      LINE,
      {
        type: 'VoicemailLeft',
        data: { messageId: 'm1', callId: 'c1', from: '+15550199', at: T(61), owner: 'alice' },
      },
    ],
  ];

  it('two lines with the same call, message and recording ids coexist in every projection', () => {
    const readModels = project(...twoLines);
    const { calls, partyCalls } = readModels.state(callsProjection);
    expect(calls.get('acme.1001/c1')).toMatchObject({
      finished: { endedAs: 'ended' },
      result: 'answered',
      line: 'acme.1001',
    });
    expect(calls.get('acme.2002/c1')).toMatchObject({
      finished: { endedAs: 'voicemail' },
      result: 'voicemail',
    });
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
    });
    expect(findCall(readModels, 'c1', 'acme.3003')).toEqual({
      kind: 'notFound',
      message: 'There is no call c1 on line +3003 of account acme in the log (yet).',
    });
  });

  it('an old log that reused the id of a call that is over keeps both calls, trails and messages', () => {
    const readModels = project(
      ...ringingCall('c1', 20),
      sentToVoicemail('c1', 50),
      [
        LINE,
        {
          type: 'VoicemailLeft',
          data: { messageId: 'c1', callId: 'c1', from: '+15550199', at: T(51), owner: 'alice' },
        },
      ],
      [
        LINE,
        { type: 'VoicemailDeleted', data: { messageId: 'c1', by: 'alice', onBehalfOf: null, at: T(52) } },
      ],
      ...ringingCall('c1', 60),
      sentToVoicemail('c1', 90),
      [
        LINE,
        {
          type: 'VoicemailLeft',
          data: { messageId: 'c1', callId: 'c1', from: '+15550199', at: T(91), owner: 'alice' },
        },
      ],
      [LINE, { type: 'VoicemailRead', data: { messageId: 'c1', by: 'bob', onBehalfOf: 'alice', at: T(92) } }],
    );
    expect(lineHistory(readModels, 'acme', '1001').map((c) => [c.callId, c.startedAt])).toEqual([
      ['c1', T(60)],
      ['c1', T(20)],
    ]);
    // The id names the latest call by it; the earlier one is keyed by where it starts and stays in history.
    expect(findCall(readModels, 'c1')).toMatchObject({
      kind: 'found',
      call: { key: 'acme.1001/c1@5', startedAt: T(60) },
    });
    expect(new Map(readModels.state(auditProjection).trails)).toEqual(
      new Map([
        ['acme.1001/c1', [0, 1, 2, 3, 4]],
        ['acme.1001/c1@5', [5, 6, 7, 8, 9]],
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
      project(...ringingCall('c2', 20), answered('c2', 'bob', 25), answered('c2', 'alice', 26)),
    ).toThrow(/CallAnswered on call c2 while it is connected \(allowed: ringing\)/);
  });
});
