import type { LineState, VoicemailMessage } from './line.state.js';

/**
 * How a line's fold is kept in an aggregate snapshot (libs/eventstore's SnapshotCodec, which this
 * matches structurally so the domain stays free of the store). Bump LINE_SNAPSHOT_SCHEMA whenever
 * LineState's shape or what evolveLine computes changes: snapshots of the old version are then
 * ignored and folds start from the first event. line.snapshot.spec.ts pins the shape to the version.
 */
export const LINE_SNAPSHOT_SCHEMA = 1;

interface LineSnapshot {
  readonly call: LineState['call'];
  /** The Map's values: each message carries its own id, the Map's key. */
  readonly voicemails: readonly VoicemailMessage[];
  readonly recentCalls: LineState['recentCalls'];
  readonly totals: LineState['totals'];
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const lineSnapshotCodec = {
  schemaVersion: LINE_SNAPSHOT_SCHEMA,
  serialize: (state: LineState): LineSnapshot => ({
    call: state.call,
    voicemails: [...state.voicemails.values()],
    recentCalls: state.recentCalls,
    totals: state.totals,
  }),
  /** Checks the shape it relies on; a snapshot that fails is ignored, never patched up. */
  deserialize: (data: unknown): LineState => {
    if (!isObject(data)) throw new TypeError('a line snapshot is an object');
    const { call, voicemails, recentCalls, totals } = data;
    if (call !== null && !(isObject(call) && typeof call.callId === 'string'))
      throw new TypeError('call is neither null nor a call');
    if (
      !Array.isArray(voicemails) ||
      !voicemails.every((m) => isObject(m) && typeof m.messageId === 'string')
    )
      throw new TypeError('voicemails is not a list of messages');
    if (!Array.isArray(recentCalls) || !recentCalls.every((c) => isObject(c) && typeof c.callId === 'string'))
      throw new TypeError('recentCalls is not a list of calls');
    if (
      !isObject(totals) ||
      !Number.isInteger(totals.calls) ||
      !Number.isInteger(totals.missed) ||
      !Number.isInteger(totals.voicemails)
    )
      throw new TypeError('totals are not counts');
    const messages = voicemails as VoicemailMessage[];
    return {
      call: call as unknown as LineState['call'],
      voicemails: new Map(messages.map((message) => [message.messageId, message])),
      recentCalls: recentCalls as LineState['recentCalls'],
      totals: totals as unknown as LineState['totals'],
    };
  },
};
