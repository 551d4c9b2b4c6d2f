import { lineDecider } from './line.decider.js';
import { LINE_SNAPSHOT_SCHEMA, lineSnapshotCodec } from './line.snapshot.js';
import { hasUsedCallId, initialLineState, type LineState } from './line.state.js';
import { callIdRunsOf, numberedCallIdsOf } from './used-call-ids.js';
import {
  ASSISTANT,
  BOSS,
  NEWBOSS,
  answer,
  at,
  callPlacedBy,
  context,
  expireRing,
  externalAnswer,
  hangUp,
  history,
  hold,
  incoming,
  passedToNewboss,
  place,
  recallTransfer,
  ringingCall,
  stateOf,
  transfer,
} from './line.fixtures.js';

/** A snapshot as the store keeps it: the JSON as text, the attachments as bytes of their own. */
const written = (state: LineState) => {
  const attachments: Uint8Array[] = [];
  const data: unknown = JSON.parse(
    JSON.stringify(lineSnapshotCodec.serialize(state, (bytes) => attachments.push(bytes) - 1)),
  );
  return { data: data as Record<string, unknown>, attachments: attachments.map((bytes) => bytes.slice()) };
};
const hungUp = (callId: string) => [place(callId, BOSS), hangUp(callId, BOSS)];
const through = (state: LineState): LineState => {
  const { data, attachments } = written(state);
  return lineSnapshotCodec.deserialize(data, attachments);
};
/** A state with its used ids as the list they stand for (folded and read back, they are kept apart). */
const comparable = (state: LineState) => ({
  ...state,
  usedCallIds: [
    callIdRunsOf(state.usedCallIds).map(([width, run]) => [width, [...run]]),
    numberedCallIdsOf(state.usedCallIds).map(([prefix, intervals]) => [prefix, [...intervals]]),
  ],
});

