import { lineDecider } from './line.decider.js';
import { LINE_SNAPSHOT_SCHEMA, lineSnapshotCodec } from './line.snapshot.js';
import { initialLineState } from './line.state.js';
import {
  ASSISTANT,
  BOSS,
  TIMERS,
  answer,
  at,
  history,
  hold,
  incoming,
  lineContext,
  place,
} from './line.fixtures.js';

const context = lineContext();
const through = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe('line snapshots', () => {
  it('a fold written to a snapshot and read back is the same fold', () => {
    const events = history(
      context,
      incoming('c1'),
      { type: 'ExpireRing', callId: 'c1', actor: TIMERS, at: at(30) },
      { type: 'ReadVoicemail', messageId: 'c1', actor: ASSISTANT },
      place('c2', BOSS),
      { type: 'HangUp', callId: 'c2', actor: BOSS },
      incoming('c3', '+15550111', at(40)),
      answer('c3', ASSISTANT),
      hold('c3', ASSISTANT),
    );
    // Every prefix: states with a call in each phase, an inbox, finished calls.
    for (let n = 0; n <= events.length; n++) {
      const state = events.slice(0, n).reduce(lineDecider.evolve, lineDecider.initialState);
      expect(lineSnapshotCodec.deserialize(through(lineSnapshotCodec.serialize(state)))).toEqual(state);
    }
  });

  it('pins the state shape to the schema version: a new or renamed field must bump LINE_SNAPSHOT_SCHEMA', () => {
    // When this fails: bump LINE_SNAPSHOT_SCHEMA, teach serialize/deserialize the new shape, and
    // update the expectation below. Old snapshots are then ignored and rebuilt, never misread.
    expect({ schema: LINE_SNAPSHOT_SCHEMA, fields: Object.keys(initialLineState).sort() }).toEqual({
      schema: 2,
      fields: ['call', 'recentCalls', 'totals', 'usedCallIds', 'voicemails'],
    });
  });

  it('refuses data of another shape instead of folding on it', () => {
    const good = through(lineSnapshotCodec.serialize(initialLineState)) as Record<string, unknown>;
    for (const bad of [
      null,
      [],
      'state',
      { ...good, voicemails: {} },
      { ...good, recentCalls: [{}] },
      { ...good, totals: { calls: 1 } },
      { ...good, usedCallIds: ['c1', 'c1'] },
      { ...good, usedCallIds: [1] },
      { ...good, call: { phase: 'ringing' } },
    ]) {
      expect(() => lineSnapshotCodec.deserialize(bad)).toThrow(TypeError);
    }
  });
});