describe('line snapshots', () => {
  it('a fold written to a snapshot and read back is the same fold', () => {
    const events = history(
      context,
      incoming('c1'),
      expireRing('c1'),
      { type: 'ReadVoicemail', messageId: 'c1', actor: ASSISTANT },
      place('c2', BOSS),
      externalAnswer('c2'),
      // A transfer recalled from its target, remembered on the call and after it (R16)
      transfer('c2', BOSS, ASSISTANT),
      recallTransfer('c2', 1),
      hangUp('c2', BOSS),
      incoming('c3', '+15550111', at(40)),
      answer('c3', ASSISTANT),
      hold('c3', ASSISTANT),
      // A call to the busy line: between its start and its voicemail it is kept as arrived while busy
      incoming('c4', '+15550112', at(50)),
    );
    // And the number passed to Newboss, whose own call counts apart from Boss's
    const newboss = passedToNewboss();
    events.push(...history(newboss, incoming('c5', '+15550113', at(60))).slice(0, 1));
    expect(stateOf(events).recentCalls.find((c) => c.callId === 'c2')?.recalledTransfers).toHaveLength(1);
    // Every prefix: states with a call in each phase, an inbox, finished calls, two owners' totals.
    expect(events.filter((e) => e.type === 'IncomingCallReceived').map((e) => e.data.owner)).toEqual([
      BOSS,
      BOSS,
      BOSS,
      NEWBOSS,
    ]);
    for (let n = 0; n <= events.length; n++) {
      const state = stateOf(events.slice(0, n));
      const restored = through(state);
      expect(comparable(restored)).toEqual(comparable(state));
      for (const callId of ['c1', 'c2', 'c3', 'c4'])
        expect([callId, hasUsedCallId(restored.usedCallIds, callId)]).toEqual([
          callId,
          hasUsedCallId(state.usedCallIds, callId),
        ]);
    }
  });

  it('reads attachments that are views into one larger buffer at any offset, as the store hands them over', () => {
    const state = stateOf(history(context, ...['c1', 'c2', 'c4', 'x01'].flatMap(hungUp)));
    const { data, attachments } = written(state);
    for (const offset of [0, 1, 3, 8]) {
      const whole = Buffer.alloc(offset + attachments.reduce((sum, bytes) => sum + bytes.length, 0) + 5);
      let at = offset;
      const views = attachments.map((bytes) => {
        whole.set(bytes, at);
        at += bytes.length;
        return whole.subarray(at - bytes.length, at);
      });
      expect(comparable(lineSnapshotCodec.deserialize(data, views))).toEqual(comparable(state));
    }
  });

  it('R12: a line read back from its snapshot refuses every id it used and takes new ones', () => {
    const ids = ['c1', 'call-2', 'é', '呼-3', ''];
    const past = history(context, ...ids.flatMap((callId) => [place(callId, BOSS), hangUp(callId, BOSS)]));
    const restored = through(stateOf(past));
    for (const callId of ids)
      expect(() => lineDecider.decide(place(callId, BOSS), restored, context)).toThrow(
        expect.objectContaining({ code: 'CALL_ID_IN_USE' }),
      );
    for (const callId of ['c2', 'call-1', 'e', '呼-4'])
      expect(lineDecider.decide(place(callId, BOSS), restored, context).events.map((e) => e.type)).toEqual([
        'CallPlacedOnSharedLine',
      ]);
  });

  it('pins the state shape to the schema version: a new or renamed field must bump LINE_SNAPSHOT_SCHEMA', () => {
    // When this fails: bump LINE_SNAPSHOT_SCHEMA, teach serialize/deserialize the new shape, and
    // update the expectation below. Old snapshots are then ignored and rebuilt, never misread.
    // The call in progress and the messages are pinned too: their owner came in v5.
    const ringing = stateOf(ringingCall());
    // The recent calls, the call that arrived while busy and the totals per owner are pinned too: v6;
    // the recalled transfers of the call and of each recent call: v7.
    const messaged = stateOf(ringingCall(expireRing('c1')));
    const arrivedWhileBusy = stateOf(callPlacedBy(BOSS, incoming('c2')).slice(0, -2));
    expect({
      schema: LINE_SNAPSHOT_SCHEMA,
      fields: Object.keys(initialLineState).sort(),
      usedCallIds: Object.keys(initialLineState.usedCallIds).sort(),
      call: Object.keys(ringing.call!).sort(),
      message: Object.keys(messaged.voicemails.get('c1')!).sort(),
      recentCall: Object.keys(messaged.recentCalls[0]!).sort(),
      arrivedWhileBusy: Object.keys(arrivedWhileBusy.arrivedWhileBusy!).sort(),
      totals: messaged.totals.map((entry) => Object.keys(entry).sort()),
    }).toEqual({
      schema: 7,
      fields: ['arrivedWhileBusy', 'call', 'recentCalls', 'totals', 'usedCallIds', 'voicemails'],
      usedCallIds: ['mergedCount', 'numbered', 'recent', 'recentSize', 'runs'],
      call: [
        'answeredBy',
        'callId',
        'direction',
        'external',
        'hold',
        'owner',
        'parties',
        'phase',
        'placedBy',
        'privacyLocked',
        'recalledTransfers',
        'recordings',
        'ring',
        'startedAt',
        'transfer',
        'transfers',
        'vip',
      ],
      message: ['callId', 'from', 'leftAt', 'messageId', 'owner', 'readAt', 'readBy'],
      recentCall: ['answeredBy', 'at', 'callId', 'endedAs', 'owner', 'recalledTransfers'],
      arrivedWhileBusy: ['callId', 'owner'],
      totals: [['calls', 'missed', 'owner', 'voicemails']],
    });
  });

  it('refuses data of another shape instead of folding on it', () => {
    const { data: good, attachments } = written(
      stateOf(history(context, ...hungUp('c1'), ...hungUp('c2'), place('c01', BOSS))),
    );
    expect(good.usedCallIds).toEqual([[3, 0]]);
    expect(good.numberedCallIds).toEqual([['c', 1]]);
    for (const bad of [
      null,
      [],
      'state',
      { ...good, voicemails: {} },
      { ...good, recentCalls: [{}] },
      { ...good, recentCalls: [{ callId: 'c1' }] },
      { ...good, recentCalls: [{ callId: 'c1', owner: 7 }] },
      { ...good, recentCalls: [{ callId: 'c1', owner: BOSS }] },
      { ...good, arrivedWhileBusy: undefined },
      { ...good, arrivedWhileBusy: { callId: 'c3' } },
      { ...good, totals: { calls: 1, missed: 0, voicemails: 0 } },
      { ...good, totals: [{ calls: 1, missed: 0, voicemails: 0 }] },
      { ...good, totals: [{ owner: BOSS, calls: 1, missed: 0 }] },
      { ...good, totals: [{ owner: BOSS, calls: -1, missed: 0, voicemails: 0 }] },
      {
        ...good,
        totals: [
          { owner: BOSS, calls: 1, missed: 0, voicemails: 0 },
          { owner: BOSS, calls: 2, missed: 0, voicemails: 0 },
        ],
      },
      { ...good, usedCallIds: ['c01'] },
      { ...good, usedCallIds: [[3]] },
      { ...good, usedCallIds: [[3, 2]] },
      { ...good, usedCallIds: [[2, 0]] },
      { ...good, usedCallIds: [[0, 0]] },
      { ...good, usedCallIds: [[3, 0, 0]] },
      {
        ...good,
        usedCallIds: [
          [3, 0],
          [3, 0],
        ],
      },
      { ...good, usedCallIds: [[1.5, 0]] },
      { ...good, numberedCallIds: undefined },
      { ...good, numberedCallIds: [['c']] },
      { ...good, numberedCallIds: [[1, 1]] },
      { ...good, numberedCallIds: [['c', 2]] },
      { ...good, numberedCallIds: [['c', 0]] },
      { ...good, numberedCallIds: [['c1', 1]] },
      {
        ...good,
        numberedCallIds: [
          ['c', 1],
          ['c', 1],
        ],
      },
      { ...good, call: { phase: 'ringing' } },
      { ...good, call: { callId: 'c01', phase: 'dialing' } },
    ]) {
      expect(() => lineSnapshotCodec.deserialize(bad, attachments)).toThrow(TypeError);
    }
  });
});
